import { INestApplication } from '@nestjs/common';
import { SwaggerModule } from '@nestjs/swagger';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { OpenApiHolder } from './api/root.controller';
import { buildOpenApiDocument } from './api/openapi';
import { AppConfig } from './config/config';

/**
 * What an application needs beyond its module: the base path, CORS, Swagger UI. Used by
 * main.ts and by the tests, so that what is tested is what runs.
 */
export function configureApp(app: INestApplication, config: AppConfig): INestApplication {
  const express = app as NestExpressApplication;
  express.disable('x-powered-by');
  if (config.BASE_PATH !== '/') app.setGlobalPrefix(config.BASE_PATH);
  // ORUK feeds are open: every response, errors and preflights included, allows any origin.
  app.enableCors({ origin: '*', methods: ['GET', 'HEAD', 'OPTIONS'] });
  const document = buildOpenApiDocument(app);
  app.get(OpenApiHolder).document = document;
  const base = config.BASE_PATH === '/' ? '' : config.BASE_PATH;
  SwaggerModule.setup(`${base}/docs`, app, document, {
    raw: false,
    customSiteTitle: 'ORUK 3.0 feed',
    swaggerOptions: { url: `${base}/openapi.json` },
  });
  return app;
}
