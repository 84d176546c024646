import { Doc } from './documents';

/**
 * Reading the values that feeds and files send, whatever their form: trimmed text, numbers
 * in strings, dates and times in the forms UK systems write them. Pure functions, shared by
 * the ORUK v1 mapping (./v1/) and the repairs of every document (./repair/).
 */

export function isDoc(value: unknown): value is Doc {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function asDoc(value: unknown): Doc | undefined {
  return isDoc(value) ? value : undefined;
}

export function docs(value: unknown): Doc[] {
  return Array.isArray(value) ? value.filter(isDoc) : [];
}

export function defined<T>(value: T | undefined): value is T {
  return value !== undefined;
}

/** A trimmed non-empty string (numbers become strings), else undefined. */
export function text(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** A number, or a string that is one. */
export function number(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  const given = text(value);
  if (given === undefined || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(given))
    return undefined;
  return Number(given);
}

/** Without undefined, null and "" values (v1 used null and "" for "no value"; 3.0 omits). */
export function compact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(compact);
  if (!isDoc(value)) return value;
  const out: Doc = {};
  for (const [key, v] of Object.entries(value)) {
    if (v !== undefined && v !== null && v !== '') out[key] = compact(v);
  }
  return out;
}

export const LONDON_DATE = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The UK calendar date of an instant (v1 servers sent Java dates as UK midnight in UTC). */
export function londonDate(instant: Date): string {
  const part = (type: string) => LONDON_DATE.formatToParts(instant).find((p) => p.type === type)!;
  return `${part('year').value}-${part('month').value}-${part('day').value}`;
}

/** An ISO date from the forms v1 servers sent; anything else is returned as given. */
export function isoDate(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return londonDate(new Date(value));
  const given = text(value);
  if (!given) return undefined;
  if (/^\d{4}-\d{2}-\d{2}$/.test(given)) return given;
  const zoned =
    /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})$/i.exec(given);
  if (zoned) {
    const zone = zoned[3].length === 5 ? `${zoned[3].slice(0, 3)}:${zoned[3].slice(3)}` : zoned[3];
    const instant = new Date(`${zoned[1]}T${zoned[2]}${zone.toUpperCase()}`);
    if (!Number.isNaN(instant.getTime())) return londonDate(instant);
  }
  const local = /^(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}/.exec(given);
  if (local) return local[1];
  const uk = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(given);
  if (uk) return `${uk[3]}-${uk[2].padStart(2, '0')}-${uk[1].padStart(2, '0')}`;
  return given;
}

/**
 * HH:MM:SS from the forms v1 servers sent ("09:00", "9:00", "0900", "09:00:00", "9am",
 * a datetime); "24:00" (end of day) becomes 00:00:00, which 3.0 readers (and our day/time
 * filter) take as "until midnight". Anything else is returned as given.
 */
export function time(value: unknown): string | undefined {
  const given = text(value);
  if (!given) return undefined;
  const pad = (n: number) => String(n).padStart(2, '0');
  const hhmm = (h: number, m: number, s = 0, rest = '') =>
    h === 24 && m === 0 && s === 0 ? '00:00:00' : `${pad(h)}:${pad(m)}:${pad(s)}${rest}`;
  const clock =
    /^(?:\d{4}-\d{2}-\d{2}[T ])?(\d{1,2})[:.](\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(
      given,
    );
  if (clock && Number(clock[1]) <= 24) {
    return hhmm(
      Number(clock[1]),
      Number(clock[2]),
      Number(clock[3] ?? 0),
      `${clock[4] ?? ''}${clock[5] ?? ''}`,
    );
  }
  const compact = /^(\d{2})(\d{2})$/.exec(given);
  if (compact && Number(compact[1]) <= 24) return hhmm(Number(compact[1]), Number(compact[2]));
  const twelve = /^(\d{1,2})(?:[:.](\d{2}))?\s*([ap])\.?m\.?$/i.exec(given);
  if (twelve && Number(twelve[1]) >= 1 && Number(twelve[1]) <= 12) {
    const h = (Number(twelve[1]) % 12) + (twelve[3].toLowerCase() === 'p' ? 12 : 0);
    return hhmm(h, Number(twelve[2] ?? 0));
  }
  return given;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** Whether y-m-d is a day of the calendar (no 30 February). */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  );
}

const pad = (n: number | string, width = 2) => String(n).padStart(width, '0');

/**
 * A calendar date as YYYY-MM-DD from the forms UK data uses: ISO (a date-time's date in UK
 * time), day first with slashes, dashes or dots (01/03/2024, 1-3-2024, 1.3.24), year first
 * with slashes, and with the month's name (1 March 2024, 1st Mar 2024, March 1 2024);
 * undefined when none of them, or not a day of the calendar.
 */
export function calendarDate(value: unknown): string | undefined {
  const iso = isoDate(value);
  if (iso === undefined) return undefined;
  const check = (y: number, m: number, d: number) =>
    isCalendarDate(y, m, d) ? `${pad(y, 4)}-${pad(m)}-${pad(d)}` : undefined;
  let match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (match) return check(Number(match[1]), Number(match[2]), Number(match[3]));
  const year = (y: string) => (y.length === 2 ? 2000 + Number(y) : Number(y));
  match = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})$/.exec(iso);
  if (match) return check(year(match[3]), Number(match[2]), Number(match[1]));
  match = /^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$/.exec(iso);
  if (match) return check(Number(match[1]), Number(match[2]), Number(match[3]));
  const words = iso.toLowerCase().replace(/,/g, ' ').split(/\s+/);
  const month = (w: string) => MONTHS.indexOf(w.slice(0, 3)) + 1;
  const day = (w: string) => /^(\d{1,2})(st|nd|rd|th)?$/.exec(w)?.[1];
  if (words.length === 3) {
    const [a, b, c] = words;
    if (day(a) && month(b) && /^\d{4}$/.test(c)) return check(Number(c), month(b), Number(day(a)));
    if (month(a) && day(b) && /^\d{4}$/.test(c)) return check(Number(c), month(a), Number(day(b)));
  }
  return undefined;
}

const LONDON_PARTS = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** Milliseconds that UK wall-clock time is ahead of UTC at an instant (0 or 1 hour). */
function londonOffset(instant: number): number {
  const parts = Object.fromEntries(
    LONDON_PARTS.formatToParts(new Date(instant)).map((p) => [p.type, p.value]),
  );
  const wall = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  return wall - Math.floor(instant / 1000) * 1000;
}

/** The instant at which UK clocks showed this wall-clock time (the later one when it is ambiguous). */
export function fromLondonTime(wall: number): number {
  let guess = wall - londonOffset(wall);
  guess = wall - londonOffset(guess);
  return guess;
}

/**
 * An instant as RFC 3339 UTC with milliseconds, from: ISO 8601 with an offset or Z; ISO
 * without one (read as UK time, where such data comes from); a date alone (UK midnight); a
 * day-first date with a time (01/03/2024 14:30); milliseconds since 1970, as a number or
 * in .NET's /Date(…)/ form. `withoutOffset` says the time was taken as UK time. Undefined
 * when none of these, or not a real moment.
 */
export function instant(value: unknown): { iso: string; withoutOffset: boolean } | undefined {
  const done = (ms: number, withoutOffset: boolean) =>
    Number.isFinite(ms) && Math.abs(ms) < 8.64e15
      ? { iso: new Date(ms).toISOString(), withoutOffset }
      : undefined;
  if (typeof value === 'number') return done(value, false);
  const given = text(value);
  if (!given) return undefined;
  const dotnet = /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/.exec(given);
  if (dotnet) return done(Number(dotnet[1]), false);
  const iso =
    /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i.exec(
      given,
    );
  const dayFirst =
    /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[T ,]\s*(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(given);
  let fields: number[];
  let zone: string | undefined;
  if (iso) {
    fields = [1, 2, 3, 4, 5, 6].map((i) => Number(iso[i] ?? 0));
    zone = iso[8];
    const ms = iso[7] ? Math.round(Number(iso[7]) * 1000) : 0;
    fields.push(ms);
  } else if (dayFirst) {
    fields = [3, 2, 1, 4, 5, 6].map((i) => Number(dayFirst[i] ?? 0));
    fields.push(0);
  } else return undefined;
  const [y, mo, d, h, mi, s, ms] = fields;
  if (!isCalendarDate(y, mo, d) || h > 23 || mi > 59 || s > 59) return undefined;
  const wall = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  if (!zone) return done(fromLondonTime(wall - ms) + ms, true);
  if (/^z$/i.test(zone)) return done(wall, false);
  const sign = zone.startsWith('-') ? -1 : 1;
  const [oh, om] = [Number(zone.slice(1, 3)), Number(zone.slice(-2).replace(/^\d$/, '0'))];
  const minutes = zone.length <= 3 ? oh * 60 : oh * 60 + om;
  return done(wall - sign * minutes * 60_000, false);
}
