import { HttpException } from '@nestjs/common';
import { costClass, Lane, QUEUED_PER_CLIENT } from './admission';

describe('costClass', () => {
  it.each([
    ['/services', 'light'],
    ['/services/1b4f6f5e-7c1e-4d9a-9d43-27a1f2b6c0de?full=false', 'light'],
    ['/organizations/1b4f6f5e-7c1e-4d9a-9d43-27a1f2b6c0de?full_service=true', 'light'],
    ['/api/oruk/organizations/?full_service=true', 'heavy'],
    ['/services?minimal=true&per_page=1000', 'light'],
    ['/services?per_page=200&taxonomy_term_id=x', 'light'],
    ['/services?per_page=201', 'heavy'],
    ['/services?minimal=true&per_page=100000', 'heavy'],
    ['/organizations?full_service=true', 'heavy'],
    ['/services?full=TRUE', 'heavy'],
    ['/services?search=advice', 'heavy'],
    ['/services?search=', 'light'],
    ['/services?format=ndjson', 'stream'],
    ['/services?format=json&format=ndjson', 'stream'],
    ['/SERVICES?format=ndjson', 'stream'],
    ['/Services?full=true', 'heavy'],
  ])('%s is %s', (url, kind) => expect(costClass(url)).toBe(kind));
});

describe('Lane', () => {
  /** The status a refused admission answers (0: admitted). */
  const refusal = (admitted: Promise<unknown>) =>
    admitted.then(
      () => 0,
      (error: unknown) => (error as HttpException).getStatus(),
    );

  it('admits the client admitted least recently first: one sending only these cannot starve others', async () => {
    const lane = new Lane('heavy', 1, 10, 60_000);
    const first = await lane.admit('hostile');
    const order: string[] = [];
    const queued = ['hostile', 'hostile', 'polite'].map((client) =>
      lane.admit(client).then((release) => {
        order.push(client);
        return release;
      }),
    );
    first();
    (await queued[2])();
    (await queued[0])();
    (await queued[1])();
    expect(order).toEqual(['polite', 'hostile', 'hostile']);
  });

  it('admits a new client at once while a slot is free, whoever else is waiting', async () => {
    const lane = new Lane('stream', 2, 10, 60_000);
    const a = await lane.admit('a');
    const a2 = lane.admit('a'); // waits: a has one running
    const b = await lane.admit('b'); // a slot is free: not behind a2
    expect(lane.load).toEqual({ running: 2, waiting: 1 });
    a();
    b();
    (await a2)();
  });

  it('runs at most its concurrency, one per client, the rest in turn', async () => {
    const lane = new Lane('heavy', 2, 10, 60_000);
    const a = await lane.admit('a');
    const b = await lane.admit('b');
    const order: string[] = [];
    const c = lane.admit('c').then((release) => (order.push('c'), release));
    const a2 = lane.admit('a').then((release) => (order.push('a2'), release));
    const d = lane.admit('d').then((release) => (order.push('d'), release));
    expect(lane.load).toEqual({ running: 2, waiting: 3 });
    a(); // a2 could run now, but c has not had a turn
    (await c)();
    b();
    await Promise.all([a2, d]);
    // c and d were never admitted before: both go before a's second request.
    expect(order).toEqual(['c', 'd', 'a2']);
    expect(lane.load).toEqual({ running: 2, waiting: 0 });
  });

  it('tells a client with too many waiting 429, and anyone past the queue or the wait 503', async () => {
    const lane = new Lane('stream', 1, QUEUED_PER_CLIENT + 1, 20);
    await lane.admit('a');
    const waiting = Array.from({ length: QUEUED_PER_CLIENT }, () => lane.admit('a'));
    expect(await refusal(lane.admit('a'))).toBe(429);
    const other = lane.admit('b');
    expect(await refusal(lane.admit('c'))).toBe(503);
    expect(lane.load.waiting).toBe(QUEUED_PER_CLIENT + 1);
    // Nobody released the slot: each waits its 20 ms, then is told 503.
    const waited = await Promise.all([...waiting, other].map(refusal));
    expect(waited).toEqual(Array<number>(QUEUED_PER_CLIENT + 1).fill(503));
    expect(lane.load).toEqual({ running: 1, waiting: 0 });

    const short = new Lane('heavy', 1, 5, 1);
    await short.admit('a');
    expect(await refusal(short.admit('b'))).toBe(503);
    expect(short.load.waiting).toBe(0);
  });
});
