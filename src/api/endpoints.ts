import {
  BadRequestException,
  HttpException,
  HttpStatus,
  Injectable,
  Logger,
  NotFoundException,
  StreamableFile,
} from '@nestjs/common';
import type { Response } from 'express';
import { sendError } from '../common/all-exceptions.filter';
import { PostcodeError } from '../geo/geocoder';
import { Shape } from '../hsds/shapes';
import { Lists } from '../search/lists';
import { RecordReader } from '../search/record-reader';
import { Page, pageSize, toPage } from './page';
import { combinationProblems, ListQuery } from './queries';
import { Resource } from './resource';

/**
 * Answers the routes of every resource (./resource.ts) in HTTP terms: a list as a page in
 * the ORUK envelope, or with format=ndjson as a stream; a record, or a 404 naming the id.
 * Rules that involve several parameters and postcodes that cannot be located are 400s. The
 * query layer (src/search/) plans and reads; nothing there speaks HTTP.
 */
@Injectable()
export class Endpoints {
  private readonly logger = new Logger('Errors');

  constructor(
    private readonly lists: Lists,
    private readonly reader: RecordReader,
  ) {}

  async list<Q extends ListQuery>(
    resource: Resource<Q, unknown>,
    query: Q,
  ): Promise<Page<object> | StreamableFile> {
    const problems = combinationProblems(query);
    if (problems.length) throw new BadRequestException(problems.join('; '));
    let planned;
    try {
      planned = await this.lists.plan(resource.list, query);
    } catch (error) {
      if (!(error instanceof PostcodeError)) throw error;
      if (error.reason === 'no_directory')
        throw new HttpException(error.message, HttpStatus.NOT_IMPLEMENTED);
      throw new BadRequestException(error.message);
    }
    const { plan, shape } = planned;
    documented(resource.list.shapes, shape, resource.list.operationId);
    if (query.format === 'ndjson') {
      return new StreamableFile(await this.reader.openStream(shape, plan), {
        type: 'application/x-ndjson; charset=utf-8',
      }).setErrorHandler((error, response) => sendError(error, response as Response, this.logger));
    }
    const page = { page: query.page, per_page: pageSize(query) };
    return toPage(await this.reader.page(shape, plan, page), page);
  }

  async record<R>(resource: Resource<ListQuery, R>, id: string, query?: R): Promise<object> {
    const shape = resource.record.shape(query);
    documented(resource.record.shapes, shape, resource.record.operationId);
    const record = await this.reader.one(shape, id);
    if (!record) throw new NotFoundException(`No ${resource.noun} has the id ${id}`);
    return record;
  }
}

/** What an endpoint answers is what its OpenAPI operation says it answers. */
function documented(shapes: readonly Shape[], shape: Shape, operation: string): void {
  if (!shapes.includes(shape)) {
    throw new Error(`${operation} answers ${shape.name}, which its documentation does not list`);
  }
}
