import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('has working defaults: embedded database, base path /, seeding when embedded', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 3000,
      BASE_PATH: '/',
      MIGRATIONS_RUN: true,
    });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.seedIfEmpty).toBe(true);
  });

  it('reads and converts variables, and seeds a real database only when asked', () => {
    const config = loadConfig({
      PORT: '8080',
      DATABASE_URL: 'postgres://u@db/oruk',
      MIGRATIONS_RUN: 'false',
      BASE_PATH: '/api/oruk',
    });
    expect(config).toMatchObject({ PORT: 8080, MIGRATIONS_RUN: false, BASE_PATH: '/api/oruk' });
    expect(config.seedIfEmpty).toBe(false);
    expect(
      loadConfig({ DATABASE_URL: 'postgres://u@db/oruk', SEED_IF_EMPTY: 'true' }).seedIfEmpty,
    ).toBe(true);
  });

  it('treats empty variables as unset and ignores unrelated ones', () => {
    expect(loadConfig({ PUBLIC_URL: '', HOME: '/root' }).PUBLIC_URL).toBeUndefined();
  });

  it('reports every bad value at once, clearly', () => {
    const attempt = () =>
      loadConfig({
        PORT: 'eighty',
        DATABASE_URL: 'mysql://x',
        BASE_PATH: 'api/',
        PUBLIC_URL: 'example.org',
        MIGRATIONS_RUN: 'maybe',
      });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(
      /PORT must be an integer number[\s\S]*DATABASE_URL must be a postgres:\/\/ URL[\s\S]*BASE_PATH must be \/ or a path like \/api\/oruk[\s\S]*PUBLIC_URL must be an absolute http\(s\) URL[\s\S]*MIGRATIONS_RUN must be a boolean value/,
    );
  });
});

describe('database and shutdown limits', () => {
  it('has bounded defaults and reads milliseconds', () => {
    expect(loadConfig({})).toMatchObject({
      DB_CONNECT_TIMEOUT_MS: 1500,
      DB_STATEMENT_TIMEOUT_MS: 10_000,
      SHUTDOWN_TIMEOUT_MS: 10_000,
    });
    expect(
      loadConfig({
        DB_CONNECT_TIMEOUT_MS: '500',
        DB_STATEMENT_TIMEOUT_MS: '0',
        SHUTDOWN_TIMEOUT_MS: '30000',
      }),
    ).toMatchObject({
      DB_CONNECT_TIMEOUT_MS: 500,
      DB_STATEMENT_TIMEOUT_MS: 0,
      SHUTDOWN_TIMEOUT_MS: 30_000,
    });
  });

  it('refuses what is not a sensible number of milliseconds, once per variable', () => {
    const attempt = () =>
      loadConfig({
        DB_CONNECT_TIMEOUT_MS: '0',
        DB_STATEMENT_TIMEOUT_MS: '5s',
        SHUTDOWN_TIMEOUT_MS: '-1',
      });
    expect(attempt).toThrow(
      'Invalid configuration:\n' +
        '  - DB_CONNECT_TIMEOUT_MS must be a whole number of milliseconds from 100 to 60000\n' +
        '  - DB_STATEMENT_TIMEOUT_MS must be a whole number of milliseconds from 0 to 3600000 (0: no limit)\n' +
        '  - SHUTDOWN_TIMEOUT_MS must be a whole number of milliseconds from 100 to 600000',
    );
  });
});
