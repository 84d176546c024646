import { Transform } from 'class-transformer';

/**
 * Query strings arrive as text. These transforms convert only well-formed values and pass
 * anything else through unchanged, so that validation rejects it with a message naming the
 * parameter (e.g. "per_page must be an integer number"), instead of coercing "abc" to NaN
 * or "false" to true.
 */
export const ToInt = () =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^[+-]?\d+$/.test(value) ? Number(value) : value,
  );

export const ToBoolean = () =>
  Transform(({ value }: { value: unknown }) =>
    value === 'true' ? true : value === 'false' ? false : value,
  );
