import { Version } from '../database/data-version';
import { ResponseCache } from './caching';

const version: Version = { epoch: 'e', version: '1', changedAt: new Date(0) };
const entry = (bytes: number) => ({
  body: Buffer.alloc(bytes),
  type: 'application/json; charset=utf-8',
  version,
});

describe('ResponseCache', () => {
  it('stays within its bytes, the least recently used out first', () => {
    const cache = new ResponseCache(1000);
    for (const key of ['a', 'b', 'c', 'd']) cache.set(key, entry(250));
    expect(cache.size).toBe(1000);
    cache.get('a'); // used: b is now the oldest
    cache.set('e', entry(250));
    expect(cache.size).toBe(1000);
    expect(cache.get('b')).toBeUndefined();
    for (const key of ['a', 'c', 'd', 'e']) expect(cache.get(key)).toBeDefined();
  });

  it('keeps no answer over a quarter of it, and replaces an answer kept again', () => {
    const cache = new ResponseCache(1000);
    cache.set('big', entry(251));
    expect(cache.get('big')).toBeUndefined();
    expect(cache.size).toBe(0);
    cache.set('x', entry(100));
    cache.set('x', entry(200));
    expect(cache.size).toBe(200);
    expect(cache.get('x')?.body.length).toBe(200);
  });

  it('forgets everything at once', () => {
    const cache = new ResponseCache(1000);
    cache.set('a', entry(10));
    cache.clear();
    expect(cache.size).toBe(0);
    expect(cache.get('a')).toBeUndefined();
  });
});
