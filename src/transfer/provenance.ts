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
): Promise<{ version: string; last_started_at: Date | null } | undefined> {
  const [previous] = await db.query<{ version: string; last_started_at: Date | null }[]>(
    `SELECT version, last_started_at FROM feed WHERE base_url = $1`,
    [base],
  );
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

/** Records a completed harvest: the next one asks for what changed since `startedAt`. */
export async function completeHarvest(
  db: DataSource,
  base: string,
  startedAt: Date,
): Promise<void> {
  await db.query(
    `UPDATE feed SET last_started_at = $2, last_completed_at = now() WHERE base_url = $1`,
    [base, startedAt.toISOString()],
  );
}

export async function recordProvenance(
  db: DataSource,
  base: string,
  rows: { id: string; source_id: string; fetched_at: string }[],
): Promise<void> {
  await db.query(
    `INSERT INTO provenance AS p (id, source_feed, source_id, fetched_at, gone_at)
     SELECT r.id, $1, r.source_id, r.fetched_at, NULL
     FROM json_to_recordset($2::json) AS r(id uuid, source_id text, fetched_at timestamptz)
     ON CONFLICT (id) DO UPDATE SET source_feed = EXCLUDED.source_feed,
       source_id = EXCLUDED.source_id, fetched_at = EXCLUDED.fetched_at, gone_at = NULL`,
    [base, JSON.stringify(rows)],
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
