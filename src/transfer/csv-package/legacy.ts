import { posix } from 'node:path';
import { CsvError, csvRecords } from '../../common/csv';
import { CompanionTaxonomies, Doc, SourceDocument } from '../documents';
import { fromV1Service } from '../v1/mapper';
import { PackageFiles } from './files';
import { CsvPackageError } from './names';

/**
 * HSDS CSV packages of before 3.0: HSDS 1.x (which ORUK v1 extends, and ORUK v1's own CSV
 * exports) and HSDS 2.0. Their tables are those the ORUK v1 JSON nests
 * (`services_at_location.csv`, `physical_addresses.csv`, `regular_schedules.csv`,
 * `eligibility.csv`, `services_taxonomy.csv`, …), and their ids are often numbers. Each
 * service is assembled from its rows as the ORUK v1 document it would have been, then
 * mapped as every v1 document is (src/transfer/v1/), ids made stable UUIDs of the scope.
 * 2.0's `schedules.csv` (RRULE fields), `taxonomy_terms.csv` and `service_attributes.csv`
 * read as v1's regular schedules, taxonomies and service taxonomies.
 */

/** The tables of the older versions, by the names their files may have. */
const TABLES: Record<string, readonly string[]> = {
  organizations: ['organizations', 'organization'],
  services: ['services', 'service'],
  locations: ['locations', 'location'],
  services_at_location: [
    'services_at_location',
    'services_at_locations',
    'service_at_locations',
    'service_at_location',
  ],
  physical_addresses: ['physical_addresses', 'physical_address'],
  postal_addresses: ['postal_addresses', 'postal_address'],
  phones: ['phones', 'phone'],
  contacts: ['contacts', 'contact'],
  regular_schedules: ['regular_schedules', 'regular_schedule', 'schedules', 'schedule'],
  holiday_schedules: ['holiday_schedules', 'holiday_schedule'],
  eligibility: ['eligibility', 'eligibilitys', 'eligibilities'],
  service_areas: ['service_areas', 'service_area'],
  languages: ['languages', 'language'],
  accessibility_for_disabilities: ['accessibility_for_disabilities', 'accessibility'],
  taxonomy: ['taxonomy', 'taxonomies', 'taxonomy_terms', 'taxonomy_term'],
  services_taxonomy: [
    'services_taxonomy',
    'service_taxonomy',
    'service_taxonomys',
    'service_attributes',
  ],
  funding: ['funding', 'fundings'],
  cost_options: ['cost_options', 'cost_option'],
  reviews: ['reviews', 'review'],
};

/** File names that only a package of before 3.0 has. */
const LEGACY_ONLY = new Set([
  'services_at_location.csv',
  'services_at_locations.csv',
  'physical_addresses.csv',
  'postal_addresses.csv',
  'regular_schedules.csv',
  'holiday_schedules.csv',
  'accessibility_for_disabilities.csv',
  'services_taxonomy.csv',
  'service_taxonomy.csv',
  'service_attributes.csv',
  'other_attributes.csv',
  'eligibility.csv',
]);
/** File names that only an HSDS 3.0 package has. */
const V3_ONLY = new Set(['addresses.csv', 'attributes.csv', 'service_at_location.csv']);

/**
 * Which version the files say the package is: 'legacy' (before 3.0), '3.0', or a problem
 * when it holds files of both (a package read half one way and half the other would lose
 * records silently).
 */
export function packageVersion(files: string[], declared?: unknown): 'legacy' | '3.0' {
  const names = files.map((f) => posix.basename(f).toLowerCase());
  const legacy = names.filter((n) => LEGACY_ONLY.has(n));
  const v3 = names.filter((n) => V3_ONLY.has(n));
  if (legacy.length && v3.length) {
    throw new CsvPackageError(
      `the package has files of HSDS 3.0 (${v3.join(', ')}) and of an older HSDS ` +
        `(${legacy.join(', ')}): give one version's files only`,
    );
  }
  if (legacy.length) return 'legacy';
  if (typeof declared === 'string' && /^[12]\./.test(declared) && !v3.length) return 'legacy';
  return '3.0';
}

interface Row {
  cells: Doc;
  line: number;
}

async function rows(files: PackageFiles, file: string): Promise<Row[]> {
  let header: string[] | undefined;
  const out: Row[] = [];
  let line = 0;
  try {
    for await (const batch of csvRecords(await files.open(file), file)) {
      for (const fields of batch) {
        line++;
        if (!header) {
          header = fields.map((name) => name.trim().toLowerCase());
          continue;
        }
        if (fields.length !== header.length) {
          throw new CsvPackageError(
            `${file}, record ${line}: ${fields.length} fields where the header has ${header.length}`,
          );
        }
        const cells: Doc = {};
        header.forEach((name, i) => {
          if (fields[i] !== '' && name !== '') cells[name] = fields[i];
        });
        out.push({ cells, line });
      }
    }
  } catch (error) {
    if (error instanceof CsvError) throw new CsvPackageError(error.message);
    throw error;
  }
  return out;
}

/** The documents of an older package: v1 services assembled from its rows, then mapped. */
export async function* readLegacyPackage(
  files: PackageFiles,
  scope: string,
  warn: (at: string, message: string) => void,
): AsyncGenerator<SourceDocument> {
  const present = new Map(files.list().map((f) => [posix.basename(f).toLowerCase(), f]));
  const tables = new Map<string, Row[]>();
  const used = new Set<string>();
  for (const [table, names] of Object.entries(TABLES)) {
    const file = names.map((n) => present.get(`${n}.csv`)).find(Boolean);
    if (!file) continue;
    used.add(file);
    tables.set(table, await rows(files, file));
  }
  for (const file of files.list())
    if (!used.has(file) && !/datapackage\.json$/i.test(file))
      warn(file, 'not a table this server reads from an HSDS package of before 3.0: not read');
  const services = tables.get('services');
  if (!services)
    throw new CsvPackageError(
      'a package of before HSDS 3.0 without services.csv: nothing to import',
    );
  const by = (table: string, column: string) => {
    const index = new Map<string, Doc[]>();
    for (const { cells } of tables.get(table) ?? []) {
      const key = cells[column];
      if (typeof key !== 'string') continue;
      index.set(key, [...(index.get(key) ?? []), cells]);
    }
    return (key: unknown) => (typeof key === 'string' ? (index.get(key) ?? []) : []);
  };
  const one = (table: string) => {
    const found = by(table, 'id');
    return (key: unknown) => found(key)[0];
  };
  const organization = one('organizations');
  const location = one('locations');
  const taxonomy = one('taxonomy');
  const sals = by('services_at_location', 'service_id');
  const schedules = by('regular_schedules', 'service_id');
  const salSchedules = by('regular_schedules', 'service_at_location_id');
  const holidays = by('holiday_schedules', 'service_id');
  const physical = by('physical_addresses', 'location_id');
  const postal = by('postal_addresses', 'location_id');
  const access = by('accessibility_for_disabilities', 'location_id');
  const servicePhones = by('phones', 'service_id');
  const contactPhones = by('phones', 'contact_id');
  const locationPhones = by('phones', 'location_id');
  const contacts = by('contacts', 'service_id');
  const eligibility = by('eligibility', 'service_id');
  const areas = by('service_areas', 'service_id');
  const languages = by('languages', 'service_id');
  const funding = by('funding', 'service_id');
  const costs = by('cost_options', 'service_id');
  const reviews = by('reviews', 'service_id');
  const links = by('services_taxonomy', 'service_id');
  /** A v1 taxonomy: 1.x's {name, vocabulary}, or 2.0's term {term, taxonomy}. */
  const asV1Taxonomy = (row: Doc | undefined, id: unknown): Doc | undefined => {
    if (!row) return typeof id === 'string' ? { id } : undefined;
    const { term, taxonomy: scheme, ...rest } = row;
    return { ...rest, name: rest.name ?? term, vocabulary: rest.vocabulary ?? scheme };
  };
  const servicesFile = present.get('services.csv') ?? 'services.csv';
  const companions = new CompanionTaxonomies();
  for (const { cells, line } of services) {
    const v1: Doc = {
      ...cells,
      organization: organization(cells.organization_id),
      service_at_locations: sals(cells.id).map((sal) => {
        const place = location(sal.location_id);
        return {
          ...sal,
          location: place && {
            ...place,
            physical_addresses: physical(place.id),
            postal_addresses: postal(place.id),
            accessibility_for_disabilities: access(place.id),
            phones: locationPhones(place.id),
          },
          regular_schedule: salSchedules(sal.id),
        };
      }),
      regular_schedules: schedules(cells.id).filter((s) => s.service_at_location_id === undefined),
      holiday_schedules: holidays(cells.id),
      eligibilitys: eligibility(cells.id),
      service_areas: areas(cells.id),
      languages: languages(cells.id),
      fundings: funding(cells.id),
      cost_options: costs(cells.id),
      reviews: reviews(cells.id),
      contacts: contacts(cells.id).map((c) => ({ ...c, phones: contactPhones(c.id) })),
      phones: servicePhones(cells.id).filter((p) => p.contact_id === undefined),
      service_taxonomys: links(cells.id).map((link) => {
        const termId = link.taxonomy_id ?? link.taxonomy_term_id;
        return { id: link.id, taxonomy: asV1Taxonomy(taxonomy(termId), termId) };
      }),
    };
    const at = `${servicesFile}:${line}`;
    const { service, taxonomies, changes } = fromV1Service(v1, scope);
    yield* companions.documents(taxonomies, at, scope);
    yield { kind: 'service', doc: service, at, scope, changes };
  }
}
