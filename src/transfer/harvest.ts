import { DataSource } from 'typeorm';
import { Channel } from '../common/channel';
import { FeedClient, FeedClientOptions, FeedFailure, parseJson } from '../feed/client';
import { detectVersion, FeedVersion, listServices } from '../feed/listing';
import { Doc, SourceDocument } from './documents';
import { uuidFor } from './ids';
import { describeCounts, importDocuments, ImportOptions, ImportSummary } from './importer';
import { completeHarvest, markGone, previousHarvest, startHarvest } from './provenance';
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
 * 3. Each `/services/{id}`, a few at a time (`concurrency`), through the feed client
 *    (src/feed/client.ts: a rate limit, timeouts, retries with backoff).
 *    A body that is not JSON is rejected and reported, and the harvest goes on.
 *    For 3.0, the taxonomies the services' terms belong to are fetched once per run
 *    (`/taxonomies/{id}`) and stored before them.
 * 4. The documents go through the import (documentsOf, importDocuments): v1 is mapped to
 *    3.0, each is repaired (src/transfer/repair/), and ids that are not UUIDs become
 *    stable UUIDs of the feed and the id, so the next harvest updates the same records.
 *    Each service is stored whole or not at all, with its `provenance` (where it came from).
 *    The services rejected are remembered (feed.rejected) and read again by the next
 *    harvest, incremental or not, until they are stored.
 * 5. A full harvest (`full`, the first one, and always for v1) marks the feed's services
 *    that the listing no longer has: `provenance.gone_at` and status `inactive` (which
 *    stamps last_modified, so clients that sync notice). A service that comes back is
 *    un-marked.
 *
 * The feed's row records the start of a harvest only once it has completed without a
 * failed request, so an interrupted or failing harvest is simply repeated next time.
 */
export interface HarvestOptions extends FeedClientOptions {
  /** Called with every change and rejection of the import (as ImportOptions.onReport). */
  onReport?: ImportOptions['onReport'];
  /** Read every service and mark those the feed no longer lists (default: incremental). */
  full?: boolean;
  /** Requests at a time (default 4). */
  concurrency?: number;
  /** The `per_page` asked for when listing (default 100). */
  perPage?: number;
  /** Documents per transaction (default 100). */
  batchSize?: number;
  /** Services fetched so far, of how many listed. */
  onProgress?: (done: number, total?: number) => void;
  /** Pages and services listed at most (ListingBounds; defaults 100,000 and 2,000,000). */
  maxPages?: number;
  maxServices?: number;
  /** The longest a harvest runs, in ms (default 6 hours): then it stops, incomplete. */
  maxRunMs?: number;
}

export const DEFAULT_MAX_RUN_MS = 6 * 3600_000;

export interface HarvestResult {
  summary: ImportSummary;
  /** One line: what was listed, stored, marked gone and what failed. */
  message: string;
  /** Requests that failed for good (after their retries). */
  failed: number;
  /** The first failed requests (at most 1000), for the report. */
  failures: FeedFailure[];
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

export async function harvest(
  db: DataSource,
  baseUrl: string,
  options: HarvestOptions = {},
): Promise<HarvestResult> {
  const base = normaliseBase(baseUrl);
  const client = new FeedClient(options);
  const startedAt = new Date();
  const version = await detectVersion(client, base);
  const previous = await previousHarvest(db, base);
  await startHarvest(db, base, version);
  const incremental =
    !options.full &&
    version === 'v3' &&
    previous?.version === version &&
    previous.last_started_at !== null;
  let since = incremental
    ? new Date(new Date(previous.last_started_at!).getTime() - CLOCK_SKEW_MS)
    : undefined;

  const bounds = {
    maxPages: options.maxPages,
    maxServices: options.maxServices,
    deadline: startedAt.getTime() + (options.maxRunMs ?? DEFAULT_MAX_RUN_MS),
  };
  let listing = await listServices(client, base, options.perPage ?? 100, since, bounds);
  if (listing === 'refused') {
    // A feed that does not take modified_after: read it all.
    since = undefined;
    listing = await listServices(client, base, options.perPage ?? 100, undefined, bounds);
  }
  if (listing === 'refused') throw new Error(`${base}/services: HTTP 400`);
  const full = since === undefined;

  // The services the last harvest rejected are read again, whatever the listing says.
  const listed = new Set(listing.ids);
  const retried = (previous?.rejected ?? []).filter((id) => !listed.has(id));
  const ids = full ? listing.ids : [...listing.ids, ...retried];
  const rejected = new Set<string>();
  const unfetched = new Set<string>();
  const documents = fetchDocuments(
    db,
    client,
    base,
    version,
    ids,
    options,
    unfetched,
    bounds.deadline,
  );
  const summary = await importDocuments(db, prepend(listing.unreadable, documents), {
    batchSize: options.batchSize ?? 100,
    onReport: (entry) => {
      if (entry.kind === 'rejected' && entry.record === 'service' && entry.source_id)
        rejected.add(entry.source_id);
      options.onReport?.(entry);
    },
  });

  const gone = full && listing.complete ? await markGone(db, base, listing.ids) : 0;
  const completed = listing.complete && client.failed === 0;
  // Rejected now, or rejected before and not read this time (a request that failed); a
  // full listing says which of them are still in the feed.
  const unread = (previous?.rejected ?? []).filter((id) => unfetched.has(id));
  const stillRejected = [...new Set([...rejected, ...unread])].filter(
    (id) => !full || listed.has(id),
  );
  await completeHarvest(db, base, completed ? startedAt : undefined, stillRejected);
  const s = summary.services;
  const message =
    `harvested ${base} (${version}): ${listing.ids.length} services listed` +
    (full ? '' : ` (changed since ${since!.toISOString()})`) +
    (retried.length ? `, ${retried.length} rejected last time read again` : '') +
    `, ${describeCounts(s)}, ${gone} marked gone, ${client.failed} failed requests` +
    (stillRejected.length ? `; ${stillRejected.length} rejected: read again next time` : '') +
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

function isObject(value: unknown): value is Doc {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
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
  client: FeedClient,
  base: string,
  version: FeedVersion,
  ids: string[],
  options: HarvestOptions,
  /** Told the ids whose request failed. */
  unfetched: Set<string>,
  /** No request is sent after this time (ms since the epoch); the ids left are unfetched. */
  deadline: number,
): AsyncGenerator<SourceDocument> {
  const concurrency = options.concurrency ?? 4;
  const channel = new Channel<Fetched | undefined>(Math.max(2 * concurrency, 16));
  let next = 0;
  let outOfTime = false;
  const worker = async () => {
    while (next < ids.length && !channel.closed) {
      const sourceId = ids[next++];
      const url = `${base}/services/${encodeURIComponent(sourceId)}`;
      if (Date.now() > deadline) {
        // Out of time: what is left is read next time (the harvest is incomplete).
        if (!outOfTime) client.fail(url, 'the harvest ran out of time (--max-minutes)');
        outOfTime = true;
        unfetched.add(sourceId);
        continue;
      }
      const reply = await client.get(url);
      const fetchedAt = new Date().toISOString();
      if ('error' in reply || reply.status !== 200) {
        client.fail(url, 'error' in reply ? reply.error : `HTTP ${reply.status}`);
        unfetched.add(sourceId);
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
        const origin = { feed: base, sourceId: fetched.sourceId, fetchedAt: fetched.fetchedAt };
        if (fetched.problem) {
          after.push({
            kind: 'service',
            doc: {},
            at: fetched.url,
            problem: fetched.problem,
            origin,
          });
          continue;
        }
        if (version === 'v3') before.push(...(await taxonomies.of(fetched.value)));
        for (const document of mapped(toDocuments, fetched)) {
          if (document.kind === 'taxonomy') before.push(document);
          else after.push({ ...document, origin });
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
    private readonly client: FeedClient,
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
      return { kind: 'taxonomy', doc: body.value, at: url, scope: this.base };
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

async function* prepend<T>(first: T[], rest: AsyncIterable<T>): AsyncGenerator<T> {
  yield* first;
  yield* rest;
}
