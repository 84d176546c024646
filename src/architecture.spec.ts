import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The structure the README's "How it works" describes, checked: the layers point one way,
 * and what the code cites exists.
 */
const ROOT = process.cwd();
const SRC = join(ROOT, 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : /\.ts$/.test(name) ? [path] : [];
  });
}

/** The project files a file imports, relative to the project root. */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/from '(\.{1,2}\/[^']+)'/g)].map((m) =>
    relative(ROOT, resolve(dirname(file), m[1])),
  );
}

const code = files(SRC).filter((f) => !f.endsWith('.spec.ts'));

describe('layers', () => {
  /**
   * HTTP (src/api, src/http, src/health, the app module) sits on top; the query layer
   * (src/search), the data model (src/hsds), the tools (src/transfer, src/feed, src/geo,
   * src/validate) and the shared pieces below it never reach up.
   */
  const below = [
    'src/search',
    'src/hsds',
    'src/transfer',
    'src/feed',
    'src/geo',
    'src/common',
    'src/validate',
  ];
  const http = ['src/api', 'src/http', 'src/health', 'src/app.module', 'src/app.setup'];

  it.each(below)('%s imports nothing of the HTTP layer', (layer) => {
    const offending = code
      .filter((f) => relative(ROOT, f).startsWith(`${layer}/`))
      .flatMap((f) =>
        imports(f)
          .filter((target) => http.some((h) => target === h || target.startsWith(`${h}/`)))
          .map((target) => `${relative(ROOT, f)} → ${target}`),
      );
    expect(offending).toEqual([]);
  });

  it('the data model (src/hsds) depends on nothing but itself', () => {
    const offending = code
      .filter((f) => relative(ROOT, f).startsWith('src/hsds/'))
      .flatMap((f) =>
        imports(f)
          .filter((target) => target.startsWith('src/') && !target.startsWith('src/hsds/'))
          .map((target) => `${relative(ROOT, f)} → ${target}`),
      );
    expect(offending).toEqual([]);
  });
});

describe('references', () => {
  const cited = [...files(SRC), ...files(join(ROOT, 'test')), ...files(join(ROOT, 'migrations'))];

  it('every docs/ page the code cites exists, with the section it names', () => {
    const missing: string[] = [];
    for (const file of cited) {
      const text = readFileSync(file, 'utf8').replace(/\n\s*(\*|\/\/)\s*/g, ' ');
      for (const [, page, section] of text.matchAll(
        /\b(docs\/[\w-]+\.md)(?:,\s*[“"]([^”"]+)[”"])?/g,
      )) {
        const path = join(ROOT, page);
        if (!existsSync(path)) {
          missing.push(`${relative(ROOT, file)}: ${page}`);
          continue;
        }
        if (!section) continue;
        const headings = readFileSync(path, 'utf8')
          .split('\n')
          .filter((line) => line.startsWith('#'))
          .map((line) => line.replace(/^#+\s*/, ''));
        if (!headings.some((heading) => heading.startsWith(section)))
          missing.push(`${relative(ROOT, file)}: ${page}, "${section}"`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("nothing cites the implementer's notes that live outside the repository", () => {
    const outside = cited.filter((file) => /STANDARD\.md/.test(readFileSync(file, 'utf8')));
    expect(outside.map((f) => relative(ROOT, f))).toEqual([]);
  });
});
