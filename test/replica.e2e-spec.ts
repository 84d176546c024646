import request from 'supertest';
import { Client } from 'pg';
import { DataVersion } from '../src/database/data-version';
import { createTestApp, newerThan, TestApp, versionWhen } from './support/app';
import { Replicated, startReplicatedPair } from './support/replica';

/**
 * A server on a hot standby (docs/caching.md): LISTEN is refused there, so it reads the
 * data version instead, and agrees with a server on the primary on every ETag.
 */
describe('HTTP caching on a hot standby', () => {
  let pair: Replicated;
  let primary: TestApp;
  let standby: TestApp;
  let writer: Client;

  beforeAll(async () => {
    pair = await startReplicatedPair('oruk_replica_test');
    primary = await createTestApp({}, () => pair.primaryUrl);
    writer = new Client({ connectionString: pair.primaryUrl });
    await writer.connect();
    // The standby has the schema once it has replayed the migrations: its server reads the
    // version once it can.
    standby = await createTestApp({ MIGRATIONS_RUN: 'false' }, () => pair.standbyUrl);
    await versionWhen(primary, Boolean);
    const seen = primary.app.get(DataVersion).current!;
    await versionWhen(standby, (v) => v?.version === seen.version);
  });
  afterAll(async () => {
    await writer?.end();
    await standby?.close();
    await primary?.close();
    await pair?.stop();
  });

  const organization = (name: string) =>
    writer.query(
      `INSERT INTO organization (id, name, description) VALUES (gen_random_uuid(), $1, 'On the primary')`,
      [name],
    );

  it('has the primary’s version and ETags, and follows its changes', async () => {
    const path = '/organizations?per_page=10';
    const [one, two] = await Promise.all([
      request(primary.http).get(path).expect(200),
      request(standby.http).get(path).expect(200),
    ]);
    expect(two.headers.etag).toBe(one.headers.etag);

    // Two writes, one after the other: the standby's server keeps reading, not just once.
    let seen = two.headers.etag;
    for (const name of ['Written on the primary', 'Written again']) {
      const before = primary.app.get(DataVersion).current;
      await organization(name);
      const raised = await versionWhen(primary, newerThan(before));
      await versionWhen(standby, (v) => v?.version === raised!.version);
      const [three, four] = await Promise.all([
        request(primary.http).get(path).expect(200),
        request(standby.http).get(path).set('If-None-Match', seen).expect(200),
      ]);
      expect(four.headers.etag).toBe(three.headers.etag);
      expect(four.headers.etag).not.toBe(seen);
      expect(four.body.contents.map((o: { name: string }) => o.name)).toContain(name);
      await request(standby.http).get(path).set('If-None-Match', three.headers.etag).expect(304);
      seen = three.headers.etag;
    }
  });
});
