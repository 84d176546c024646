import Ajv2020 from 'ajv/dist/2020';
import Ajv, { AnySchema, ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { fullFormats } from 'ajv-formats/dist/formats';
import { TIME_PATTERN } from '../hsds/json-schema';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FeedClient, parseJson } from '../feed/client';

/**
 * The published ORUK specifications a feed is validated against: each version's OpenAPI
 * document and the JSON Schemas its responses `$ref`. They are never copied into this
 * repository. They are read, in this order, from a folder given with `--schemas` (a copy of
 * a published version folder: `openapi.json` and `schema/…`), from the cache on disk, or
 * from where the standard publishes them (the URLs the documents themselves name), and
 * then cached (docs/validate.md, "Schemas").
 */
export const SPECIFICATIONS_URL = 'https://openreferraluk.org/specifications/';

/** The OpenAPI document of a version ("3.0", "1.0"), where the official validator finds it. */
export function openapiUrl(version: string): string {
  return `${SPECIFICATIONS_URL}${version}/openapi.json`;
}

/**
 * The version a `version` value names, as the official validator reads it: without
 * "HSDS-UK-" and "V", a number, with one decimal ("HSDS-UK-3.0" → "3.0", "3" → "3.0");
 * undefined when it is not a number ("3.0.0").
 */
export function versionOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value
    .replace(/HSDS-UK-/gi, '')
    .replace(/v/gi, '')
    .trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(text)) return undefined;
  return Number(text).toFixed(1);
}

/** Cached documents are used for a week, then fetched again (or kept, when that fails). */
const CACHE_FRESH_MS = 7 * 24 * 3600_000;

export interface SpecificationOptions {
  /** Folders each holding a copy of one published version folder (openapi.json, schema/). */
  dirs?: string[];
  /** Where downloaded documents are kept (AppConfig.specificationsCacheDir). */
  cacheDir: string;
  /** Download from here instead of openreferraluk.org/specifications/ (a mirror of it). */
  mirror?: string;
  /** Read neither the cache nor the network: only `dirs`. */
  offline?: boolean;
  /** The client that downloads (default: a polite one of its own). */
  client?: FeedClient;
}

export class SpecificationError extends Error {}

/** Reads and caches the published documents by URL. */
export class Specifications {
  /** Local folders by the URL of the version folder they copy. */
  private readonly folders = new Map<string, string>();
  private readonly client: FeedClient;
  private readonly documents = new Map<string, Promise<unknown>>();
  /** Where each document was read from, for the report. */
  readonly sources = new Map<string, string>();

  constructor(private readonly options: SpecificationOptions) {
    this.client =
      options.client ??
      new FeedClient({ ratePerSecond: 20, retries: 2, userAgent: 'oruk-server validate' });
    for (const dir of options.dirs ?? []) {
      const file = join(dir, 'openapi.json');
      if (!existsSync(file))
        throw new SpecificationError(
          `--schemas ${dir}: no openapi.json there (give a copy of a published version folder, e.g. ${SPECIFICATIONS_URL}3.0/)`,
        );
      const version = (
        parseDocument(readFileSync(file, 'utf8'), file) as { info?: { version?: string } }
      ).info?.version;
      const known = versionOf(version);
      if (!known)
        throw new SpecificationError(
          `--schemas ${dir}: openapi.json has no version like HSDS-UK-3.0 in its info ("${version}")`,
        );
      this.folders.set(`${SPECIFICATIONS_URL}${known}/`, dir);
    }
  }

  /** The JSON document at `url` (without its #fragment). */
  document(url: string): Promise<unknown> {
    // Normalised (dot segments resolved), so that no URL reads outside a folder or the cache.
    let key: string;
    try {
      key = new URL(url.split('#')[0]).href;
    } catch {
      return Promise.reject(new SpecificationError(`${url}: not an absolute URL`));
    }
    let found = this.documents.get(key);
    if (!found) {
      found = this.read(key);
      this.documents.set(key, found);
    }
    return found;
  }

  private async read(url: string): Promise<unknown> {
    for (const [prefix, dir] of this.folders) {
      if (!url.startsWith(prefix)) continue;
      const file = join(dir, ...url.slice(prefix.length).split('/'));
      if (!existsSync(file))
        throw new SpecificationError(`${url}: not in --schemas ${dir} (looked for ${file})`);
      this.sources.set(url, file);
      return parseDocument(readFileSync(file, 'utf8'), file);
    }
    // A feed's own document (the openapi_url of a root without a version) is read afresh.
    if (!url.startsWith(SPECIFICATIONS_URL)) return this.download(url, url);
    if (this.options.offline)
      throw new SpecificationError(`${url}: not in any --schemas folder, and --offline`);
    const cached = join(
      this.options.cacheDir,
      url.replace(/^https?:\/\//, '').replace(/[?#:]/g, '_'),
    );
    const age = existsSync(cached) ? Date.now() - statSync(cached).mtimeMs : Infinity;
    if (age < CACHE_FRESH_MS) {
      this.sources.set(url, cached);
      return parseDocument(readFileSync(cached, 'utf8'), cached);
    }
    const { mirror } = this.options;
    const from = mirror
      ? `${mirror.replace(/\/*$/, '/')}${url.slice(SPECIFICATIONS_URL.length)}`
      : url;
    try {
      return await this.download(url, from, cached);
    } catch (error) {
      if (age === Infinity) throw error;
      // Stale but better than nothing: the published documents rarely change.
      this.sources.set(url, `${cached} (could not be refreshed)`);
      return parseDocument(readFileSync(cached, 'utf8'), cached);
    }
  }

  /** The document of `url`, downloaded from `from` (and kept in `cache`, when given). */
  private async download(url: string, from: string, cache?: string): Promise<unknown> {
    const reply = await this.client.get(from);
    if ('error' in reply || reply.status !== 200)
      throw new SpecificationError(
        `${from}: could not be downloaded (${'error' in reply ? reply.error : `HTTP ${reply.status}`})${cache ? '; give a local copy with --schemas' : ''}`,
      );
    const value = parseDocument(reply.text, from);
    if (cache) {
      mkdirSync(dirname(cache), { recursive: true });
      writeFileSync(`${cache}.tmp`, reply.text);
      renameSync(`${cache}.tmp`, cache);
    }
    this.sources.set(url, from);
    return value;
  }
}

function parseDocument(text: string, where: string): unknown {
  const parsed = parseJson(text);
  if ('problem' in parsed) throw new SpecificationError(`${where}: ${parsed.problem}`);
  return parsed.value;
}

/** A schema error as the report shows it: where in the body, and what is wrong. */
export interface SchemaError {
  path: string;
  message: string;
}

/**
 * Compiles response schemas the way the official validator applies them, and again with
 * every format checked (for the checks beyond the official plan): `$ref`s to other
 * published documents are read through `Specifications`.
 */
export class SchemaSet {
  private readonly official: Ajv;
  private readonly strict: Ajv;
  private readonly compiled = new Map<string, Promise<[ValidateFunction, ValidateFunction]>>();

  constructor(
    private readonly specs: Specifications,
    dialect: 'draft-2020-12' | 'draft-07',
  ) {
    const make = (formats: 'official' | 'all') => {
      const options = {
        strict: false,
        allErrors: true,
        loadSchema: (uri: string) => specs.document(uri) as Promise<AnySchema & object>,
      };
      const ajv = dialect === 'draft-2020-12' ? new Ajv2020(options) : new Ajv(options);
      addFormats(ajv);
      if (formats === 'official')
        for (const [name, format] of Object.entries(OFFICIAL_FORMATS)) ajv.addFormat(name, format);
      else {
        ajv.addFormat('uuid', RFC_4122);
        // A date, datetime or time that the schema types only for tables (no format):
        // level 3 holds it to its form all the same.
        ajv.addKeyword({
          keyword: 'datapackage_type',
          schemaType: 'string',
          validate: (type: string, value: unknown, parent?: { format?: unknown }) =>
            typeof value !== 'string' ||
            parent?.format !== undefined ||
            !(type in TABLE_TYPES) ||
            TABLE_TYPES[type](value),
          errors: false,
        });
      }
      return ajv;
    };
    this.official = make('official');
    this.strict = make('all');
  }

  /**
   * Validators for the schema at `url` (an absolute URL, with an optional #/json/pointer
   * into its document): [as the official validator checks, with every format checked].
   */
  validators(url: string): Promise<[ValidateFunction, ValidateFunction]> {
    let found = this.compiled.get(url);
    if (!found) {
      found = Promise.all([compile(this.official, url), compile(this.strict, url)]);
      this.compiled.set(url, found);
    }
    return found;
  }
}

/**
 * Where the official validator (Newtonsoft.Json.Schema) is more lenient than the formats
 * as published: a uuid is any 8-4-4-4-12 hex string (.NET's Guid "D"), and a date-time
 * needs its "T" but not its offset. The other formats (date, email, uri, …) it checks as
 * ajv-formats does. Level 3 checks the strict forms (RFC 4122, RFC 3339).
 */
const OFFICIAL_FORMATS: Record<string, RegExp> = {
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  'date-time': /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?$/,
};

const formatTest = (name: 'date' | 'date-time') =>
  (fullFormats[name] as { validate: (value: string) => boolean }).validate;
const TABLE_TYPES: Record<string, (value: string) => boolean> = {
  date: formatTest('date'),
  datetime: formatTest('date-time'),
  time: (v) => new RegExp(TIME_PATTERN).test(v),
};

/** RFC 4122: a version digit and the variant bits (and the nil UUID). */
const RFC_4122 =
  /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}|0{8}-0{4}-0{4}-0{4}-0{12})$/i;

async function compile(ajv: Ajv, url: string): Promise<ValidateFunction> {
  const [document, pointer] = url.split('#');
  if (!ajv.getSchema(document)) {
    const schema = (await ajv.opts.loadSchema!(document)) as Record<string, unknown>;
    // A document whose $ids would clash is added under its URL only.
    if (!ajv.getSchema(document)) ajv.addSchema({ ...schema, $id: undefined }, document);
  }
  return ajv.compileAsync({ $ref: pointer ? `${document}#${pointer}` : document });
}

export function schemaErrors(validate: ValidateFunction, body: unknown): SchemaError[] {
  if (validate(body)) return [];
  return (validate.errors ?? []).map(describe);
}

function describe(e: ErrorObject): SchemaError {
  const path = e.instancePath || '/';
  switch (e.keyword) {
    case 'required':
      return {
        path,
        message: `required property "${String(e.params.missingProperty)}" is missing`,
      };
    case 'additionalProperties':
      return {
        path,
        message: `property "${String(e.params.additionalProperty)}" is not allowed`,
      };
    case 'format':
      return { path, message: `is not a valid ${String(e.params.format)}` };
    case 'enum':
      return {
        path,
        message: `must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      };
    default:
      return { path, message: e.message ?? e.keyword };
  }
}
