import { searchText } from './search-text';

describe('searchText (the canonical search)', () => {
  it.each([
    ['debt advice', 'debt advice'],
    ['debt  advice -online', 'debt advice -online'],
    ['"food bank" or pantry', '"food bank" or pantry'],
    ['-"food bank"', '-"food bank"'],
    ["children's e-mail", "children's e-mail"],
    ['nhs.uk help@example.org.uk', 'nhs.uk help@example.org.uk'],
    ['open 24/7 -24/7', 'open 24/7 -24/7'],
    ['10:30 1,000 c++ nhs.uk/help', '10:30 1,000 c++ nhs.uk/help'],
  ])('keeps %j as %j', (raw, canonical) => expect(searchText(raw)).toBe(canonical));

  it.each([
    ['-'.repeat(33), ''],
    ['- '.repeat(17), ''],
    ['(- (- &- |-', ''],
    ['ab' + '|-'.repeat(34) + 'cd', 'ab cd'],
    ['ab----cd', 'ab cd'],
    ['---food', '-food'],
    ['-foo&bar', '-"foo bar"'],
    ['food -or', 'food'],
    ['"unterminated phrase', '"unterminated phrase"'],
    ['a.-b.-c', 'a. b. c'],
  ])('rewrites %j as %j', (raw, canonical) => expect(searchText(raw)).toBe(canonical));

  it('negates a word at most once, whatever comes before it', () => {
    for (const raw of ['-'.repeat(100) + 'x', '!-!-!-x', '(-(-(-x'])
      expect(searchText(raw)).toMatch(/^-?"?x"?$/);
  });
});
