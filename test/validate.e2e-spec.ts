import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import request from 'supertest';
import { generateServices } from '../seed/synthetic/generate';
import { loadConfig, projectRoot } from '../src/config/config';
import { Loader } from '../src/hsds/loader';
import { SERVICE_FULL } from '../src/hsds/shapes';
import { defects, DEFECTS } from '../src/http/defects';
import { ValidationReport } from '../src/validate/findings';
import { junitReport, textReport } from '../src/validate/report';
import { SPECIFICATIONS_URL, Specifications } from '../src/validate/specification';
import { validateFeed, ValidateOptions } from '../src/validate/validator';
import { createTestApp, TestApp } from './support/app';
import { cli } from './support/cli';
import { listen, send, TestServer } from './support/feed-server';
import { ORUK_SCHEMA_DIR, officialIt } from './support/oruk-schemas';
import { MOCKS_AVAILABLE, MOCKS_DIR, serveMocks } from './support/validator-mocks';

/**
 * `oruk-server validate` (src/validate/) held honest: our own feed passes with nothing found
 * at any level; every known defect (src/http/defects.ts) gets its verdict and a finding of
 * the rule it breaks, and nothing unrelated; the official validator's own mock feeds get the
 * verdicts it gives them. The official specification is read from ORUK_SCHEMA_DIR's folder.
 */
const SPEC_DIR = ORUK_SCHEMA_DIR ? dirname(ORUK_SCHEMA_DIR) : undefined;
const cacheDir = mkdtempSync(join(tmpdir(), 'oruk-spec-cache-'));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

/** Fast: the test's own server has no throttle; retries are short. */
function options(extra: Partial<ValidateOptions> = {}): ValidateOptions {
  return {
    specifications: new Specifications({ dirs: [SPEC_DIR!], cacheDir, offline: true }),
    ratePerSecond: 1000,
    backoffMs: 20,
    retries: 1,
    ...extra,
  };
}

function summary(report: ValidationReport): string[] {
  return report.findings.map((f) => `L${f.level} ${f.rule} ${f.endpoint}: ${f.actual}`);
}

/** The app's base URL on a port of its own (closed with the app). */
async function listening(app: TestApp): Promise<string> {
  const server = app.app.getHttpServer() as Server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** This server, with its known defects, for both describes below. */
let app: TestApp;
let base: string;
beforeAll(async () => {
  app = await createTestApp({ DEFECTS: 'true' });
  base = await listening(app);
});
afterAll(() => app.close());

describe('oruk-server validate against this server', () => {
  officialIt('passes the seed data with nothing found at any level', async () => {
    const report = await validateFeed(base, options());
    expect(summary(report)).toEqual([]);
    expect(report.verdict).toBe('pass');
    expect(report.official_verdict).toBe('pass');
    expect(report.specification).toBe('HSDS-UK-3.0');
    // Every endpoint of the official plan was read, and passed.
    expect(report.endpoints.map((e) => [e.endpoint, e.outcome]).sort()).toEqual(
      [
        '/',
        '/organizations',
        '/organizations/{id}',
        '/service_at_locations',
        '/service_at_locations/{id}',
        '/services',
        '/services/{id}',
        '/taxonomies',
        '/taxonomies/{id}',
        '/taxonomy_terms',
        '/taxonomy_terms/{id}',
      ].map((e) => [e, 'passed']),
    );
    // The official plan's 10 ids of each list, and level 3's own requests.
    expect(report.endpoints.find((e) => e.endpoint === '/services/{id}')!.requests).toBe(11);
    expect(report.requests).toBeGreaterThan(60);
  });

  officialIt('passes a synthetic directory with nothing found at any level', async () => {
    const loader = new Loader(app.db);
    const docs = [...generateServices({ services: 1200, seed: 7 })];
    for (let i = 0; i < docs.length; i += 200) {
      const result = await loader.load(SERVICE_FULL, docs.slice(i, i + 200));
      expect(result.rejected).toEqual([]);
    }
    const report = await validateFeed(base, options());
    expect(summary(report)).toEqual([]);
    expect(report.verdict).toBe('pass');
  });

  it('lists the defects at /_defects, each with its rule and verdict, only when enabled', async () => {
    const listing = await request(app.http).get('/_defects').expect(200);
    expect(listing.body.defects.map((d: { name: string }) => d.name)).toEqual(
      DEFECTS.map((d) => d.name),
    );
    for (const d of listing.body.defects) {
      expect(d.url).toMatch(new RegExp(`/_defects/${d.name}$`));
      expect(['fail', 'warn']).toContain(d.verdict);
      expect(d.rule).toEqual(expect.any(String));
    }
    const unknown = await request(app.http).get('/_defects/no-such-defect/services').expect(404);
    expect(unknown.body.message).toMatch(/no defect named "no-such-defect"/);
    // The unaltered feed is untouched beside them.
    await request(app.http).get('/services?per_page=1').expect(200);
    expect(defects(loadConfig({}))).toBeUndefined();
  });

  it('changes only what a defect names: the same service, under a defect, differs in that field alone', async () => {
    const plain = await request(app.http).get('/services?per_page=3').expect(200);
    const defective = await request(app.http)
      .get('/_defects/empty-string/services?per_page=3')
      .expect(200);
    expect(defective.body.contents.map((s: { id: string }) => s.id)).toEqual(
      plain.body.contents.map((s: { id: string }) => s.id),
    );
    for (const [i, service] of plain.body.contents.entries())
      expect(defective.body.contents[i]).toEqual({ ...service, description: '' });
    // A record under a defect that rewrites ids is read back by the id it lists.
    const listed = await request(app.http).get('/_defects/non-uuid-id/services?per_page=1');
    const id = listed.body.contents[0].id as string;
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    const record = await request(app.http).get(`/_defects/non-uuid-id/services/${id}`).expect(200);
    expect(record.body.id).toBe(id);
  });

  describe.each(DEFECTS.map((d) => [d.name, d] as const))('defect %s', (_name, defect) => {
    officialIt(`is found: verdict ${defect.verdict}, rule ${defect.rule}`, async () => {
      const report = await validateFeed(`${base}/_defects/${defect.name}`, options());
      expect(report.verdict).toBe(defect.verdict);
      // The official verdict is changed only by a defect of the official plan.
      expect(report.official_verdict).toBe(defect.level < 3 ? defect.verdict : 'pass');
      expect(
        report.findings.filter((f) => f.rule === defect.rule && f.level === defect.level),
      ).not.toEqual([]);
      const allowed = new Set([defect.rule, ...(defect.consequences ?? [])]);
      expect(summary(report).filter((_, i) => !allowed.has(report.findings[i].rule))).toEqual([]);
    });
  });

  officialIt('reads the specification from a mirror, then from its cache', async () => {
    const mirror: TestServer = await listen((url, res) => {
      const rel = url.pathname.replace(/^\/specifications\/3\.0\//, '');
      readFile(join(SPEC_DIR!, ...rel.split('/')))
        .then((body) => res.writeHead(200, { 'content-type': 'application/json' }).end(body))
        .catch(() => res.writeHead(404).end());
    });
    const cache = mkdtempSync(join(tmpdir(), 'oruk-spec-mirror-'));
    try {
      const online = new Specifications({
        cacheDir: cache,
        mirror: `${mirror.url}/specifications/`,
      });
      const first = await validateFeed(base, options({ specifications: online }));
      expect(first.verdict).toBe('pass');
      expect(mirror.requests).toContain('/specifications/3.0/openapi.json');
      expect(mirror.requests).toContain('/specifications/3.0/schema/service.json');
      const cached = readdirSync(
        join(cache, 'openreferraluk.org', 'specifications', '3.0', 'schema'),
      );
      expect(cached).toContain('service_list.json');
      await mirror.close();
      const offline = new Specifications({
        cacheDir: cache,
        mirror: `${mirror.url}/specifications/`,
      });
      const second = await validateFeed(base, options({ specifications: offline }));
      expect(summary(second)).toEqual([]);
      expect([...offline.sources.values()].every((s) => s.startsWith(cache))).toBe(true);
    } finally {
      await mirror.close();
      rmSync(cache, { recursive: true, force: true });
    }
  });

  officialIt('writes text, JSON and JUnit reports', async () => {
    const report = await validateFeed(`${base}/_defects/listed-id-404`, options());
    const text = textReport(report);
    expect(text).toMatch(/: FAIL\n/);
    expect(text).toMatch(
      /ERROR \[status\] GET http:\/\/127\.0\.0\.1:\d+\/_defects\/listed-id-404\/services\/[0-9a-f-]{36}\n {6}expected: HTTP 2xx\n {6}got: {6}HTTP 404/,
    );
    const junit = junitReport(report);
    expect(junit).toMatch(/<testsuite name="Level 1[^"]*" tests="\d+" failures="1"/);
    expect(junit).toMatch(
      /<testcase classname="level1" name="GET \/services\/\{id\} status">\s*<failure type="error"/,
    );
    expect(junit).toMatch(/<testcase classname="level1" name="GET \/services"\/>/);
  });
});

describe('oruk-server validate, the command', () => {
  const run = (...args: string[]) =>
    cli(['validate', ...args, '--schemas', SPEC_DIR!, '--offline', '--rate', '200'], {
      SPECIFICATIONS_CACHE_DIR: cacheDir,
    });

  officialIt('exits 0 on a pass, with the JSON report on standard output', async () => {
    const { code, stdout, stderr } = await run(base, '--format', 'json');
    expect(stderr).toMatch(/^PASS \(official: PASS\); 0 findings, \d+ requests/m);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as ValidationReport;
    expect(report).toMatchObject({ format: 1, feed: base, verdict: 'pass', findings: [] });
  });

  officialIt('exits 3 on a pass with warnings (0 with --allow-warnings), 1 on a fail', async () => {
    expect((await run(`${base}/_defects/no-cors`)).code).toBe(3);
    expect((await run(`${base}/_defects/no-cors`, '--allow-warnings')).code).toBe(0);
    const failed = await run(`${base}/_defects/missing-name`, '--format', 'junit');
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/^<\?xml[\s\S]*<failure type="error"/);
  });

  it('exits 2 for a bad command line, or a specification it cannot read', async () => {
    const bad = await cli(['validate', 'not-a-url'], {});
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/give the feed's base URL/);
    const empty = mkdtempSync(join(tmpdir(), 'oruk-no-spec-'));
    try {
      const missing = await cli(['validate', base, '--offline'], {
        SPECIFICATIONS_CACHE_DIR: empty,
      });
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain(
        `${SPECIFICATIONS_URL}3.0/openapi.json: not in any --schemas folder, and --offline`,
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('oruk-server validate against an ORUK v1 feed', () => {
  /** test/fixtures/v1 as a v1 feed serves it: no `/`, camelCase pages, records by id. */
  async function v1Feed(): Promise<TestServer> {
    const dir = join(projectRoot(), 'test', 'fixtures', 'v1');
    const records = new Map(
      readdirSync(join(dir, 'services')).map((file) => {
        const doc = JSON.parse(readFileSync(join(dir, 'services', file), 'utf8'));
        return [String(doc.id), doc];
      }),
    );
    const cors = { 'access-control-allow-origin': '*' };
    return listen((url, res) => {
      if (url.pathname === '/services') {
        const file = join(dir, `page-${url.searchParams.get('page') ?? 1}.json`);
        return send(
          res,
          200,
          existsSync(file) ? readFileSync(file, 'utf8') : { content: [] },
          cors,
        );
      }
      const id = /^\/services\/([^/]+)$/.exec(url.pathname)?.[1];
      const doc = id ? records.get(decodeURIComponent(id)) : undefined;
      if (doc) return send(res, 200, doc, cors);
      send(res, 404, { error: 'Not Found' }, cors);
    });
  }

  officialIt('checks it against the published v1 specification, its own plan', async () => {
    const server = await v1Feed();
    try {
      const v1 = new Specifications({
        dirs: [join(dirname(SPEC_DIR!), 'uk-1.0')],
        cacheDir,
        offline: true,
      });
      const report = await validateFeed(server.url, options({ specifications: v1 }));
      expect(report.specification).toBe('HSDS-UK-1.0');
      expect(report.openapi_url).toBe(`${SPECIFICATIONS_URL}1.0/openapi.json`);
      // Required in v1: /services and /services/{id}; everything else is tagged Optional.
      const outcome = (endpoint: string) => report.endpoints.find((e) => e.endpoint === endpoint);
      expect(outcome('/services')).toMatchObject({ level: 1, requests: 2 });
      expect(outcome('/services/{id}')).toMatchObject({ level: 1, requests: 4 });
      for (const optional of ['/organizations', '/locations', '/taxonomies', '/reviews'])
        expect(outcome(optional)).toMatchObject({ level: 2, outcome: 'not implemented' });
      // The fixture is messy on purpose: its null logos are not strings (v1 has no nulls).
      expect(report.official_verdict).toBe('fail');
      const schema = report.findings.filter((f) => f.rule === 'schema' && f.level === 1);
      expect(schema.map((f) => f.actual).join('\n')).toMatch(/\/organization\/logo must be string/);
      // Level 3 of v1: its nulls found; the 404 of an unknown record is JSON, and every
      // answer has CORS (no unknown-id, no cors).
      const beyond = report.findings.filter((f) => f.level === 3);
      expect([...new Set(beyond.map((f) => `${f.rule} ${f.endpoint}`))].sort()).toEqual([
        'empty-value /services',
        'empty-value /services/{id}',
      ]);
    } finally {
      await server.close();
    }
  });
});

const mocksIt = MOCKS_AVAILABLE && ORUK_SCHEMA_DIR ? it : it.skip;
const MOCKS_SKIP =
  'skipped: the official mocks (ORUK_VALIDATOR_MOCKS_DIR) or ORUK_SCHEMA_DIR are not there';
describe(`the official validator's mock feeds (${MOCKS_AVAILABLE ? MOCKS_DIR : MOCKS_SKIP})`, () => {
  mocksIt.each([
    ['Default', 'pass'],
    ['Warn', 'warn'],
    ['Fail', 'fail'],
  ] as const)('%s: official verdict %s', async (set, verdict) => {
    const server = await serveMocks(set);
    try {
      const report = await validateFeed(server.url, options());
      expect(report.official_verdict).toBe(verdict);
      const official = report.findings
        .filter((f) => f.level < 3)
        .map((f) => `${f.severity} ${f.rule} ${f.endpoint}`);
      expect([...new Set(official)].sort()).toEqual(MOCK_FINDINGS[set]);
    } finally {
      await server.close();
    }
  });
});

/** What the official validator reports of each mock set (docs/validate.md, "The official mocks"). */
const MOCK_FINDINGS: Record<'Default' | 'Warn' | 'Fail', string[]> = {
  Default: [],
  Warn: [
    'warning not-tested /organizations/{id}',
    'warning schema /taxonomy_terms/{id}',
    'warning status /organizations',
  ],
  Fail: [
    'error schema /',
    'error schema /services',
    'error schema /services/{id}',
    'warning not-tested /organizations/{id}',
    'warning schema /taxonomy_terms/{id}',
    'warning status /organizations',
  ],
};
