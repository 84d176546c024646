import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { ConfigError, loadConfig } from './config/config';
import {
  EmbeddedDatabase,
  EmbeddedPostgresError,
  startEmbeddedPostgres,
} from './database/embedded';
import { nestLogger } from './http/logging';
import { closeHttpApp, GracefulShutdown } from './shutdown';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  // Every log line as JSON on standard output (human-readable on a terminal): src/http/logging.ts.
  const log = nestLogger(config);
  Logger.overrideLogger(log);
  const logger = new Logger('Bootstrap');
  // SIGTERM/SIGINT: finish requests in progress, close the pool, stop the embedded
  // PostgreSQL, exit 0 (or 1 after SHUTDOWN_TIMEOUT_MS): src/shutdown.ts.
  const shutdown = new GracefulShutdown(config.SHUTDOWN_TIMEOUT_MS).listen();
  let embedded: EmbeddedDatabase | undefined;
  if (!config.DATABASE_URL) {
    logger.log('DATABASE_URL is not set: starting the embedded PostgreSQL');
    const cluster = await startEmbeddedPostgres({
      dir: config.EMBEDDED_PG_DIR,
      port: config.EMBEDDED_PG_PORT,
      note: (message) => logger.log(message),
      stopOnSignals: false, // stopped last by the graceful shutdown
    });
    shutdown.add('the embedded PostgreSQL', () => cluster.stop());
    logger.log(`the embedded PostgreSQL is running, its data in ${cluster.dir}`);
    embedded = cluster;
  }
  const app = await NestFactory.create(
    AppModule.forRoot(config, config.DATABASE_URL ?? embedded!.url),
    {
      logger: log,
    },
  );
  configureApp(app, config);
  shutdown.add('the server', closeHttpApp(app));
  await app.listen(config.PORT, config.HOST);
  logger.log(
    `ORUK feed at ${await app.getUrl()}${config.BASE_PATH === '/' ? '' : config.BASE_PATH}/ (docs at /docs)`,
  );
}

bootstrap().catch((error: unknown) => {
  // A configuration mistake is reported as such, without a stack trace.
  const plain = error instanceof ConfigError || error instanceof EmbeddedPostgresError;
  console.error(plain ? error.message : error);
  process.exit(1);
});
