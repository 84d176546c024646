import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { Client } from 'pg';
import { DATABASE_URL } from './database.provider';

/** The version of everything the API serves, as the database last announced it. */
export interface Version {
  /** Chosen when the database was made (with its oid): two databases never share a version. */
  epoch: string;
  /** Raised by every committed change to served data (bigint, as text). */
  version: string;
  /** When it was last raised (microseconds kept). */
  changedAt: Date;
}

/** How long to wait before connecting again, the first time and at most. */
const RECONNECT_MS = { first: 500, max: 30_000 };
/** Where LISTEN is impossible (a hot standby), how often the version is read instead. */
export const POLL_MS = 1000;

const CHANNEL = 'oruk_data_version';
/**
 * The version, its epoch made distinct for a copy of the database too (CREATE DATABASE …
 * TEMPLATE, which copies the row: a copy has its own oid, a physical replica the same).
 */
const READ = `
  SELECT left(md5(epoch::text || ':' || (SELECT oid FROM pg_database WHERE datname = current_database())), 12) AS epoch,
         version::text, changed_at
  FROM data_version`;

/**
 * The data version (docs/caching.md; migration 1795586130892): kept current on a connection
 * of its own that LISTENs to the database's announcement of each change, so that ETags and
 * the response cache (src/http/caching.ts) follow changes made by any writer, in any process.
 * LISTEN first, then read: no change falls between the two. While that connection is
 * down, or before it first answered, `current` is undefined and nothing is cached or
 * validated; it reconnects with backoff. On a hot standby, where LISTEN is refused, it reads
 * the version every POLL_MS instead. `change` is emitted whenever `current` changes.
 */
@Injectable()
export class DataVersion
  extends EventEmitter<{ change: [Version | undefined] }>
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger('DataVersion');
  private value?: Version;
  private client?: Client;
  private stopped = false;
  private retryMs = RECONNECT_MS.first;
  private timer?: NodeJS.Timeout;

  constructor(@Inject(DATABASE_URL) private readonly url: string) {
    super();
  }

  get current(): Version | undefined {
    return this.value;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  /** The version as last read (reads run one at a time on one connection, in order). */
  private set(next: Version | undefined): void {
    const before = this.value;
    if (next?.epoch === before?.epoch && next?.version === before?.version) return;
    this.value = next;
    this.emit('change', next);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new Client({
      connectionString: this.url,
      application_name: 'oruk-server data version',
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      connectionTimeoutMillis: 10_000,
    });
    this.client = client;
    let lost = false;
    const onLost = (error?: Error) => {
      if (lost) return;
      lost = true;
      if (this.client === client) this.client = undefined;
      client.end().catch(() => undefined);
      this.set(undefined);
      if (this.stopped) return;
      this.logger.warn(
        `lost the database's change announcements${error ? ` (${error.message})` : ''}: ` +
          `nothing is cached until they are back; again in ${this.retryMs} ms`,
      );
      this.retryLater();
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    // One read at a time on the connection: asked again while reading, it reads once more
    // when that read is done (so the last announcement is always followed by a read).
    let reading: Promise<void> | undefined;
    let again = false;
    const refresh = (): Promise<void> => {
      if (reading) {
        again = true;
        return reading;
      }
      reading = (async () => {
        do {
          again = false;
          await this.read(client);
        } while (again);
      })().finally(() => (reading = undefined));
      return reading;
    };
    // An announcement says that the version changed; the version itself is read from the
    // table (anyone who may connect may NOTIFY the channel, with anything in it).
    client.on('notification', (message) => {
      if (message.channel === CHANNEL) refresh().catch((error: Error) => onLost(error));
    });
    try {
      await client.connect();
      let listening = true;
      try {
        await client.query(`LISTEN ${CHANNEL}`);
      } catch (error) {
        // A hot standby: "cannot execute LISTEN during recovery".
        if ((error as { code?: string }).code !== '25006') throw error;
        listening = false;
      }
      await refresh();
      this.retryMs = RECONNECT_MS.first;
      if (!listening) {
        const poll = () => {
          this.timer = setTimeout(() => {
            if (!lost) refresh().then(poll, onLost);
          }, POLL_MS);
          this.timer.unref();
        };
        poll();
      }
    } catch (error) {
      onLost(error as Error);
    }
  }

  private async read(client: Client): Promise<void> {
    const { rows } = await client.query<{ epoch: string; version: string; changed_at: Date }>(READ);
    const row = rows[0];
    if (row) this.set({ epoch: row.epoch, version: row.version, changedAt: row.changed_at });
  }

  private retryLater(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.connect(), this.retryMs);
    this.timer.unref();
    this.retryMs = Math.min(RECONNECT_MS.max, this.retryMs * 2);
  }
}
