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

export const ToNumber = () =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(value) ? Number(value) : value,
  );

/**
 * "a,b" or a repeated parameter (?a=1&a=2) → ['a', 'b'] (any of them). Anything that is not
 * text is passed through for validation to reject.
 */
export const ToList = (normalise: (v: string) => string = (v) => v) =>
  Transform(({ value }: { value: unknown }) => {
    const values = Array.isArray(value) ? value : [value];
    if (!values.every((v) => typeof v === 'string')) return value;
    return values
      .flatMap((v) => v.split(','))
      .map((v) => normalise(v.trim()))
      .filter((v) => v !== '');
  });
