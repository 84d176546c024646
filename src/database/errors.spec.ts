import { QueryFailedError } from 'typeorm';
import { databaseFailure } from './errors';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });
const failed = (driverError: Error) => new QueryFailedError('SELECT 1', [], driverError);

describe('databaseFailure', () => {
  it.each([
    ['connection refused', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['connection reset', withCode('read ECONNRESET', 'ECONNRESET')],
    [
      'admin shutdown',
      failed(withCode('terminating connection due to administrator command', '57P01')),
    ],
    ['starting up', withCode('the database system is starting up', '57P03')],
    ['connection exception', failed(withCode('connection failure', '08006'))],
    ['too many connections', withCode('sorry, too many clients already', '53300')],
    ['connection lost', failed(new Error('Connection terminated unexpectedly'))],
    ['connect timeout', new Error('Connection terminated due to connection timeout')],
    ['pool exhausted', new Error('timeout exceeded when trying to connect')],
    ['broken client', new Error('Client has encountered a connection error and is not queryable')],
    ['pool closed', new Error('Cannot use a pool after calling end on the pool')],
    ['several addresses', new AggregateError([withCode('x', 'ECONNREFUSED')], 'all failed')],
  ])('unavailable: %s', (_, error) => {
    expect(databaseFailure(error)).toBe('unavailable');
  });

  it('timeout: a statement cancelled by statement_timeout (57014)', () => {
    const error = failed(withCode('canceling statement due to statement timeout', '57014'));
    expect(databaseFailure(error)).toBe('timeout');
  });

  it.each([
    ['a bug in SQL', failed(withCode('syntax error at or near "FORM"', '42601'))],
    ['a missing table', failed(withCode('relation "x" does not exist', '42P01'))],
    ['a permission', failed(withCode('permission denied for table service', '42501'))],
    ['any other error', new TypeError('x is undefined')],
    ['not an error', 'ECONNREFUSED'],
  ])('not a database outage: %s', (_, error) => {
    expect(databaseFailure(error)).toBeUndefined();
  });
});
