import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../../src/config/config';

/** Runs `npm run cli -- …` (ts-node) as a child process, as a council would. */
export function cli(
  args: string[],
  env: Record<string, string>,
  stdin?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    [
      join(projectRoot(), 'node_modules/ts-node/dist/bin.js'),
      '--transpile-only',
      'src/cli/main.ts',
      ...args,
    ],
    { cwd: projectRoot(), env: { ...process.env, ...env } },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(stdin ?? '');
  return new Promise((resolve) =>
    child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr })),
  );
}
