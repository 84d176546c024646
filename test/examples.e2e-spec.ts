import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { projectRoot } from '../src/config/config';
import { createTestApp, TestApp } from './support/app';

/**
 * The examples of our OpenAPI document, sent as Swagger UI's "Try it out" sends them: every
 * parameter that has an example, all together. Each operation answers 200, and the
 * examples find data of the demonstration directory (src/api/examples.ts). (In a real
 * browser: test/browser.e2e-spec.ts.)
 */
type Json = Record<string, any>;
const document: Json = JSON.parse(
  readFileSync(join(projectRoot(), 'openapi', 'openapi.json'), 'utf8'),
);

const operations = Object.entries(document.paths as Json).map(([path, item]) => {
  const parameters = ((item as Json).get.parameters ?? []) as Json[];
  let url = path;
  const query: string[] = [];
  for (const p of parameters) {
    const example = p.schema?.example ?? p.example;
    if (example === undefined) continue;
    if (p.in === 'path') url = url.replace(`{${p.name}}`, encodeURIComponent(String(example)));
    else query.push(`${p.name}=${encodeURIComponent(String(example))}`);
  }
  return { path, url: query.length ? `${url}?${query.join('&')}` : url };
});

describe('the OpenAPI examples, all at once, as Swagger UI sends them', () => {
  let t: TestApp;
  beforeAll(async () => (t = await createTestApp()));
  afterAll(() => t.close());

  it.each(operations)('$path → 200', async ({ url }) => {
    await request(t.http).get(url).expect(200);
  });

  it('find what they describe: each filter alone (postcode with proximity) matches the example service', async () => {
    const service = JSON.parse(
      (await request(t.http).get(operations.find((o) => o.path === '/services/{id}')!.url)).text,
    );
    const list = operations.find((o) => o.path === '/services')!.url;
    const params = new URLSearchParams(list.split('?')[1]);
    const alone = (names: string[]) =>
      `/services?${names.map((n) => `${n}=${encodeURIComponent(params.get(n)!)}`).join('&')}` +
      '&per_page=1000';
    for (const names of [
      ['search'],
      ['taxonomy_term_id'],
      ['taxonomy_id'],
      ['organization_id'],
      ['postcode', 'proximity'],
    ]) {
      const { body } = await request(t.http).get(alone(names)).expect(200);
      const name = names.join('&');
      expect({ name, found: body.contents.some((s: Json) => s.id === service.id) }).toEqual({
        name,
        found: true,
      });
    }
  });
});
