import type { Change } from './repair/changes';

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
  /**
   * Where ids that are not UUIDs come from, for the stable UUIDs made from them
   * (src/transfer/ids.ts): a feed's URL, or an import's --id-scope (default "local").
   */
  scope?: string;
  /** Changes already made to it (by the ORUK v1 mapping), before its repairs. */
  changes?: Change[];
  /** Where it came from, when it is another publisher's record (the harvest). */
  origin?: Origin;
  /**
   * A taxonomy derived for the services that follow it (their ORUK v1 vocabularies, a
   * product's audience tags), not one of the input's: stored before the batch of those
   * services rather than in input order (CompanionTaxonomies below).
   */
  companion?: boolean;
}

/**
 * The taxonomies a mapping derives for each service, given once per import: a taxonomy
 * with only the terms not given before (terms are merged into a taxonomy when it is
 * written, never replaced), nothing at all when it has none. A feed of a thousand v1
 * services that all use the same vocabularies thus gives them a handful of times, not a
 * thousand.
 */
export class CompanionTaxonomies {
  private readonly given = new Map<string, { taxonomy: string; terms: Set<string> }>();

  *documents(taxonomies: Doc[], at: string, scope: string): Generator<SourceDocument> {
    for (const { taxonomy_terms, ...taxonomy } of taxonomies) {
      const id = String(taxonomy.id);
      const text = JSON.stringify(taxonomy);
      const known = this.given.get(id);
      const same = known?.taxonomy === text;
      const terms = same ? known.terms : new Set<string>();
      if (!same) this.given.set(id, { taxonomy: text, terms });
      const fresh = (Array.isArray(taxonomy_terms) ? (taxonomy_terms as Doc[]) : []).filter(
        (term) => {
          const key = JSON.stringify(term);
          if (terms.has(key)) return false;
          terms.add(key);
          return true;
        },
      );
      if (same && !fresh.length) continue;
      yield {
        kind: 'taxonomy',
        doc: { ...taxonomy, taxonomy_terms: fresh },
        at,
        scope,
        companion: true,
      };
    }
  }
}

/** Where a service came from: kept as its provenance (src/hsds/entities.ts: Provenance). */
export interface Origin {
  /** The feed's base URL (or, for an import, a URN of its id scope). */
  feed: string;
  /** Its id there, as given. */
  sourceId: string;
  /** When it was fetched (default: when it is stored). */
  fetchedAt?: string;
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
