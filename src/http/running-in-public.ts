import { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import type { Server } from 'node:http';
import { AppConfig } from '../config/config';
import { requestLogging } from './logging';
import { Metrics } from './metrics';
import { HEALTH_PATHS } from '../health/health.controller';
import { admission } from './admission';
import { caching } from './caching';
import { DataVersion } from '../database/data-version';
import { hardenServer, requestLimits, securityHeaders, throttling } from './protection';

/** Health probes (at the root whatever BASE_PATH is): never throttled nor held. */
const isProbe = (path: string) => HEALTH_PATHS.some((probe) => path === `/${probe}`);

/**
 * What a feed open to the internet needs around its routes (README: "Running in public"),
 * as Express middleware in a fixed order, registered by configureApp before Swagger UI and
 * Nest's routes so that they see every request:
 *
 *   1. observe():  request id and log line, timing for the metrics, security headers;
 *                  returns the metrics (undefined with METRICS=false);
 *   2. (CORS, registered by configureApp: its header is then on every answer below);
 *   3. guard():    throttling, URL and query limits, HTTP caching (./caching.ts),
 *                  admission by cost (./admission.ts), then /metrics.
 */
export function observe(app: INestApplication, config: AppConfig): Metrics | undefined {
  const express = app as NestExpressApplication;
  hardenServer(app.getHttpServer() as Server, config);
  // Which address is the client's (req.ip): the rate limit and the logs depend on it.
  express.set('trust proxy', config.trustProxy);
  app.use(requestLogging(config));
  const metrics = config.METRICS ? new Metrics(app.get(DataSource), config.DB_POOL_MAX) : undefined;
  if (metrics) app.use(metrics.middleware);
  app.use(securityHeaders(config));
  return metrics;
}

export function guard(app: INestApplication, config: AppConfig, metrics?: Metrics): void {
  const limiter = throttling(config, isProbe);
  if (limiter) app.use(limiter);
  app.use(requestLimits(config));
  // ETags, 304s and answers kept ready (./caching.ts): before admission, since they cost
  // next to nothing whatever the request.
  app.use(caching(config, app.get(DataVersion), metrics?.countCache));
  // Expensive requests take their turn (./admission.ts), after the checks that are free.
  const admitted = admission(config, isProbe);
  if (admitted) {
    app.use(admitted.middleware);
    metrics?.watchAdmission(admitted.lanes);
  }
  if (metrics) {
    // At the root whatever BASE_PATH is, and outside Nest: not part of the ORUK API.
    const express = app as NestExpressApplication;
    express.getHttpAdapter().getInstance().get('/metrics', metrics.endpoint);
  }
}
