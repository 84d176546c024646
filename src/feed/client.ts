import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The HTTP client for reading other publishers' ORUK feeds (the harvest, and the tools that
 * check feeds): GET with a rate limit shared by all requests, a timeout per request, and
 * retries with exponential backoff and jitter after network errors, timeouts, 5xx and 429,
 * honouring Retry-After. Requests that fail for good are counted and remembered.
 *
 * Polite by default: at most 4 requests a second, under the 300 a minute that our own
 * server allows one client (RATE_LIMIT_PER_MINUTE), and slower still when the feed's
 * RateLimit headers (IETF draft: RateLimit-Remaining and RateLimit-Reset, or RateLimit with
 * remaining and reset) say that its allowance will run out before it renews: the requests
 * then wait for the renewal instead of being refused.
 */
export const DEFAULT_RATE_PER_SECOND = 4;

export interface FeedClientOptions {
  /** At most this many requests a second (default DEFAULT_RATE_PER_SECOND). */
  ratePerSecond?: number;
  /** Per request, body included (default 30 000 ms). */
  timeoutMs?: number;
  /** Retries of a request after a network error, timeout, 5xx or 429 (default 3). */
  retries?: number;
  /** The first retry's delay; each retry doubles it, with jitter (default 1000 ms). */
  backoffMs?: number;
  /** The longest wait before a retry, Retry-After included (default 60 000 ms). */
  maxDelayMs?: number;
  /** The largest body read; a larger one is refused unread (default 50 MB). */
  maxBodyBytes?: number;
  /** Sent as User-Agent (default "oruk-server harvest"). */
  userAgent?: string;
}

export const DEFAULT_MAX_BODY_BYTES = 50 << 20;

/** A body read as UTF-8 text up to `max` bytes; a larger one is cancelled, not buffered. */
async function boundedText(
  response: Response,
  max: number,
): Promise<{ text: string } | { problem: string }> {
  const declared = Number(response.headers.get('content-length'));
  const tooLarge = { problem: `a body larger than ${Math.round(max / (1 << 20))} MB: not read` };
  if (declared > max) {
    await response.body?.cancel().catch(() => undefined);
    return tooLarge;
  }
  const chunks: Uint8Array[] = [];
  let length = 0;
  if (response.body) {
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      length += chunk.length;
      if (length > max) {
        await response.body.cancel().catch(() => undefined);
        return tooLarge;
      }
      chunks.push(chunk);
    }
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks)) };
  } catch {
    return { problem: 'a body that is not UTF-8 text' };
  }
}

/** A request that failed for good (after its retries), or a response that was unusable. */
export interface FeedFailure {
  url: string;
  reason: string;
}

/** A response (2xx or 4xx) with its body as text, or why there is none. */
export type Reply = { status: number; text: string } | { error: string };

/** A response with its headers and the time it took (ms), or why there is none. */
export type FullReply =
  | { status: number; text: string; headers: Headers; ms: number }
  | { error: string; status?: number; headers?: Headers; ms: number };

const MAX_REPORTED = 1000;

export class FeedClient {
  failed = 0;
  readonly failures: FeedFailure[] = [];
  private readonly interval: number;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly maxDelayMs: number;
  private readonly maxBodyBytes: number;
  private readonly userAgent: string;
  /** When the next request may start. */
  private next = 0;
  /** Requests sent and not yet answered. */
  private inFlight = 0;

  constructor(options: FeedClientOptions = {}) {
    this.interval = 1000 / (options.ratePerSecond ?? DEFAULT_RATE_PER_SECOND);
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.retries = options.retries ?? 3;
    this.backoffMs = options.backoffMs ?? 1000;
    this.maxDelayMs = options.maxDelayMs ?? 60_000;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.userAgent = options.userAgent ?? 'oruk-server harvest';
  }

  /** The response, or why there is none after the retries. Only a 2xx or 4xx is returned. */
  async get(url: string): Promise<Reply> {
    const reply = await this.request(url);
    return 'error' in reply ? { error: reply.error } : { status: reply.status, text: reply.text };
  }

  /**
   * As get(), with the response's headers and how long it took (the last attempt); a 5xx
   * or 429 that outlasted the retries comes back as an error with its status and headers.
   */
  async request(url: string): Promise<FullReply> {
    for (let attempt = 0; ; attempt++) {
      await this.slot();
      let reason: string;
      let delay: number | undefined;
      let last: { status: number; headers: Headers } | undefined;
      const started = performance.now();
      const ms = () => Math.round(performance.now() - started);
      this.inFlight++;
      try {
        const response = await fetch(url, {
          headers: { accept: 'application/json', 'user-agent': this.userAgent },
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        this.pace(response.headers);
        if (response.status !== 429 && response.status < 500) {
          // An unusable body is the feed's answer, not a passing failure: not retried.
          const body = await boundedText(response, this.maxBodyBytes);
          const { status, headers } = response;
          return 'text' in body
            ? { status, text: body.text, headers, ms: ms() }
            : { error: body.problem, status, headers, ms: ms() };
        }
        reason = `HTTP ${response.status}`;
        last = { status: response.status, headers: response.headers };
        delay = retryAfter(response.headers.get('retry-after'));
        await response.body?.cancel().catch(() => undefined);
      } catch (error) {
        reason = networkProblem(error, this.timeoutMs);
      } finally {
        this.inFlight--;
      }
      if (attempt >= this.retries)
        return {
          error: `${reason}${this.retries ? ` (after ${this.retries} retries)` : ''}`,
          ...last,
          ms: ms(),
        };
      const exponential = Math.min(this.maxDelayMs, this.backoffMs * 2 ** attempt);
      const wait = Math.min(
        this.maxDelayMs,
        delay ?? exponential / 2 + (Math.random() * exponential) / 2,
      );
      // Retry-After is about the server, not this request: every request waits.
      if (delay !== undefined) this.next = Math.max(this.next, Date.now() + wait);
      await sleep(wait);
    }
  }

  /**
   * When the feed says how many requests it still allows and when that renews, and the
   * requests already on their way would use up what is left, the next ones wait for the
   * renewal (a little after it, for clocks that differ).
   */
  private pace(headers: Headers): void {
    const { remaining, reset } = rateLimit(headers);
    if (remaining === undefined || reset === undefined) return;
    if (remaining < this.inFlight) {
      this.next = Math.max(this.next, Date.now() + Math.min(this.maxDelayMs, reset * 1000 + 250));
    }
  }

  /** Counts a request that failed for good. */
  fail(url: string, reason: string): void {
    this.failed++;
    if (this.failures.length < MAX_REPORTED) this.failures.push({ url, reason });
  }

  /** Waits for this request's turn under the rate limit. */
  private async slot(): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.next);
    this.next = at + this.interval;
    if (at > now) await sleep(at - now);
  }
}

/**
 * What the IETF RateLimit headers say is left and when it renews (seconds): the separate
 * RateLimit-Remaining and RateLimit-Reset fields (draft 6, what express-rate-limit sends
 * us by default), or one RateLimit field (`limit=10, remaining=0, reset=5`, draft 7; or
 * `"policy";r=0;t=5`, draft 8 and later).
 */
export function rateLimit(headers: Headers): { remaining?: number; reset?: number } {
  const int = (value: string | null | undefined) =>
    value !== null && value !== undefined && /^\d+$/.test(value.trim())
      ? Number(value.trim())
      : undefined;
  const combined = headers.get('ratelimit') ?? '';
  const part = (...names: string[]) => {
    for (const name of names) {
      const match = new RegExp(`(?:^|[;,\\s])${name}=(\\d+)`).exec(combined);
      if (match) return Number(match[1]);
    }
    return undefined;
  };
  return {
    remaining: int(headers.get('ratelimit-remaining')) ?? part('remaining', 'r'),
    reset: int(headers.get('ratelimit-reset')) ?? part('reset', 't'),
  };
}

/** Milliseconds a Retry-After header asks for (seconds, or an HTTP date). */
function retryAfter(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function networkProblem(error: unknown, timeoutMs: number): string {
  const e = error as {
    name?: string;
    message?: string;
    cause?: { code?: string; message?: string };
  };
  if (e.name === 'TimeoutError' || e.name === 'AbortError')
    return `timed out after ${timeoutMs} ms`;
  const cause = e.cause?.code ?? e.cause?.message;
  return cause ? `${e.message}: ${cause}` : (e.message ?? String(error));
}

export function parseJson(text: string): { value: unknown } | { problem: string } {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    return { problem: `not JSON: ${(error as Error).message}` };
  }
}
