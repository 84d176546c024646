import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../src/config/config';
import { ORUK_SCHEMA_DIR, officialIt } from './support/oruk-schemas';

type Json = Record<string, any>;

/**
 * The contract: every path and query parameter of both official ORUK 3.0 OpenAPI documents
 * (docs/standard.md, "Query parameters") exists in ours, with a compatible type, documented with a meaning
 * and an example. Reads our committed openapi/openapi.json (CI keeps it equal to the code).
 */
const ours: Json = JSON.parse(readFileSync(join(projectRoot(), 'openapi', 'openapi.json'), 'utf8'));

const officialDocuments = (): [string, Json][] =>
  [
    join(ORUK_SCHEMA_DIR ?? '', '..', 'openapi.json'),
    join(ORUK_SCHEMA_DIR ?? '', '..', '..', 'uk-profile', 'schema', 'openapi.json'),
  ]
    .filter((file) => existsSync(file))
    .map((file) => [file, JSON.parse(readFileSync(file, 'utf8')) as Json]);

const resolve = (document: Json, value: Json): Json =>
  value.$ref
    ? (value.$ref as string)
        .slice(2)
        .split('/')
        .reduce((node: Json, key: string) => node[key], document)
    : value;

/**
 * Whether our parameter takes every value the official one means. The official documents
 * use a few non-JSON-Schema types (docs/standard.md, "Query parameters"): "time" for HH:MM, format "datetime",
 * and a string for proximity, which is a number of metres.
 */
function compatible(name: string, official: Json, our: Json): boolean {
  if (official.type === our.type) return true;
  if (official.type === 'integer' && our.type === 'number') return true;
  if (official.type === 'time') return our.type === 'string' && Boolean(our.pattern);
  if (name === 'proximity') return official.type === 'string' && our.type === 'number';
  return false;
}

describe('the contract with the official ORUK 3.0 OpenAPI documents', () => {
  officialIt('both official documents are there to compare with', () => {
    expect(officialDocuments()).toHaveLength(2);
  });

  officialIt('every official path and query parameter exists in ours, compatibly typed', () => {
    const problems: string[] = [];
    let checked = 0;
    for (const [file, official] of officialDocuments()) {
      for (const [path, operations] of Object.entries(official.paths as Json)) {
        const get = (operations as Json).get as Json | undefined;
        if (!get) continue;
        const ourGet = ours.paths[path]?.get as Json | undefined;
        if (!ourGet) {
          problems.push(`${file}: GET ${path} is missing`);
          continue;
        }
        for (const raw of (get.parameters ?? []) as Json[]) {
          const parameter = resolve(official, raw);
          if (parameter.in !== 'query') continue;
          checked++;
          const our = (ourGet.parameters as Json[]).find(
            (p) => p.name === parameter.name && p.in === 'query',
          );
          if (!our) problems.push(`${file}: ${path} has no query parameter ${parameter.name}`);
          else if (!compatible(parameter.name, parameter.schema ?? {}, our.schema ?? {})) {
            problems.push(
              `${file}: ${path} ${parameter.name} is ${JSON.stringify(our.schema)}, official ${JSON.stringify(parameter.schema)}`,
            );
          }
        }
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(50);
  });

  it('every parameter of ours is documented with a meaning and an example', () => {
    // lat and long give theirs in the description ("e.g. 51.4545"): as examples, Swagger UI
    // would send them with postcode's, which they contradict (see the examples test). So do
    // the conditional request headers: sent by Swagger UI, they could make it show a 304.
    const inDescription = new Set(['lat', 'long', 'If-None-Match', 'If-Modified-Since']);
    for (const [path, operations] of Object.entries(ours.paths as Json)) {
      for (const parameter of ((operations as Json).get?.parameters ?? []) as Json[]) {
        const where = `${path} ${parameter.name}`;
        expect({ where, described: (parameter.description ?? '').length > 10 }).toEqual({
          where,
          described: true,
        });
        expect({
          where,
          example: inDescription.has(parameter.name)
            ? /, e\.g\. (-?\d|"|[A-Z][a-z]{2}, )/.test(parameter.description) &&
              !('example' in (parameter.schema ?? {}))
            : 'example' in parameter || 'example' in (parameter.schema ?? {}),
        }).toEqual({
          where,
          example: true,
        });
      }
    }
  });

  it('every response schema is described in full (no empty schemas)', () => {
    for (const [path, operations] of Object.entries(ours.paths as Json)) {
      for (const [status, response] of Object.entries((operations as Json).get.responses as Json)) {
        for (const [type, media] of Object.entries(((response as Json).content ?? {}) as Json)) {
          const schema = (media as Json).schema as Json;
          expect({
            where: `${path} ${status} ${type}`,
            empty: !schema || Object.keys(schema).length === 0,
          }).toEqual({
            where: `${path} ${status} ${type}`,
            empty: false,
          });
        }
      }
    }
  });
});
