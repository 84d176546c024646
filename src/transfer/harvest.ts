import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { fieldsOf, tableOf } from '../hsds/fields';
import { SERVICE_FULL, Shape, TAXONOMY_FULL } from '../hsds/shapes';
import { Doc, SourceDocument } from './documents';
import { isUuid, uuidFor } from './ids';
import { describeCounts, importDocuments, ImportSummary } from './importer';
import { documentsOf } from './sources';

/**
 * Harvesting another publisher's live ORUK feed (3.0 or v1) into this database.
 *
 * 1. The version: `GET {base}/` says `version` "…3.0…" for ORUK 3.0; a feed without that
 *    root (v1 has none), or whose `/services` page is camelCase (`content`), is v1.
 * 2. The listing: every page of `/services` (`page`, `per_page`; the envelope's
 *    `total_pages`/`contents`, or v1's `totalPages`/`content`). A 3.0 feed harvested
 *    before is asked only for `modified_after` the start of the last completed harvest
 *    (less a margin for clock skew); one that refuses that (400) is read in full.
 * 3. Each `/services/{id}`, a few at a time (`concurrency`), at most `ratePerSecond`
 *    requests a second, each with a timeout; network errors, timeouts, 5xx and 429 are
 *    retried with exponential backoff and jitter (honouring Retry-After), `retries` times.
 *    A body that is not JSON is rejected and reported, and the harvest goes on.
 *    For 3.0, the taxonomies the services' terms belong to are fetched once per run
 *    (`/taxonomies/{id}`) and stored before them.
 * 4. The documents go through the import (documentsOf, importDocuments): v1 is mapped to
 *    3.0, and ids that are not UUIDs become stable UUIDs of the feed and the id
 *    (remapIds), so the next harvest updates the same records. Each service is stored
 *    whole or not at all; after each stored batch its `provenance` rows are written.
 * 5. A full harvest (`full`, the first one, and always for v1) marks the feed's services
 *    that the listing no longer has: `provenance.gone_at` and status `inactive` (which
 *    stamps last_modified, so clients that sync notice). A service that comes back is
 *    un-marked.
 *
 * The feed's row records the start of a harvest only once it has completed without a
 * failed request, so an interrupted or failing harvest is simply repeated next time.
 */
export interface HarvestOptions {
  /** Read every service and mark those the feed no longer lists (default: incremental). */
  full?: boolean;
  /** Requests at a time (default 4). */
  concurrency?: number;
  /** At most this many requests a second (default 10). */
  ratePerSecond?: number;
  /** Per request, body included (default 30 000 ms). */
  timeoutMs?: number;
  /** Retries of a request after a network error, timeout, 5xx or 429 (default 3). */
  retries?: number;
  /** The first retry's delay; each retry doubles it, with jitter (default 1000 ms). */
  backoffMs?: number;
  /** The longest wait before a retry, Retry-After included (default 60 000 ms). */
  maxDelayMs?: number;
  /** The `per_page` asked for when listing (default 100). */
  perPage?: number;
  /** Documents per transaction (default 100). */
  batchSize?: number;
  /** Services fetched so far, of how many listed. */
  onProgress?: (done: number, total?: number) => void;
}

export type FeedVersion = 'v3' | 'v1';

export interface HarvestFailure {
  url: string;
  reason: string;
}

export interface HarvestResult {
  summary: ImportSummary;
  /** One line: what was listed, stored, marked gone and what failed. */
  message: string;
  /** Requests that failed for good (after their retries). */
  failed: number;
  /** The first failed requests (at most MAX_REPORTED), for the report. */
  failures: HarvestFailure[];
  version: FeedVersion;
  /** Whether every service was listed (a full harvest then marks those gone). */
  full: boolean;
  listed: number;
  /** Services newly marked gone from the feed. */
  gone: number;
  /** No failed request: the next harvest starts from this one. */
  completed: boolean;
}

/** How far back of the last harvest's start an incremental one asks (clocks differ). */
const CLOCK_SKEW_MS = 5 * 60_000;
const MAX_REPORTED = 1000;
const SHAPES: Record<SourceDocument['kind'], Shape> = {
  service: SERVICE_FULL,
  taxonomy: TAXONOMY_FULL,
};

export async function harvest(
  db: DataSource,
  baseUrl: string,
  options: HarvestOptions = {},
): Promise<HarvestResult> {
  const base = normaliseBase(baseUrl);
  const client = new Client(options);
  const startedAt = new Date();
  const version = await detectVersion(client, base);
  const [previous] = await db.query<{ version: string; last_started_at: Date | null }[]>(
    `SELECT version, last_started_at FROM feed WHERE base_url = $1`,
    [base],
  );
  await db.query(
    `INSERT INTO feed AS f (base_url, version) VALUES ($1, $2)
     ON CONFLICT (base_url) DO UPDATE SET version = EXCLUDED.version,
       -- A feed now of another version starts over.
       last_started_at = CASE WHEN f.version = EXCLUDED.version THEN f.last_started_at END,
       last_completed_at = CASE WHEN f.version = EXCLUDED.version THEN f.last_completed_at END`,
    [base, version],
  );
  const incremental =
    !options.full &&
    version === 'v3' &&
    previous?.version === version &&
    previous.last_started_at !== null;
  let since = incremental
    ? new Date(new Date(previous.last_started_at!).getTime() - CLOCK_SKEW_MS)
    : undefined;

  let listing = await listServices(client, base, options.perPage ?? 100, since);
  if (listing === 'refused') {
    // A feed that does not take modified_after: read it all.
    since = undefined;
    listing = await listServices(client, base, options.perPage ?? 100);
  }
  if (listing === 'refused') throw new Error(`${base}/services: HTTP 400`);
  const full = since === undefined;

  const origins = new Map<string, { source_id: string; fetched_at: string }>();
  const documents = fetchDocuments(db, client, base, version, listing.ids, origins, options);
  const summary = await importDocuments(db, prepend(listing.unreadable, documents), {
    batchSize: options.batchSize ?? 100,
    onStored: async (kind, result) => {
      if (kind !== 'service') return;
      const rows = [...result.created, ...result.updated, ...result.unchanged].flatMap((id) => {
        const origin = origins.get(id);
        origins.delete(id);
        return origin ? [{ id, ...origin }] : [];
      });
      if (rows.length) await recordProvenance(db, base, rows);
    },
  });

  const gone = full && listing.complete ? await markGone(db, base, listing.ids) : 0;
  const completed = listing.complete && client.failed === 0;
  if (completed) {
    await db.query(
      `UPDATE feed SET last_started_at = $2, last_completed_at = now() WHERE base_url = $1`,
      [base, startedAt.toISOString()],
    );
  }
  const s = summary.services;
  const message =
    `harvested ${base} (${version}): ${listing.ids.length} services listed` +
    (full ? '' : ` (changed since ${since!.toISOString()})`) +
    `, ${describeCounts(s)}, ${gone} marked gone, ${client.failed} failed requests` +
    (completed ? '' : '; incomplete: the next harvest repeats it');
  return {
    summary,
    message,
    failed: client.failed,
    failures: client.failures,
    version,
    full,
    listed: listing.ids.length,
    gone,
    completed,
  };
}

function normaliseBase(input: string): string {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new Error(`${input}: not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`${input}: not an http(s) URL`);
  url.hash = '';
  return url.toString().replace(/\/+$/, '');
}

// ---------------------------------------------------------------------------------------
// Requests: rate limit, timeout, retries

type Reply = { status: number; text: string } | { error: string };

/** GET with a rate limit shared by all requests, a timeout, and retries with backoff. */
class Client {
  failed = 0;
  readonly failures: HarvestFailure[] = [];
  private readonly interval: number;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly maxDelayMs: number;
  /** When the next request may start. */
  private next = 0;

  constructor(options: HarvestOptions) {
    this.interval = 1000 / (options.ratePerSecond ?? 10);
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.retries = options.retries ?? 3;
    this.backoffMs = options.backoffMs ?? 1000;
    this.maxDelayMs = options.maxDelayMs ?? 60_000;
  }

  /** The response, or why there is none after the retries. Only a 2xx or 4xx is returned. */
  async get(url: string): Promise<Reply> {
    for (let attempt = 0; ; attempt++) {
      await this.slot();
      let reason: string;
      let delay: number | undefined;
      try {
        const response = await fetch(url, {
          headers: { accept: 'application/json', 'user-agent': 'oruk-server harvest' },
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        if (response.status !== 429 && response.status < 500)
          return { status: response.status, text: await response.text() };
        reason = `HTTP ${response.status}`;
        delay = retryAfter(response.headers.get('retry-after'));
        await response.body?.cancel().catch(() => undefined);
      } catch (error) {
        reason = networkProblem(error, this.timeoutMs);
      }
      if (attempt >= this.retries)
        return { error: `${reason}${this.retries ? ` (after ${this.retries} retries)` : ''}` };
      const exponential = Math.min(this.maxDelayMs, this.backoffMs * 2 ** attempt);
      const wait = Math.min(
        this.maxDelayMs,
        delay ?? exponential / 2 + (Math.random() * exponential) / 2,
      );
      // Retry-After is about the server, not this request: every request waits.
      if (delay !== undefined) this.next = Math.max(this.next, Date.now() + wait);
      await sleep(wait);
    }
  }

  /** Counts a request that failed for good. */
  fail(url: string, reason: string): void {
    this.failed++;
    if (this.failures.length < MAX_REPORTED) this.failures.push({ url, reason });
  }

  /** Waits for this request's turn under the rate limit. */
  private async slot(): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.next);
    this.next = at + this.interval;
    if (at > now) await sleep(at - now);
  }
}

/** Milliseconds a Retry-After header asks for (seconds, or an HTTP date). */
function retryAfter(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function networkProblem(error: unknown, timeoutMs: number): string {
  const e = error as {
    name?: string;
    message?: string;
    cause?: { code?: string; message?: string };
  };
  if (e.name === 'TimeoutError' || e.name === 'AbortError')
    return `timed out after ${timeoutMs} ms`;
  const cause = e.cause?.code ?? e.cause?.message;
  return cause ? `${e.message}: ${cause}` : (e.message ?? String(error));
}

function parseJson(text: string): { value: unknown } | { problem: string } {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    return { problem: `not JSON: ${(error as Error).message}` };
  }
}

function isObject(value: unknown): value is Doc {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------
// Version and listing

async function detectVersion(client: Client, base: string): Promise<FeedVersion> {
  const root = await client.get(`${base}/`);
  if ('error' in root) throw new Error(`${base}/: ${root.error}`);
  if (root.status === 200) {
    const body = parseJson(root.text);
    const version = 'value' in body && isObject(body.value) ? body.value.version : undefined;
    if (typeof version === 'string') {
      if (/3\.\d/.test(version)) return 'v3';
      if (/(^|\D)1(\.\d)?$/.test(version)) return 'v1';
    }
  }
  // No ORUK 3.0 root (v1 has none): the envelope of /services tells.
  const url = `${base}/services?page=1&per_page=1`;
  const page = await client.get(url);
  if ('error' in page) throw new Error(`${url}: ${page.error}`);
  const body = parseJson(page.status === 200 ? page.text : '');
  if ('value' in body && isObject(body.value)) {
    if (Array.isArray(body.value.contents)) return 'v3';
    if (Array.isArray(body.value.content)) return 'v1';
  }
  throw new Error(
    `${base}: not an ORUK feed (no 3.0 version at /, and /services gave HTTP ${page.status} without a page of services)`,
  );
}

interface Listing {
  /** The services' ids as the feed gives them, in order, each once. */
  ids: string[];
  /** Every page was read: the feed has exactly these services (if not incremental). */
  complete: boolean;
  /** List items without an id, reported as rejected. */
  unreadable: SourceDocument[];
}

async function listServices(
  client: Client,
  base: string,
  perPage: number,
  since?: Date,
): Promise<Listing | 'refused'> {
  const listing: Listing = { ids: [], complete: true, unreadable: [] };
  const seen = new Set<string>();
  for (let page = 1; ; page++) {
    const url =
      `${base}/services?page=${page}&per_page=${perPage}` +
      (since ? `&modified_after=${encodeURIComponent(since.toISOString())}` : '');
    const reply = await client.get(url);
    if (page === 1 && since && 'status' in reply && reply.status === 400) return 'refused';
    const problem =
      'error' in reply ? reply.error : reply.status !== 200 ? `HTTP ${reply.status}` : undefined;
    const body = problem || !('text' in reply) ? undefined : parseJson(reply.text);
    const envelope = body && 'value' in body && isObject(body.value) ? body.value : undefined;
    const items = Array.isArray(envelope?.contents)
      ? (envelope.contents as unknown[])
      : Array.isArray(envelope?.content)
        ? (envelope.content as unknown[])
        : undefined;
    if (!envelope || !items) {
      client.fail(url, problem ?? (body && 'problem' in body ? body.problem : 'not a page'));
      listing.complete = false;
      return listing;
    }
    const totalPages = numberOf(envelope.total_pages ?? envelope.totalPages);
    let fresh = 0;
    items.forEach((item, i) => {
      const id = isObject(item) ? item.id : undefined;
      if (typeof id !== 'string' && typeof id !== 'number') {
        listing.unreadable.push({
          kind: 'service',
          doc: {},
          at: `${url}[${i}]`,
          problem: 'listed without an id',
        });
        return;
      }
      if (seen.has(String(id))) return;
      seen.add(String(id));
      listing.ids.push(String(id));
      fresh++;
    });
    if (!items.length) break;
    if (!fresh) {
      // A feed that ignores `page` would give the first page forever.
      client.fail(url, `page ${page} repeats earlier pages`);
      listing.complete = false;
      break;
    }
    if (
      totalPages !== undefined ? page >= totalPages : Boolean(envelope.last_page ?? envelope.last)
    )
      break;
  }
  return listing;
}

function numberOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

// ---------------------------------------------------------------------------------------
// Fetching and mapping

interface Fetched {
  sourceId: string;
  url: string;
  fetchedAt: string;
  value?: unknown;
  problem?: string;
}

/**
 * The documents of the listed services, fetched `concurrency` at a time; each group of
 * fetched services gives its taxonomies first, then the services.
 */
async function* fetchDocuments(
  db: DataSource,
  client: Client,
  base: string,
  version: FeedVersion,
  ids: string[],
  origins: Map<string, { source_id: string; fetched_at: string }>,
  options: HarvestOptions,
): AsyncGenerator<SourceDocument> {
  const concurrency = options.concurrency ?? 4;
  const channel = new Channel<Fetched | undefined>(Math.max(2 * concurrency, 16));
  let next = 0;
  const worker = async () => {
    while (next < ids.length && !channel.closed) {
      const sourceId = ids[next++];
      const url = `${base}/services/${encodeURIComponent(sourceId)}`;
      const reply = await client.get(url);
      const fetchedAt = new Date().toISOString();
      if ('error' in reply || reply.status !== 200) {
        client.fail(url, 'error' in reply ? reply.error : `HTTP ${reply.status}`);
        await channel.push(undefined);
        continue;
      }
      await channel.push({ sourceId, url, fetchedAt, ...parseJson(reply.text) });
    }
  };
  const workers = Promise.all(Array.from({ length: concurrency }, worker)).finally(() =>
    channel.end(),
  );

  const toDocuments = documentsOf({ idScope: base, fromV1: version === 'v1' });
  const taxonomies = new Taxonomies(db, client, base);
  let done = 0;
  options.onProgress?.(0, ids.length);
  try {
    for (;;) {
      const chunk = await channel.take(50);
      if (!chunk) break;
      const before: SourceDocument[] = [];
      const after: SourceDocument[] = [];
      for (const fetched of chunk) {
        options.onProgress?.(++done, ids.length);
        if (!fetched) continue;
        if (fetched.problem) {
          after.push({ kind: 'service', doc: {}, at: fetched.url, problem: fetched.problem });
          continue;
        }
        if (version === 'v3') before.push(...(await taxonomies.of(fetched.value)));
        for (const document of mapped(toDocuments, fetched)) {
          if (document.problem) {
            after.push(document);
            continue;
          }
          const doc = remapIds(SHAPES[document.kind], document.doc, base);
          if (document.kind === 'taxonomy') {
            before.push({ ...document, doc });
            continue;
          }
          after.push({ ...document, doc });
          if (typeof doc.id === 'string')
            origins.set(doc.id, { source_id: fetched.sourceId, fetched_at: fetched.fetchedAt });
        }
      }
      yield* before;
      yield* after;
    }
  } finally {
    channel.close();
    await workers;
  }
}

/** A fetched record's documents; one that cannot be mapped (v1) is rejected, not fatal. */
function mapped(toDocuments: ReturnType<typeof documentsOf>, fetched: Fetched): SourceDocument[] {
  try {
    return [...toDocuments(fetched.value, fetched.url)];
  } catch (error) {
    const problem = `cannot be mapped: ${(error as Error).message}`;
    return [{ kind: 'service', doc: {}, at: fetched.url, problem }];
  }
}

/**
 * The taxonomies a 3.0 service's terms belong to, each fetched once per harvest, so that
 * they are stored before the services that use them (a term's taxonomy must exist).
 */
class Taxonomies {
  private readonly given = new Set<string>();

  constructor(
    private readonly db: DataSource,
    private readonly client: Client,
    private readonly base: string,
  ) {}

  async of(service: unknown): Promise<SourceDocument[]> {
    const documents: SourceDocument[] = [];
    for (const [id, term] of referencedTaxonomies(service)) {
      if (this.given.has(id)) continue;
      this.given.add(id);
      const document = await this.fetch(id, term);
      if (document) documents.push(document);
    }
    return documents;
  }

  private async fetch(sourceId: string, term: Doc): Promise<SourceDocument | undefined> {
    const url = `${this.base}/taxonomies/${encodeURIComponent(sourceId)}`;
    const reply = await this.client.get(url);
    if ('status' in reply && reply.status === 200) {
      const body = parseJson(reply.text);
      if ('problem' in body) return { kind: 'taxonomy', doc: {}, at: url, problem: body.problem };
      if (!isObject(body.value))
        return { kind: 'taxonomy', doc: {}, at: url, problem: 'not a JSON object' };
      return { kind: 'taxonomy', doc: remapIds(TAXONOMY_FULL, body.value, this.base), at: url };
    }
    const id = uuidFor(`${this.base}:taxonomy`, sourceId);
    if ('status' in reply && reply.status === 404) {
      // /taxonomies/{id} is optional in ORUK 3.0: without it, a placeholder that says so
      // (never over a taxonomy already stored) keeps the feed's terms and services.
      const [known] = await this.db.query<unknown[]>(`SELECT 1 FROM taxonomy WHERE id = $1`, [id]);
      if (known) return undefined;
      const name = typeof term.taxonomy === 'string' ? term.taxonomy : `Taxonomy ${sourceId}`;
      return {
        kind: 'taxonomy',
        doc: {
          id,
          name,
          description: `A taxonomy of ${this.base}, which does not publish it at /taxonomies/${sourceId}.`,
        },
        at: url,
      };
    }
    this.client.fail(url, 'error' in reply ? reply.error : `HTTP ${reply.status}`);
    return undefined;
  }
}

/** The ids (as the feed gives them) of the taxonomies of the terms anywhere in a document. */
function referencedTaxonomies(value: unknown, found = new Map<string, Doc>()): Map<string, Doc> {
  if (Array.isArray(value)) value.forEach((v) => referencedTaxonomies(v, found));
  else if (isObject(value)) {
    for (const [key, child] of Object.entries(value)) {
      if (key === 'taxonomy_term' && isObject(child)) {
        const id = child.taxonomy_id;
        if ((typeof id === 'string' || typeof id === 'number') && !found.has(String(id)))
          found.set(String(id), child);
      }
      referencedTaxonomies(child, found);
    }
  }
  return found;
}

/**
 * A document of a shape with every id that is not a UUID replaced by its stable UUID,
 * consistently: every uuid field of the field registry (`id`, each reference `*_id`,
 * attribute `link_id`) becomes `uuidFor(<scope>:<table it names>, value)`, so the same
 * source id gives the same UUID wherever it appears, in this document, in others, and
 * in the next harvest. UUIDs are kept as they are. (ORUK v1 documents are mapped with the
 * same scopes by src/transfer/v1.ts.)
 */
export function remapIds(shape: Shape, doc: Doc, scope: string, linkEntity?: string): Doc {
  const out: Doc = { ...doc };
  for (const field of fieldsOf(shape.entity)) {
    const value = out[field.name];
    if (field.kind !== 'uuid' || (typeof value !== 'string' && typeof value !== 'number')) continue;
    if (isUuid(value)) continue;
    const table =
      field.name === 'id'
        ? tableOf(shape.entity)
        : field.references
          ? tableOf(field.references())
          : typeof out.link_entity === 'string'
            ? out.link_entity
            : linkEntity;
    if (table) out[field.name] = uuidFor(`${scope}:${table}`, value);
  }
  for (const [key, nest] of Object.entries(shape.nest ?? {})) {
    const value = out[key];
    if (nest.readOnly) continue;
    if (nest.many && Array.isArray(value)) {
      out[key] = (value as unknown[]).map((child) =>
        isObject(child) ? remapIds(nest.shape, child, scope, nest.where?.link_entity) : child,
      );
    } else if (!nest.many && isObject(value)) {
      out[key] = remapIds(nest.shape, value, scope);
    }
  }
  return out;
}

async function* prepend<T>(first: T[], rest: AsyncIterable<T>): AsyncGenerator<T> {
  yield* first;
  yield* rest;
}

/**
 * A bounded queue between the fetching workers and the import: workers wait while it is
 * full, so memory stays bounded when the database is slower than the feed.
 */
class Channel<T> {
  closed = false;
  private ended = false;
  private readonly items: T[] = [];
  private consumer?: () => void;
  private producers: (() => void)[] = [];

  constructor(private readonly capacity: number) {}

  async push(item: T): Promise<void> {
    while (this.items.length >= this.capacity && !this.closed)
      await new Promise<void>((resolve) => this.producers.push(resolve));
    if (this.closed) return;
    this.items.push(item);
    this.wake();
  }

  /** No more items will come. */
  end(): void {
    this.ended = true;
    this.wake();
  }

  /** The reader has stopped: drop what is queued and release the writers. */
  close(): void {
    this.closed = true;
    this.items.length = 0;
    this.producers.splice(0).forEach((resolve) => resolve());
  }

  /** Up to `max` items, waiting for one; undefined once the queue has ended and is empty. */
  async take(max: number): Promise<T[] | undefined> {
    while (!this.items.length) {
      if (this.ended || this.closed) return undefined;
      await new Promise<void>((resolve) => (this.consumer = resolve));
    }
    const taken = this.items.splice(0, max);
    this.producers.splice(0).forEach((resolve) => resolve());
    return taken;
  }

  private wake(): void {
    const consumer = this.consumer;
    this.consumer = undefined;
    consumer?.();
  }
}

// ---------------------------------------------------------------------------------------
// Provenance

async function recordProvenance(
  db: DataSource,
  base: string,
  rows: { id: string; source_id: string; fetched_at: string }[],
): Promise<void> {
  await db.query(
    `INSERT INTO provenance AS p (id, source_feed, source_id, fetched_at, gone_at)
     SELECT r.id, $1, r.source_id, r.fetched_at, NULL
     FROM json_to_recordset($2::json) AS r(id uuid, source_id text, fetched_at timestamptz)
     ON CONFLICT (id) DO UPDATE SET source_feed = EXCLUDED.source_feed,
       source_id = EXCLUDED.source_id, fetched_at = EXCLUDED.fetched_at, gone_at = NULL`,
    [base, JSON.stringify(rows)],
  );
}

/**
 * After a full listing: the feed's services it no longer has are marked gone and made
 * inactive (the status change stamps last_modified). Returns how many were newly marked.
 */
async function markGone(db: DataSource, base: string, listed: string[]): Promise<number> {
  const [{ gone }] = await db.query<{ gone: number }[]>(
    `WITH gone AS (
       UPDATE provenance SET gone_at = now()
       WHERE source_feed = $1 AND gone_at IS NULL AND NOT (source_id = ANY($2::text[]))
       RETURNING id
     ), inactive AS (
       UPDATE service SET status = 'inactive'
       WHERE id IN (SELECT id FROM gone) AND status <> 'inactive'
       RETURNING id
     )
     SELECT count(*)::int AS gone FROM gone`,
    [base, listed],
  );
  return gone;
}
