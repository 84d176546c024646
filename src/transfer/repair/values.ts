import { fullFormats } from 'ajv-formats/dist/formats';
import { FieldSpec } from '../../hsds/fields';
import { TIME_PATTERN } from '../../hsds/json-schema';
import { canonicalUuid } from '../../hsds/uuid';
import { calendarDate, instant, number, time } from '../values';
import { Rule } from './changes';

/**
 * One value, repaired by the kind of its field (src/hsds/fields.ts): kept as it is (or as
 * its canonical form when only the spelling of the same value differs: a UUID's case),
 * repaired (another form with one obvious meaning, reported), or dropped (unusable,
 * reported). The checks are the formats the JSON Schemas use (ajv-formats), so a value
 * kept or repaired here is one the validation accepts.
 */
export type Outcome =
  | typeof AS_GIVEN
  | { keep: unknown }
  | { repaired: unknown; rule: Rule; reason: string }
  | { drop: string; rule: Rule };

/** The value stays as it was given: one shared object, as most values do. */
export const AS_GIVEN = Object.freeze({ asGiven: true } as const);
const keep = (value: unknown): Outcome => ({ keep: value });
const repaired = (value: unknown, rule: Rule, reason: string): Outcome => ({
  repaired: value,
  rule,
  reason,
});
const drop = (rule: Rule, reason: string): Outcome => ({ drop: reason, rule });

type Check = (value: string) => boolean;
const check = (name: 'email' | 'uri' | 'date-time'): Check => {
  const format = fullFormats[name] as
    RegExp | ((value: string) => boolean) | { validate: RegExp | ((value: string) => boolean) };
  const test = format instanceof RegExp || typeof format === 'function' ? format : format.validate;
  return typeof test === 'function' ? test : (value) => test.test(value);
};
const isEmail = check('email');
const isUri = check('uri');
const isDateTime = check('date-time');

/** Invisible characters that copy-and-paste brings: zero-width spaces and joiners, BOMs, NBSP. */
const INVISIBLE = /[\u200B-\u200D\u2060\uFEFF\u00A0\u00AD]/g;

function email(value: string): Outcome {
  const cleaned = value
    .replace(INVISIBLE, '')
    .trim()
    .replace(/^mailto:/i, '')
    .replace(/\s+/g, '')
    .replace(/[.,;]+$/, '');
  if (cleaned === value && isEmail(value)) return AS_GIVEN;
  if (isEmail(cleaned))
    return repaired(cleaned, 'email', 'cleaned of spaces, invisible characters or a trailing dot');
  return drop('email', 'not an email address');
}

const TIME = new RegExp(TIME_PATTERN);

/**
 * Host names that are placeholders, never a real site: RFC 2606's example.com (.org,
 * .net) and the .test, .invalid and .localhost names, whole labels only (testvalley.gov.uk
 * is a council). Names under .example are kept: fictional directories (our seed) use them.
 */
const PLACEHOLDER =
  /^(?:(?:www\.)?example\.(?:com|org|net)|localhost|(?:[^/]+\.)?(?:test|invalid|localhost))(?::\d+)?$/i;
const HOST = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}(?::\d{1,5})?(?:[/?#]\S*)?$/i;

function uri(value: string): Outcome {
  const cleaned = value.replace(INVISIBLE, '').trim();
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(cleaned)?.[1]?.toLowerCase();
  if (scheme === 'javascript' || scheme === 'data' || scheme === 'vbscript')
    return drop('url', `a ${scheme}: address, not a web page`);
  const host = (/^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(cleaned)?.[1] ?? cleaned).replace(
    /[/?#].*$/,
    '',
  );
  if (PLACEHOLDER.test(host) || /^(?:https?:\/\/)?path\/to\b/i.test(cleaned))
    return drop('url', 'a placeholder address, not a real one');
  if (scheme && isUri(cleaned)) {
    return cleaned === value ? AS_GIVEN : repaired(cleaned, 'url', 'cleaned of spaces');
  }
  if (scheme && isUri(encodeURI(cleaned)))
    return repaired(encodeURI(cleaned), 'url', 'spaces and other characters percent-encoded');
  if (!scheme && HOST.test(cleaned)) {
    const withScheme = `https://${cleaned}`;
    if (isUri(withScheme))
      return repaired(withScheme, 'url-scheme', 'a host name without its scheme');
  }
  return drop('url', 'not a URL');
}

function textValue(value: unknown): Outcome {
  if (typeof value === 'string') return AS_GIVEN;
  if (typeof value === 'number' || typeof value === 'boolean')
    return repaired(String(value), 'text', `a ${typeof value} where text belongs`);
  return drop('text', `${Array.isArray(value) ? 'a list' : 'an object'} where text belongs`);
}

function numeric(field: FieldSpec, value: unknown): Outcome {
  const n = number(value);
  if (n === undefined) return drop('number', 'not a number');
  const isAge = field.name === 'minimum_age' || field.name === 'maximum_age';
  if (field.kind === 'integer' && !Number.isInteger(n)) return drop('number', 'not a whole number');
  if (
    (field.minimum !== undefined && n < field.minimum) ||
    (field.maximum !== undefined && n > field.maximum)
  ) {
    if (isAge)
      return drop('age', n < 0 ? `an age of ${n} (taken as no limit)` : `an age of ${n} years`);
    const rule = field.name === 'latitude' || field.name === 'longitude' ? 'coordinates' : 'number';
    return drop(rule, `${n} is outside ${field.minimum}–${field.maximum}`);
  }
  return typeof value === 'number' ? AS_GIVEN : repaired(n, 'number', 'a number written as text');
}

/** Spellings of the values of fixed lists, by field name, beyond case and separators. */
const ALIASES: Record<string, Record<string, string>> = {
  status: {
    open: 'active',
    live: 'active',
    published: 'active',
    closed: 'inactive',
    withdrawn: 'inactive',
    suspended: 'temporarily closed',
    paused: 'temporarily closed',
    'closed temporarily': 'temporarily closed',
    deleted: 'defunct',
    discontinued: 'defunct',
    archived: 'defunct',
  },
  location_type: { 'in person': 'physical', venue: 'physical', online: 'virtual', web: 'virtual' },
  address_type: { 'in person': 'physical', venue: 'physical', postal_address: 'postal' },
  type: { phone: 'voice', telephone: 'voice', landline: 'voice', mobile: 'voice', sms: 'text' },
};

function listed(field: FieldSpec, value: unknown): Outcome {
  if (typeof value !== 'string') return drop('enum', `not one of ${field.values!.join(', ')}`);
  if (field.values!.includes(value)) return AS_GIVEN;
  const spelt = value.trim().toLowerCase().replace(/[_-]+/g, ' ').replace(/\s+/g, ' ');
  const found =
    field.values!.find((v) => v.toLowerCase() === spelt) ?? ALIASES[field.name]?.[spelt];
  if (found && field.values!.includes(found))
    return repaired(found, 'enum', `"${value}" is written "${found}" in ORUK`);
  return drop('enum', `"${value}" is not one of ${field.values!.join(', ')}`);
}

/** Repairs one value by its field's kind. */
export function repairValue(field: FieldSpec, value: unknown): Outcome {
  switch (field.kind) {
    case 'uuid': {
      const id = canonicalUuid(value);
      // Non-UUIDs are the caller's (it knows where they come from: repair.ts).
      if (id === value) return AS_GIVEN;
      return id ? keep(id) : drop('id-derived', 'not a UUID');
    }
    case 'email':
      return typeof value === 'string' ? email(value) : drop('email', 'not an email address');
    case 'uri':
      return typeof value === 'string' ? uri(value) : drop('url', 'not a URL');
    case 'number':
    case 'integer':
      return numeric(field, value);
    case 'enum':
      return listed(field, value);
    case 'date': {
      const date = calendarDate(value);
      if (!date) return drop('date', 'not a date');
      return date === value ? AS_GIVEN : repaired(date, 'date', 'a date written another way');
    }
    case 'datetime': {
      const read = instant(value);
      if (!read) return drop('date-time', 'not a date and time');
      if (read.withoutOffset)
        return repaired(read.iso, 'date-time', 'a time without an offset, read as UK time');
      // An instant with its offset, as RFC 3339 writes it: the same instant, however written.
      if (typeof value === 'string' && isDateTime(value)) return AS_GIVEN;
      return repaired(read.iso, 'date-time', 'a date and time written another way');
    }
    case 'time': {
      if (typeof value === 'string' && TIME.test(value)) return AS_GIVEN;
      const t = time(value);
      if (t === undefined || !TIME.test(t)) return drop('time', 'not a time of day');
      return t === value ? AS_GIVEN : repaired(t, 'time', 'a time written another way');
    }
    default:
      return textValue(value);
  }
}
