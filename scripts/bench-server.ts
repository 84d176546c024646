import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../src/config/config';
import { freePort } from '../src/database/embedded';

/**
 * The server a benchmark measures: BENCH_URL when set (a server already running), else the
 * built server (dist/src/main.js, what `npm start` and the Docker image run) started in a
 * child process on DATABASE_URL, or on the embedded default when that is unset, with
 * throttling off (a benchmark is one client sending far more than a consumer would), and
 * `env` over the environment.
 */
export interface BenchServer {
  base: string;
  /** The child process, when this script started the server. */
  child?: ChildProcess;
  /** GET base + path, as JSON. */
  json: <T>(path: string) => Promise<T>;
  stop(): Promise<void>;
}

/** A page of a list endpoint, as far as the benchmarks read it. */
export type Page = { total_items: number; contents: Record<string, any>[] };

const jsonFrom =
  (base: string) =>
  async <T>(path: string): Promise<T> =>
    (await (await fetch(`${base}${path}`)).json()) as T;

export async function benchServer(env: Record<string, string> = {}): Promise<BenchServer> {
  const given = process.env.BENCH_URL;
  if (given) return { base: given, json: jsonFrom(given), stop: () => Promise.resolve() };
  const port = await freePort();
  const child = spawn(process.execPath, [join(projectRoot(), 'dist', 'src', 'main.js')], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_MINUTE: '0',
      // The soak stands for many clients by X-Forwarded-For.
      TRUST_PROXY: '1',
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitFor(`${base}/services?per_page=1`, child);
  return {
    base,
    child,
    json: jsonFrom(base),
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function waitFor(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode})`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`the server did not answer ${url}`);
}
