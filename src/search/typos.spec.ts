import { correctableWords, oneEditAway, withoutWords } from './typos';

describe('typos', () => {
  it('one edit away: every deletion, transposition, substitution and insertion', () => {
    const edits = new Set(oneEditAway('domest'));
    for (const word of ['domst', 'odmest', 'domset', 'domext', 'domesst', 'xdomest', 'domestx'])
      expect({ word, one: edits.has(word) }).toEqual({ word, one: true });
    for (const word of ['domest', 'dmst', 'tsemod', 'doomesst'])
      expect({ word, one: edits.has(word) }).toEqual({ word, one: false });
    // 6 deletions, 5 swaps, and the substitutions and insertions over 36 letters and digits.
    expect(edits.size).toBeLessThanOrEqual(6 + 5 + 6 * 36 + 7 * 36);
    expect(oneEditAway('café')).toContain('cafée');
  });

  it('corrects plain words of five letters or more, not excluded ones, phrases or ORs', () => {
    expect(correctableWords('domsetic abuse help')).toEqual(['domsetic', 'abuse']);
    expect(correctableWords('Domsetic -online')).toEqual(['domsetic']);
    expect(correctableWords('"domsetic abuse"')).toBeUndefined();
    expect(correctableWords('domsetic or abuse')).toBeUndefined();
    expect(correctableWords('well-being')).toEqual([]);
  });

  it('keeps the words that are not corrected as typed', () => {
    expect(withoutWords('Domsetic abuse -online', ['domsetic'])).toBe('abuse -online');
  });
});
