import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ORGANIZATIONS } from '../api/organizations.controller';
import { SERVICE_AT_LOCATIONS } from '../api/service-at-locations.controller';
import { SERVICES } from '../api/services.controller';
import { TAXONOMIES } from '../api/taxonomies.controller';
import { TAXONOMY_TERMS } from '../api/taxonomy-terms.controller';
import { AppConfig, projectRoot } from '../config/config';
import { DataVersion, Version } from '../database/data-version';

/** The resources whose lists and records are cached and validated. */
const CACHED = [SERVICES, SERVICE_AT_LOCATIONS, ORGANIZATIONS, TAXONOMIES, TAXONOMY_TERMS];

/** This server's version: a new one may answer differently, so it is part of every ETag. */
const SERVER = (
  JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string }
).version;

/** The largest answer kept, at most (a quarter of the cache when that is smaller). */
const MAX_ENTRY_BYTES = 8 << 20;

interface Entry {
  body: Buffer;
  type: string;
  /** The data version it was built at: never served at another. */
  version: Version;
}

/** The outcome of a request to a data endpoint, for the metrics. */
export type CacheResult = 'not_modified' | 'hit' | 'miss' | 'bypass';

/**
 * Answers kept ready, least recently used first out, bounded by the bytes of their bodies.
 * Everything in it belongs to one data version; a new version empties it.
 */
export class ResponseCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(
    private readonly capacity: number,
    private readonly largest = Math.min(MAX_ENTRY_BYTES, Math.floor(capacity / 4)),
  ) {}

  /** The bytes of the bodies kept. */
  get size(): number {
    return this.bytes;
  }

  get(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  set(key: string, entry: Entry): void {
    if (entry.body.length > this.largest) return;
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.bytes -= old.body.length;
    }
    this.entries.set(key, entry);
    this.bytes += entry.body.length;
    for (const [oldest, { body }] of this.entries) {
      if (this.bytes <= this.capacity) break;
      this.entries.delete(oldest);
      this.bytes -= body.length;
    }
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Does an If-None-Match header name this ETag (weak comparison, RFC 9110 §13.1.2)? */
function matches(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

/** The Last-Modified of a version, once the second it changed in is over (else none). */
function lastModified(version: Version, now = Date.now()): number | undefined {
  const second = Math.floor(version.changedAt.getTime() / 1000) * 1000;
  return now >= second + 1000 ? second : undefined;
}

/**
 * HTTP caching of the data endpoints (docs/caching.md), as Express middleware after the
 * throttle and the URL limits and before admission by cost (src/http/running-in-public.ts):
 *
 *  - a strong ETag made from the data version (src/database/data-version.ts), the server's
 *    version and the request URL, known before any work is done and the same in every process;
 *  - If-None-Match that matches → 304 at once, without a statement; If-Modified-Since the
 *    same when no If-None-Match was sent;
 *  - Last-Modified: when the data version last changed, once that second is over (a
 *    second's resolution would otherwise hide a change made later in it);
 *  - Cache-Control: CACHE_CONTROL on success, no-store on errors;
 *  - answers kept ready (RESPONSE_CACHE_MB), by URL, emptied when the version changes; a
 *    request with `Cache-Control: no-cache` gets one built afresh (and kept).
 *
 * Without a known data version (the announcements' connection is down) answers carry no
 * validators and nothing is kept. Requests to the known defects (src/http/defects.ts) are
 * left alone.
 */
export function caching(
  config: AppConfig,
  data: DataVersion,
  count?: (result: CacheResult) => void,
): RequestHandler {
  const base = config.BASE_PATH === '/' ? '' : config.BASE_PATH;
  // `{base}/{path}` and `{base}/{path}/{id}` of each resource.
  const cached = new RegExp(
    `^${escape(base)}/(${CACHED.map((r) => escape(r.path)).join('|')})(/[^/]+)?/?$`,
  );
  const cache = config.RESPONSE_CACHE_MB
    ? new ResponseCache(config.RESPONSE_CACHE_MB << 20)
    : undefined;
  data.on('change', () => cache?.clear());
  const policy = config.CACHE_CONTROL;

  return (req: Request, res: Response, next: NextFunction) => {
    const route = req.method === 'GET' || req.method === 'HEAD' ? cached.exec(req.path) : null;
    if (!route) return next();
    // A defect rewrote the URL (src/http/defects.ts): it answers as it likes.
    if (req.url !== req.originalUrl) return next();
    // The route pattern, for the metrics of answers given here (src/http/metrics.ts).
    res.locals.route = `${base}/${route[1]}${route[2] ? '/:id' : ''}`;
    const version = data.current;
    // Errors are never kept by anyone; success follows the policy.
    const send = res.send;
    res.send = function (this: Response, body?: unknown) {
      if (this.statusCode !== 200) {
        this.removeHeader('ETag');
        this.removeHeader('Last-Modified');
        this.setHeader('Cache-Control', 'no-store');
      } else if (cache && version && data.current === version && typeof body === 'string') {
        const type = String(this.getHeader('Content-Type') ?? 'application/json; charset=utf-8');
        cache.set(req.originalUrl, { body: Buffer.from(body), type, version });
      }
      return send.call(this, body);
    };
    res.setHeader('Cache-Control', policy);
    if (!version) {
      count?.('bypass');
      return next();
    }
    const etag = `"${version.epoch}.${version.version}.${createHash('sha1')
      .update(`${SERVER} ${req.originalUrl}`)
      .digest('base64url')
      .slice(0, 16)}"`;
    res.setHeader('ETag', etag);
    const modified = lastModified(version);
    if (modified !== undefined) res.setHeader('Last-Modified', new Date(modified).toUTCString());
    const ifNoneMatch = req.headers['if-none-match'];
    const ifModifiedSince = req.headers['if-modified-since'];
    const since = ifModifiedSince ? Date.parse(ifModifiedSince) : NaN;
    if (
      ifNoneMatch !== undefined
        ? matches(ifNoneMatch, etag)
        : modified !== undefined && !Number.isNaN(since) && since >= modified
    ) {
      count?.('not_modified');
      res.status(304).end();
      return;
    }
    // A client that asks for a fresh answer (RFC 9111 §5.2.1.4) gets one built for it.
    const fresh = /no-cache/i.test(
      `${req.headers['cache-control'] ?? ''}${req.headers.pragma ?? ''}`,
    );
    const entry = fresh ? undefined : cache?.get(req.originalUrl);
    if (entry?.version === version) {
      count?.('hit');
      res.setHeader('Content-Type', entry.type);
      res.setHeader('Content-Length', entry.body.length);
      res.status(200);
      res.end(req.method === 'HEAD' ? undefined : entry.body);
      return;
    }
    count?.('miss');
    next();
  };
}
