import { Doc } from '../documents';

/**
 * Reading the values v1 feeds send: trimmed text, numbers in strings, dates and times in
 * the forms v1 servers used, day names, countries and languages. Pure functions.
 */

export const DAY_CODES = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
export const ALL_DAYS = DAY_CODES.join(',');
export const DAY_NAMES: Record<string, string> = {
  monday: 'MO',
  mon: 'MO',
  tuesday: 'TU',
  tue: 'TU',
  tues: 'TU',
  wednesday: 'WE',
  wed: 'WE',
  thursday: 'TH',
  thu: 'TH',
  thur: 'TH',
  thurs: 'TH',
  friday: 'FR',
  fri: 'FR',
  saturday: 'SA',
  sat: 'SA',
  sunday: 'SU',
  sun: 'SU',
};

export const COUNTRIES: Record<string, string> = {
  uk: 'GB',
  'united kingdom': 'GB',
  'great britain': 'GB',
  britain: 'GB',
  england: 'GB',
  scotland: 'GB',
  wales: 'GB',
  'northern ireland': 'GB',
  ireland: 'IE',
};

/** ISO 639 codes of languages commonly offered by UK services, by English name. */
export const LANGUAGE_CODES: Record<string, string> = {
  arabic: 'ar',
  bengali: 'bn',
  'british sign language': 'bfi',
  bsl: 'bfi',
  cantonese: 'yue',
  chinese: 'zh',
  czech: 'cs',
  english: 'en',
  farsi: 'fa',
  french: 'fr',
  german: 'de',
  gujarati: 'gu',
  hindi: 'hi',
  italian: 'it',
  kurdish: 'ku',
  latvian: 'lv',
  lithuanian: 'lt',
  mandarin: 'cmn',
  pashto: 'ps',
  persian: 'fa',
  polish: 'pl',
  portuguese: 'pt',
  punjabi: 'pa',
  romanian: 'ro',
  russian: 'ru',
  slovak: 'sk',
  somali: 'so',
  spanish: 'es',
  tamil: 'ta',
  tigrinya: 'ti',
  turkish: 'tr',
  ukrainian: 'uk',
  urdu: 'ur',
  welsh: 'cy',
};

export const MAX_AGE = 150;

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

/** Latitude or longitude: numbers as given, even out of range (the validator says so). */
export function coordinate(value: unknown): unknown {
  return number(value) ?? text(value);
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

/** A cost in pounds: a number, or a string such as "5", "£5.50" or "£1,200". */
export function amount(value: unknown): unknown {
  const given = text(value);
  const pounds = given && /^£?\s*(\d{1,3}(,\d{3})*|\d+)(\.\d+)?$/.exec(given);
  if (pounds) return Number(given.replace(/[£,\s]/g, ''));
  return number(value) ?? given;
}

export function ordered(doc: Doc, keys: readonly string[]): Doc {
  const out: Doc = {};
  for (const key of keys) if (doc[key] !== undefined) out[key] = doc[key];
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

/** RRULE day codes for one v1 day token: MO, 1MO, -1FR, Monday, Mon, 1–7 (ISO, 0 = Sunday), Mon-Fri. */
export function dayCodes(token: string): string[] | undefined {
  const range = /^([a-z]+)\s*(?:-|–|\bto\b)\s*([a-z]+)$/i.exec(token);
  if (range) {
    const from = dayCode(range[1]);
    const to = dayCode(range[2]);
    if (!from || !to) return undefined;
    const start = DAY_CODES.indexOf(from as (typeof DAY_CODES)[number]);
    const end = DAY_CODES.indexOf(to as (typeof DAY_CODES)[number]);
    const codes: string[] = [];
    for (let i = start; ; i = (i + 1) % 7) {
      codes.push(DAY_CODES[i]);
      if (i === end) break;
    }
    return codes;
  }
  const code = dayCode(token);
  return code ? [code] : undefined;
}

export function dayCode(token: string): string | undefined {
  const rrule = /^\+?(-?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$/i.exec(token);
  if (rrule) return `${rrule[1] ?? ''}${rrule[2].toUpperCase()}`;
  if (/^[0-7]$/.test(token)) return DAY_CODES[(Number(token) + 6) % 7];
  const name = token.toLowerCase().replace(/\.$/, '');
  return DAY_NAMES[name] ?? DAY_NAMES[name.replace(/s$/, '')];
}

export function country(value: unknown): string {
  const given = text(value);
  // v1's application profile: "Use 'GB'". A UK feed that left it out meant GB.
  if (!given) return 'GB';
  if (/^[a-z]{2}$/i.test(given)) return given.toUpperCase() === 'UK' ? 'GB' : given.toUpperCase();
  return COUNTRIES[given.toLowerCase()] ?? given;
}

/** A language record's name and code from a v1 language value (a name, or an ISO code). */
export function languageOf(value: unknown): { name?: string; code?: string } | undefined {
  const given = text(value);
  if (!given) return undefined;
  const lower = given.toLowerCase();
  if (/^[a-z]{2,3}$/.test(given) && !LANGUAGE_CODES[lower]) {
    const name = Object.keys(LANGUAGE_CODES).find((n) => LANGUAGE_CODES[n] === lower);
    return { name: name && name[0].toUpperCase() + name.slice(1), code: lower };
  }
  return { name: given, code: LANGUAGE_CODES[lower] };
}

export function isGeoJson(extent: string): boolean {
  try {
    const parsed: unknown = JSON.parse(extent);
    return isDoc(parsed) && typeof parsed.type === 'string';
  } catch {
    return false;
  }
}
