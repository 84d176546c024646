/**
 * Typos of one edit in a search word: an insertion, a deletion, a substitution or a
 * transposition ("domsetic" for "domestic", "Indpeendent" for "Independent"). Trigram
 * similarity (the other fallback) forgives a dropped letter but rarely a transposed one in
 * a short word: half its trigrams change.
 *
 * A word of five letters or more whose lexeme no service has (the search_word table, see
 * its migration) is corrected to the known lexemes one edit away from its own. Searches
 * whose words are all known, the ordinary ones, never get here (src/search/lists.ts asks
 * only when nothing matches the words as such).
 */

/** Words shorter than this are not corrected: one edit turns them into too many others. */
export const MIN_TYPO_LENGTH = 5;
/** At most this many words of one search are corrected. */
export const MAX_CORRECTED_WORDS = 5;

/**
 * The words of a search that a correction may replace: plain words (no quotes, no `or`,
 * which give the words other meanings than "all of these"), not excluded (-word), of five
 * letters or more. Undefined when the search is not plain words.
 */
export function correctableWords(search: string): string[] | undefined {
  if (/["()]/.test(search)) return undefined;
  const tokens = search.trim().split(/\s+/).filter(Boolean);
  if (tokens.some((t) => t.toLowerCase() === 'or')) return undefined;
  const words = tokens
    .filter((t) => !t.startsWith('-'))
    .map((t) => t.toLowerCase())
    .filter((t) => /^[\p{L}\p{N}]+$/u.test(t) && [...t].length >= MIN_TYPO_LENGTH);
  return [...new Set(words)].slice(0, MAX_CORRECTED_WORDS);
}

/** The search without the given words (whole tokens), for the part that stays as typed. */
export function withoutWords(search: string, words: readonly string[]): string {
  const drop = new Set(words);
  return search
    .trim()
    .split(/\s+/)
    .filter((t) => !drop.has(t.toLowerCase()))
    .join(' ');
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/**
 * Every string one edit away from `lexeme`: each character deleted, each pair of neighbours
 * swapped, each character replaced and each gap filled by a letter, a digit or one of the
 * lexeme's own characters (so accented words are served too).
 */
export function oneEditAway(lexeme: string): string[] {
  const chars = [...lexeme];
  const letters = [...new Set([...ALPHABET, ...chars])];
  const out = new Set<string>();
  const join = (parts: string[]) => parts.join('');
  for (let i = 0; i <= chars.length; i++) {
    const before = chars.slice(0, i);
    for (const c of letters) out.add(join([...before, c, ...chars.slice(i)]));
    if (i === chars.length) continue;
    const after = chars.slice(i + 1);
    out.add(join([...before, ...after]));
    for (const c of letters) out.add(join([...before, c, ...after]));
    if (i + 1 < chars.length)
      out.add(join([...before, chars[i + 1], chars[i], ...chars.slice(i + 2)]));
  }
  out.delete(lexeme);
  out.delete('');
  return [...out];
}
