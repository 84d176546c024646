import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AppConfig } from '../config/config';

/**
 * Known defects on demand, for validator authors (README, "Known defects"): with
 * DEFECTS=true the feed is also served under `{base}/_defects/{name}/…`, each name with
 * exactly one deviation from the standard injected into otherwise correct responses, and
 * `{base}/_defects` lists them with the rule each breaks and the verdict a validator should
 * reach. `oruk-server validate` is held to every one of them (test/validate.e2e-spec.ts).
 *
 * A defect changes the request before the routes see it (its path and query, or it
 * answers itself), the JSON body before it is sent, or the headers.
 */
export interface Defect {
  name: string;
  /** What is wrong, in a sentence. */
  description: string;
  /** The rule of `oruk-server validate` it breaks (docs/validate.md, "Rules"). */
  rule: string;
  /** The level of that rule: 1 and 2 are the official plan, 3 is beyond it. */
  level: 1 | 2 | 3;
  /** What a validator should conclude: fail, or pass with warnings. */
  verdict: 'fail' | 'warn';
  /** Other rules that follow from the same deviation (e.g. no JSON body: no CORS check of it). */
  consequences?: string[];
  request?(target: Target, res: Response): 'answered' | void;
  body?(body: Json, target: Target): Json;
  /** Sends a JSON body its own way (another type, HTML); 'sent' when it did. */
  send?(res: Response, body: Json): 'sent' | void;
  /** Changes the headers as the response starts. */
  headers?(res: Response): void;
}

type Json = unknown;
type Obj = Record<string, unknown>;

/** The request as the defect sees it: relative to the feed's base path. */
export interface Target {
  /** `services`, `taxonomies`, …; "" for the root. */
  resource: string;
  /** The id of `/{resource}/{id}`. */
  id?: string;
  params: URLSearchParams;
  /** The page asked for, before a defect changed the query. */
  page?: string;
}

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const list = (t: Target, resource: string) => t.resource === resource && t.id === undefined;
const record = (t: Target, resource: string) => t.resource === resource && t.id !== undefined;
const items = (body: Json): Obj[] =>
  isObj(body) && Array.isArray(body.contents) ? body.contents.filter(isObj) : [];
/** The services of a `/services` page or record. */
const services = (body: Json, t: Target): Obj[] =>
  list(t, 'services') ? items(body) : record(t, 'services') && isObj(body) ? [body] : [];

function answer(res: Response, status: number, body: Obj): 'answered' {
  res.status(status).json(body);
  return 'answered';
}

/** An error answered in place of what `where` requests: a Nest-style JSON error body. */
const failing =
  (where: (t: Target) => boolean, status: 404 | 500) =>
  (t: Target, res: Response): 'answered' | void =>
    where(t)
      ? answer(res, status, {
          statusCode: status,
          message: status === 404 ? 'Not Found' : 'Internal Server Error',
        })
      : undefined;

/** A filter the defect drops from the query: the list is then the unfiltered one. */
const ignoring = (parameter: string, name: string): Defect => ({
  name,
  description: `/services ignores ${parameter}: every service is listed whatever its value.`,
  rule: `filter-${parameter}`,
  level: 3,
  verdict: 'warn',
  request(t) {
    if (list(t, 'services')) t.params.delete(parameter);
  },
});

/** RFC 4122 version digit ↔ a digit that no version has (reversible, so ids still resolve). */
const NOT_A_VERSION: Record<string, string> = {
  '1': '9',
  '2': 'a',
  '3': 'b',
  '4': 'c',
  '5': 'd',
  '6': 'e',
  '7': 'f',
  '8': '0',
};
const A_VERSION = Object.fromEntries(Object.entries(NOT_A_VERSION).map(([k, v]) => [v, k]));
const swapVersion = (id: string, table: Record<string, string>) =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]/i.test(id) && table[id[14].toLowerCase()]
    ? `${id.slice(0, 14)}${table[id[14].toLowerCase()]}${id.slice(15)}`
    : id;

export const DEFECTS: Defect[] = [
  // Level 1: the required endpoints, as the official validator checks them.
  {
    name: 'missing-version',
    description:
      '/ has no "version": the official validator then reads the feed\u2019s own openapi_url, and / fails its schema.',
    rule: 'schema',
    level: 1,
    verdict: 'fail',
    body(body, t) {
      if (t.resource === '' && isObj(body)) delete body.version;
      return body;
    },
  },
  {
    name: 'services-500',
    description: '/services answers 500.',
    rule: 'status',
    level: 1,
    verdict: 'fail',
    consequences: ['not-tested'],
    request: failing((t) => list(t, 'services'), 500),
  },
  {
    name: 'listed-id-404',
    description: 'Every /services/{id} answers 404, the ids that /services lists included.',
    rule: 'status',
    level: 1,
    verdict: 'fail',
    request: failing((t) => record(t, 'services'), 404),
  },
  {
    name: 'record-500',
    description: 'Every /services/{id} answers 500.',
    rule: 'status',
    level: 1,
    verdict: 'fail',
    request: failing((t) => record(t, 'services'), 500),
  },
  {
    name: 'missing-name',
    description: 'Services, listed and read, have no "name" (a required field).',
    rule: 'schema',
    level: 1,
    verdict: 'fail',
    body(body, t) {
      for (const s of services(body, t)) delete s.name;
      return body;
    },
  },
  {
    name: 'wrong-type',
    description: '/services gives total_items as a string.',
    rule: 'schema',
    level: 1,
    verdict: 'fail',
    body(body, t) {
      if (list(t, 'services') && isObj(body)) body.total_items = String(body.total_items);
      return body;
    },
  },
  {
    name: 'bad-datetime-format',
    description: 'Services give last_modified as "01/05/2024 10:00", not as a date-time.',
    rule: 'schema',
    level: 1,
    verdict: 'fail',
    consequences: ['filter-modified_after'],
    body(body, t) {
      for (const s of services(body, t)) s.last_modified = '01/05/2024 10:00';
      return body;
    },
  },
  {
    name: 'non-uuid-id',
    description: 'Services\u2019 ids are 32 hex digits without their hyphens: not UUIDs.',
    rule: 'schema',
    level: 1,
    verdict: 'fail',
    request(t) {
      if (record(t, 'services') && /^[0-9a-f]{32}$/i.test(t.id!))
        t.id = t.id!.replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
    },
    body(body, t) {
      for (const s of services(body, t))
        if (typeof s.id === 'string') s.id = s.id.replaceAll('-', '');
      return body;
    },
  },
  {
    name: 'null-values',
    description: 'Services give "email": null instead of leaving it out.',
    rule: 'schema',
    level: 1,
    verdict: 'fail',
    consequences: ['empty-value'],
    body(body, t) {
      for (const s of services(body, t)) s.email = null;
      return body;
    },
  },
  // Level 2: the optional endpoints.
  {
    name: 'optional-endpoint-missing',
    description: '/taxonomies and /taxonomies/{id} answer 404 (not implemented).',
    rule: 'status',
    level: 2,
    verdict: 'warn',
    consequences: ['not-tested'],
    request: failing((t) => t.resource === 'taxonomies', 404),
  },
  {
    name: 'optional-record-invalid',
    description: '/taxonomies/{id} gives a taxonomy without its "name".',
    rule: 'schema',
    level: 2,
    verdict: 'warn',
    body(body, t) {
      if (record(t, 'taxonomies') && isObj(body)) delete body.name;
      return body;
    },
  },
  {
    name: 'optional-list-invalid',
    description:
      '/organizations lists organizations without their "name": an optional paginated list with an invalid body fails the feed.',
    rule: 'schema',
    level: 2,
    verdict: 'fail',
    body(body, t) {
      if (list(t, 'organizations')) for (const o of items(body)) delete o.name;
      return body;
    },
  },
  {
    name: 'empty-feed',
    description: '/services lists no services.',
    rule: 'empty',
    level: 1,
    verdict: 'warn',
    consequences: ['not-tested'],
    body(body, t) {
      if (!list(t, 'services') || !isObj(body)) return body;
      return {
        ...body,
        total_items: 0,
        total_pages: 0,
        size: 0,
        first_page: true,
        last_page: true,
        empty: true,
        contents: [],
      };
    },
  },
  // Level 3: beyond the official plan.
  {
    name: 'non-rfc4122-id',
    description:
      'Services\u2019 ids have the form of a UUID but no RFC 4122 version digit (the official validator lets them pass).',
    rule: 'format',
    level: 3,
    verdict: 'warn',
    request(t) {
      if (record(t, 'services')) t.id = swapVersion(t.id!, A_VERSION);
    },
    body(body, t) {
      for (const s of services(body, t))
        if (typeof s.id === 'string') s.id = swapVersion(s.id, NOT_A_VERSION);
      return body;
    },
  },
  {
    name: 'timestamp-without-offset',
    description: 'Services give last_modified without its UTC offset ("2024-05-01T10:00:00").',
    rule: 'format',
    level: 3,
    verdict: 'warn',
    body(body, t) {
      for (const s of services(body, t))
        if (typeof s.last_modified === 'string')
          s.last_modified = s.last_modified.replace(/(\.\d+)?(Z|[+-]\d\d:?\d\d)$/i, '');
      return body;
    },
  },
  {
    name: 'bad-date-format',
    description:
      'Services give assured_date as "31/12/2024", not YYYY-MM-DD (the schema has no format for it, so the official validator lets it pass).',
    rule: 'format',
    level: 3,
    verdict: 'warn',
    body(body, t) {
      for (const s of services(body, t)) s.assured_date = '31/12/2024';
      return body;
    },
  },
  {
    name: 'empty-string',
    description: 'Services give "description": "" instead of leaving it out.',
    rule: 'empty-value',
    level: 3,
    verdict: 'warn',
    body(body, t) {
      for (const s of services(body, t)) s.description = '';
      return body;
    },
  },
  {
    name: 'envelope-arithmetic',
    description: 'Lists give total_pages one more than their total_items make.',
    rule: 'envelope',
    level: 3,
    verdict: 'warn',
    body(body, t) {
      if (t.id === undefined && t.resource && isObj(body) && typeof body.total_pages === 'number')
        body.total_pages += 1;
      return body;
    },
  },
  {
    name: 'per-page-ignored',
    description: 'Lists ignore per_page: every page has the default size.',
    rule: 'per-page',
    level: 3,
    verdict: 'warn',
    request(t) {
      if (t.id === undefined) t.params.delete('per_page');
    },
  },
  {
    name: 'pages-overlap',
    description: 'Lists ignore page for their contents: every page lists the items of page 1.',
    rule: 'pages-overlap',
    level: 3,
    verdict: 'warn',
    request(t) {
      if (t.id === undefined && /^\d+$/.test(t.params.get('page') ?? '')) t.params.delete('page');
    },
    body(body, t) {
      const asked = Number(t.page ?? 1);
      if (!isObj(body) || !Number.isInteger(asked) || typeof body.total_pages !== 'number')
        return body;
      return {
        ...body,
        page_number: asked,
        first_page: asked === 1,
        last_page: asked >= body.total_pages,
      };
    },
  },
  ignoring('search', 'search-ignored'),
  ignoring('organization_id', 'organization-filter-ignored'),
  ignoring('taxonomy_term_id', 'taxonomy-filter-ignored'),
  ignoring('modified_after', 'modified-after-ignored'),
  {
    name: 'bad-parameter-ignored',
    description: 'A page that is not a number is read as page 1, not refused with 400.',
    rule: 'bad-parameter',
    level: 3,
    verdict: 'warn',
    request(t) {
      const page = t.params.get('page');
      if (page !== null && !/^\d+$/.test(page)) t.params.delete('page');
    },
  },
  {
    name: 'unknown-id-500',
    description: 'An id that no record has answers 500, not 404.',
    rule: 'unknown-id',
    level: 3,
    verdict: 'warn',
    headers(res) {
      if (res.statusCode === 404) res.statusCode = 500;
    },
  },
  {
    name: 'html-errors',
    description: 'Errors (400, 404) are HTML pages, not JSON.',
    rule: 'unknown-id',
    level: 3,
    verdict: 'warn',
    consequences: ['bad-parameter', 'content-type'],
    send(res) {
      if (res.statusCode < 400) return;
      const status = res.statusCode;
      res
        .type('html')
        .send(
          `<!DOCTYPE html><html><head><title>Error ${status}</title></head><body><h1>Error ${status}</h1></body></html>`,
        );
      return 'sent';
    },
  },
  {
    name: 'wrong-content-type',
    description: 'JSON is served as text/plain.',
    rule: 'content-type',
    level: 3,
    verdict: 'warn',
    send(res, body) {
      res.type('text/plain').send(JSON.stringify(body));
      return 'sent';
    },
  },
  {
    name: 'no-cors',
    description: 'No response has Access-Control-Allow-Origin.',
    rule: 'cors',
    level: 3,
    verdict: 'warn',
    headers(res) {
      res.removeHeader('Access-Control-Allow-Origin');
    },
  },
  {
    name: 'no-cors-on-errors',
    description: 'Errors (4xx, 5xx) have no Access-Control-Allow-Origin.',
    rule: 'cors',
    level: 3,
    verdict: 'warn',
    headers(res) {
      if (res.statusCode >= 400) res.removeHeader('Access-Control-Allow-Origin');
    },
  },
];

const BY_NAME = new Map(DEFECTS.map((d) => [d.name, d]));

/** The middleware, after CORS and before the throttle (src/app.setup.ts); undefined unless DEFECTS. */
export function defects(config: AppConfig): RequestHandler | undefined {
  if (!config.DEFECTS) return undefined;
  const base = config.BASE_PATH === '/' ? '' : config.BASE_PATH;
  const prefix = `${base}/_defects`;
  return (req: Request, res: Response, next: NextFunction) => {
    const [path, query = ''] = req.url.split(/\?(.*)/s);
    if (path === prefix || path === `${prefix}/`) {
      const origin = `${req.protocol}://${req.get('host')}${prefix}`;
      res.json({
        description:
          'Each defect serves this feed under its url with exactly one known deviation from ORUK 3.0; verdict is what a validator should conclude (README, "Known defects").',
        defects: DEFECTS.map((d) => ({
          name: d.name,
          url: `${origin}/${d.name}`,
          description: d.description,
          rule: d.rule,
          level: d.level,
          verdict: d.verdict,
        })),
      });
      return;
    }
    if (!path.startsWith(`${prefix}/`)) return next();
    const [name, ...rest] = path.slice(prefix.length + 1).split('/');
    const defect = BY_NAME.get(name);
    if (!defect) {
      res
        .status(404)
        .json({ statusCode: 404, message: `no defect named "${name}": see ${prefix}` });
      return;
    }
    const inner = `/${rest.join('/')}`.replace(/\/+$/, '') || '/';
    const [resource = '', id, ...more] = inner.split('/').slice(1);
    const params = new URLSearchParams(query);
    const target: Target = {
      resource,
      id: id === undefined ? undefined : decodeURIComponent(id),
      params,
      page: params.get('page') ?? undefined,
    };
    if (defect.request?.(target, res) === 'answered') return;
    const segments = [
      target.resource,
      ...(target.id === undefined ? [] : [encodeURIComponent(target.id)]),
      ...more,
    ];
    const search = target.params.toString();
    req.url = `${base}/${segments.join('/')}`.replace(/\/+$/, '') + (search ? `?${search}` : '');
    if (req.url === '' || req.url.startsWith('?')) req.url = `/${req.url}`;
    wrap(defect, target, res);
    next();
  };
}

/** Applies the defect's changes to the body, to how it is sent, and to the headers. */
function wrap(defect: Defect, target: Target, res: Response): void {
  const json = res.json.bind(res);
  res.json = (body: unknown) => {
    const changed = defect.body ? defect.body(body, target) : body;
    return defect.send?.(res, changed) === 'sent' ? res : json(changed);
  };
  if (defect.headers) {
    const writeHead = res.writeHead.bind(res) as (status: number, ...rest: unknown[]) => Response;
    (res as { writeHead: unknown }).writeHead = (status: number, ...rest: unknown[]) => {
      res.statusCode = status;
      defect.headers!(res);
      return writeHead(res.statusCode, ...rest);
    };
  }
}
