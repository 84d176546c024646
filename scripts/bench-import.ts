import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { Client } from 'pg';
import { generateServices, readTaxonomies } from '../seed/synthetic/generate';
import { projectRoot } from '../src/config/config';

/**
 * npm run bench:import: writes an ndjson file of BENCH_SERVICES (default 100,000) synthetic
 * full services (seed/synthetic), then imports it with the built CLI
 * (`node dist/src/cli/main.js import <file>`) into a new, empty database on the server of
 * DATABASE_URL (default postgres://postgres@127.0.0.1:5432), and reports services/s and
 * the import process's memory: resident size sampled as it runs, and its peak.
 * A second import of the same file shows the cost of an all-unchanged re-import.
 */
const SERVICES = Number(process.env.BENCH_SERVICES ?? 100_000);
const SERVER = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'oruk-bench-import-'));
  const file = join(dir, 'services.ndjson');
  const database = `oruk_bench_import_${Date.now()}`;
  try {
    let started = Date.now();
    const out = createWriteStream(file);
    for (const taxonomy of readTaxonomies()) out.write(`${JSON.stringify(taxonomy)}\n`);
    for (const service of generateServices({ services: SERVICES })) {
      if (!out.write(`${JSON.stringify(service)}\n`)) await once(out, 'drain');
    }
    out.end();
    await finished(out);
    const size = statSync(file).size;
    console.log(
      `generated ${SERVICES} services, ${(size / 2 ** 20).toFixed(0)} MiB of ndjson, in ${seconds(started)} s`,
    );

    await admin(`CREATE DATABASE "${database}"`);
    const url = new URL(SERVER);
    url.pathname = `/${database}`;
    // Migrations first, so that the import's time is the import's.
    await run(['migrate'], url.toString());

    for (const label of ['into an empty database', 'again (everything unchanged)']) {
      started = Date.now();
      const { samples, peak, output } = await run(['import', file], url.toString());
      const s = (Date.now() - started) / 1000;
      console.log(`\nimport ${label}: ${output.trim().split('\n').pop()}`);
      console.log(
        `  ${s.toFixed(1)} s, ${Math.round(SERVICES / s)} services/s; peak memory ${mib(peak)} MiB`,
      );
      console.log(
        `  resident memory as it ran: ${samples.map((m) => `${mib(m)}`).join(' → ')} MiB`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await admin(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`).catch(() => undefined);
  }
}

/** Runs the built CLI, sampling its resident memory every second; its peak at the end. */
function run(
  args: string[],
  databaseUrl: string,
): Promise<{ samples: number[]; peak: number; output: string }> {
  const cli = join(projectRoot(), 'dist', 'src', 'cli', 'main.js');
  const child = spawn(process.execPath, [cli, ...args], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const samples: number[] = [];
  let peak = 0;
  const status = () => {
    try {
      const text = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(text)?.[1] ?? 0);
      peak = Math.max(peak, kb('VmHWM') * 1024);
      return kb('VmRSS') * 1024;
    } catch {
      return 0;
    }
  };
  const timer = setInterval(() => samples.push(status()), 1000);
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => {
      clearInterval(timer);
      if (code !== 0) reject(new Error(`oruk-server ${args.join(' ')} exited ${code}:\n${output}`));
      else resolve({ samples: thin(samples.filter(Boolean), 8), peak, output });
    });
  });
}

/** At most n samples, evenly spaced, the last included. */
function thin(samples: number[], n: number): number[] {
  if (samples.length <= n) return samples;
  return Array.from(
    { length: n },
    (_, i) => samples[Math.round((i * (samples.length - 1)) / (n - 1))],
  );
}

async function admin(sql: string): Promise<void> {
  const url = new URL(SERVER);
  url.pathname = '/postgres';
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const seconds = (since: number) => ((Date.now() - since) / 1000).toFixed(1);
const mib = (bytes: number) => Math.round(bytes / 2 ** 20);

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
