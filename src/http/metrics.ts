import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Pool } from 'pg';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';
import type { Lane } from './admission';
import type { CacheResult } from './caching';

/** The label of requests that matched no route: 404s, Swagger UI's files, early rejections. */
export const UNMATCHED = '(unmatched)';

/**
 * Prometheus metrics, served at /metrics (outside BASE_PATH, not in the ORUK OpenAPI
 * document): request durations by route pattern (`/services/:id`, never the raw URL, so the
 * number of series stays fixed) and status, server errors, the database pool, admission
 * by cost, and
 * prom-client's default process metrics (memory, CPU, event loop lag, GC, handles).
 * Each application has its own registry (tests start several in one process).
 */
export class Metrics {
  readonly registry = new Registry();

  private readonly duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer HTTP requests, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  private readonly errors = new Counter({
    name: 'http_server_errors_total',
    help: 'Responses with a 5xx status, and responses the connection closed on before they were complete',
    labelNames: ['route', 'status_code'],
    registers: [this.registry],
  });

  private readonly cacheResults = new Counter({
    name: 'http_cache_results_total',
    help: 'Requests to the data endpoints by what HTTP caching did (src/http/caching.ts): not_modified (a 304), hit (answered from memory), miss (built), bypass (no data version known)',
    labelNames: ['result'],
    registers: [this.registry],
  });

  /** Counts what caching did with a request (src/http/caching.ts). */
  readonly countCache = (result: CacheResult) => this.cacheResults.inc({ result });

  constructor(dataSource: DataSource, poolMax: number) {
    collectDefaultMetrics({ register: this.registry });
    const pool = () => {
      const driver = dataSource.isInitialized ? (dataSource.driver as PostgresDriver) : undefined;
      return driver?.master as Pool | undefined;
    };
    const gauge = (name: string, help: string, read: (pool: Pool) => number) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          const p = pool();
          if (p) this.set(read(p));
        },
      });
    gauge(
      'db_pool_connections',
      'Connections the database pool holds, idle or in use',
      (p) => p.totalCount,
    );
    gauge('db_pool_idle_connections', 'Connections of the pool not in use', (p) => p.idleCount);
    gauge(
      'db_pool_waiting_requests',
      'Queries waiting for a connection of the pool',
      (p) => p.waitingCount,
    );
    gauge('db_pool_max_connections', 'The size limit of the pool (DB_POOL_MAX)', () => poolMax);
  }

  /** The admission lanes' load and refusals (src/http/admission.ts), by class. */
  watchAdmission(lanes: Record<string, Lane>): void {
    const load = (name: string, help: string, read: (lane: Lane) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['class'],
        registers: [this.registry],
        collect() {
          for (const [kind, lane] of Object.entries(lanes)) this.set({ class: kind }, read(lane));
        },
      });
    load(
      'admission_running_requests',
      'Expensive requests running, by class',
      (l) => l.load.running,
    );
    load(
      'admission_waiting_requests',
      'Expensive requests waiting their turn, by class',
      (l) => l.load.waiting,
    );
    const refused = new Counter({
      name: 'admission_refused_total',
      help: 'Expensive requests turned away (429: too many from one client; 503: busy), by class',
      labelNames: ['class', 'status_code'],
      registers: [this.registry],
    });
    for (const [kind, lane] of Object.entries(lanes))
      lane.onRefused = (status) => refused.inc({ class: kind, status_code: String(status) });
  }

  /** Times every request, labelled once the response is done. */
  readonly middleware: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
    const end = this.duration.startTimer();
    const done = () => {
      res.removeListener('finish', done);
      res.removeListener('close', done);
      const route = routeOf(req);
      const status = res.writableFinished ? String(res.statusCode) : 'aborted';
      end({ method: methodOf(req), route, status_code: status });
      if (status === 'aborted' || res.statusCode >= 500) {
        this.errors.inc({ route, status_code: status });
      }
    };
    res.on('finish', done);
    res.on('close', done);
    next();
  };

  /** GET /metrics: the text exposition format. */
  readonly endpoint: RequestHandler = (_req: Request, res: Response, next: NextFunction) => {
    this.registry
      .metrics()
      .then((text) => res.type(this.registry.contentType).send(text))
      .catch(next);
  };
}

/** The route pattern Express matched (Nest registers each route with its full path). */
function routeOf(req: Request): string {
  // Answered before routing (src/http/caching.ts: a 304 or a kept answer): its pattern.
  const path: unknown =
    (req.route as { path?: unknown } | undefined)?.path ?? (req.res?.locals.route as unknown);
  return typeof path === 'string' ? path || '/' : UNMATCHED;
}

const METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE']);
const methodOf = (req: Request) => (METHODS.has(req.method) ? req.method : 'OTHER');
