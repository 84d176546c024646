/**
 * What an import did to a record's values before storing it, reported per record and kept
 * in the database (the `record_change` table) until the next import of that record.
 *
 * - `repaired`: a value had one obvious meaning in another form, and was stored so
 *   (a URL without its scheme, an email with a trailing dot, a date written 01/03/2024);
 * - `dropped`: a value (or a whole child record) could not be used and was left out, the
 *   rest of the record stored (an email that is not one, an age of -1, an unknown field);
 * - `rejected`: the record could not be stored at all (no name, no organization), with why.
 */
export type ChangeKind = 'repaired' | 'dropped' | 'rejected';

export interface Change {
  kind: ChangeKind;
  /** What kind of fault: for counting and for a quality report (RULES below). */
  rule: Rule;
  /** JSON Pointer into the record as it was given, e.g. /contacts/0/phones/1/extension. */
  path: string;
  before?: unknown;
  after?: unknown;
  reason: string;
}

/** Every kind of fault an import knows, with what it does about it (docs/import.md). */
export const RULES = {
  'id-derived': 'an id that is not a UUID: a stable UUID made from it and where it came from',
  'id-missing': 'a record without an id: a stable UUID made from its parent and its content',
  'id-duplicate':
    'an id met twice in one record (the second, if different, gets one of its own), or a service given twice in one input (the last is stored)',
  'url-scheme': 'a web address without its scheme: https:// added',
  url: 'a web address that cannot be used (not a URL, a script, a placeholder): left out',
  email:
    'an email address with spaces, invisible characters or a trailing dot: cleaned, or left out',
  age: 'an age below 0 or above 150 (often -1 for "no limit"), or a minimum above the maximum: left out',
  date: 'a date in another form (01/03/2024, 1 March 2024, a date-time): as YYYY-MM-DD, or left out',
  'date-time':
    'a date-time without an offset (read as UK time) or in another form: as RFC 3339 UTC, or left out',
  time: 'a time of day in another form (9am, 0930): as HH:MM:SS, or left out',
  number: 'a number given as text, or out of its range: as a number, or left out',
  text: 'a number or true/false where text belongs: as text; an object or list there: left out',
  enum: 'a value of a fixed list in another case or spelling: the list’s own, or left out',
  coordinates: 'a latitude or longitude out of range, or 0,0: the location’s coordinates left out',
  'link-entity': 'an attribute whose link_entity is not where it sits: the table it sits in',
  'nested-link': 'a nested record naming another parent than the one it is nested in: its parent',
  required:
    'a required field without a value: filled from another (a description from the name, a county from the city, status active, country GB), or the child record left out',
  'not-an-object': 'a child record that is not an object: left out',
  'unknown-field': 'a field that ORUK 3.0 and its HSDS extras do not have: not stored',
  'v1-mapping': 'what an ORUK v1 record holds that ORUK 3.0 cannot, or held differently',
  'vendor-extra':
    'a directory product’s own field: mapped where ORUK 3.0 has a home for it, else left out',
  taxonomy: 'a taxonomy term of a taxonomy that is nowhere: a placeholder taxonomy stands in',
  invalid: 'what no repair could make valid: the record is rejected',
} as const;
export type Rule = keyof typeof RULES;

/** A value short enough to show in a report line. */
export function shown(value: unknown, max = 200): unknown {
  if (value === undefined) return undefined;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (text === undefined || text.length <= max) return value;
  return `${text.slice(0, max)}…`;
}

/** The changes of one record, as they are found. */
export class ChangeLog {
  readonly changes: Change[] = [];

  repaired(rule: Rule, path: string, before: unknown, after: unknown, reason: string): void {
    this.changes.push({
      kind: 'repaired',
      rule,
      path,
      before: shown(before),
      after: shown(after),
      reason,
    });
  }

  dropped(rule: Rule, path: string, before: unknown, reason: string): void {
    this.changes.push({ kind: 'dropped', rule, path, before: shown(before), reason });
  }
}
