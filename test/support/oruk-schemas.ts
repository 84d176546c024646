import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../src/config/config';

/**
 * Validators for response bodies: the official ORUK 3.0 JSON Schemas (from ORUK_SCHEMA_DIR,
 * never committed here) and our own OpenAPI document.
 */
export const ORUK_SCHEMA_DIR = process.env.ORUK_SCHEMA_DIR;
export const SKIP_REASON =
  'skipped: ORUK_SCHEMA_DIR is not set (CI sets it to ../shared/oruk/uk-3.0/schema)';

/** `it` for a test that needs the official schemas: skipped, saying why, when they are absent. */
export function officialIt(name: string, test: jest.ProvidesCallback): void {
  if (ORUK_SCHEMA_DIR) it(name, test);
  else it.skip(`${name} (${SKIP_REASON})`, test);
}

const OFFICIAL_ID = 'https://openreferraluk.org/specifications/3.0/schema/';
let official: Ajv2020 | undefined;

/** Validates against an official schema file, e.g. 'service.json'. Returns the errors. */
export function officialErrors(file: string, body: unknown): string[] {
  if (!ORUK_SCHEMA_DIR) throw new Error(SKIP_REASON);
  if (!official) {
    // draft 2020-12, formats on, every schema registered under its public
    // id so that the absolute $refs resolve offline.
    official = new Ajv2020({ strict: false, allErrors: true });
    addFormats(official);
    for (const name of readdirSync(ORUK_SCHEMA_DIR)) {
      if (!name.endsWith('.json') || name === 'open_api.json' || name === 'empy_list_response.json')
        continue;
      official.addSchema(
        JSON.parse(readFileSync(join(ORUK_SCHEMA_DIR, name), 'utf8')),
        `${OFFICIAL_ID}${name}`,
      );
    }
  }
  return errorsOf(official.getSchema(`${OFFICIAL_ID}${file}`)!, body);
}

let ours: Ajv | undefined;

/**
 * Validates against a schema of our committed OpenAPI document (openapi/openapi.json, which
 * CI keeps identical to the code), e.g. 'ServicePage'.
 */
export function openApiErrors(schemaName: string, body: unknown): string[] {
  return errorsOf(ourAjv().getSchema(`openapi#/components/schemas/${schemaName}`)!, body);
}

function ourAjv(): Ajv {
  if (!ours) {
    ours = new Ajv({ strict: false, allErrors: true });
    addFormats(ours);
    const document = JSON.parse(
      readFileSync(join(projectRoot(), 'openapi', 'openapi.json'), 'utf8'),
    );
    ours.addSchema({ components: document.components }, 'openapi');
  }
  return ours;
}

const compiled = new Map<string, ValidateFunction>();

/**
 * Validates against any schema taken from our OpenAPI document (e.g. a response's
 * `content[type].schema`), its `#/components/...` references resolved in that document.
 */
export function openApiSchemaErrors(schema: object, body: unknown): string[] {
  const text = JSON.stringify(schema).replaceAll('"#/components/', '"openapi#/components/');
  let validate = compiled.get(text);
  if (!validate) {
    validate = ourAjv().compile(JSON.parse(text) as object);
    compiled.set(text, validate);
  }
  return errorsOf(validate, body);
}

function errorsOf(validate: ValidateFunction, body: unknown): string[] {
  if (validate(body)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
}

/** Every path in a JSON value whose value is null or "" (docs/standard.md, "Output rules"): as `validate` checks it. */
export { emptyValues } from '../../src/validate/beyond';
