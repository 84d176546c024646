import { FeedClient, FullReply, parseJson } from '../feed/client';
import { Finding } from './findings';

/** A response as the checks see it: status, headers, the body parsed (when JSON). */
export interface Answer {
  url: string;
  status?: number;
  headers?: Headers;
  text?: string;
  /** The body parsed, when it is JSON. */
  json?: unknown;
  /** Why there is no usable response, or why the body is not JSON. */
  problem?: string;
  ms: number;
}

/**
 * Every request of a validation goes through here: it counts the requests of each
 * endpoint, and checks what every response must have whatever it answers (level 3: the
 * CORS header and a JSON content type, on successes and errors alike), once per endpoint
 * and rule, so that a feed without CORS gets one finding per endpoint, not one a request.
 */
export class Probe {
  readonly findings: Finding[] = [];
  readonly counts = new Map<string, number>();
  private readonly reported = new Set<string>();
  requests = 0;

  constructor(
    readonly base: string,
    private readonly client: FeedClient,
    private readonly onRequest?: () => void,
  ) {}

  /** GET `{base}{pathAndQuery}` on behalf of `endpoint`. */
  async get(endpoint: string, pathAndQuery: string): Promise<Answer> {
    const url = `${this.base}${pathAndQuery}`;
    this.requests++;
    this.counts.set(endpoint, (this.counts.get(endpoint) ?? 0) + 1);
    const reply: FullReply = await this.client.request(url);
    this.onRequest?.();
    const answer: Answer = { url, status: reply.status, headers: reply.headers, ms: reply.ms };
    if ('error' in reply) answer.problem = reply.error;
    else {
      answer.text = reply.text;
      const parsed = parseJson(reply.text);
      if ('value' in parsed) answer.json = parsed.value;
      else answer.problem = `the body is ${parsed.problem}`;
    }
    this.everyResponse(endpoint, answer);
    return answer;
  }

  /** Adds a finding, or only counts it when the same rule already has one for the endpoint. */
  add(finding: Finding, once = false): void {
    const key = `${finding.level}|${finding.rule}|${finding.endpoint}`;
    if (once && this.reported.has(key)) return;
    this.reported.add(key);
    this.findings.push(finding);
  }

  private everyResponse(endpoint: string, answer: Answer): void {
    if (!answer.headers) return;
    const origin = answer.headers.get('access-control-allow-origin');
    if (origin !== '*')
      this.add(
        {
          level: 3,
          severity: 'warning',
          rule: 'cors',
          endpoint,
          request: answer.url,
          expected: 'Access-Control-Allow-Origin: * on every response, errors included',
          actual: origin === null ? `no such header (HTTP ${answer.status})` : `"${origin}"`,
        },
        true,
      );
    const type = answer.headers.get('content-type') ?? '';
    if (answer.text !== undefined && !/^application\/([a-z.+-]*\+)?json\b/i.test(type))
      this.add(
        {
          level: 3,
          severity: 'warning',
          rule: 'content-type',
          endpoint,
          request: answer.url,
          expected: 'Content-Type: application/json',
          actual: type ? `Content-Type: ${type} (HTTP ${answer.status})` : 'no Content-Type',
        },
        true,
      );
  }
}

/** Runs `work` on every item, `concurrency` at a time, in order of the items. */
export async function inTurn<T>(
  items: T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker),
  );
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
