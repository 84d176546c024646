import { BadRequestException, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { IncomingMessage, Server, ServerResponse, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import { AppConfig } from '../config/config';

/**
 * Security headers (helmet). The Content-Security-Policy is helmet's default with what
 * Swagger UI at /docs needs and no more: its scripts and stylesheet are files of this server
 * ('self'), its page has inline <style> blocks and its components set inline styles
 * (style-src 'unsafe-inline', as helmet's default already allows), its icons are data: URIs.
 * No upgrade-insecure-requests: a feed served over plain HTTP (a test server, a LAN) would
 * lose its docs. Cross-Origin-Resource-Policy is cross-origin: the feed is open data, meant
 * to be read from any origin (CORS allows any too).
 */
export function securityHeaders(config: AppConfig): RequestHandler {
  const connect = ["'self'"];
  if (config.PUBLIC_URL) connect.push(new URL(config.PUBLIC_URL).origin);
  return helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'connect-src': connect,
        'img-src': ["'self'", 'data:'],
        'upgrade-insecure-requests': null,
      },
    },
    crossOriginResourcePolicy: { policy: 'cross-origin' },
    // Sent only over HTTPS (browsers ignore it otherwise); no includeSubDomains: the
    // publisher's other sites are not ours to decide for.
    strictTransportSecurity: { maxAge: 15_552_000, includeSubDomains: false },
  });
}

/**
 * Throttling per client address (the address Express derives under TRUST_PROXY), with
 * express-rate-limit: RATE_LIMIT_PER_MINUTE requests in a fixed one-minute window, the
 * IETF draft RateLimit-Limit/-Remaining/-Reset (and RateLimit-Policy) headers on every
 * response, and past the limit a 429 JSON error with Retry-After. CORS preflights and health
 * probes are never counted (the CORS middleware, registered before, answers them). IPv6 clients are counted
 * by /56 network, as one household or small site. Undefined when RATE_LIMIT_PER_MINUTE is 0.
 */
export function throttling(
  config: AppConfig,
  isProbe: (path: string) => boolean = () => false,
): RequestHandler | undefined {
  const limit = config.RATE_LIMIT_PER_MINUTE;
  if (!limit) return undefined;
  const logger = new Logger('RateLimit');
  return rateLimit({
    windowMs: 60_000,
    limit,
    standardHeaders: 'draft-6',
    legacyHeaders: false,
    skip: (req) => req.method === 'OPTIONS' || isProbe(req.path),
    // Answered through the exception filter, so a 429 is the API's one error body.
    handler: (_req, res, next) =>
      next(
        new HttpException(
          `Too many requests: at most ${limit} a minute from one client; try again in ` +
            `${String(res.getHeader('Retry-After') ?? 60)} seconds`,
          HttpStatus.TOO_MANY_REQUESTS,
        ),
      ),
    // Its configuration checks (e.g. X-Forwarded-For seen while TRUST_PROXY is false) as warnings.
    logger: {
      warn: (message: unknown) => logger.warn(String(message)),
      error: (message: unknown) => logger.warn(String(message)),
    },
  });
}

/**
 * Limits on the request line, checked before anything parses it: the URL's length
 * (MAX_URL_LENGTH), no NUL character, and the number of query parameters
 * (MAX_QUERY_PARAMS, repeats counted). Each is a 400 naming the limit.
 */
export function requestLimits(config: AppConfig): RequestHandler {
  const maxLength = config.MAX_URL_LENGTH;
  const maxParams = config.MAX_QUERY_PARAMS;
  return (req: Request, _res: Response, next: NextFunction) => {
    // HTTP/1.1 requires it (RFC 9112 §3.2); Node's own check answers without a body.
    if (req.httpVersion === '1.1' && req.headers.host === undefined)
      return next(new BadRequestException('an HTTP/1.1 request must have a Host header'));
    const url = req.originalUrl;
    if (url.length > maxLength) {
      return next(
        new BadRequestException(`the URL must not be longer than ${maxLength} characters`),
      );
    }
    // PostgreSQL text cannot hold NUL: no parameter, present or future, may carry one.
    if (/%00/.test(url)) {
      return next(new BadRequestException('the URL must not contain a NUL character (%00)'));
    }
    const query = url.indexOf('?');
    if (query >= 0) {
      const params = url
        .slice(query + 1)
        .split('&')
        .filter((p) => p !== '').length;
      if (params > maxParams) {
        return next(
          new BadRequestException(
            `a request must not have more than ${maxParams} query parameters`,
          ),
        );
      }
    }
    next();
  };
}

const CLIENT_ERRORS: Record<number, string> = {
  400: 'the request is not valid HTTP (characters in the URL must be percent-encoded)',
  408: 'the request took too long to arrive',
  431: 'the request line and headers are larger than this server accepts',
};

/** An answer written to the socket itself, for requests that never reach Express. */
function rawError(socket: Duplex, status: number, message: string, headers: string[] = []): void {
  const body = JSON.stringify({ statusCode: status, message, error: STATUS_CODES[status] });
  socket.end(
    [
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
      'Content-Type: application/json; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(body)}`,
      'Access-Control-Allow-Origin: *',
      'X-Content-Type-Options: nosniff',
      `X-Request-Id: ${randomUUID()}`,
      ...headers,
      'Connection: close',
      '',
      body,
    ].join('\r\n'),
  );
}

/**
 * Requests one connection may carry: the response to the last says `Connection: close`, and
 * Node answers 503 to any a client sends on it after that (benchmarks reconnect before).
 */
export const MAX_REQUESTS_PER_SOCKET = 1000;

/**
 * The HTTP server's own limits and answers (README: "Running in public"):
 *
 * - bounded waits: HTTP_HEADERS_TIMEOUT_MS for the headers and HTTP_REQUEST_TIMEOUT_MS for
 *   the whole request (then a 408), HTTP_KEEP_ALIVE_TIMEOUT_MS for an idle keep-alive
 *   connection, at most MAX_REQUESTS_PER_SOCKET requests on one connection; and at most HTTP_MAX_CONNECTIONS
 *   open connections, past which new ones are closed at once: idle or half-open sockets
 *   cannot use up the process's file descriptors (which the database pool needs too);
 * - requests that Node's HTTP parser rejects before Express sees them (bytes that are not
 *   allowed in a URL, headers over Node's 16 KB limit, a request that never finishes
 *   arriving) are answered with the API's JSON error body too, instead of Node's empty
 *   response: 400, 431 or 408, with the CORS header and a request id; so are an
 *   `Expect` other than 100-continue (417) and `CONNECT` (405). A missing Host header is
 *   answered by requestLimits, in Express.
 */
export function hardenServer(server: Server, config: AppConfig): void {
  server.headersTimeout = config.HTTP_HEADERS_TIMEOUT_MS;
  server.requestTimeout = Math.max(config.HTTP_REQUEST_TIMEOUT_MS, config.HTTP_HEADERS_TIMEOUT_MS);
  server.keepAliveTimeout = config.HTTP_KEEP_ALIVE_TIMEOUT_MS;
  server.maxRequestsPerSocket = MAX_REQUESTS_PER_SOCKET;
  server.maxConnections = config.HTTP_MAX_CONNECTIONS;
  (server as Server & { requireHostHeader: boolean }).requireHostHeader = false;

  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const busy = (socket as { _httpMessage?: ServerResponse })._httpMessage?.headersSent;
    if (error.code === 'ECONNRESET' || !socket.writable || busy) {
      socket.destroy();
      return;
    }
    const status =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? 431
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? 408
          : 400;
    rawError(socket, status, CLIENT_ERRORS[status]);
  });
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    res.shouldKeepAlive = false;
    rawError(
      res.socket!,
      417,
      `Expect: ${String(req.headers.expect)} is not supported (only 100-continue)`,
    );
  });
  server.on('connect', (_req: IncomingMessage, socket: Duplex) =>
    rawError(socket, 405, 'CONNECT is not supported: this is not a proxy', [
      'Allow: GET, HEAD, OPTIONS',
    ]),
  );
}
