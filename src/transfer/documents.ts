/** An HSDS JSON object as read from a file or a feed, before validation. */
export type Doc = Record<string, unknown>;

/**
 * One document of an import, whatever the input's form (JSON, ndjson, CSV package, ORUK
 * v1, a harvested feed): a full service (SERVICE_FULL) or a taxonomy with its terms
 * (TAXONOMY_FULL). `at` says where it came from, for reports (e.g. `services.ndjson:12`).
 */
export interface SourceDocument {
  kind: 'service' | 'taxonomy';
  doc: Doc;
  at: string;
  /** Set when the input could not be read as a document here (e.g. a line not JSON). */
  problem?: string;
}

/**
 * Which kind an ORUK 3.0 JSON object is: a service has a status or an organization (both
 * unknown to taxonomies); a taxonomy has terms, or a description and no service fields.
 */
export function kindOf(doc: Doc): SourceDocument['kind'] | undefined {
  const has = (key: string) => doc[key] !== undefined && doc[key] !== null;
  if (['status', 'organization', 'organization_id', 'service_at_locations'].some(has))
    return 'service';
  if (has('taxonomy_terms') || (has('name') && has('description'))) return 'taxonomy';
  return has('name') ? 'service' : undefined;
}
