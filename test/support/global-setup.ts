import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/config';
import { createDataSource } from '../../src/database/data-source';
import { startEmbeddedPostgres } from '../../src/database/embedded';
import { seedDatabase } from '../../src/import/seed';
import { assertTestDatabase } from './database';

/**
 * Prepares one migrated, seeded database that every e2e file copies (CREATE DATABASE …
 * TEMPLATE), so files run in parallel without seeing each other's writes.
 * DATABASE_URL names it (its name must contain "test"); without it an embedded
 * PostgreSQL is started in a temporary folder.
 */
export default async function globalSetup(): Promise<void> {
  let url = process.env.DATABASE_URL;
  if (!url) {
    const parent = mkdtempSync(join(tmpdir(), 'oruk-test-'));
    chmodSync(parent, 0o755); // run as root, PostgreSQL runs as the postgres user
    const dir = join(parent, 'pg');
    const embedded = await startEmbeddedPostgres({ dir });
    Object.assign(globalThis, { embeddedTestDatabase: { embedded, parent } });
    url = embedded.url.replace(/\/oruk$/, '/oruk_test');
  }
  assertTestDatabase(url);
  await createDatabaseIfMissing(url);
  const db = await createDataSource(url).initialize();
  try {
    await db.runMigrations({ transaction: 'each' });
    await seedDatabase(db, loadConfig().SEED_DIR);
  } finally {
    await db.destroy();
  }
  process.env.ORUK_TEST_TEMPLATE_URL = url;
}

async function createDatabaseIfMissing(url: string): Promise<void> {
  const { Client } = await import('pg');
  const target = new URL(url);
  const name = target.pathname.slice(1);
  target.pathname = '/postgres';
  const client = new Client({ connectionString: target.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}
