import { rm } from 'node:fs/promises';
import type { EmbeddedDatabase } from '../../src/database/embedded';

/** Stops the embedded PostgreSQL that global-setup.ts started, if any, and removes its data. */
export default async function globalTeardown(): Promise<void> {
  const started = (
    globalThis as { embeddedTestDatabase?: { embedded: EmbeddedDatabase; parent: string } }
  ).embeddedTestDatabase;
  if (!started) return;
  await started.embedded.stop();
  await rm(started.parent, { recursive: true, force: true });
}
