import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppConfig } from '../src/config/config';
import { DEFAULT_RATE_PER_SECOND, FeedClient, rateLimit } from '../src/feed/client';

/** The client that reads other publishers' feeds (src/feed/client.ts): how polite it is. */
describe('the feed client', () => {
  it('by default asks no faster than our own server lets one client ask', () => {
    const perMinute = new AppConfig().RATE_LIMIT_PER_MINUTE;
    expect(DEFAULT_RATE_PER_SECOND * 60).toBeLessThanOrEqual(perMinute);
  });

  it.each([
    [
      { 'ratelimit-remaining': '3', 'ratelimit-reset': '20' },
      { remaining: 3, reset: 20 },
    ],
    [{ ratelimit: 'limit=100, remaining=0, reset=5' }, { remaining: 0, reset: 5 }],
    [{ ratelimit: '"default";r=7;t=30' }, { remaining: 7, reset: 30 }],
    [{}, { remaining: undefined, reset: undefined }],
    [{ 'ratelimit-remaining': 'lots' }, { remaining: undefined, reset: undefined }],
  ])('reads the RateLimit headers %j', (headers, expected) => {
    expect(rateLimit(new Headers(headers))).toEqual(expected);
  });

  describe('against a feed that allows 4 requests per window and says so', () => {
    let server: Server;
    let base: string;
    const log = { served: 0, refused: 0 };

    beforeAll(async () => {
      // A fixed window: 4 requests, renewed a second after the window's first request.
      let windowEnds = 0;
      let used = 0;
      server = createServer((_req, res) => {
        const now = Date.now();
        if (now >= windowEnds) [windowEnds, used] = [now + 1000, 0];
        const reset = String(Math.ceil((windowEnds - now) / 1000));
        if (used >= 4) {
          log.refused++;
          res.writeHead(429, {
            'retry-after': reset,
            'ratelimit-remaining': '0',
            'ratelimit-reset': reset,
          });
          return res.end('{}');
        }
        used++;
        log.served++;
        res.writeHead(200, {
          'content-type': 'application/json',
          'ratelimit-limit': '4',
          'ratelimit-remaining': String(4 - used),
          'ratelimit-reset': reset,
        });
        res.end('{}');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });

    afterAll(() => new Promise((resolve) => server.close(resolve)));

    it('waits for the renewal instead of being refused', async () => {
      // As fast as it likes, one request at a time: only the headers can slow it down.
      const client = new FeedClient({ ratePerSecond: 1000, retries: 0 });
      for (let i = 0; i < 10; i++)
        expect(await client.get(`${base}/services/${i}`)).toMatchObject({ status: 200 });
      expect(log).toEqual({ served: 10, refused: 0 });
      expect(client.failed).toBe(0);
    });
  });
});
