import { INestApplication, Logger } from '@nestjs/common';
import type { Server, ServerResponse } from 'node:http';

/**
 * Graceful shutdown on SIGTERM and SIGINT: stop accepting connections, finish the requests
 * in progress, close the database pool, stop the embedded PostgreSQL if this process
 * started it, then exit 0. If that takes longer than `timeoutMs`, exit 1 there and then;
 * a second signal exits 1 at once.
 *
 * Steps run in the reverse order of their adding: the server (added last) goes before the
 * database it reads from (added first). Signals are handled from the start, so a signal
 * during start-up (say, while migrations run) still stops what was started.
 */
export class GracefulShutdown {
  private readonly steps: { name: string; run: () => Promise<void> }[] = [];
  private started = false;

  constructor(
    private readonly timeoutMs: number,
    private readonly logger = new Logger('Shutdown'),
  ) {}

  listen(signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT']): this {
    for (const signal of signals) process.on(signal, () => void this.run(signal));
    return this;
  }

  add(name: string, run: () => Promise<void>): void {
    this.steps.unshift({ name, run });
  }

  private async run(signal: NodeJS.Signals): Promise<void> {
    if (this.started) {
      this.logger.warn(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    this.started = true;
    this.logger.log(`${signal}: shutting down (at most ${this.timeoutMs} ms)`);
    const deadline = setTimeout(() => {
      this.logger.error(`shutdown took longer than ${this.timeoutMs} ms: exiting`);
      process.exit(1);
    }, this.timeoutMs);
    for (const step of this.steps) {
      try {
        await step.run();
      } catch (error) {
        this.logger.error(`closing ${step.name} failed: ${String(error)}`);
        process.exit(1);
      }
    }
    clearTimeout(deadline);
    this.logger.log('shut down');
    process.exit(0);
  }
}

/**
 * Closes a Nest HTTP application: the listening socket first (new connections are
 * refused), then, once every response in progress has been sent, the providers'
 * shutdown hooks (the database pool). Requests that still arrive on connections already
 * open are answered with `Connection: close`, and connections are closed as soon as they
 * are idle rather than kept alive.
 */
export function closeHttpApp(app: INestApplication): () => Promise<void> {
  return async () => {
    const server = app.getHttpServer() as Server;
    server.prependListener('request', (_request, response: ServerResponse) =>
      response.setHeader('Connection', 'close'),
    );
    const idle = setInterval(() => server.closeIdleConnections(), 100);
    try {
      await app.close();
    } finally {
      clearInterval(idle);
    }
  };
}
