import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { connect, Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import request from 'supertest';
import { projectRoot } from '../src/config/config';
import { createTestApp, TestApp } from './support/app';

/**
 * Running in public (README): throttling, request limits, security headers, errors that
 * give nothing away, request ids and logs, metrics. Each against the real application on
 * its own copy of the seeded database.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function expectError(body: unknown, statusCode: number, error: string, message?: RegExp): void {
  expect(body).toEqual({ statusCode, error, message: expect.any(String) });
  if (message) expect((body as { message: string }).message).toMatch(message);
}

/** Sends bytes as they are, for requests no HTTP client would send; resolves with the answer. */
async function raw(t: TestApp, text: string | Buffer): Promise<{ head: string; body: string }> {
  if (!t.http.listening) await t.app.listen(0, '127.0.0.1');
  const { port } = t.http.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(text));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const answer = Buffer.concat(chunks).toString('utf8');
      const at = answer.indexOf('\r\n\r\n');
      resolve({ head: answer.slice(0, at), body: answer.slice(at + 4) });
    });
  });
}

describe('throttling', () => {
  describe('on (5 a minute here)', () => {
    let t: TestApp;
    beforeAll(async () => (t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '5' })));
    afterAll(() => t.close());

    it('counts down in RateLimit headers, then answers 429 JSON with Retry-After and CORS', async () => {
      for (let i = 4; i >= 0; i--) {
        // Errors count too, and carry the headers.
        const res = await request(t.http).get(i === 2 ? '/nope' : '/taxonomies?per_page=1');
        expect(res.status).toBe(i === 2 ? 404 : 200);
        expect(res.headers['ratelimit-limit']).toBe('5');
        expect(res.headers['ratelimit-remaining']).toBe(String(i));
        expect(Number(res.headers['ratelimit-reset'])).toBeGreaterThan(0);
        expect(Number(res.headers['ratelimit-reset'])).toBeLessThanOrEqual(60);
      }
      const res = await request(t.http).get('/taxonomies').expect(429);
      expectError(res.body, 429, 'Too Many Requests', /at most 5 a minute/);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60);
      expect(res.headers['ratelimit-remaining']).toBe('0');
      expect(res.headers['access-control-allow-origin']).toBe('*');
      // …and browser code may read what it needs to wait and to report the problem.
      const exposed = String(res.headers['access-control-expose-headers']).toLowerCase();
      for (const header of [
        'retry-after',
        'ratelimit-reset',
        'ratelimit-remaining',
        'x-request-id',
      ])
        expect(exposed.split(/,\s*/)).toContain(header);
      // Preflights are never refused: a browser must still learn that CORS is allowed.
      const preflight = await request(t.http)
        .options('/taxonomies')
        .set('Origin', 'https://app.example')
        .set('Access-Control-Request-Method', 'GET')
        .expect(204);
      expect(preflight.headers['access-control-allow-origin']).toBe('*');
      // Without TRUST_PROXY a client cannot escape by claiming another address.
      await request(t.http).get('/taxonomies').set('X-Forwarded-For', '203.0.113.9').expect(429);
    });
  });

  describe('behind a proxy (TRUST_PROXY=1)', () => {
    let t: TestApp;
    beforeAll(
      async () => (t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '2', TRUST_PROXY: '1' })),
    );
    afterAll(() => t.close());

    it('counts each client by the address the proxy gives in X-Forwarded-For', async () => {
      const from = (ip: string) =>
        request(t.http).get('/taxonomies?per_page=1').set('X-Forwarded-For', ip);
      await from('198.51.100.1').expect(200);
      await from('198.51.100.1').expect(200);
      await from('198.51.100.1').expect(429);
      // Another client behind the same proxy has its own allowance; with a spoofed first hop,
      // the address the (one, trusted) proxy saw is what counts.
      await from('198.51.100.2').expect(200);
      await from('10.9.9.9, 198.51.100.2').expect(200);
      await from('10.9.9.9, 198.51.100.2').expect(429);
    });

    it('takes the scheme from X-Forwarded-Proto for the URLs it gives out', async () => {
      const { body } = await request(t.http)
        .get('/')
        .set('X-Forwarded-For', '198.51.100.3')
        .set('X-Forwarded-Proto', 'https')
        .set('Host', 'feed.example.org')
        .expect(200);
      expect(body.openapi_url).toBe('https://feed.example.org/openapi.json');
    });
  });

  describe('off (RATE_LIMIT_PER_MINUTE=0)', () => {
    let t: TestApp;
    beforeAll(async () => (t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '0' })));
    afterAll(() => t.close());

    it('never answers 429 and sends no RateLimit headers', async () => {
      for (let i = 0; i < 40; i++) {
        const res = await request(t.http).get('/taxonomies?per_page=1').expect(200);
        expect(res.headers['ratelimit-limit']).toBeUndefined();
      }
    });
  });

  it('refuses a TRUST_PROXY that would trust anyone, or is not an address', async () => {
    await expect(createTestApp({ TRUST_PROXY: 'true' })).rejects.toThrow(/TRUST_PROXY/);
    await expect(createTestApp({ TRUST_PROXY: '10.0.0.0/99' })).rejects.toThrow(/TRUST_PROXY/);
  });
});

describe('limits, headers, errors, request ids, logs and metrics', () => {
  let t: TestApp;
  beforeAll(async () => (t = await createTestApp({ MAX_URL_LENGTH: '600', LOG_LEVEL: 'silent' })));
  afterAll(() => t.close());
  const get = (path: string) => request(t.http).get(path);

  it('answers 400 naming the limit: URL length, query parameters, search, per_page, NUL', async () => {
    expectError(
      (await get(`/services?search=${'a'.repeat(600)}`).expect(400)).body,
      400,
      'Bad Request',
      /URL must not be longer than 600 characters/,
    );
    const params = (n: number) => Array.from({ length: n }, (_, i) => `x${i}=1`).join('&');
    await get(`/services?${params(50)}`).expect(200);
    expectError(
      (await get(`/services?${params(51)}`).expect(400)).body,
      400,
      'Bad Request',
      /more than 50 query parameters/,
    );
    expectError(
      (await get(`/services?search=${'a'.repeat(201)}`).expect(400)).body,
      400,
      'Bad Request',
      /search must be shorter than or equal to 200 characters/,
    );
    await get(`/services?search=${'a'.repeat(200)}`).expect(200);
    expectError(
      (await get('/services?per_page=1001').expect(400)).body,
      400,
      'Bad Request',
      /per_page must not be greater than 1000/,
    );
    expectError((await get('/services?search=a%00b').expect(400)).body, 400, 'Bad Request', /NUL/);
  });

  it('sends security headers on every answer, errors included, and no X-Powered-By', async () => {
    for (const path of ['/services?per_page=1', '/services/nope', '/nope', '/docs/']) {
      const { headers } = await get(path);
      expect(headers['x-powered-by']).toBeUndefined();
      expect(headers['x-content-type-options']).toBe('nosniff');
      expect(headers['content-security-policy']).toMatch(/default-src 'self'/);
      expect(headers['content-security-policy']).toMatch(/script-src 'self'/);
      expect(headers['cross-origin-resource-policy']).toBe('cross-origin');
      expect(headers['access-control-allow-origin']).toBe('*');
    }
  });

  it('serves Swagger UI within its CSP: no inline script, every file it loads served', async () => {
    const { text, headers } = await get('/docs/').expect(200);
    const csp = headers['content-security-policy'];
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    // script-src 'self' forbids inline scripts: every <script> must be a file.
    const scripts = [...text.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThanOrEqual(3);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/src=/);
      expect(body.trim()).toBe('');
    }
    // Inline <style> blocks need style-src 'unsafe-inline'.
    if (text.includes('<style')) expect(csp).toMatch(/style-src[^;]*'unsafe-inline'/);
    const files = [...text.matchAll(/(?:src|href)=["']([^"']+)["']/g)].map(([, url]) => url);
    expect(files).toEqual(expect.arrayContaining(['./swagger-ui-init.js']));
    for (const file of files) {
      expect(file).not.toMatch(/^(https?:)?\/\//); // all from this server ('self')
      const res = await get(new URL(file, 'http://x/docs/').pathname).expect(200);
      expect(res.headers['content-type']).toMatch(/javascript|css|png/);
    }
    const init = (await get('/docs/swagger-ui-init.js').expect(200)).text;
    expect(init).toContain('/openapi.json');
  });

  it('answers unexpected failures with a bare 500: no SQL, stack or path', async () => {
    await t.db.query('ALTER TABLE taxonomy RENAME TO taxonomy_gone');
    try {
      const res = await get('/taxonomies');
      expect(res.status).toBeGreaterThanOrEqual(500);
      expect(Object.keys(res.body).sort()).toEqual(['error', 'message', 'statusCode']);
      expect(res.text).not.toMatch(
        /taxonom|relation|select|from|\bat\b|\.ts|\.js|\/work|node_modules/i,
      );
    } finally {
      await t.db.query('ALTER TABLE taxonomy_gone RENAME TO taxonomy');
    }
    await get('/taxonomies').expect(200);
  });

  it('answers what Express and Node reject with the same JSON error', async () => {
    expectError((await get('/services/%E0%A4%A').expect(400)).body, 400, 'Bad Request');
    const badJson = await request(t.http)
      .get('/services')
      .set('Content-Type', 'application/json')
      .send('{"a":');
    expectError(badJson.body, 400, 'Bad Request');
    const big = await request(t.http)
      .get('/services')
      .set('Content-Type', 'application/json')
      .send(`{"a":"${'x'.repeat(200_000)}"}`);
    expectError(big.body, 413, 'Payload Too Large');
    // Bytes that are not allowed in a URL: Node's parser refuses them.
    const latin1 = await raw(
      t,
      Buffer.from('GET /services?search=\xe9 HTTP/1.1\r\nHost: x\r\n\r\n', 'latin1'),
    );
    expect(latin1.head).toMatch(/^HTTP\/1\.1 400 /);
    expect(latin1.head).toMatch(/access-control-allow-origin: \*/i);
    expectError(JSON.parse(latin1.body), 400, 'Bad Request');
    // Headers past Node's 16 KB limit.
    const giant = await raw(
      t,
      `GET /services HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expect(giant.head).toMatch(/^HTTP\/1\.1 431 /);
    expectError(JSON.parse(giant.body), 431, 'Request Header Fields Too Large');
    // No Host header (HTTP/1.1 requires one), an Expect the server cannot meet, CONNECT.
    const hostless = await raw(t, 'GET /services HTTP/1.1\r\nConnection: close\r\n\r\n');
    expect(hostless.head).toMatch(/^HTTP\/1\.1 400 /);
    expectError(JSON.parse(hostless.body), 400, 'Bad Request', /Host header/);
    const teapot = await raw(t, 'GET /services HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\n\r\n');
    expect(teapot.head).toMatch(/^HTTP\/1\.1 417 /);
    expectError(JSON.parse(teapot.body), 417, 'Expectation Failed', /teapot/);
    const tunnel = await raw(
      t,
      'CONNECT example.org:443 HTTP/1.1\r\nHost: example.org:443\r\n\r\n',
    );
    expect(tunnel.head).toMatch(/^HTTP\/1\.1 405 /);
    expect(tunnel.head).toMatch(/allow: GET, HEAD, OPTIONS/i);
    expectError(JSON.parse(tunnel.body), 405, 'Method Not Allowed', /not a proxy/);
  });

  it('echoes a sane X-Request-Id and replaces any other with a UUID', async () => {
    const id = (sent?: string) => {
      const req = get('/taxonomies?per_page=1');
      return (sent === undefined ? req : req.set('X-Request-Id', sent)).then(
        (res) => res.headers['x-request-id'],
      );
    };
    expect(await id('abc-123_DEF.4:5')).toBe('abc-123_DEF.4:5');
    expect(await id()).toMatch(UUID);
    for (const insane of ['a b', '<script>', 'x'.repeat(129), 'é', '']) {
      expect(await id(insane)).toMatch(UUID);
    }
    const first = await id();
    expect(await id()).not.toBe(first);
    // Errors carry one too.
    expect((await get('/nope').expect(404)).headers['x-request-id']).toMatch(UUID);
  });

  it('exposes Prometheus metrics at /metrics, by route pattern, with the pool and the process', async () => {
    const { body } = await get('/services?per_page=3').expect(200);
    for (const { id } of body.contents as { id: string }[])
      await get(`/services/${id}`).expect(200);
    await get('/nope-1').expect(404);
    await get('/nope-2').expect(404);
    const ERRORS = /^http_server_errors_total\{route="\/taxonomies",status_code="5\d\d"\} (\d+)$/m;
    const errorsBefore = Number((await get('/metrics')).text.match(ERRORS)?.[1] ?? 0);
    await t.db.query('ALTER TABLE taxonomy RENAME TO taxonomy_gone');
    try {
      // A URL not asked before: an answer kept ready would still be served.
      await get('/taxonomies?per_page=7');
    } finally {
      await t.db.query('ALTER TABLE taxonomy_gone RENAME TO taxonomy');
    }
    const res = await get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const value = (pattern: RegExp) => Number(res.text.match(pattern)?.[1]);
    expect(
      value(
        /^http_request_duration_seconds_count\{method="GET",route="\/services\/:id",status_code="200"\} (\d+)$/m,
      ),
    ).toBeGreaterThanOrEqual(3);
    // Unknown URLs share one label: the number of series cannot grow with what clients send.
    expect(
      value(
        /^http_request_duration_seconds_count\{method="GET",route="\(unmatched\)",status_code="404"\} (\d+)$/m,
      ),
    ).toBeGreaterThanOrEqual(2);
    expect(res.text).not.toMatch(/nope-1|[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(value(ERRORS)).toBe(errorsBefore + 1);
    expect(value(/^db_pool_connections (\d+)$/m)).toBeGreaterThanOrEqual(1);
    expect(value(/^db_pool_idle_connections (\d+)$/m)).toBeGreaterThanOrEqual(0);
    expect(value(/^db_pool_waiting_requests (\d+)$/m)).toBe(0);
    expect(value(/^db_pool_max_connections (\d+)$/m)).toBe(10);
    expect(value(/^process_resident_memory_bytes (\d+)$/m)).toBeGreaterThan(0);
    expect(res.text).toMatch(/^nodejs_eventloop_lag_seconds /m);
  });

  it('keeps /metrics out of the ORUK OpenAPI document', async () => {
    const served = (await get('/openapi.json').expect(200)).body;
    const committed = JSON.parse(
      readFileSync(join(projectRoot(), 'openapi', 'openapi.json'), 'utf8'),
    );
    for (const document of [served, committed]) {
      expect(Object.keys(document.paths)).not.toContain('/metrics');
    }
  });
});

describe('HTTP_MAX_CONNECTIONS', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ HTTP_MAX_CONNECTIONS: '3' });
    await t.app.listen(0, '127.0.0.1');
  });
  afterAll(() => t.close());

  it('closes connections past the limit at once, and takes new ones when others close', async () => {
    const server = t.http as Server;
    const { port } = server.address() as AddressInfo;
    const open = () =>
      new Promise<Socket>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => resolve(socket));
      });
    const counted = () =>
      new Promise<number>((resolve, reject) =>
        server.getConnections((error, n) => (error ? reject(error) : resolve(n))),
      );
    // Idle connections, as a client that opens many and sends nothing holds them.
    const idle = [await open(), await open(), await open()];
    while ((await counted()) < 3) await new Promise((r) => setImmediate(r));
    const extra = await open();
    const answer = await new Promise<string>((resolve) => {
      let text = '';
      extra.on('data', (chunk: Buffer) => (text += chunk.toString()));
      extra.on('close', () => resolve(text));
      extra.write('GET /services?per_page=1 HTTP/1.1\r\nHost: x\r\n\r\n');
    });
    expect(answer).toBe(''); // closed by the server, unanswered
    idle.forEach((socket) => socket.destroy());
    while ((await counted()) > 0) await new Promise((r) => setImmediate(r));
    await request(t.http).get('/services?per_page=1').expect(200);
  });
});

describe('metrics with a base path, and turned off', () => {
  it('serves /metrics at the root, outside BASE_PATH, labelled with the full route', async () => {
    const t = await createTestApp({ BASE_PATH: '/api/oruk' });
    try {
      await request(t.http).get('/api/oruk/taxonomies').expect(200);
      await request(t.http).get('/api/oruk/metrics').expect(404);
      const { text } = await request(t.http).get('/metrics').expect(200);
      expect(text).toMatch(/route="\/api\/oruk\/taxonomies",status_code="200"/);
    } finally {
      await t.close();
    }
  });

  it('has no /metrics with METRICS=false', async () => {
    const t = await createTestApp({ METRICS: 'false' });
    try {
      await request(t.http).get('/taxonomies').expect(200);
      const res = await request(t.http).get('/metrics').expect(404);
      expectError(res.body, 404, 'Not Found');
    } finally {
      await t.close();
    }
  });
});

describe('request logs', () => {
  it('writes one JSON line per request: id, method, URL, status, duration', async () => {
    const t = await createTestApp({ LOG_LEVEL: 'log', LOG_FORMAT: 'json' });
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = (chunk: string | Uint8Array, ...rest: unknown[]) => {
      lines.push(String(chunk));
      return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
    };
    try {
      await request(t.http)
        .get('/taxonomies?per_page=2')
        .set('X-Request-Id', 'log-test-1')
        .expect(200);
      await request(t.http).get('/services/nope').set('X-Request-Id', 'log-test-2').expect(400);
    } finally {
      process.stdout.write = write;
      await t.close();
    }
    const logged = lines
      .flatMap((l) => l.split('\n'))
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, any>);
    const one = logged.find((l) => l.request_id === 'log-test-1');
    expect(one).toMatchObject({
      level: 'info',
      req: { method: 'GET', url: '/taxonomies?per_page=2' },
      res: { status: 200 },
      duration_ms: expect.any(Number),
      msg: expect.stringMatching(/^GET \/taxonomies 200 \d+ms$/),
    });
    expect(new Date(one!.time).getTime()).not.toBeNaN();
    expect(logged.find((l) => l.request_id === 'log-test-2')).toMatchObject({
      res: { status: 400 },
    });
  });
});
