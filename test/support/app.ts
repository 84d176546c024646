import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { configureApp } from '../../src/app.setup';
import { loadConfig } from '../../src/config/config';
import { StatementCounter } from '../../src/database/data-source';
import { DataVersion, Version } from '../../src/database/data-version';
import { createTestDatabase, TestDatabase } from './database';

export interface TestApp {
  app: INestApplication;
  http: ReturnType<INestApplication['getHttpServer']>;
  db: DataSource;
  database: TestDatabase;
  /** Statements sent to PostgreSQL since the app started. */
  statements(): number;
  /**
   * Raises the data version as a committed change would (src/database/data-version.ts),
   * changing nothing else, and resolves once the app has seen it: what it kept (answers,
   * counts) is then gone.
   */
  dataChanged(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The real application (same module, same configureApp as main.ts) on a private copy of
 * the seeded test database. `env` overrides configuration, as environment variables would;
 * `connectAs` gives the URL the application connects with (default: the copy's, as owner).
 */
export async function createTestApp(
  env: Record<string, string> = {},
  connectAs: (database: TestDatabase) => Promise<string> | string = (database) => database.url,
): Promise<TestApp> {
  const database = await createTestDatabase();
  const config = loadConfig({
    MIGRATIONS_RUN: 'true',
    SEED_IF_EMPTY: 'false',
    LOG_LEVEL: 'error',
    // Tests send hundreds of requests a minute from one address; throttling is tested on its own.
    RATE_LIMIT_PER_MINUTE: '0',
    ...env,
  });
  const moduleRef = await Test.createTestingModule({
    imports: [AppModule.forRoot(config, await connectAs(database))],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: ['error'] });
  configureApp(app, config);
  await app.init();
  const db = app.get(DataSource);
  const counter = db.logger as unknown as StatementCounter;
  const testApp: TestApp = {
    app,
    http: app.getHttpServer(),
    db,
    database,
    statements: () => counter.count,
    dataChanged: async () => {
      const before = app.get(DataVersion).current;
      // What the tables' triggers do at a change: queue the transaction for the raise.
      await db.transaction((m) =>
        m.query('INSERT INTO data_version_flush VALUES (txid_current())'),
      );
      await versionWhen(testApp, newerThan(before));
    },
    close: async () => {
      await app.close();
      await database.drop();
    },
  };
  return testApp;
}

/** Resolves once an app's data version meets `ready` (checked now, then at each change). */
export function versionWhen(
  t: TestApp,
  ready: (v: Version | undefined) => boolean,
): Promise<Version | undefined> {
  const data = t.app.get(DataVersion);
  return new Promise((resolve) => {
    if (ready(data.current)) return resolve(data.current);
    const check = (v: Version | undefined) => {
      if (!ready(v)) return;
      data.off('change', check);
      resolve(v);
    };
    data.on('change', check);
  });
}

/** A version later than `before` (for versionWhen). */
export const newerThan = (before: Version | undefined) => (v: Version | undefined) =>
  Boolean(v && before && BigInt(v.version) > BigInt(before.version));
