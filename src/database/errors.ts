/**
 * What a database failure means for a request: the database cannot be reached (down,
 * restarting, refusing connections, connection lost, no connection free in time), or a
 * statement ran past DB_STATEMENT_TIMEOUT_MS. Both are answered with 503; anything else
 * is a bug (500). The messages are ours: never the driver's, which may name SQL or hosts.
 */
export type DatabaseFailure = 'unavailable' | 'timeout';

export const DATABASE_UNAVAILABLE = 'database unavailable: try again shortly';
export const DATABASE_TIMEOUT =
  'database query timed out (statement timeout): try again, or narrow the request';

/** Network errors of the socket to PostgreSQL (Node's codes). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  // Out of file descriptors: no socket to PostgreSQL can be opened now.
  'EMFILE',
  'ENFILE',
]);

/**
 * SQLSTATEs of an unreachable or unusable server: class 08 (connection exception), 57P01
 * admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now (starting up, shutting
 * down, in recovery), 57P05 idle session timeout, 53300 too many connections.
 */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[1235]|53300)$/;

/** 57014 query_canceled: statement_timeout (or a cancel request). */
const TIMEOUT_SQLSTATE = '57014';

/** Errors that node-postgres and pg-pool raise themselves, without a code. */
const DRIVER_MESSAGES = [
  /^Connection terminated/, // "… unexpectedly", "… due to connection timeout"
  /^timeout exceeded when trying to connect/, // pg-pool: no connection within connectionTimeoutMillis
  /is not queryable/, // a client whose connection failed or ended
  /^Cannot use a pool after calling end/, // a request during shutdown
  /^Query read timeout/,
  /^Driver not Connected/, // TypeORM, once the pool is gone
];

/** Classifies an error thrown by TypeORM or node-postgres; undefined: not a database outage. */
export function databaseFailure(error: unknown): DatabaseFailure | undefined {
  // TypeORM wraps statement errors in QueryFailedError, with the driver's error beside it.
  for (const candidate of [error, (error as { driverError?: unknown })?.driverError]) {
    if (!isErrorLike(candidate)) continue;
    const { code, message, errors } = candidate;
    if (code === TIMEOUT_SQLSTATE) return 'timeout';
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code)))
      return 'unavailable';
    if (DRIVER_MESSAGES.some((pattern) => pattern.test(message))) return 'unavailable';
    // An AggregateError (a host with several addresses) carries the codes in its errors.
    if (Array.isArray(errors) && errors.some((e) => databaseFailure(e))) return 'unavailable';
  }
  return undefined;
}

/**
 * By shape rather than `instanceof Error`: socket errors come from Node's own realm, which
 * is not the code's under a test runner's VM contexts.
 */
function isErrorLike(
  value: unknown,
): value is { code?: unknown; message: string; errors?: unknown } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

export function databaseFailureMessage(failure: DatabaseFailure): string {
  return failure === 'timeout' ? DATABASE_TIMEOUT : DATABASE_UNAVAILABLE;
}
