import { BadRequestException, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { applyDecorators } from '@nestjs/common';

/** The `{id}` path parameter: every ORUK id is a UUID (docs/standard.md, "Output rules"). */
export const IdParam = () =>
  Param(
    'id',
    new ParseUUIDPipe({ exceptionFactory: () => new BadRequestException('id must be a UUID') }),
  );

export const ApiIdParam = (of: string) =>
  applyDecorators(
    ApiParam({
      name: 'id',
      description: `The id of the ${of}, a UUID.`,
      schema: {
        type: 'string',
        format: 'uuid',
        example: 'ac148810-d857-441c-9679-408f346de14b',
      },
    }),
  );
