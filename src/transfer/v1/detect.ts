import { Doc } from '../documents';
import { asDoc, docs, isDoc } from '../values';

/**
 * Telling ORUK v1 documents from ORUK 3.0 ones (docs/standard.md, "ORUK v1"): by the keys
 * only one of them has.
 */

/** Keys only a v1 service has (3.0 has none of them at the service level). */
const V1_SERVICE_KEYS = [
  'service_taxonomys',
  'regular_schedules',
  'holiday_schedules',
  'eligibilitys',
  'fundings',
  'reviews',
  'deliverable_type',
  'attending_type',
  'attending_access',
];

/** Keys only a 3.0 service has: a document with any of them is never taken for v1. */
const V3_SERVICE_KEYS = [
  'schedules',
  'attributes',
  'funding',
  'last_modified',
  'assurer_email',
  'alert',
];

/** Whether a JSON object is an ORUK v1 service (a full one or a `/services` list item). */
export function isV1Service(doc: Doc): boolean {
  if (!isDoc(doc) || V3_SERVICE_KEYS.some((key) => key in doc)) return false;
  if (V1_SERVICE_KEYS.some((key) => key in doc)) return true;
  const v1Location = docs(doc.service_at_locations).some((sal) => {
    const location = asDoc(sal.location);
    return (
      'regular_schedule' in sal ||
      (location !== undefined &&
        ('physical_addresses' in location || 'accessibility_for_disabilities' in location))
    );
  });
  const v1Language = docs(doc.languages).some((l) => typeof l.language === 'string');
  const organization = asDoc(doc.organization);
  const v1Organization =
    organization !== undefined && 'url' in organization && !('website' in organization);
  return v1Location || v1Language || v1Organization;
}

/** Whether a response body is a v1 page envelope (Spring-style, camelCase). */
export function isV1Page(body: unknown): boolean {
  if (!isDoc(body) || !Array.isArray(body.content) || 'contents' in body) return false;
  return typeof body.totalElements === 'number' || typeof body.totalPages === 'number';
}

/** The items of a v1 page envelope (none if the body is not one). */
export function v1PageContents(body: unknown): Doc[] {
  return isV1Page(body) ? docs((body as Doc).content) : [];
}
