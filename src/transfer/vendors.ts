import { Doc } from './documents';
import { uuidFor } from './ids';
import { Change } from './repair/changes';
import { canonicalUuid } from '../hsds/uuid';
import { docs, instant, isDoc, text } from './values';

/**
 * What real feeds publish beyond the standard, mapped to where ORUK 3.0 has a home for it
 * (docs/import.md). The Open Place directory product (Placecube), in its ORUK v1 and 3.0
 * feeds alike, adds to each service:
 *
 * - `pc_targetAudience: [{id, audienceType}]`: who the service is for, its only
 *   eligibility data on many services → attributes (link_type "audience") with terms of a
 *   vocabulary of the feed's, "Audience";
 * - `pc_metadata: {date_created, date_modified, date_assured, assured_by}` →
 *   `last_modified`, `assured_date` and `assurer_email` where the service has none;
 * - `pc_attendingAccess_additionalInfo`: free text about how to get in, which ORUK 3.0 has
 *   no field for: reported, with its value, so that nothing goes unseen.
 */
export const VENDOR_KEYS = [
  'pc_targetAudience',
  'pc_metadata',
  'pc_attendingAccess_additionalInfo',
];

export interface VendorMapping {
  /** Fields for the service, where it has none. */
  fields: Doc;
  /** Attributes (with their taxonomy_term) for the service. */
  attributes: Doc[];
  /** The vocabulary the attributes' terms belong to, when there are any. */
  taxonomy?: Doc;
  changes: Change[];
}

/**
 * `serviceId`: the service's id as it will be stored, which the attributes' ids are made
 * from; without one (a record without an id), the attributes get theirs when the record
 * has its own (src/transfer/repair/).
 */
export function vendorExtras(
  raw: Doc,
  serviceId: string | undefined,
  scope: string,
): VendorMapping {
  const out: VendorMapping = { fields: {}, attributes: [], changes: [] };
  const audiences = docs(raw.pc_targetAudience);
  if (audiences.length) {
    const taxonomyId = uuidFor(`${scope}:vocabulary`, 'pc_targetAudience');
    const terms = new Map<string, Doc>();
    audiences.forEach((audience, i) => {
      const name = text(audience.audienceType) ?? text(audience.name);
      if (!name) {
        out.changes.push({
          kind: 'dropped',
          rule: 'vendor-extra',
          path: `/pc_targetAudience/${i}`,
          before: audience,
          reason: 'an audience without a name',
        });
        return;
      }
      const code = text(audience.id) ?? name.toLowerCase();
      const termId = canonicalUuid(code) ?? uuidFor(`${scope}:audience`, code);
      const term = {
        id: termId,
        name,
        description: `Audience: ${name}`,
        taxonomy: 'Audience',
        taxonomy_id: taxonomyId,
        term: name,
        code,
      };
      terms.set(termId, term);
      out.attributes.push({
        id: serviceId && uuidFor(`${scope}:attribute`, `${serviceId}|audience|${termId}`),
        taxonomy_term_id: termId,
        link_type: 'audience',
        taxonomy_term: term,
      });
    });
    if (terms.size) {
      out.taxonomy = {
        id: taxonomyId,
        name: 'Audience',
        description: `Who services are for, as the feed ${scope} tags them (pc_targetAudience).`,
        taxonomy_terms: [...terms.values()],
      };
      out.changes.push({
        kind: 'repaired',
        rule: 'vendor-extra',
        path: '/pc_targetAudience',
        before: `${audiences.length} audience tag(s)`,
        after: `${terms.size} attribute(s) with link_type "audience"`,
        reason: 'who the service is for, as attributes of an Audience vocabulary',
      });
    }
  }
  const metadata = isDoc(raw.pc_metadata) ? raw.pc_metadata : undefined;
  if (metadata) {
    const modified = instant(metadata.date_modified);
    if (modified) out.fields.last_modified = modified.iso;
    const assured = text(metadata.date_assured);
    if (assured) out.fields.assured_date = assured;
    const assurer = text(metadata.assured_by);
    if (assurer && /@/.test(assurer)) out.fields.assurer_email = assurer;
    for (const [key, value] of Object.entries(metadata)) {
      const used =
        (key === 'date_modified' && modified) ||
        (key === 'date_assured' && assured) ||
        (key === 'assured_by' && assurer && /@/.test(assurer));
      if (!used)
        out.changes.push({
          kind: 'dropped',
          rule: 'vendor-extra',
          path: `/pc_metadata/${key}`,
          before: value,
          reason: 'a vendor field ORUK 3.0 has no home for',
        });
    }
  }
  const access = text(raw.pc_attendingAccess_additionalInfo);
  if (access)
    out.changes.push({
      kind: 'dropped',
      rule: 'vendor-extra',
      path: '/pc_attendingAccess_additionalInfo',
      before: access,
      reason: 'how to get in: ORUK 3.0 has no field for it',
    });
  return out;
}
