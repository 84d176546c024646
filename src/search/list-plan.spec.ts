import { ListPlan, WHOLE_TABLE } from './list-plan';

describe('ListPlan.keptCount: which lists read the count the write path keeps', () => {
  const term = '5f0c6a9e-1d2b-4c3d-8e4f-a0b1c2d3e4f5';
  const other = '6a1d7b0f-2e3c-4d4e-9f50-b1c2d3e4f5a6';
  const counted = (values: string[]) => ({
    counted: ['taxonomy_term_id', values] as [string, string[]],
  });

  it('a whole counted table without conditions', () => {
    expect(new ListPlan('service').keptCount()).toEqual(['service', WHOLE_TABLE]);
    expect(new ListPlan('service_at_location').keptCount()).toEqual([
      'service_at_location',
      WHOLE_TABLE,
    ]);
    expect(new ListPlan('taxonomy_term').keptCount()).toBeUndefined();
  });

  it('/services with one kept filter of one value, and nothing else', () => {
    expect(new ListPlan('service').and('c', counted([term])).keptCount()).toEqual([
      'taxonomy_term_id',
      term,
    ]);
    expect(new ListPlan('service').and('c', counted([term, other])).keptCount()).toBeUndefined();
    expect(
      new ListPlan('service')
        .and('c', counted([term]))
        .and('d')
        .keptCount(),
    ).toBeUndefined();
    expect(
      new ListPlan('service')
        .and('d')
        .and('c', counted([term]))
        .keptCount(),
    ).toBeUndefined();
    expect(new ListPlan('service').and('d').keptCount()).toBeUndefined();
    // The same filter on the services of another list counts other rows.
    expect(
      new ListPlan('service_at_location').and('c', counted([term])).keptCount(),
    ).toBeUndefined();
  });

  it('never when a join is a condition too', () => {
    const plan = new ListPlan('service').joinOne('(SELECT 1 AS service_id)', 'nd', 'id', {
      key: 'service_id',
      filters: true,
    });
    expect(plan.keptCount()).toBeUndefined();
    expect(plan.countFrom('service')).toContain('JOIN (SELECT 1 AS service_id) nd');
    const required = new ListPlan('service_at_location').joinOne('service', 's', 'service_id');
    expect(required.countFrom('service_at_location')).not.toContain('JOIN');
  });
});
