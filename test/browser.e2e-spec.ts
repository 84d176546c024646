import { existsSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Browser, chromium } from 'playwright-core';
import { createTestApp, TestApp } from './support/app';

/**
 * What a new user does first, in a real browser (Debian's Chromium, which .ci/run installs;
 * driven by playwright-core, never a browser it downloads): open /docs, and for every
 * operation Try it out and Execute with the examples as Swagger UI fills them in. And what
 * browser code on another origin can read of our responses.
 */
const CHROMIUM = '/usr/bin/chromium';
const browserIt = existsSync(CHROMIUM) ? it : it.skip;
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

describe(`in a browser${existsSync(CHROMIUM) ? '' : ` (skipped: no ${CHROMIUM}; apt-get install chromium)`}`, () => {
  let t: TestApp;
  let base: string;
  let browser: Browser | undefined;

  beforeAll(async () => {
    // Throttled (generously), so that the RateLimit headers are there to be read.
    t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '10000' });
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${((t.app.getHttpServer() as Server).address() as AddressInfo).port}`;
    if (existsSync(CHROMIUM))
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await t.close();
  });

  browserIt('/docs: every operation, tried out with its examples, answers 200', async () => {
    const page = await browser!.newPage();
    const failures: string[] = [];
    page.on('pageerror', (error) => failures.push(`page error: ${error.message}`));
    await page.goto(`${base}/docs`);
    const operations = page.locator('.opblock');
    await operations.first().waitFor();
    const count = await operations.count();
    expect(count).toBe(12);
    const answers: Record<string, string> = {};
    for (let i = 0; i < count; i++) {
      const operation = operations.nth(i);
      const path = (await operation.locator('.opblock-summary-path').innerText()).trim();
      await operation.locator('.opblock-summary').click();
      await operation.locator('.try-out__btn').click();
      await operation.locator('.execute').click();
      const status = operation.locator('.live-responses-table tbody .response-col_status');
      await status.first().waitFor();
      const requested = await operation.locator('.request-url pre').innerText();
      answers[path] = `${(await status.first().innerText()).trim()} ${requested}`;
      // Closed again: a page that keeps every response open grows slower with each.
      await operation.locator('.opblock-summary').click();
    }
    for (const [path, answer] of Object.entries(answers)) {
      expect({ path, status: answer.split(' ')[0] }).toEqual({ path, status: '200' });
    }
    // The examples were sent: a list with its filters, a record by a seed id.
    expect(answers['/services']).toMatch(/taxonomy_term_id=.*postcode=BS1(%20|\+)2LH/);
    expect(answers['/services/{id}']).toMatch(/\/services\/[0-9a-f-]{36}$/);
    expect(failures).toEqual([]);
    await page.close();
  });

  browserIt('code on another origin reads the headers it acts on', async () => {
    // A page of another origin (another port), which fetches from the feed.
    const other = createServer((_req, res) => res.end('<!doctype html><title>app</title>'));
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      const page = await browser!.newPage();
      await page.goto(`http://127.0.0.1:${(other.address() as AddressInfo).port}/`);
      const read = await page.evaluate(async (url) => {
        const response = await fetch(`${url}/services?per_page=1`);
        const missing = await fetch(`${url}/services/00000000-0000-4000-8000-000000000000`);
        const header = (r: Response, name: string) => r.headers.get(name);
        return {
          status: response.status,
          requestId: header(response, 'X-Request-Id'),
          limit: header(response, 'RateLimit-Limit'),
          remaining: header(response, 'RateLimit-Remaining'),
          reset: header(response, 'RateLimit-Reset'),
          missing: missing.status,
          missingRequestId: header(missing, 'X-Request-Id'),
          missingBody: (await missing.json()) as { statusCode: number },
        };
      }, base);
      expect(read).toEqual({
        status: 200,
        requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        limit: '10000',
        remaining: expect.stringMatching(/^\d+$/),
        reset: expect.stringMatching(/^\d+$/),
        missing: 404,
        missingRequestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        missingBody: expect.objectContaining({ statusCode: 404 }),
      });
      await page.close();
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  });
});
