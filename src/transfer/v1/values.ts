import { Doc } from '../documents';
import { isDoc, number, text } from '../values';

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

/** Latitude or longitude: numbers as given, even out of range (the validator says so). */
export function coordinate(value: unknown): unknown {
  return number(value) ?? text(value);
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
