import { BadRequestException, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { applyDecorators } from '@nestjs/common';

/** The `{id}` path parameter: every ORUK id is a UUID (docs/standard.md, "Output rules"). */
export const IdParam = () =>
  Param(
    'id',
    new ParseUUIDPipe({ exceptionFactory: () => new BadRequestException('id must be a UUID') }),
  );

/** `example`: a record of the demonstration data (./examples.ts). */
export const ApiIdParam = (of: string, example: string) =>
  applyDecorators(
    ApiParam({
      name: 'id',
      description: `The id of the ${of}, a UUID.`,
      schema: { type: 'string', format: 'uuid', example },
    }),
  );
