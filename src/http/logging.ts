import { LoggerService } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import pino, { DestinationStream, Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { AppConfig, projectRoot } from '../config/config';

/**
 * Structured logs: one JSON line per event on standard output, through pino. Every request
 * gets an id (a sane X-Request-Id from the client or a proxy, else a new UUID), returned in
 * the X-Request-Id response header and carried by every line logged while it runs, the
 * request's own line included (method, URL, status, duration). On a terminal, with
 * pino-pretty installed (a development dependency), the lines are human-readable instead.
 */

/** LOG_LEVEL (Nest's names) → pino's levels. */
const LEVELS: Record<string, pino.LevelWithSilent> = {
  silent: 'silent',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

const loggers = new WeakMap<AppConfig, Logger>();

/** The application's root logger: one per configuration, so main.ts and the app share it. */
export function appLogger(config: AppConfig): Logger {
  let logger = loggers.get(config);
  if (!logger) {
    logger = pino(
      {
        level: LEVELS[config.LOG_LEVEL] ?? 'info',
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
      },
      destination(config),
    );
    loggers.set(config, logger);
  }
  return logger;
}

/**
 * Where lines go: pino-pretty on a terminal (or LOG_FORMAT=pretty) when it is installed, else
 * JSON to standard output (process.stdout, which Node writes synchronously to files and pipes).
 */
function destination(config: AppConfig): DestinationStream {
  const pretty =
    config.LOG_FORMAT === 'pretty' || (config.LOG_FORMAT === 'auto' && process.stdout.isTTY);
  if (pretty) {
    try {
      const load = createRequire(join(projectRoot(), 'package.json'));
      const prettyStream = load('pino-pretty') as (options: object) => DestinationStream;
      return prettyStream({
        colorize: process.stdout.isTTY,
        sync: true,
        singleLine: true,
        // The message already says method, path, status and duration.
        ignore: 'pid,hostname,req,res,duration_ms',
      });
    } catch {
      // Not installed (production installs omit development dependencies): JSON.
    }
  }
  return process.stdout;
}

const REQUEST_ID = /^[A-Za-z0-9._:@+=/-]{1,128}$/;

/** The client's X-Request-Id when it is short and plain enough to log and echo, else a new one. */
export function requestIdOf(header: string | string[] | undefined): string {
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
}

const context = new AsyncLocalStorage<Logger>();

/**
 * The request logger, as Express middleware: assigns the request id, logs one line when the
 * response is finished (or the connection closed first), and runs the rest of the request
 * with its logger in context, so that Nest's logs while it runs carry its id.
 */
export function requestLogging(config: AppConfig): RequestHandler {
  const http = pinoHttp({
    logger: appLogger(config),
    quietReqLogger: true,
    customAttributeKeys: { reqId: 'request_id', responseTime: 'duration_ms' },
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const id = requestIdOf(req.headers['x-request-id']);
      res.setHeader('X-Request-Id', id);
      return id;
    },
    // Clients' mistakes (4xx) are not the server's: info, like successes.
    customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
    customSuccessMessage: (req, res, time) =>
      `${req.method} ${pathOf(req)} ${res.statusCode} ${Math.round(time)}ms`,
    customErrorMessage: (req, res) => `${req.method} ${pathOf(req)} ${res.statusCode}`,
    // The exception itself, with its stack, is logged by AllExceptionsFilter: here, only what.
    customErrorObject: (_req, _res, error, value: object) => ({
      ...value,
      err: undefined,
      error: error.message,
    }),
    serializers: {
      req: (req: { method: string; url: string; remoteAddress?: string; raw?: Request }) => ({
        method: req.method,
        url: truncate(req.raw?.originalUrl ?? req.url),
        ip: req.raw?.ip ?? req.remoteAddress,
      }),
      res: (res: { statusCode: number }) => ({ status: res.statusCode }),
    },
  });
  return (req: Request, res: Response, next: NextFunction) =>
    http(req, res, () => context.run(req.log, next));
}

function pathOf(req: IncomingMessage): string {
  return truncate((req as Request).originalUrl ?? req.url ?? '').split('?')[0];
}

/** URLs are limited (MAX_URL_LENGTH) only after they are logged: keep lines short. */
function truncate(text: string, max = 1000): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * Nest's LoggerService over pino: Nest's own messages and every `new Logger(context)` of the
 * application, as JSON lines with their context, and the request id when there is one.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly root: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: pino.Level, message: unknown, params: unknown[]): void {
    const logger = context.getStore() ?? this.root;
    if (!logger.isLevelEnabled(level)) return;
    // Nest appends the context (a Logger's name) last; error() may pass a stack before it.
    const rest = [...params];
    const name = typeof rest.at(-1) === 'string' ? (rest.pop() as string) : undefined;
    const fields: Record<string, unknown> = name ? { context: name } : {};
    if (typeof rest[0] === 'string' && rest[0]) fields.stack = rest[0];
    if (message instanceof Error) logger[level]({ ...fields, err: message }, message.message);
    else if (typeof message === 'object' && message !== null)
      logger[level]({ ...fields, ...message });
    else logger[level](fields, String(message));
  }
}

/** The Nest logger for main.ts: the same pino root as the request logs. */
export function nestLogger(config: AppConfig): PinoNestLogger {
  return new PinoNestLogger(appLogger(config));
}
