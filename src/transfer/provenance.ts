import { DataSource } from 'typeorm';
import type { FeedVersion } from '../feed/listing';

/**
 * What the harvest keeps about feeds and the services it took from them (the tables
 * `feed` and `provenance`, src/hsds/entities.ts).
 */

/** The last harvest of a feed, if any: its version and when its last completed run started. */
export async function previousHarvest(
  db: DataSource,
  base: string,
): Promise<
  { version: string; last_started_at: Date | null; rejected: string[] | null } | undefined
> {
  const [previous] = await db.query<
    { version: string; last_started_at: Date | null; rejected: string[] | null }[]
  >(`SELECT version, last_started_at, rejected FROM feed WHERE base_url = $1`, [base]);
  return previous;
}

/** Records that a feed is being harvested as `version` (a feed now of another version starts over). */
export async function startHarvest(
  db: DataSource,
  base: string,
  version: FeedVersion,
): Promise<void> {
  await db.query(
    `INSERT INTO feed AS f (base_url, version) VALUES ($1, $2)
     ON CONFLICT (base_url) DO UPDATE SET version = EXCLUDED.version,
       -- A feed now of another version starts over.
       last_started_at = CASE WHEN f.version = EXCLUDED.version THEN f.last_started_at END,
       last_completed_at = CASE WHEN f.version = EXCLUDED.version THEN f.last_completed_at END`,
    [base, version],
  );
}

/**
 * Records the end of a harvest: when it `completed` (no failed request), that the next one
 * asks for what changed since it started; in any case, the services it rejected, which the
 * next one reads again.
 */
export async function completeHarvest(
  db: DataSource,
  base: string,
  completed: Date | undefined,
  rejected: string[],
): Promise<void> {
  await db.query(
    `UPDATE feed SET rejected = $3,
       last_started_at = coalesce($2, last_started_at),
       last_completed_at = CASE WHEN $2::timestamptz IS NULL THEN last_completed_at ELSE now() END
     WHERE base_url = $1`,
    [base, completed?.toISOString() ?? null, rejected.length ? rejected : null],
  );
}

/**
 * After a full listing: the feed's services it no longer has are marked gone and made
 * inactive (the status change stamps last_modified). Returns how many were newly marked.
 */
export async function markGone(db: DataSource, base: string, listed: string[]): Promise<number> {
  const [{ gone }] = await db.query<{ gone: number }[]>(
    `WITH gone AS (
       UPDATE provenance SET gone_at = now()
       WHERE source_feed = $1 AND gone_at IS NULL AND NOT (source_id = ANY($2::text[]))
       RETURNING id
     ), inactive AS (
       UPDATE service SET status = 'inactive'
       WHERE id IN (SELECT id FROM gone) AND status <> 'inactive'
       RETURNING id
     )
     SELECT count(*)::int AS gone FROM gone`,
    [base, listed],
  );
  return gone;
}
