import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';

/**
 * Writes a generated artefact, or with --check fails when the committed copy differs from
 * what the code generates now (used by CI for openapi/ and docs/erd.md).
 */
export function checkOrWrite(file: string, content: string, regenerate: string): void {
  const name = relative(process.cwd(), file);
  if (process.argv.includes('--check')) {
    const committed = existsSync(file) ? readFileSync(file, 'utf8') : '';
    if (committed !== content) {
      console.error(
        `${name} is out of date with the code: run \`${regenerate}\` and commit the result.`,
      );
      process.exit(1);
    }
    console.log(`${name} is up to date.`);
    return;
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
  console.log(`wrote ${name}`);
}
