import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import type { Response } from 'express';
import { databaseFailure, databaseFailureMessage } from '../database/errors';

/** The one error body of the API: `{statusCode, message, error}` (docs/standard.md, "Output rules"). */
export interface ErrorBody {
  statusCode: number;
  message: string;
  error: string;
}

/**
 * Every error leaves as JSON. HTTP errors keep their status and message; the database
 * being unreachable or a statement timing out is a 503 (src/database/errors.ts); anything
 * else is logged and answered with a bare 500, so no SQL, stack trace or path reaches a
 * client.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    sendError(exception, host.switchToHttp().getResponse<Response>(), this.logger);
  }
}

/**
 * Answers an error (or, once the response has started, cuts it short so that it cannot
 * pass for complete). Also used by streams that fail after the controller returned.
 */
export function sendError(exception: unknown, response: Response, logger: Logger): void {
  const failure = databaseFailure(exception);
  const body = errorBody(exception);
  if (failure) {
    // Expected while PostgreSQL is down or a query runs too long: one line, no stack.
    logger.warn(`${body.message} (${describe(exception)})`);
  } else if (body.statusCode >= 500) {
    logger.error(exception instanceof Error ? exception.stack : String(exception));
  }
  if (response.headersSent) {
    if (!response.writableEnded) response.destroy();
    return;
  }
  if (failure === 'unavailable') response.setHeader('Retry-After', '5');
  response.status(body.statusCode).json(body);
}

function describe(exception: unknown): string {
  const error = (exception as { driverError?: unknown })?.driverError ?? exception;
  const code = (error as { code?: unknown })?.code;
  const message = (error as { message?: unknown })?.message ?? error;
  return typeof code === 'string' ? `${code}: ${String(message)}` : String(message);
}

/** The body for any error: HTTP errors as they are, database failures as 503, else a bare 500. */
export function errorBody(exception: unknown): ErrorBody {
  if (exception instanceof HttpException) {
    const statusCode = exception.getStatus();
    const response = exception.getResponse();
    const message =
      typeof response === 'string'
        ? response
        : (response as { message?: string | string[] }).message;
    return {
      statusCode,
      message: Array.isArray(message) ? message.join('; ') : (message ?? exception.message),
      error: STATUS_CODES[statusCode] ?? 'Error',
    };
  }
  // Errors raised by Express itself before a route runs (e.g. a malformed body or URL).
  const status = (exception as { status?: unknown })?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return {
      statusCode: status,
      message: (exception as Error).message,
      error: STATUS_CODES[status] ?? 'Error',
    };
  }
  const failure = databaseFailure(exception);
  if (failure) {
    return {
      statusCode: HttpStatus.SERVICE_UNAVAILABLE,
      message: databaseFailureMessage(failure),
      error: 'Service Unavailable',
    };
  }
  return {
    statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
    message: 'Internal server error',
    error: 'Internal Server Error',
  };
}
