import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { Agent, IncomingHttpHeaders, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { STATUS_CODES } from 'node:http';
import { join } from 'node:path';
import { projectRoot } from '../src/config/config';
import { createTestApp, TestApp } from './support/app';
import {
  emptyValues,
  officialErrors,
  openApiSchemaErrors,
  ORUK_SCHEMA_DIR,
} from './support/oruk-schemas';

/**
 * Property-based tests: random and hostile values for every parameter of every endpoint,
 * read from our own OpenAPI document (so a new parameter is fuzzed without touching this
 * file), and random path ids. Whatever the request: never a 5xx; never a status the
 * document does not promise (400 aside: the URL limits apply everywhere); every error the
 * JSON body {statusCode, message, error} with no stack trace or path in it; every 2xx body
 * valid against the response schema of our document (each line of ndjson too), free of
 * null and "", and against the official ORUK schemas when ORUK_SCHEMA_DIR is set.
 * FUZZ_SCALE multiplies the number of runs (default 1: about 4,000 requests).
 */
type Json = Record<string, any>;
const document: Json = JSON.parse(
  readFileSync(join(projectRoot(), 'openapi', 'openapi.json'), 'utf8'),
);
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);

/** The official schemas of each resource: its list page and one record. */
const OFFICIAL: Record<string, { list: string; item: string }> = {
  services: { list: 'service_list.json', item: 'service.json' },
  service_at_locations: { list: 'service_at_location_list.json', item: 'service_at_location.json' },
  organizations: { list: 'organization_list.json', item: 'organization.json' },
  taxonomies: { list: 'taxonomy_list.json', item: 'taxonomy.json' },
  taxonomy_terms: { list: 'taxonomy_term_list.json', item: 'taxonomy_term.json' },
};

/** Values that have broken parsers, validators and SQL builders before. */
const HOSTILE = [
  '',
  ' ',
  '0',
  '-0',
  '-1',
  '1e309',
  '-1e309',
  '1e-400',
  'NaN',
  'Infinity',
  '-Infinity',
  '0x10',
  '0b1',
  '1_000',
  '+5',
  '.5',
  '5.',
  '１２',
  '99999999999999999999999999999999',
  '-99999999999999999999999999999999',
  '2147483648',
  '9007199254740993',
  'true',
  'false',
  'null',
  'undefined',
  '[]',
  '{}',
  '{"$gt":""}',
  '["a"]',
  '[',
  '}',
  '"',
  "'",
  "' OR '1'='1",
  "'; DROP TABLE service; --",
  '1; SELECT pg_sleep(10)',
  '$1',
  '\\',
  '%',
  '_',
  '*',
  '::text',
  "E'\\x00'",
  '\u0000',
  '\u0000abc',
  '\u202e',
  '\ufeff',
  '\ud83d\ude00',
  'ÅÄÖ',
  'ß',
  '𝕏',
  ',,,',
  ',',
  'a,,b',
  '-',
  '"unterminated',
  '- - -',
  '!!!',
  '&&',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '__proto__',
  'constructor',
  'toString',
  '2026-02-30',
  '2026-13-01T25:61:61Z',
  '0000-00-00',
  '24:00',
  '23:59:60',
  '9:00',
  'MO,XX',
  '-1MO',
  '5FR',
  'ZZ99 9ZZ',
  'BS1 5TR',
  'bs15tr',
  'ac148810-d857-441c-9679-408f346de14b',
  'AC148810-D857-441C-9679-408F346DE14B',
  '00000000-0000-0000-0000-000000000000',
  'ac148810-d857-441c-9679-408f346de14',
  'ac148810d857441c9679408f346de14b',
];

/** Sent without percent-encoding: malformed escapes, reserved characters, Latin-1 bytes. */
const RAW = [
  '%',
  '%%',
  '%2',
  '%zz',
  '%E0%A4%A',
  '%C0%AF',
  '%FF',
  '%00',
  '%2C',
  '%26',
  '%3D',
  '%u0041',
  'a=b',
  'a[b]=c',
  '[]',
  '[0]',
  '?',
  '#',
  ';',
  '+',
  '++',
  '\u00e9',
  '\u00ff',
];

/** The operators of search syntaxes (web search, tsquery, Lucene), and words to join them. */
const OPERATORS = [
  '-',
  '+',
  '|',
  '&',
  '!',
  '(',
  ')',
  '"',
  '<',
  '>',
  ':',
  '*',
  '~',
  "'",
  ' ',
  'or',
  'a',
  'and',
];
const operators = fc.array(fc.constantFrom(...OPERATORS), { maxLength: 60 }).map((a) => a.join(''));
/** A short text repeated: what unbounded parsers and builders stack up. */
const repeats = fc
  .tuple(
    fc.oneof(
      operators.map((o) => o.slice(0, 3)),
      fc.string({ maxLength: 3 }),
    ),
    fc.integer({ min: 2, max: 120 }),
  )
  .map(([unit, n]) => unit.repeat(n));

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Values a real client would send for a parameter, from its schema (plus a few by name). */
function plausible(parameter: Json, ids: string[]): fc.Arbitrary<string> {
  const schema: Json = parameter.schema ?? {};
  const example = String(schema.example ?? parameter.example ?? '');
  const options: fc.Arbitrary<string>[] = [fc.constant(example)];
  if (schema.enum) options.push(fc.constantFrom(...(schema.enum as unknown[]).map(String)));
  if (schema.type === 'boolean') options.push(fc.constantFrom('true', 'false'));
  if (schema.type === 'integer') {
    const min = schema.minimum ?? -(2 ** 31);
    const max = schema.maximum ?? 2 ** 31 - 1;
    options.push(fc.integer({ min, max }).map(String), fc.constantFrom(String(min), String(max)));
    options.push(fc.integer({ min, max: Math.min(max, min + 100) }).map(String));
  }
  if (schema.type === 'number') {
    const min = schema.minimum ?? -1e6;
    const max = schema.maximum ?? 1e6;
    options.push(
      fc.double({ min, max, noNaN: true }).map(String),
      fc.integer({ min: Math.ceil(min), max: Math.floor(max) }).map(String),
      fc.constantFrom(String(min), String(max)),
    );
  }
  if (schema.type === 'string' && UUID.test(example)) {
    options.push(
      fc.constantFrom(...ids),
      fc.uuid().map(String),
      fc.array(fc.constantFrom(...ids), { minLength: 2, maxLength: 4 }).map((a) => a.join(',')),
    );
  }
  if (schema.pattern) options.push(fc.stringMatching(new RegExp(schema.pattern as string)));
  if (schema.type === 'string' && !schema.enum && !schema.pattern && !UUID.test(example)) {
    options.push(fc.string({ maxLength: schema.maxLength ?? 30 }), operators, repeats);
  }
  // A few parameters whose good values no schema keyword describes.
  const byName: Record<string, fc.Arbitrary<string>> = {
    day: fc
      .array(fc.constantFrom('MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU', 'mo', 'sa'), {
        minLength: 1,
        maxLength: 3,
      })
      .map((a) => a.join(',')),
    modified_after: fc
      .date({ min: new Date('2000-01-01'), max: new Date('2030-01-01'), noInvalidDate: true })
      .chain((d) => fc.constantFrom(d.toISOString(), d.toISOString().slice(0, 10))),
    search: fc.constantFrom('advice', 'debt advice -online', '"food bank"', 'counseling', 'trust'),
    postcode: fc.constantFrom('BS1 5TR', 'bs15tr', 'BS5 6XX', 'BS2 0SP'),
  };
  if (byName[parameter.name]) options.push(byName[parameter.name]);
  return fc.oneof(...options);
}

/** Anything at all. */
const hostile: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: operators },
  { weight: 2, arbitrary: repeats },
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.double().map(String) },
  { weight: 1, arbitrary: fc.bigInt().map(String) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', minLength: 150, maxLength: 260 }) },
  { weight: 1, arbitrary: fc.string({ minLength: 1000, maxLength: 3000 }) },
);

interface Pair {
  name: string;
  /** undefined: the bare name, without "=". */
  value?: string;
  raw?: boolean;
}

const encode = ({ name, value, raw }: Pair): string => {
  const key = raw ? name : encodeURIComponent(name);
  if (value === undefined) return key;
  return `${key}=${raw ? value : encodeURIComponent(value)}`;
};

function queryOf(parameters: Json[], ids: string[]): fc.Arbitrary<Pair[]> {
  const value = (p: Json) =>
    fc.oneof({ weight: 4, arbitrary: plausible(p, ids) }, { weight: 1, arbitrary: hostile });
  const known: fc.Arbitrary<Pair[]>[] = parameters.map((p) =>
    fc.oneof(
      { weight: 14, arbitrary: value(p).map((v) => [{ name: p.name, value: v }]) },
      // Repeated: ?x=a&x=b
      {
        weight: 2,
        arbitrary: fc
          .array(value(p), { minLength: 2, maxLength: 3 })
          .map((vs) => vs.map((v) => ({ name: p.name, value: v }))),
      },
      { weight: 1, arbitrary: fc.constant<Pair[]>([{ name: p.name }]) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(...RAW).map((v) => [{ name: p.name, value: v, raw: true }]),
      },
      {
        weight: 1,
        arbitrary: fc
          .constantFrom(`${p.name}[]`, `${p.name}[0]`, `${p.name}[a]`, `${p.name}.x`)
          .chain((name) => value(p).map((v) => [{ name, value: v }])),
      },
    ),
  );
  const unknown: fc.Arbitrary<Pair[]> = fc
    .tuple(
      fc.oneof(
        fc.constantFrom('__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'x', ''),
        fc.string({ unit: 'binary', maxLength: 10 }),
      ),
      hostile,
    )
    .map(([name, v]) => [{ name, value: v }]);
  const one = known.length
    ? fc.oneof({ weight: 9, arbitrary: fc.oneof(...known) }, { weight: 1, arbitrary: unknown })
    : unknown;
  return fc
    .oneof(
      { weight: 30, arbitrary: fc.array(one, { maxLength: 6 }) },
      // Past MAX_QUERY_PARAMS (50).
      { weight: 1, arbitrary: fc.array(one, { minLength: 45, maxLength: 70 }) },
    )
    .map((groups) => groups.flat());
}

/** A path id: never one that leads to another route ("", or a raw "?" or "#"). */
function idOf(ids: string[]): fc.Arbitrary<{ id: string; raw?: boolean }> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...ids).map((id) => ({ id })) },
    { weight: 1, arbitrary: fc.constantFrom(...ids).map((id) => ({ id: id.toUpperCase() })) },
    { weight: 2, arbitrary: fc.uuid().map((id) => ({ id })) },
    { weight: 3, arbitrary: hostile.filter((id) => id !== '').map((id) => ({ id })) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(...RAW.filter((id) => !/[?#]/.test(id)))
        .map((id) => ({ id, raw: true })),
    },
  );
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

describe('fuzzing every parameter of every endpoint', () => {
  let t: TestApp;
  let port: number;
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  const ids: Record<string, string[]> = {};
  let all: string[] = [];
  let requests = 0;
  const statuses = new Map<number, number>();

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    port = (t.http.address() as AddressInfo).port;
    for (const resource of Object.keys(OFFICIAL)) {
      const { text } = await get(`/${resource}?per_page=1000`);
      ids[resource] = (JSON.parse(text) as Json).contents.map((r: Json) => r.id as string);
    }
    all = Object.values(ids).flat();
  });
  afterAll(async () => {
    agent.destroy();
    console.log(
      `fuzz: ${requests} requests; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`,
    );
    await t.close();
  });

  function get(path: string): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode!,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  }

  /** Everything that must hold of any answer. Returns the problems. */
  function problems(template: string, url: string, pairs: Pair[], answer: Answer): string[] {
    const { status, headers, text } = answer;
    const operation: Json = document.paths[template].get;
    const found: string[] = [];
    const promised = Object.keys(operation.responses).map(Number);
    // 5xx only as documented (501: a postcode without a postcode directory to locate it).
    if (status >= 500 && !promised.includes(status)) found.push(`status ${status}`);
    // 400 (URL limits, malformed HTTP) and 431 (headers past Node's limit) apply everywhere.
    else if (!promised.includes(status) && status !== 400 && status !== 431)
      found.push(`undocumented ${status}`);
    if (headers['access-control-allow-origin'] !== '*') found.push('no CORS header');
    if (!headers['x-request-id']) found.push('no X-Request-Id');
    if (headers['x-powered-by']) found.push('X-Powered-By');
    const type = String(headers['content-type'] ?? '');
    if (status >= 400) {
      let body: Json;
      try {
        body = JSON.parse(text) as Json;
      } catch {
        return [...found, `error body is not JSON: ${text.slice(0, 200)}`];
      }
      if (!type.startsWith('application/json')) found.push(`error as ${type}`);
      if (Object.keys(body).sort().join() !== 'error,message,statusCode')
        found.push(`error body keys ${Object.keys(body).join()}`);
      if (body.statusCode !== status) found.push(`statusCode ${body.statusCode}`);
      if (body.error !== STATUS_CODES[status]) found.push(`error ${body.error}`);
      if (typeof body.message !== 'string' || !body.message) found.push('no message');
      if (/\n\s+at |node_modules|\.ts:\d|\.js:\d/.test(text) || text.includes(projectRoot()))
        found.push(`internals in ${text.slice(0, 300)}`);
      return found;
    }
    const media = type.split(';')[0];
    const schema = operation.responses[String(status)]?.content?.[media]?.schema as Json;
    if (!schema) return [...found, `undocumented ${status} ${media}`];
    const bodies =
      media === 'application/x-ndjson'
        ? text
            .split('\n')
            .filter((line) => line !== '')
            .map((line) => JSON.parse(line) as unknown)
        : [JSON.parse(text) as unknown];
    for (const body of bodies) {
      found.push(...openApiSchemaErrors(schema, body).map((e) => `schema: ${e}`));
      if (template !== '/openapi.json') found.push(...emptyValues(body).map((p) => `empty ${p}`));
    }
    const resource = template.split('/')[1];
    const minimal = pairs.some((p) => p.name === 'minimal' && p.value === 'true');
    if (ORUK_SCHEMA_DIR && !minimal) {
      const official =
        template === '/'
          ? 'api_details.json'
          : OFFICIAL[resource] &&
            (template.endsWith('{id}') || media === 'application/x-ndjson'
              ? OFFICIAL[resource].item
              : OFFICIAL[resource].list);
      if (official) {
        for (const body of bodies)
          found.push(...officialErrors(official, body).map((e) => `${official}: ${e}`));
      }
    }
    return found.slice(0, 10).map((p) => `${url.slice(0, 300)}: ${p}`);
  }

  const operations = Object.entries(document.paths as Json)
    .filter(([, item]) => (item as Json).get)
    .map(([template, item]) => {
      const parameters = ((item as Json).get.parameters ?? []) as Json[];
      return { template, query: parameters.filter((p) => p.in === 'query') };
    });

  it('covers every path of our OpenAPI document', () => {
    expect(operations.map((o) => o.template)).toEqual(
      expect.arrayContaining(['/', '/services', '/services/{id}', '/taxonomy_terms/{id}']),
    );
  });

  it.each(operations)('$template', async ({ template, query }) => {
    const resource = template.split('/')[1];
    const path = template.includes('{id}')
      ? idOf(ids[resource] ?? all).map(({ id, raw }) =>
          template.replace('{id}', raw ? id : encodeURIComponent(id)),
        )
      : fc.constant(template);
    const numRuns = Math.round((template.includes('{id}') ? 150 : 100 + 50 * query.length) * SCALE);
    await fc.assert(
      fc.asyncProperty(path, queryOf(query, all), async (p, pairs) => {
        const url = pairs.length ? `${p}?${pairs.map(encode).join('&')}` : p;
        const answer = await get(url);
        requests++;
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        expect(problems(template, url, pairs, answer)).toEqual([]);
      }),
      { numRuns },
    );
  });
});
