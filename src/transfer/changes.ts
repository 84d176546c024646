import { DataSource } from 'typeorm';
import { Change } from './repair/changes';

/** A record's changes as its last import left them (table record_change). */
export interface StoredChanges {
  record_id: string;
  record_type: string;
  source: string;
  imported_at: string;
  changes: Change[];
}

/** The records with changes, most recently imported first; of one id or rule when asked. */
export async function storedChanges(
  db: DataSource,
  { id, rule, limit }: { id?: string; rule?: string; limit?: number },
): Promise<StoredChanges[]> {
  const rows = await db.query<StoredChanges[]>(
    `SELECT record_id, record_type, source,
            to_char(imported_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS imported_at,
            CASE WHEN $2::text IS NULL THEN changes
                 ELSE (SELECT jsonb_agg(c) FROM jsonb_array_elements(changes) c WHERE c->>'rule' = $2)
            END AS changes
     FROM record_change
     WHERE ($1::uuid IS NULL OR record_id = $1::uuid)
       AND ($2::text IS NULL OR changes @> jsonb_build_array(jsonb_build_object('rule', $2::text)))
     ORDER BY imported_at DESC, record_id
     LIMIT $3`,
    [id ?? null, rule ?? null, limit ?? null],
  );
  return rows;
}
