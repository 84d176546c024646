import { applyDecorators } from '@nestjs/common';
import { plainToInstance, Transform } from 'class-transformer';
import {
  getMetadataStorage,
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  validateSync,
  ValidateBy,
  ValidationArguments,
} from 'class-validator';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseTrustProxy, TrustProxy } from './trust-proxy';

const toBoolean = ({ value }: { value: unknown }) =>
  value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value;
const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
const url = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };
/** A whole number of milliseconds from min to max, with one message for any way it is wrong. */
const Milliseconds = (min: number, max: number, note = '') => {
  const message = ({ property }: ValidationArguments) =>
    `${property} must be a whole number of milliseconds from ${min} to ${max}${note}`;
  return applyDecorators(
    Transform(toInt),
    IsInt({ message }),
    Min(min, { message }),
    Max(max, { message }),
  );
};

/** A whole number from `min` to `max` (class-validator's own messages). */
const WholeNumber = (min: number, max: number) =>
  applyDecorators(Transform(toInt), IsInt(), Min(min), Max(max));

/**
 * All configuration, read from environment variables (names as in the README) and
 * validated at boot. Nothing else in the code reads process.env.
 */
export class AppConfig {
  @WholeNumber(0, 65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  /** PostgreSQL to use. Unset: start the embedded PostgreSQL (see src/database/embedded.ts). */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  /**
   * Where the embedded PostgreSQL keeps its data. Unset: .data/postgres in the project (as
   * root, where the postgres user cannot reach that, a folder under /var/lib/oruk-server:
   * src/database/embedded.ts).
   */
  @IsOptional()
  @IsString()
  EMBEDDED_PG_DIR?: string;

  /** Port of the embedded PostgreSQL; 0 picks a free one. */
  @WholeNumber(0, 65535)
  EMBEDDED_PG_PORT = 0;

  /** The base path every ORUK endpoint lives under, e.g. /api/oruk. */
  @Matches(/^\/([A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*)?$/, {
    message: 'BASE_PATH must be / or a path like /api/oruk (no trailing slash)',
  })
  BASE_PATH = '/';

  /** The public URL of the base path (e.g. https://example.gov.uk/api/oruk); else derived per request. */
  @IsOptional()
  @IsUrl(url, { message: 'PUBLIC_URL must be an absolute http(s) URL' })
  PUBLIC_URL?: string;

  @IsUrl(url, { message: 'PROFILE_URL must be an absolute http(s) URL' })
  PROFILE_URL = 'https://openreferraluk.org/developers/specifications';

  @Transform(toBoolean)
  @IsBoolean()
  MIGRATIONS_RUN = true;

  /** Load the demonstration data when the database has no services (default: only when embedded). */
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  SEED_IF_EMPTY?: boolean;

  @IsString()
  SEED_DIR = join(projectRoot(), 'seed', 'data');

  @WholeNumber(1, 1000)
  DB_POOL_MAX = 10;

  /** Longest wait for a database connection before a request fails with 503. */
  @Milliseconds(100, 60_000)
  DB_CONNECT_TIMEOUT_MS = 1500;

  /** PostgreSQL statement_timeout of the API's connections; 0: none. */
  @Milliseconds(0, 3_600_000, ' (0: no limit)')
  DB_STATEMENT_TIMEOUT_MS = 10_000;

  /**
   * PostgreSQL max_parallel_workers_per_gather of the API's connections (docs/scale.md):
   * 0, since a page is short and starting workers cost more than it (37 → 5 ms for a page
   * of a term without services on 1M services), and pages in parallel already share the
   * cores.
   */
  @WholeNumber(0, 64)
  DB_PARALLEL_WORKERS = 0;

  /** On SIGTERM/SIGINT: how long requests in progress may take before the process exits 1. */
  @Milliseconds(100, 600_000)
  SHUTDOWN_TIMEOUT_MS = 10_000;

  @IsOptional() @IsString() API_DESCRIPTION?: string;
  @IsOptional() @IsString() PUBLISHER_NAME?: string;
  @IsOptional() @IsString() PUBLISHER_IDENTIFIER?: string;
  @IsOptional()
  @IsEmail({}, { message: 'PUBLISHER_EMAIL must be an email address' })
  PUBLISHER_EMAIL?: string;
  @IsOptional()
  @IsUrl(url, { message: 'PUBLISHER_WEBSITE must be an absolute http(s) URL' })
  PUBLISHER_WEBSITE?: string;

  @IsIn(['silent', 'error', 'warn', 'log', 'debug', 'verbose'], {
    message: 'LOG_LEVEL must be one of silent, error, warn, log, debug, verbose',
  })
  LOG_LEVEL = 'log';

  /** auto: human-readable on a terminal (when pino-pretty is installed), else JSON lines. */
  @IsIn(['auto', 'json', 'pretty'], { message: 'LOG_FORMAT must be auto, json or pretty' })
  LOG_FORMAT = 'auto';

  /** Requests a minute from one client address before 429; 0 turns throttling off. */
  @Transform(toInt)
  @IsInt({ message: 'RATE_LIMIT_PER_MINUTE must be a whole number (0: off)' })
  @Min(0, { message: 'RATE_LIMIT_PER_MINUTE must be a whole number (0: off)' })
  RATE_LIMIT_PER_MINUTE = 300;

  /** Express's "trust proxy": false, a hop count, or proxy addresses/CIDRs (src/config/trust-proxy.ts). */
  @ValidateBy({
    name: 'trustProxy',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' && parseTrustProxy(value) !== undefined,
      defaultMessage: () =>
        'TRUST_PROXY must be false, a number of proxies (e.g. 1), or a comma-separated list of ' +
        'proxy addresses or CIDR ranges (e.g. 10.0.0.0/8,loopback); true is not allowed',
    },
  })
  TRUST_PROXY = 'false';

  /** Longest request URL (path and query) accepted; longer is a 400. */
  @WholeNumber(256, 65536)
  MAX_URL_LENGTH = 2048;

  /** Most query parameters (repeats counted) in one request; more is a 400. */
  @WholeNumber(1, 1000)
  MAX_QUERY_PARAMS = 50;

  /**
   * Expensive requests (full, full_service, search, per_page above 200) in flight at once;
   * unset: a quarter of DB_POOL_MAX (each may use two connections); 0: no limit.
   */
  @IsOptional()
  @WholeNumber(0, 1000)
  HEAVY_CONCURRENCY?: number;

  /** format=ndjson streams in flight at once; unset: a fifth of DB_POOL_MAX; 0: no limit. */
  @IsOptional()
  @WholeNumber(0, 1000)
  STREAM_CONCURRENCY?: number;

  /** Longest an expensive request waits for its turn before a 503. */
  @Milliseconds(0, 60_000)
  ADMISSION_WAIT_MS = 5000;

  /** Open client connections at most; more are refused at once. */
  @WholeNumber(1, 1_000_000)
  HTTP_MAX_CONNECTIONS = 2000;

  /** Longest a client may take to send a request's headers, then its whole request. */
  @Milliseconds(1000, 600_000)
  HTTP_HEADERS_TIMEOUT_MS = 10_000;

  @Milliseconds(1000, 600_000)
  HTTP_REQUEST_TIMEOUT_MS = 30_000;

  /** How long an idle keep-alive connection stays open after its last response. */
  @Milliseconds(100, 600_000)
  HTTP_KEEP_ALIVE_TIMEOUT_MS = 5000;

  /**
   * The Cache-Control of the data endpoints' successful answers (docs/caching.md): how long
   * browsers and CDNs may reuse them before asking again with their ETag.
   */
  @Matches(/^[\x20-\x7e]+$/, { message: 'CACHE_CONTROL must be a Cache-Control header value' })
  CACHE_CONTROL = 'public, max-age=60, stale-while-revalidate=300';

  /** Memory for answers kept ready in the server (src/http/caching.ts), in MiB; 0: none. */
  @WholeNumber(0, 65536)
  RESPONSE_CACHE_MB = 64;

  /** Prometheus metrics at /metrics (outside BASE_PATH). */
  @Transform(toBoolean)
  @IsBoolean()
  METRICS = true;

  /**
   * Also serve the data under {base}/_defects/{name}/…, each name with one known deviation
   * from the standard, for validator authors (src/http/defects.ts). Never on a real feed.
   */
  @Transform(toBoolean)
  @IsBoolean()
  DEFECTS = false;

  /** Where `validate` keeps the specifications it downloads (default: the user's cache). */
  @IsOptional()
  @IsString()
  SPECIFICATIONS_CACHE_DIR?: string;

  /** The XDG base directory for caches (`validate`'s default is below it). */
  @IsOptional()
  @IsString()
  XDG_CACHE_HOME?: string;

  get seedIfEmpty(): boolean {
    return this.SEED_IF_EMPTY ?? !this.DATABASE_URL;
  }

  get heavyConcurrency(): number {
    return this.HEAVY_CONCURRENCY ?? Math.max(1, Math.floor(this.DB_POOL_MAX / 4));
  }

  get streamConcurrency(): number {
    return this.STREAM_CONCURRENCY ?? Math.max(1, Math.floor(this.DB_POOL_MAX / 5));
  }

  get specificationsCacheDir(): string {
    return (
      this.SPECIFICATIONS_CACHE_DIR ??
      join(this.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'oruk-server', 'specifications')
    );
  }

  get trustProxy(): TrustProxy {
    return parseTrustProxy(this.TRUST_PROXY) ?? false;
  }
}

export class ConfigError extends Error {}

/** Reads and validates the configuration; throws a ConfigError listing every problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const known = getMetadataStorage()
    .getTargetValidationMetadatas(AppConfig, '', true, false)
    .map((m) => m.propertyName);
  const given = Object.fromEntries(
    Object.entries(env).filter(
      ([key, value]) => known.includes(key) && value !== undefined && value !== '',
    ),
  );
  const config = plainToInstance(AppConfig, given);
  const errors = validateSync(config);
  if (errors.length) {
    // One line per distinct message (a value may break several constraints that share one).
    const lines = [...new Set(errors.flatMap((e) => Object.values(e.constraints ?? {})))];
    throw new ConfigError(`Invalid configuration:\n  - ${lines.join('\n  - ')}`);
  }
  return config;
}

/**
 * The folder that holds package.json: found from this file (src/ under ts-node, dist/ when
 * built), or from the working directory where __dirname does not exist (ES modules in Jest).
 */
export function projectRoot(): string {
  let dir = typeof __dirname === 'string' ? __dirname : process.cwd();
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) return resolve('.');
    dir = parent;
  }
  return dir;
}
