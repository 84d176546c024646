import { FeedClient, FeedClientOptions } from '../feed/client';
import { checkBeyond } from './beyond';
import {
  EndpointOutcome,
  EndpointResult,
  Finding,
  Level,
  officialVerdict,
  overallVerdict,
  ValidationReport,
} from './findings';
import { buildPlan, Plan, PlannedEndpoint } from './plan';
import { Answer, inTurn, isObject, Probe } from './probe';
import {
  openapiUrl,
  SchemaError,
  schemaErrors,
  SchemaSet,
  SpecificationError,
  Specifications,
  versionOf,
} from './specification';

/**
 * `oruk-server validate <base-url>`: checks a live ORUK 3.0 or v1 feed as the official
 * ORUK validator does (levels 1 and 2, the same verdict), then what it does not check
 * (level 3). docs/validate.md describes every request and rule.
 */
export interface ValidateOptions extends FeedClientOptions {
  specifications: Specifications;
  /** Requests at a time (default 4). */
  concurrency?: number;
  /** Ids followed from each list (default 10, as the official validator). */
  sample?: number;
  /** Run level 3 (default true). */
  beyond?: boolean;
  /** Called after every request. */
  onRequest?: (done: number) => void;
}

export const DEFAULT_SAMPLE = 10;

/** What the official plan read, for level 3 to build on. */
export interface Observed {
  plan: Plan;
  root?: Answer;
  /** Each list's first page (as the official plan asks for it), by endpoint. */
  firstPages: Map<string, Answer>;
  /** Every page read of each list, by endpoint. */
  pages: Map<string, Answer[]>;
  /** The records read, by their list endpoint, with the id asked for. */
  records: Map<string, { id: string; answer: Answer }[]>;
  /** Endpoints that answered (2xx) to the official plan. */
  implemented: Set<string>;
}

export async function validateFeed(
  base: string,
  options: ValidateOptions,
): Promise<ValidationReport> {
  const started = new Date();
  const t0 = performance.now();
  base = base.replace(/\/+$/, '');
  const client = new FeedClient({
    ratePerSecond: 4,
    retries: 2,
    backoffMs: 500,
    userAgent: 'oruk-server validate',
    ...options,
  });
  let done = 0;
  const probe = new Probe(base, client, () => options.onRequest?.(++done));
  const concurrency = options.concurrency ?? 4;
  const sample = options.sample ?? DEFAULT_SAMPLE;

  // The root says which specification applies; without one, the official validator uses v1.
  const root = await probe.get('/', '/');
  const { version, url } = specificationOf(root);
  const specs = options.specifications;
  let document: unknown;
  try {
    document = await specs.document(url);
  } catch (error) {
    // A published specification we cannot read is ours to fix (SpecificationError, exit 2);
    // the feed's own openapi_url that cannot be read is the feed's problem: it fails. (The
    // official validator then tests nothing and calls the feed valid: docs/validate.md.)
    if (version !== 'feed' || !(error instanceof SpecificationError)) throw error;
    probe.add({
      level: 1,
      severity: 'error',
      rule: 'specification',
      endpoint: '/',
      request: url,
      expected:
        'a "version" that names a published specification, or an openapi_url that can be read',
      actual: error.message,
    });
    document = { paths: {} };
  }
  const plan = buildPlan(version, url, document);
  const dialect =
    isObject(document) &&
    typeof document.jsonSchemaDialect === 'string' &&
    document.jsonSchemaDialect.includes('2020-12');
  const schemas = new SchemaSet(specs, dialect ? 'draft-2020-12' : 'draft-07');
  const observed: Observed = {
    plan,
    root,
    firstPages: new Map(),
    pages: new Map(),
    records: new Map(),
    implemented: new Set(),
  };
  const results = new Map<string, EndpointResult>();
  const official = new Official(probe, schemas, observed, results, sample);

  const rootEndpoint = plan.endpoints.find((e) => e.path === '/');
  if (rootEndpoint) await official.check(rootEndpoint, root);
  const lists = plan.endpoints.filter((e) => e.path !== '/' && !e.idsFrom);
  await inTurn(lists, concurrency, (e) => official.list(e));
  const records = plan.endpoints.filter((e) => e.idsFrom);
  await inTurn(records, 1, (e) => official.records(e, concurrency));

  if (options.beyond ?? true) await checkBeyond(probe, observed, schemas, concurrency);

  const findings = probe.findings;
  for (const result of results.values()) result.requests = probe.counts.get(result.endpoint) ?? 0;
  return {
    format: 1,
    feed: base,
    specification: version === 'feed' ? url : `HSDS-UK-${version}`,
    openapi_url: plan.openapiUrl,
    started_at: started.toISOString(),
    duration_ms: Math.round(performance.now() - t0),
    requests: probe.requests,
    official_verdict: officialVerdict(findings),
    verdict: overallVerdict(findings),
    endpoints: [...results.values()],
    findings: sortFindings(findings),
  };
}

/**
 * The specification the root names, as the official validator finds it: its `version`
 * ("HSDS-UK-3.0" → the published 3.0 OpenAPI document); else its `openapi_url` as it is
 * (version "feed"); else, and when there is no root, the published 1.0 document.
 */
function specificationOf(root: Answer): { version: string; url: string } {
  const body = isObject(root.json) && root.status && root.status < 300 ? root.json : {};
  const version = versionOf(body.version);
  if (version) return { version, url: openapiUrl(version) };
  const named = body.openapi_url ?? body.openapiUrl ?? body.open_api_url;
  if (typeof named === 'string' && /^https?:\/\//.test(named))
    return { version: 'feed', url: named };
  return { version: '1.0', url: openapiUrl('1.0') };
}

/** Levels 1 and 2: the requests and decisions of the official validator. */
class Official {
  constructor(
    private readonly probe: Probe,
    private readonly schemas: SchemaSet,
    private readonly observed: Observed,
    private readonly results: Map<string, EndpointResult>,
    private readonly sample: number,
  ) {}

  private level(e: PlannedEndpoint): Level {
    return e.required ? 1 : 2;
  }

  private result(e: PlannedEndpoint, outcome: EndpointOutcome): void {
    const previous = this.results.get(e.path)?.outcome;
    const order: EndpointOutcome[] = [
      'passed',
      'not tested',
      'warning',
      'not implemented',
      'failed',
    ];
    if (previous && order.indexOf(previous) >= order.indexOf(outcome)) return;
    this.results.set(e.path, { level: this.level(e), endpoint: e.path, outcome, requests: 0 });
  }

  private find(
    e: PlannedEndpoint,
    finding: Omit<Finding, 'level' | 'endpoint' | 'severity'>,
    severity: 'error' | 'warning',
  ): void {
    this.probe.add({ level: this.level(e), severity, endpoint: e.path, ...finding });
  }

  /**
   * One response of the plan: it must answer 2xx with JSON that the endpoint's schema
   * accepts. A required endpoint that does not fails the feed; an optional one that does not
   * answer is "not implemented" (a warning), and one that answers wrongly is a warning,
   * except a paginated list (`invalidFails`), which the official validator fails.
   * Returns whether the response is usable.
   */
  async check(e: PlannedEndpoint, answer: Answer, invalidFails = e.required): Promise<boolean> {
    if (!this.answered(e, answer)) return false;
    this.observed.implemented.add(e.path);
    const badSeverity = invalidFails ? 'error' : 'warning';
    if (answer.json === undefined) {
      // The official validator lets a 2xx that is not JSON pass (level 3 does not).
      this.probe.add({
        level: 3,
        severity: 'warning',
        rule: 'json',
        endpoint: e.path,
        request: answer.url,
        expected: 'a JSON body',
        actual: answer.problem ?? 'no body',
      });
      this.result(e, 'passed');
      return false;
    }
    const errors = await this.schemaCheck(e, answer.json);
    if (errors.length) {
      this.find(
        e,
        {
          rule: 'schema',
          request: answer.url,
          expected: `a body valid against ${schemaName(e.schema)}`,
          actual: describeErrors(errors),
        },
        badSeverity,
      );
      this.result(e, badSeverity === 'error' ? 'failed' : 'warning');
      return true;
    }
    this.result(e, 'passed');
    return true;
  }

  private async schemaCheck(e: PlannedEndpoint, body: unknown): Promise<SchemaError[]> {
    if (!e.schema) return [];
    const [official] = await this.schemas.validators(e.schema);
    return schemaErrors(official, body);
  }

  /**
   * A paginated list: page 1; and, when there are more, the middle page and the last. A
   * first page with no items (or not JSON) is a warning, "the feed contains no data", and
   * the official validator stops there: nothing of that page is checked.
   */
  async list(e: PlannedEndpoint): Promise<void> {
    const pages: Answer[] = [];
    this.observed.pages.set(e.path, pages);
    const first = await this.probe.get(e.path, e.paginated ? `${e.path}?page=1` : e.path);
    pages.push(first);
    this.observed.firstPages.set(e.path, first);
    if (!e.paginated) {
      await this.check(e, first);
      return;
    }
    if (!this.answered(e, first)) return;
    const body = isObject(first.json) ? first.json : {};
    if (!itemCount(body)) {
      this.find(
        e,
        {
          rule: 'empty',
          request: first.url,
          expected: 'a list with at least one item',
          actual:
            first.json === undefined
              ? `${first.problem}: no items`
              : 'no items: the feed contains no data',
        },
        'warning',
      );
      this.result(e, 'warning');
      if (first.json === undefined) await this.check(e, first, true);
      return;
    }
    await this.check(e, first, true);
    const totalPages = Number(body.total_pages ?? body.totalPages);
    if (!Number.isInteger(totalPages) || totalPages <= 1) return;
    const more = totalPages > 2 ? [Math.floor(totalPages / 2), totalPages] : [totalPages];
    for (const page of more) {
      const answer = await this.probe.get(e.path, `${e.path}?page=${page}`);
      pages.push(answer);
      await this.check(e, answer, true);
    }
  }

  /** Whether a response is 2xx; when not, the finding (and the endpoint's outcome). */
  private answered(e: PlannedEndpoint, answer: Answer): boolean {
    if (answer.status !== undefined && answer.status >= 200 && answer.status <= 299) return true;
    this.find(
      e,
      {
        rule: 'status',
        request: answer.url,
        expected: 'HTTP 2xx',
        actual: answer.status ? `HTTP ${answer.status}` : (answer.problem ?? 'no response'),
      },
      e.required ? 'error' : 'warning',
    );
    this.result(e, e.required ? 'failed' : 'not implemented');
    return false;
  }

  /** `/x/{id}`: up to `sample` ids of the first page of `/x`, chosen at random, each read. */
  async records(e: PlannedEndpoint, concurrency: number): Promise<void> {
    const list = this.observed.firstPages.get(e.idsFrom!);
    const items = list && isObject(list.json) ? (itemsOf(list.json) ?? []) : [];
    const ids = [...new Set(items.map((i) => (isObject(i) ? i.id : undefined)).filter(isId))];
    const records: { id: string; answer: Answer }[] = [];
    this.observed.records.set(e.idsFrom!, records);
    if (!ids.length) {
      this.find(
        e,
        {
          rule: 'not-tested',
          request: list?.url ?? `${this.probe.base}${e.idsFrom}`,
          expected: `ids listed by ${e.idsFrom} to read`,
          actual: 'none: not tested',
        },
        'warning',
      );
      this.result(e, 'not tested');
      return;
    }
    const chosen = shuffle(ids).slice(0, this.sample);
    await inTurn(chosen, concurrency, async (id) => {
      const path = e.path.replace(/\{[^}]+\}/, encodeURIComponent(id));
      const answer = await this.probe.get(e.path, path);
      records.push({ id, answer });
      await this.check(e, answer, e.required);
    });
  }
}

function isId(value: unknown): value is string {
  return (typeof value === 'string' && value !== '') || typeof value === 'number';
}

/** How many items a page has, as the official validator counts them: its items, else its `size`. */
function itemCount(body: Record<string, unknown>): number {
  const items = itemsOf(body)?.length ?? 0;
  return items || (typeof body.size === 'number' ? body.size : 0);
}

/** The items of a page: 3.0 `contents`, v1 `content`. */
export function itemsOf(body: Record<string, unknown>): unknown[] | undefined {
  const items = body.contents ?? body.content;
  return Array.isArray(items) ? items : undefined;
}

function shuffle<T>(values: T[]): T[] {
  const out = [...values];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export function schemaName(url: string | undefined): string {
  if (!url) return 'its schema';
  const [document, pointer] = url.split('#');
  const path = /^\/paths\/([^/]+)\/get\//.exec(pointer ?? '');
  return path
    ? `the OpenAPI document's schema of GET ${path[1].replaceAll('~1', '/').replaceAll('~0', '~')}`
    : document.split('/').pop()!;
}

/** The first few schema errors, one line. */
export function describeErrors(errors: SchemaError[], max = 5): string {
  const shown = errors.slice(0, max).map((e) => `${e.path} ${e.message}`);
  return `${errors.length} schema error${errors.length === 1 ? '' : 's'}: ${shown.join('; ')}${errors.length > max ? '; …' : ''}`;
}

function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      a.level - b.level ||
      a.endpoint.localeCompare(b.endpoint) ||
      a.rule.localeCompare(b.rule) ||
      a.request.localeCompare(b.request),
  );
}
