import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { Client } from 'pg';
import { generateServices, readTaxonomies } from '../seed/synthetic/generate';
import { messUp, withNonRfcIds } from '../seed/synthetic/messy';
import { projectRoot } from '../src/config/config';

/**
 * npm run bench:import: writes an ndjson file of BENCH_SERVICES (default 100,000) synthetic
 * full services (seed/synthetic), then imports it with the built CLI
 * (`node dist/src/cli/main.js import <file>`) into a new, empty database on the server of
 * DATABASE_URL (default postgres://postgres@127.0.0.1:5432), and reports services/s and
 * the import process's memory: resident size sampled as it runs, and its peak.
 * A second import of the same file shows the cost of an all-unchanged re-import.
 *
 * BENCH_MESSY=1: the services carry the faults of real published feeds
 * (seed/synthetic/messy.ts, at their rates); the import writes its --report, and the
 * benchmark prints the faults put in beside the changes reported, then imports the same
 * file with --no-repair into a second database: what would be stored without repairs.
 */
const SERVICES = Number(process.env.BENCH_SERVICES ?? 100_000);
const SERVER = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const MESSY = process.env.BENCH_MESSY === '1';

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'oruk-bench-import-'));
  const file = join(dir, 'services.ndjson');
  const report = join(dir, 'report.ndjson');
  const databases = [`oruk_bench_import_${Date.now()}`, `oruk_bench_import_${Date.now()}_b`];
  try {
    let started = Date.now();
    const out = createWriteStream(file);
    const injected = new Map<string, number>();
    for (const taxonomy of readTaxonomies()) {
      const text = JSON.stringify(taxonomy);
      out.write(`${MESSY ? withNonRfcIds(text) : text}\n`);
    }
    let index = 0;
    for (let service of generateServices({ services: SERVICES })) {
      if (MESSY) {
        const messy = messUp(service, index++);
        service = messy.doc;
        for (const fault of messy.faults) injected.set(fault, (injected.get(fault) ?? 0) + 1);
      }
      if (!out.write(`${JSON.stringify(service)}\n`)) await once(out, 'drain');
    }
    out.end();
    await finished(out);
    const size = statSync(file).size;
    console.log(
      `generated ${SERVICES} ${MESSY ? 'messy ' : ''}services, ${(size / 2 ** 20).toFixed(0)} MiB of ndjson, in ${seconds(started)} s`,
    );
    if (MESSY) console.log(`  faults put in (services): ${counted(injected)}`);

    const [url, other] = await Promise.all(databases.slice(0, MESSY ? 2 : 1).map(migrated));
    const runs: [string, string[], string][] = [
      ['into an empty database', MESSY ? ['--report', report] : [], url],
      ['again (everything unchanged)', [], url],
      ...(MESSY
        ? [
            ['with --no-repair, into another empty database', ['--no-repair'], other] as [
              string,
              string[],
              string,
            ],
          ]
        : []),
    ];
    for (const [label, options, target] of runs) {
      started = Date.now();
      const { samples, peak, output } = await run(['import', file, ...options], target);
      const s = (Date.now() - started) / 1000;
      const lines = output.trim().split('\n');
      console.log(`\nimport ${label}: ${lines.pop()}`);
      console.log(
        `  ${s.toFixed(1)} s, ${Math.round(SERVICES / s)} services/s; peak memory ${mib(peak)} MiB`,
      );
      console.log(
        `  resident memory as it ran: ${samples.map((m) => `${mib(m)}`).join(' → ')} MiB`,
      );
      if (MESSY)
        for (const line of lines.filter((l) => !l.startsWith('rejected ')))
          console.log(`  ${line}`);
    }
    if (MESSY) {
      const rules = new Map<string, number>();
      const records = new Set<string>();
      for (const line of readFileSync(report, 'utf8').trim().split('\n')) {
        const entry = JSON.parse(line) as { kind: string; rule: string; at: string };
        rules.set(
          `${entry.kind} ${entry.rule}`,
          (rules.get(`${entry.kind} ${entry.rule}`) ?? 0) + 1,
        );
        records.add(entry.at);
      }
      console.log(`\nthe report: ${records.size} services with changes; ${counted(rules)}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    for (const database of databases)
      await admin(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`).catch(() => undefined);
  }
}

/** A new database, migrated (so that an import's time is the import's). */
async function migrated(database: string): Promise<string> {
  await admin(`CREATE DATABASE "${database}"`);
  const url = new URL(SERVER);
  url.pathname = `/${database}`;
  await run(['migrate'], url.toString());
  return url.toString();
}

function counted(counts: Map<string, number>): string {
  return [...counts]
    .sort(([, a], [, b]) => b - a)
    .map(([key, n]) => `${key} ${n}`)
    .join(', ');
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
      // 1: something was rejected, as a messy file has it.
      if (code !== 0 && !(MESSY && code === 1))
        reject(new Error(`oruk-server ${args.join(' ')} exited ${code}:\n${output}`));
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
