import { HttpException, HttpStatus, ServiceUnavailableException } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import { AppConfig } from '../config/config';

/**
 * Cost-aware admission: a request's price matches its cost. The throttle counts requests;
 * but one `/organizations?per_page=1000&full=true&full_service=true` costs a thousand
 * ordinary pages, and ten of them at once held every connection of the pool until the
 * statement timeout while ordinary clients got 503s. So each request is classed by what
 * it asks for, before it runs (README: "Running in public"):
 *
 * - `stream`: `format=ndjson`, every match in one response, holding a connection for its
 *   whole length;
 * - `heavy`: a page of trees (`full`, `full_service`), a large page (`per_page` above
 *   HEAVY_PER_PAGE, or HEAVY_MINIMAL_PER_PAGE with `minimal`), or a search (ranked over
 *   every match, and a misspelt one compared by similarity with every name);
 * - `light`: everything else (a record by id, whatever its depth; an ordinary page),
 *   which only the throttle limits.
 *
 * A class has a number of requests it may have in flight in all (STREAM_CONCURRENCY,
 * HEAVY_CONCURRENCY: by default a fraction of the pool, so that light requests always find
 * connections) and each client one at a time; the rest wait in a short queue, from which
 * the client admitted least recently goes first (so that a client sending only expensive
 * requests cannot keep the others waiting behind it). A client with more than QUEUED_PER_CLIENT waiting is told 429; a request that
 * finds the queue full, or waits longer than ADMISSION_WAIT_MS, 503; both with Retry-After.
 * Health probes and CORS preflights are never held.
 */
export type CostClass = 'light' | 'heavy' | 'stream';

/** A page larger than this is heavy. */
export const HEAVY_PER_PAGE = 200;
/** Requests one client may have waiting in one class. */
export const QUEUED_PER_CLIENT = 4;

/** With minimal=true (ids and dates only) a page is heavy past this many. */
export const HEAVY_MINIMAL_PER_PAGE = 10_000;

/** The lists: a path ending in one of these is a list; anything else is a record or a document. */
const LISTS = new Set([
  'services',
  'service_at_locations',
  'organizations',
  'taxonomies',
  'taxonomy_terms',
]);

export function costClass(url: string): CostClass {
  const query = url.indexOf('?');
  if (query < 0) return 'light';
  const path = url.slice(0, query).replace(/\/+$/, '');
  // Express matches routes whatever their case: so does this.
  if (!LISTS.has(path.slice(path.lastIndexOf('/') + 1).toLowerCase())) return 'light'; // one record
  const params = new URLSearchParams(url.slice(query + 1));
  const all = (name: string) => params.getAll(name).map((v) => v.trim().toLowerCase());
  if (all('format').includes('ndjson')) return 'stream';
  if (all('full').includes('true') || all('full_service').includes('true')) return 'heavy';
  if (all('search').some((v) => v !== '')) return 'heavy';
  const limit = all('minimal').includes('true') ? HEAVY_MINIMAL_PER_PAGE : HEAVY_PER_PAGE;
  if (all('per_page').some((v) => Number(v) > limit)) return 'heavy';
  return 'light';
}

interface Waiting {
  client: string;
  admit: () => void;
  timer: NodeJS.Timeout;
}

/** One class's slots: in flight in all and per client, and the queue. */
export class Lane {
  private running = 0;
  private readonly byClient = new Map<string, number>();
  private readonly waitingByClient = new Map<string, number>();
  private readonly queue: Waiting[] = [];
  /** Told of each request turned away (the metrics count them). */
  onRefused?: (status: 429 | 503) => void;
  private readonly admitted = new Map<string, number>();
  private admissions = 0;

  constructor(
    readonly name: CostClass,
    readonly concurrency: number,
    readonly queueLength: number,
    readonly waitMs: number,
  ) {}

  /** Resolves with a release function once admitted; rejects with a 429 or a 503. */
  admit(client: string): Promise<() => void> {
    return new Promise((resolve, reject) => {
      const start = () => {
        this.running++;
        this.noteAdmitted(client);
        this.byClient.set(client, (this.byClient.get(client) ?? 0) + 1);
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          this.running--;
          const left = this.byClient.get(client)! - 1;
          if (left) this.byClient.set(client, left);
          else this.byClient.delete(client);
          this.next();
        });
      };
      if (this.free(client) && !this.queue.length) return start();
      const waiting = this.waitingByClient.get(client) ?? 0;
      const refuse = (error: HttpException) => {
        this.onRefused?.(error.getStatus() as 429 | 503);
        reject(error);
      };
      if (waiting >= QUEUED_PER_CLIENT)
        return refuse(
          new HttpException(
            `Too many ${this.describe()} at once from one client: wait for those in progress`,
            HttpStatus.TOO_MANY_REQUESTS,
          ),
        );
      if (this.queue.length >= this.queueLength) return refuse(this.busy());
      const entry: Waiting = {
        client,
        admit: start,
        timer: setTimeout(() => {
          this.remove(entry);
          refuse(this.busy());
        }, this.waitMs),
      };
      this.waitingByClient.set(client, waiting + 1);
      this.queue.push(entry);
      // A slot may be free while those waiting before it belong to clients already running.
      this.next();
    });
  }

  /** Requests in flight, and waiting (for the metrics and the tests). */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.queue.length };
  }

  private free(client: string): boolean {
    return this.running < this.concurrency && !this.byClient.has(client);
  }

  /**
   * Admits waiting requests while there is room: of those whose clients have none in
   * flight, the one whose client was admitted least recently (never: first), then the
   * earliest.
   */
  private next(): void {
    while (this.running < this.concurrency) {
      let chosen: Waiting | undefined;
      for (const entry of this.queue) {
        if (!this.free(entry.client)) continue;
        if (!chosen || this.lastAdmitted(entry.client) < this.lastAdmitted(chosen.client))
          chosen = entry;
      }
      if (!chosen) return;
      this.remove(chosen);
      chosen.admit();
    }
  }

  /** The order in which clients were last admitted (a counter, not a clock). */
  private lastAdmitted(client: string): number {
    return this.admitted.get(client) ?? -1;
  }

  private noteAdmitted(client: string): void {
    this.admitted.delete(client);
    this.admitted.set(client, ++this.admissions);
    // The clients admitted longest ago are forgotten first (a Map keeps insertion order).
    if (this.admitted.size > 10_000) this.admitted.delete(this.admitted.keys().next().value!);
  }

  private remove(entry: Waiting): void {
    const index = this.queue.indexOf(entry);
    if (index < 0) return;
    this.queue.splice(index, 1);
    clearTimeout(entry.timer);
    const left = this.waitingByClient.get(entry.client)! - 1;
    if (left) this.waitingByClient.set(entry.client, left);
    else this.waitingByClient.delete(entry.client);
  }

  private describe(): string {
    return this.name === 'stream'
      ? 'format=ndjson downloads'
      : 'expensive requests (full, full_service, search, large per_page)';
  }

  private busy(): HttpException {
    return new ServiceUnavailableException(
      `The server is busy with ${this.describe()}: try again shortly, or ask for less`,
    );
  }
}

/** Seconds a client is told to wait after a 429 or 503 of admission. */
const RETRY_AFTER_S = 2;

/**
 * The middleware: classes each request and holds it until its lane admits it, releasing the
 * slot when the response is finished or abandoned. Undefined when both concurrencies are 0.
 */
export function admission(
  config: AppConfig,
  isProbe: (path: string) => boolean,
): { middleware: RequestHandler; lanes: Record<'heavy' | 'stream', Lane> } | undefined {
  const heavy = config.heavyConcurrency;
  const stream = config.streamConcurrency;
  if (!heavy && !stream) return undefined;
  const lanes = {
    heavy: new Lane('heavy', heavy || Infinity, 4 * Math.max(heavy, 1), config.ADMISSION_WAIT_MS),
    stream: new Lane(
      'stream',
      stream || Infinity,
      2 * Math.max(stream, 1),
      config.ADMISSION_WAIT_MS,
    ),
  };
  const middleware = (req: Request, res: Response, next: NextFunction) => {
    if (req.method === 'OPTIONS' || isProbe(req.path)) return next();
    const kind = costClass(req.originalUrl);
    if (kind === 'light') return next();
    const lane = lanes[kind];
    if (lane.concurrency === Infinity) return next();
    lane.admit(ipKeyGenerator(req.ip ?? '', 56)).then(
      (release) => {
        res.once('close', release);
        if (res.destroyed) return release();
        next();
      },
      (error: unknown) => {
        res.setHeader('Retry-After', String(RETRY_AFTER_S));
        next(error);
      },
    );
  };
  return { middleware, lanes };
}
