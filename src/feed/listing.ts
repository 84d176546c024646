import { Doc, SourceDocument } from '../transfer/documents';
import { FeedClient, parseJson } from './client';

/** The two versions of ORUK a feed may speak (docs/standard.md, "ORUK v1"). */
export type FeedVersion = 'v3' | 'v1';

export async function detectVersion(client: FeedClient, base: string): Promise<FeedVersion> {
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

export interface Listing {
  /** The services' ids as the feed gives them, in order, each once. */
  ids: string[];
  /** Every page was read: the feed has exactly these services (if not incremental). */
  complete: boolean;
  /** List items without an id, reported as rejected. */
  unreadable: SourceDocument[];
}

/** How far a listing goes: a feed that claims a billion pages is not listed for ever. */
export interface ListingBounds {
  /** Pages read at most (default 100,000). */
  maxPages?: number;
  /** Services listed at most (default 2,000,000). */
  maxServices?: number;
  /** No page is asked for after this time (ms since the epoch). */
  deadline?: number;
}

export async function listServices(
  client: FeedClient,
  base: string,
  perPage: number,
  since?: Date,
  bounds: ListingBounds = {},
): Promise<Listing | 'refused'> {
  const listing: Listing = { ids: [], complete: true, unreadable: [] };
  const seen = new Set<string>();
  const maxPages = bounds.maxPages ?? 100_000;
  const maxServices = bounds.maxServices ?? 2_000_000;
  for (let page = 1; ; page++) {
    const stop =
      page > maxPages
        ? `more than ${maxPages} pages: not read further (--max-pages)`
        : listing.ids.length >= maxServices
          ? `more than ${maxServices} services listed: not read further (--max-services)`
          : bounds.deadline !== undefined && Date.now() > bounds.deadline
            ? 'the harvest ran out of time (--max-minutes): not read further'
            : undefined;
    if (stop) {
      client.fail(`${base}/services?page=${page}`, stop);
      listing.complete = false;
      break;
    }
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
function isObject(value: unknown): value is Doc {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
