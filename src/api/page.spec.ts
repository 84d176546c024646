import { toPage } from './page';

describe('toPage', () => {
  const items = (n: number) => Array.from({ length: n }, (_, i) => i);

  it('computes the envelope of a middle page', () => {
    expect(toPage({ items: items(10), total: 95 }, { page: 3, per_page: 10 })).toEqual({
      total_items: 95,
      total_pages: 10,
      page_number: 3,
      size: 10,
      first_page: false,
      last_page: false,
      empty: false,
      contents: items(10),
    });
  });

  it('marks the last, partial page', () => {
    expect(toPage({ items: items(5), total: 95 }, { page: 10, per_page: 10 })).toMatchObject({
      size: 5,
      last_page: true,
    });
  });

  it('gives an empty set zero pages, and page 1 is then both first and last', () => {
    expect(toPage({ items: [], total: 0 }, { page: 1, per_page: 50 })).toMatchObject({
      total_pages: 0,
      first_page: true,
      last_page: true,
      empty: true,
      size: 0,
    });
  });
});
