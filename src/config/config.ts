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
} from 'class-validator';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const toBoolean = ({ value }: { value: unknown }) =>
  value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value;
const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
const url = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

/**
 * All configuration, read from environment variables (names as in the README) and
 * validated at boot. Nothing else in the code reads process.env.
 */
export class AppConfig {
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  /** PostgreSQL to use. Unset: start the embedded PostgreSQL (see src/database/embedded.ts). */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  /** Where the embedded PostgreSQL keeps its data. */
  @IsString()
  EMBEDDED_PG_DIR = join(projectRoot(), '.data', 'postgres');

  /** Port of the embedded PostgreSQL; 0 picks a free one. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
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

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  DB_POOL_MAX = 10;

  @IsOptional() @IsString() API_DESCRIPTION?: string;
  @IsOptional() @IsString() PUBLISHER_NAME?: string;
  @IsOptional() @IsString() PUBLISHER_IDENTIFIER?: string;
  @IsOptional()
  @IsEmail({}, { message: 'PUBLISHER_EMAIL must be an email address' })
  PUBLISHER_EMAIL?: string;
  @IsOptional()
  @IsUrl(url, { message: 'PUBLISHER_WEBSITE must be an absolute http(s) URL' })
  PUBLISHER_WEBSITE?: string;

  @IsIn(['error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL = 'log';

  get seedIfEmpty(): boolean {
    return this.SEED_IF_EMPTY ?? !this.DATABASE_URL;
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
    const lines = errors.flatMap((e) => Object.values(e.constraints ?? {}));
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
