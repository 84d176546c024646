import {
  BeforeApplicationShutdown,
  Controller,
  Get,
  Header,
  Inject,
  Logger,
  Res,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { databaseFailure, databaseFailureMessage } from '../database/errors';

/** Health paths: at the root whatever BASE_PATH is (see configureApp), not in the ORUK API. */
export const HEALTH_PATHS = ['health/live', 'health/ready'];

/** Longest a readiness check waits for the database before it reports it down. */
const READY_TIMEOUT_MS = 2000;

interface Check {
  status: 'up' | 'down' | 'unknown';
  message?: string;
}

/**
 * Probes for load balancers and orchestrators. `/health/live`: the process is up (200
 * while it runs; restart it if this fails). `/health/ready`: it can serve the feed (200
 * when the database answers and every migration this code knows of is applied; else 503
 * naming the check that failed; take it out of rotation, do not restart it). Outside the
 * ORUK OpenAPI document.
 */
@ApiExcludeController()
@Controller('health')
export class HealthController implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Health');
  private readonly migrations = MIGRATIONS.map((M) => new M().name ?? M.name);
  private shuttingDown = false;

  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  beforeApplicationShutdown(): void {
    this.shuttingDown = true;
  }

  @Get('live')
  @Header('Cache-Control', 'no-store')
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @Header('Cache-Control', 'no-store')
  async ready(@Res({ passthrough: true }) response: Response) {
    const checks: Record<string, Check> = await this.checks();
    if (this.shuttingDown) checks.server = { status: 'down', message: 'shutting down' };
    const failed = Object.entries(checks).filter(([, check]) => check.status === 'down');
    if (!failed.length) return { status: 'ok', checks };
    response.status(503);
    return {
      statusCode: 503,
      message: `not ready: ${failed.map(([name, check]) => `${name}: ${check.message}`).join('; ')}`,
      error: 'Service Unavailable',
      status: 'error',
      checks,
    };
  }

  /** One statement checks both: the database answers, and which migrations it has. */
  private async checks(): Promise<{ database: Check; migrations: Check }> {
    try {
      const rows = await withTimeout(
        this.db.query<{ name: string }[]>('SELECT name FROM migrations'),
        READY_TIMEOUT_MS,
      );
      const applied = new Set(rows.map((row) => row.name));
      const pending = this.migrations.filter((name) => !applied.has(name));
      return {
        database: { status: 'up' },
        migrations: pending.length
          ? { status: 'down', message: `${pending.length} pending (${pending.join(', ')})` }
          : { status: 'up' },
      };
    } catch (error) {
      const code = (error as { driverError?: { code?: unknown } }).driverError?.code;
      if (code === '42P01') {
        return {
          database: { status: 'up' },
          migrations: { status: 'down', message: 'the database has not been migrated' },
        };
      }
      const failure = databaseFailure(error);
      let message: string;
      if (error instanceof ReadinessTimeout) message = `no answer within ${READY_TIMEOUT_MS} ms`;
      else if (failure) message = databaseFailureMessage(failure);
      else {
        this.logger.error(error instanceof Error ? error.stack : String(error));
        message = 'database error (see the server log)';
      }
      return { database: { status: 'down', message }, migrations: { status: 'unknown' } };
    }
  }
}

class ReadinessTimeout extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ReadinessTimeout()), ms);
  });
  // The query, if it loses the race, still ends (statement_timeout) and frees its connection.
  promise.catch(() => undefined);
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
