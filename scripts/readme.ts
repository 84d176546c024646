import type { OpenAPIObject } from '@nestjs/swagger';
import { readFileSync } from 'node:fs';
import * as prettier from 'prettier';
import { DEFECTS } from '../src/http/defects';

/**
 * The README's tables of endpoints and query parameters, generated from the OpenAPI
 * document, and of the known defects, from src/http/defects.ts (so they cannot drift
 * from them): `npm run openapi` rewrites the parts of
 * README.md between `<!-- generated: NAME -->` and `<!-- end: NAME -->`, and
 * `npm run openapi:check` fails when they differ.
 */

type Operation = {
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: { name: string; in: string; description?: string }[];
};

/** The README with its generated parts made from `document`, formatted as Prettier would. */
export async function renderReadme(file: string, document: OpenAPIObject): Promise<string> {
  let text = readFileSync(file, 'utf8');
  const parts: Record<string, string> = {
    endpoints: endpointTable(document),
    parameters: parameterTable(document),
    defects: defectTable(),
  };
  for (const [name, table] of Object.entries(parts)) {
    const pattern = new RegExp(`(<!-- generated: ${name} -->\\n)[\\s\\S]*?(<!-- end: ${name} -->)`);
    if (!pattern.test(text)) throw new Error(`${file} has no "<!-- generated: ${name} -->" part`);
    text = text.replace(pattern, (_, start: string, end: string) => `${start}\n${table}\n${end}`);
  }
  const options = (await prettier.resolveConfig(file)) ?? {};
  return prettier.format(text, { ...options, filepath: file });
}

function operations(document: OpenAPIObject): [path: string, Operation][] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    (item as { get?: Operation }).get ? [[path, (item as { get: Operation }).get]] : [],
  );
}

/** "Services (required)" → "required"; tags without one → "—". */
function requirement(operation: Operation): string {
  const match = /\((required|optional)\)/i.exec(operation.tags?.[0] ?? '');
  return match ? match[1].toLowerCase() : '—';
}

function firstSentence(text = ''): string {
  const match = /^.*?[.!?](?=\s|$)/s.exec(text.trim());
  return (match ? match[0] : text).replace(/\s+/g, ' ').replace(/\.$/, '');
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

function endpointTable(document: OpenAPIObject): string {
  // In the order of the document's tags (required first), then of the paths.
  const tags = (document.tags ?? []).map((t) => t.name);
  const rank = (o: Operation) => tags.indexOf(o.tags?.[0] ?? '');
  const ordered = operations(document).sort(
    ([pa, a], [pb, b]) => rank(a) - rank(b) || (pa < pb ? -1 : 1),
  );
  const rows = ordered.map(
    ([path, operation]) =>
      `| \`GET {base}${path === '/' ? '/' : path}\` | ${requirement(operation)} | ${cell(
        firstSentence(operation.description),
      )} |`,
  );
  rows.push('| `GET {base}/docs` | — | Swagger UI: this document, to read and try |');
  return ['| endpoint | ORUK 3.0 | what it returns |', '| --- | --- | --- |', ...rows].join('\n');
}

function parameterTable(document: OpenAPIObject): string {
  // One row per parameter and meaning: a name that means different things on different
  // lists (taxonomy_id on /services and on /taxonomy_terms) has a row for each.
  const rows = new Map<string, { name: string; description: string; on: string[] }>();
  for (const [path, operation] of operations(document)) {
    for (const parameter of operation.parameters ?? []) {
      if (parameter.in !== 'query') continue;
      const description = parameter.description ?? '';
      const key = `${parameter.name}\u0000${description}`;
      const row = rows.get(key) ?? { name: parameter.name, description, on: [] };
      row.on.push(`\`${path}\``);
      rows.set(key, row);
    }
  }
  const lists = operations(document).filter(([, o]) =>
    o.parameters?.some((p) => p.name === 'page'),
  );
  const lines = [...rows.values()].map((row) => {
    const on = row.on.length === lists.length ? 'every list' : row.on.join(', ');
    return `| \`${row.name}\` | ${on} | ${cell(row.description.replace(/\s+/g, ' '))} |`;
  });
  return ['| parameter | on | meaning |', '| --- | --- | --- |', ...lines].join('\n');
}

function defectTable(): string {
  const rows = DEFECTS.map(
    (d) =>
      `| \`${d.name}\` | ${cell(d.description)} | \`${d.rule}\` (level ${d.level}) | ${d.verdict === 'fail' ? 'fail' : 'pass with warnings'} |`,
  );
  return [
    '| `{base}/_defects/…` | the deviation | rule broken | expected verdict |',
    '| --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}
