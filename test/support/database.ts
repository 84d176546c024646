import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** Refuse to touch a database that is not plainly a test database. */
export function assertTestDatabase(url: string): void {
  const name = new URL(url).pathname.slice(1);
  if (!name.includes('test')) {
    throw new Error(
      `Refusing to run tests against "${name}": the database name must contain "test"`,
    );
  }
}

/** The migrated, seeded database prepared by global-setup.ts. */
export function templateUrl(): string {
  const url = process.env.ORUK_TEST_TEMPLATE_URL;
  if (!url) throw new Error('ORUK_TEST_TEMPLATE_URL is not set: run the e2e tests through jest');
  return url;
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A private copy of the seeded database for one test file. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const template = new URL(templateUrl());
  const name = `${template.pathname.slice(1)}_${randomBytes(4).toString('hex')}`;
  await admin(template, `CREATE DATABASE "${name}" TEMPLATE "${template.pathname.slice(1)}"`);
  const url = new URL(template);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => admin(template, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

async function admin(server: URL, sql: string, attempts = 5): Promise<void> {
  const url = new URL(server);
  url.pathname = '/postgres';
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(sql);
  } catch (error) {
    // Two files copying the template at the same instant may collide; try again.
    if (attempts > 1 && /is being accessed by other users/.test(String(error))) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      return admin(server, sql, attempts - 1);
    }
    throw error;
  } finally {
    await client.end();
  }
}
