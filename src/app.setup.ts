import { INestApplication } from '@nestjs/common';
import { SwaggerModule } from '@nestjs/swagger';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { OpenApiHolder } from './api/root.controller';
import { buildOpenApiDocument } from './api/openapi';
import { AppConfig } from './config/config';
import { HEALTH_PATHS } from './health/health.controller';
import { defects } from './http/defects';
import { guard, observe } from './http/running-in-public';

/**
 * The response headers that browser code may read beyond the CORS-safelisted ones: the
 * request id (to report a problem), throttling (Retry-After and the RateLimit-* fields), and
 * the caching and paging validators and links.
 */
export const EXPOSED = [
  'X-Request-Id',
  'Retry-After',
  'RateLimit-Policy',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
  'ETag',
  'Last-Modified',
  'Link',
];

/**
 * What an application needs beyond its module: the base path, CORS, Swagger UI. Used by
 * main.ts and by the tests, so that what is tested is what runs.
 */
export function configureApp(app: INestApplication, config: AppConfig): INestApplication {
  const express = app as NestExpressApplication;
  express.disable('x-powered-by');
  // No weak ETag hashed from each body once it is built: the data endpoints have strong
  // ones from the data version, before any work (src/http/caching.ts).
  express.set('etag', false);
  // Request ids and logs, metrics timing, security headers (src/http/running-in-public.ts).
  const metrics = observe(app, config);
  // Health probes stay at the root whatever the base path (src/health/health.controller.ts).
  if (config.BASE_PATH !== '/') app.setGlobalPrefix(config.BASE_PATH, { exclude: HEALTH_PATHS });
  // ORUK feeds are open: every response, errors and preflights included, allows any origin,
  // and lets browser code read the headers a client acts on.
  app.enableCors({ origin: '*', methods: ['GET', 'HEAD', 'OPTIONS'], exposedHeaders: EXPOSED });
  // Known defects for validator authors, off unless DEFECTS=true (src/http/defects.ts):
  // after CORS (a defect may take its header away), before the throttle and the routes.
  const defective = defects(config);
  if (defective) app.use(defective);
  // After CORS, so that 429s and 400s carry its header: throttling, URL limits, HTTP
  // caching, admission, /metrics.
  guard(app, config, metrics);
  const document = buildOpenApiDocument(app);
  app.get(OpenApiHolder).document = document;
  const base = config.BASE_PATH === '/' ? '' : config.BASE_PATH;
  SwaggerModule.setup(`${base}/docs`, app, document, {
    raw: false,
    customSiteTitle: 'ORUK 3.0 feed',
    // No validator badge: it loads an image from validator.swagger.io, which the CSP forbids.
    swaggerOptions: { url: `${base}/openapi.json`, validatorUrl: null },
  });
  return app;
}
