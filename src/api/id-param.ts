import { applyDecorators, BadRequestException, Param, PipeTransform } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { isUuid } from '../hsds/uuid';

/**
 * The `{id}` path parameter: any id the store can hold (src/hsds/uuid.ts: 8-4-4-4-12
 * hexadecimal, whatever its version bits), in any case; else a 400.
 */
class UuidPipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    if (!isUuid(value)) throw new BadRequestException('id must be a UUID');
    return value.toLowerCase();
  }
}

export const IdParam = () => Param('id', new UuidPipe());

/** `example`: a record of the demonstration data (./examples.ts). */
export const ApiIdParam = (of: string, example: string) =>
  applyDecorators(
    ApiParam({
      name: 'id',
      description: `The id of the ${of}, a UUID.`,
      schema: { type: 'string', format: 'uuid', example },
    }),
  );
