import { Finding } from './findings';
import { PlannedEndpoint } from './plan';
import { Answer, inTurn, isObject, Probe } from './probe';
import { schemaErrors, SchemaSet } from './specification';
import { describeErrors, itemsOf, Observed } from './validator';

/**
 * Level 3: what the official validator does not check, and a feed still gets wrong
 * (docs/validate.md, "Level 3"). Built on what the official plan read, plus a few requests
 * of its own: pages with an explicit `per_page`, an unknown id, a bad parameter, and each
 * documented filter of `/services`. Every finding is a warning and leaves the official
 * verdict as it is. (CORS and the content type of every response: ./probe.ts.)
 */
export async function checkBeyond(
  probe: Probe,
  observed: Observed,
  schemas: SchemaSet,
  concurrency: number,
): Promise<void> {
  const v3 = observed.plan.version === '3.0';
  const find = (f: Omit<Finding, 'level' | 'severity'>, once = true) =>
    probe.add({ level: 3, severity: 'warning', ...f }, once);
  const endpoints = observed.plan.endpoints.filter((e) => observed.implemented.has(e.path));

  // What every body read by the official plan must also be.
  for (const e of endpoints) {
    const answers = e.idsFrom
      ? (observed.records.get(e.idsFrom) ?? []).map((r) => r.answer)
      : e.path === '/'
        ? [observed.root!]
        : (observed.pages.get(e.path) ?? []);
    for (const answer of answers) await bodyRules(e, answer, schemas, find);
  }
  if (!v3) {
    await inTurn(
      endpoints.filter((e) => e.idsFrom),
      concurrency,
      (e) => unknownId(probe, e, find),
    );
    return;
  }
  for (const e of endpoints.filter((x) => x.paginated)) {
    const pages = observed.pages.get(e.path) ?? [];
    envelopes(e, pages, find);
    overlaps(e, pages, find);
  }
  // Then the requests of its own: one at a time, so as to stay well within any throttle.
  const lists = endpoints.filter((e) => e.paginated);
  await inTurn(lists, 1, (e) => perPage(probe, e, observed, find));
  await inTurn(lists, 1, (e) => badParameter(probe, e, find));
  await inTurn(
    endpoints.filter((e) => e.idsFrom),
    1,
    (e) => unknownId(probe, e, find),
  );
  const services = endpoints.find((e) => e.path === '/services');
  if (services) await filters(probe, services, observed, find);
}

type Find = (f: Omit<Finding, 'level' | 'severity'>, once?: boolean) => void;

/** Formats the official validator lets pass (a non-UUID id), and empty values. */
async function bodyRules(e: PlannedEndpoint, answer: Answer, schemas: SchemaSet, find: Find) {
  if (answer.json === undefined || !answer.status || answer.status > 299) return;
  if (e.schema) {
    const [official, strict] = await schemas.validators(e.schema);
    const known = new Set(schemaErrors(official, answer.json).map((x) => `${x.path} ${x.message}`));
    const more = schemaErrors(strict, answer.json).filter(
      (x) => !known.has(`${x.path} ${x.message}`),
    );
    if (more.length)
      find({
        rule: 'format',
        endpoint: e.path,
        request: answer.url,
        expected: 'every format of the schema respected (uuid, date, date-time, email, uri)',
        actual: describeErrors(more),
      });
  }
  const empty = emptyValues(answer.json);
  if (empty.length)
    find({
      rule: 'empty-value',
      endpoint: e.path,
      request: answer.url,
      expected: 'optional properties without a value left out, not null or ""',
      actual: `${empty.length} empty value${empty.length === 1 ? '' : 's'}: ${empty.slice(0, 5).join(', ')}${empty.length > 5 ? ', …' : ''}`,
    });
}

/** Every path whose value is null or "". */
export function emptyValues(value: unknown, path = ''): string[] {
  if (value === null || value === '') return [path || '/'];
  if (Array.isArray(value)) return value.flatMap((v, i) => emptyValues(v, `${path}/${i}`));
  if (isObject(value))
    return Object.entries(value).flatMap(([k, v]) => emptyValues(v, `${path}/${k}`));
  return [];
}

interface Envelope {
  total_items?: unknown;
  total_pages?: unknown;
  page_number?: unknown;
  size?: unknown;
  first_page?: unknown;
  last_page?: unknown;
  empty?: unknown;
  contents?: unknown;
}

function requested(url: string, name: string): number | undefined {
  const value = new URL(url).searchParams.get(name);
  return value === null ? undefined : Number(value);
}

/** Each page's envelope against its own contents, its request and the other pages. */
function envelopes(e: PlannedEndpoint, pages: Answer[], find: Find, perPage?: number): void {
  let total: unknown;
  for (const answer of pages) {
    if (!isObject(answer.json) || !Array.isArray(answer.json.contents)) continue;
    const env = answer.json as Envelope;
    const items = env.contents as unknown[];
    const page = requested(answer.url, 'page') ?? 1;
    const wrong: string[] = [];
    const expect = (field: keyof Envelope, value: unknown) => {
      if (env[field] !== value)
        wrong.push(`${field} ${JSON.stringify(env[field])} (expected ${JSON.stringify(value)})`);
    };
    expect('page_number', page);
    expect('size', items.length);
    expect('empty', items.length === 0);
    expect('first_page', page === 1);
    const totalPages = typeof env.total_pages === 'number' ? env.total_pages : undefined;
    if (totalPages !== undefined) expect('last_page', page >= totalPages);
    const totalItems = typeof env.total_items === 'number' ? env.total_items : undefined;
    const size =
      perPage ??
      (page === 1 && totalPages !== undefined && totalPages > 1 ? items.length : undefined);
    if (totalItems !== undefined && totalPages !== undefined && size) {
      const pagesNeeded = Math.ceil(totalItems / size);
      if (totalPages !== pagesNeeded && !(totalItems === 0 && totalPages <= 1))
        wrong.push(
          `total_pages ${totalPages} for ${totalItems} items of ${size} a page (expected ${pagesNeeded})`,
        );
    }
    if (perPage !== undefined && items.length > perPage)
      wrong.push(`${items.length} items (per_page=${perPage})`);
    if (total !== undefined && env.total_items !== total)
      wrong.push(
        `total_items ${JSON.stringify(env.total_items)}, ${JSON.stringify(total)} on an earlier page`,
      );
    total ??= env.total_items;
    if (wrong.length)
      find({
        rule: 'envelope',
        endpoint: e.path,
        request: answer.url,
        expected:
          'page_number, size, first_page, last_page, empty and total_pages that agree with the request and the contents',
        actual: wrong.join('; '),
      });
  }
}

/** No item on two pages, nor twice on one. */
function overlaps(e: PlannedEndpoint, pages: Answer[], find: Find): void {
  const seen = new Map<string, string>();
  const urls = new Set<string>();
  for (const answer of pages) {
    // The official plan asks for page 1 twice when there are 3 pages (the middle is 3 / 2).
    if (urls.has(answer.url)) continue;
    urls.add(answer.url);
    const items = isObject(answer.json) ? (itemsOf(answer.json) ?? []) : [];
    for (const item of items) {
      const id = isObject(item) && typeof item.id === 'string' ? item.id : undefined;
      if (!id) continue;
      const where = seen.get(id);
      if (where !== undefined) {
        find({
          rule: 'pages-overlap',
          endpoint: e.path,
          request: where === answer.url ? answer.url : `${where} and ${answer.url}`,
          expected: 'each item on one page only',
          actual: `${id} ${where === answer.url ? 'twice on the page' : 'on both pages'}`,
        });
        return;
      }
      seen.set(id, answer.url);
    }
  }
}

/** Pages with an explicit `per_page`: honoured, with the arithmetic to match, and no overlap. */
async function perPage(probe: Probe, e: PlannedEndpoint, observed: Observed, find: Find) {
  const first = observed.firstPages.get(e.path)?.json;
  const total = isObject(first) && typeof first.total_items === 'number' ? first.total_items : 0;
  if (total < 2) return;
  const size = Math.max(1, Math.min(10, Math.floor(total / 2)));
  const pages: Answer[] = [];
  const lastPage = Math.ceil(total / size);
  for (const page of [...new Set([1, 2, lastPage])]) {
    const answer = await probe.get(e.path, `${e.path}?page=${page}&per_page=${size}`);
    if (answer.json === undefined) return;
    pages.push(answer);
  }
  const one = pages[0].json;
  const items = isObject(one) && Array.isArray(one.contents) ? one.contents : [];
  if (items.length !== size)
    find({
      rule: 'per-page',
      endpoint: e.path,
      request: pages[0].url,
      expected: `${size} items (per_page=${size}, of ${total})`,
      actual: `${items.length} items`,
    });
  else {
    envelopes(e, pages, find, size);
    overlaps(e, pages, find);
  }
}

/** A parameter with a value it cannot have: a JSON error, 400. */
async function badParameter(probe: Probe, e: PlannedEndpoint, find: Find) {
  const answer = await probe.get(e.path, `${e.path}?page=not-a-number`);
  if (answer.status === 400 && isObject(answer.json)) return;
  find({
    rule: 'bad-parameter',
    endpoint: e.path,
    request: answer.url,
    expected: 'HTTP 400 with a JSON body naming the problem',
    actual: describeAnswer(answer),
  });
}

/** An id no record has: a JSON error, 404. */
async function unknownId(probe: Probe, e: PlannedEndpoint, find: Find) {
  const path = e.path.replace(/\{[^}]+\}/, UNKNOWN_ID);
  const answer = await probe.get(e.path, path);
  if (answer.status === 404 && isObject(answer.json)) return;
  find({
    rule: 'unknown-id',
    endpoint: e.path,
    request: answer.url,
    expected: 'HTTP 404 with a JSON body',
    actual: describeAnswer(answer),
  });
}

/** A well-formed UUID that no feed is meant to hold. */
export const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
const NONSENSE_WORD = 'qxzjvkwqxzjv';
const FAR_FUTURE = '2999-01-01T00:00:00Z';

function describeAnswer(answer: Answer): string {
  if (answer.status === undefined) return answer.problem ?? 'no response';
  const type = answer.headers?.get('content-type');
  return `HTTP ${answer.status}${answer.json === undefined ? `, a body that is not JSON${type ? ` (${type})` : ''}` : ''}`;
}

/**
 * Each documented filter of `/services` narrows the list to what the records say: a word
 * of a listed service's name finds it, its organization_id and one of its taxonomy terms
 * list it (and only services of that organization), its last_modified less a second lists
 * it; and values that match nothing list nothing (a filter ignored lists everything).
 */
async function filters(probe: Probe, e: PlannedEndpoint, observed: Observed, find: Find) {
  const first = observed.firstPages.get(e.path)?.json;
  const total =
    isObject(first) && typeof first.total_items === 'number' ? first.total_items : undefined;
  const listed = (isObject(first) ? (itemsOf(first) ?? []) : []).filter(isObject);
  const records = (observed.records.get(e.path) ?? []).map((r) => r.answer.json).filter(isObject);
  if (total === undefined || !listed.length) return;
  const get = (query: string) => probe.get(e.path, `${e.path}?${query}`);
  const check = async (
    parameter: string,
    value: string,
    target: Record<string, unknown> | undefined,
    each?: (item: Record<string, unknown>) => boolean,
    eachWhat?: string,
  ) => {
    if (!e.parameters.includes(parameter)) return;
    const answer = await get(`${parameter}=${encodeURIComponent(value)}&per_page=50`);
    const body = isObject(answer.json) ? answer.json : undefined;
    const items = body ? (itemsOf(body) ?? []).filter(isObject) : [];
    const count = body && typeof body.total_items === 'number' ? body.total_items : undefined;
    const problem =
      answer.status !== 200 || count === undefined
        ? describeAnswer(answer)
        : target && count === 0
          ? `no services, but ${String(target.id)} matches`
          : target && count <= 50 && !items.some((i) => i.id === target.id)
            ? `${count} services without ${String(target.id)}, which matches`
            : count > total
              ? `${count} services, more than the ${total} of the whole list`
              : !target && count !== 0
                ? `${count} services (the filter matches nothing)`
                : each && items.some((i) => !each(i))
                  ? `a service that is not ${eachWhat}`
                  : undefined;
    if (problem)
      find(
        {
          rule: `filter-${parameter}`,
          endpoint: e.path,
          request: answer.url,
          expected: target
            ? `the services that match ${parameter}=${value}, ${String(target.id)} among them`
            : `no services: ${parameter}=${value} matches nothing`,
          actual: problem,
        },
        false,
      );
  };

  const named = listed.find((s) => typeof s.name === 'string' && longestWord(s.name));
  if (named) await check('search', longestWord(named.name as string)!, named);
  await check('search', NONSENSE_WORD, undefined);

  const owned = listed.find((s) => typeof s.organization_id === 'string');
  if (owned) {
    const org = owned.organization_id as string;
    await check(
      'organization_id',
      org,
      owned,
      (i) => i.organization_id === undefined || i.organization_id === org,
      `of that organization`,
    );
  }
  await check('organization_id', UNKNOWN_ID, undefined);

  const termed = records.find((r) => termOf(r));
  if (termed) await check('taxonomy_term_id', termOf(termed)!, termed);
  await check('taxonomy_term_id', UNKNOWN_ID, undefined);

  const dated = records.find(
    (r) => typeof r.last_modified === 'string' && !Number.isNaN(Date.parse(r.last_modified)),
  );
  if (dated) {
    const after = new Date(Date.parse(dated.last_modified as string) - 1000).toISOString();
    await check(
      'modified_after',
      after,
      dated,
      (i) => typeof i.last_modified !== 'string' || Date.parse(i.last_modified) > Date.parse(after),
      `modified after ${after}`,
    );
  }
  await check('modified_after', FAR_FUTURE, undefined);
}

/** The longest word of letters (three or more) of a name. */
function longestWord(name: string): string | undefined {
  const words = name.match(/\p{L}{3,}/gu) ?? [];
  return words.sort((a, b) => b.length - a.length)[0];
}

/** A taxonomy term id of a full service's attributes. */
function termOf(service: Record<string, unknown>): string | undefined {
  const attributes = Array.isArray(service.attributes) ? service.attributes.filter(isObject) : [];
  for (const a of attributes) {
    const id = a.taxonomy_term_id ?? (isObject(a.taxonomy_term) ? a.taxonomy_term.id : undefined);
    if (typeof id === 'string' && id) return id;
  }
  return undefined;
}
