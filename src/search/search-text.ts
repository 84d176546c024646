/**
 * A search as PostgreSQL's `websearch_to_tsquery` reads it (words, "a quoted phrase", `or`,
 * `-word`), rewritten to the same meaning in a form whose query is bounded.
 *
 * `websearch_to_tsquery` reads every `-` that begins a word as "not", also after punctuation,
 * so `search=---…` or `a|-|-|-…` nests one NOT in the next until PostgreSQL's fixed query
 * stack overflows (`tsquery stack too small`, a 500 on every list). Here a word is what
 * its letters and digits are: punctuation between them becomes a space, a hyphen counts only
 * between two of them ("e-mail"), and a word is negated at most once, by the `-`s before it.
 * What has no letter or digit is no word and is dropped.
 */

/**
 * Characters a word keeps besides letters and digits: they build no operator, and
 * PostgreSQL's parser reads some words with them as one (24/7, 10:30, 1,000, nhs.uk/help).
 */
const WORD = /[^\p{L}\p{N}'’.@_/:,+-]+/gu;
/** A hyphen that is not between two letters or digits. */
const LOOSE_HYPHEN = /(?<![\p{L}\p{N}])-|-(?![\p{L}\p{N}])/gu;
const HAS_WORD = /[\p{L}\p{N}]/u;

function words(text: string): string[] {
  return text
    .replace(WORD, ' ')
    .replace(LOOSE_HYPHEN, ' ')
    .split(/\s+/)
    .filter((w) => HAS_WORD.test(w));
}

/** The canonical search text; empty when the text has no word. */
export function searchText(raw: string): string {
  const terms: string[] = [];
  for (const [, minus, phrase, word] of raw.matchAll(/(-*)(?:"([^"]*)"?|([^\s"]+))/g)) {
    const negated = minus !== '';
    if (word !== undefined && /^or$/i.test(word)) {
      if (!negated) terms.push('or');
      continue;
    }
    const parts = words(phrase ?? word);
    if (!parts.length) continue;
    const quoted = phrase !== undefined || (negated && parts.length > 1);
    const text = quoted ? `"${parts.join(' ')}"` : parts.join(' ');
    terms.push(negated ? `-${text}` : text);
  }
  return terms.join(' ');
}
