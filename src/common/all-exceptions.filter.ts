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

/** The one error body of the API: `{statusCode, message, error}` (STANDARD.md §2). */
export interface ErrorBody {
  statusCode: number;
  message: string;
  error: string;
}

/**
 * Every error leaves as JSON. HTTP errors keep their status and message; anything else is
 * logged and answered with a bare 500, so no SQL, stack trace or path reaches a client.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const body = this.toBody(exception);
    if (body.statusCode >= 500)
      this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    if (!response.headersSent) response.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown): ErrorBody {
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
    return {
      statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
      message: 'Internal server error',
      error: 'Internal Server Error',
    };
  }
}
