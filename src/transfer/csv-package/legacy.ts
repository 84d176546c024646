import { posix } from 'node:path';
import { CompanionTaxonomies, Doc, SourceDocument } from '../documents';
import { fromV1Service } from '../v1/mapper';
import { numberedRecords, PackageFiles } from './files';
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
const V3_ONLY = new Set([
  'addresses.csv',
  'address.csv',
  'attributes.csv',
  'attribute.csv',
  'service_at_location.csv',
]);

/**
 * Which version the files say the package is: 'legacy' (before 3.0), '3.0', or a problem
 * when it holds files of both (a package read half one way and half the other would lose
 * records silently).
 */
export function packageVersion(files: string[]): 'legacy' | '3.0' {
  const names = files.map((f) => posix.basename(f).toLowerCase());
  const legacy = names.filter((n) => LEGACY_ONLY.has(n));
  const v3 = names.filter((n) => V3_ONLY.has(n));
  if (legacy.length && v3.length) {
    throw new CsvPackageError(
      `the package has files of HSDS 3.0 (${v3.join(', ')}) and of an older HSDS ` +
        `(${legacy.join(', ')}): give one version's files only`,
    );
  }
  // (datapackage.json's `version` is the package's own, not the standard's: not a sign.)
  return legacy.length ? 'legacy' : '3.0';
}

interface Row {
  cells: Doc;
  line: number;
}

async function rows(files: PackageFiles, file: string): Promise<Row[]> {
  let header: string[] | undefined;
  const out: Row[] = [];
  for await (const { fields, line } of numberedRecords(await files.open(file), file)) {
    if (!header) {
      header = fields.map((name) => name.trim().toLowerCase());
      continue;
    }
    if (fields.length !== header.length) {
      throw new CsvPackageError(
        `${file}, line ${line}: ${fields.length} fields where the header has ${header.length}`,
      );
    }
    const cells: Doc = {};
    header.forEach((name, i) => {
      if (fields[i] !== '' && name !== '') cells[name] = fields[i];
    });
    out.push({ cells, line });
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
  const fileOf: Record<string, string> = {};
  const used = new Set<string>();
  for (const [table, names] of Object.entries(TABLES)) {
    const file = names.map((n) => present.get(`${n}.csv`)).find(Boolean);
    if (!file) continue;
    used.add(file);
    fileOf[table] = file;
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
      let list = index.get(key);
      if (!list) index.set(key, (list = []));
      list.push(cells);
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
  /** The rows that made it into a service: the others are named, not lost without a word. */
  const reached = new Set<Doc>();
  const use = (found: Doc[]): Doc[] => {
    for (const row of found) reached.add(row);
    return found;
  };
  const useOne = (row: Doc | undefined): Doc | undefined => {
    if (row) reached.add(row);
    return row;
  };
  /**
   * A v1 taxonomy: 1.x's {name, vocabulary}, or 2.0's term {term, taxonomy}, with the rows
   * of its parents nested as v1 nests them (so that they are stored as terms too).
   */
  const asV1Taxonomy = (row: Doc | undefined, id: unknown, depth = 0): Doc | undefined => {
    if (!row) return typeof id === 'string' ? { id } : undefined;
    reached.add(row);
    const { term, taxonomy: scheme, ...rest } = row;
    const parent =
      typeof rest.parent_id === 'string' && depth < 20
        ? asV1Taxonomy(taxonomy(rest.parent_id), rest.parent_id, depth + 1)
        : undefined;
    const v1: Doc = { ...rest, name: rest.name ?? term, vocabulary: rest.vocabulary ?? scheme };
    if (parent?.name !== undefined) {
      // The parent itself, not only its id and name.
      delete v1.parent_id;
      delete v1.parent_name;
      v1.parent = parent;
    }
    return v1;
  };
  const servicesFile = present.get('services.csv') ?? 'services.csv';
  const companions = new CompanionTaxonomies();
  for (const { cells, line } of services) {
    const v1: Doc = {
      ...cells,
      organization: useOne(organization(cells.organization_id)),
      service_at_locations: use(sals(cells.id)).map((sal) => {
        const place = useOne(location(sal.location_id));
        return {
          ...sal,
          location: place && {
            ...place,
            physical_addresses: use(physical(place.id)),
            postal_addresses: use(postal(place.id)),
            accessibility_for_disabilities: use(access(place.id)),
            phones: use(locationPhones(place.id)),
          },
          regular_schedule: use(salSchedules(sal.id)),
        };
      }),
      regular_schedules: use(
        schedules(cells.id).filter((s) => s.service_at_location_id === undefined),
      ),
      holiday_schedules: use(holidays(cells.id)),
      eligibilitys: use(eligibility(cells.id)),
      service_areas: use(areas(cells.id)),
      languages: use(languages(cells.id)),
      fundings: use(funding(cells.id)),
      cost_options: use(costs(cells.id)),
      reviews: use(reviews(cells.id)),
      contacts: use(contacts(cells.id)).map((c) => ({ ...c, phones: use(contactPhones(c.id)) })),
      phones: use(servicePhones(cells.id).filter((p) => p.contact_id === undefined)),
      service_taxonomys: use(links(cells.id)).map((link) => {
        const termId = link.taxonomy_id ?? link.taxonomy_term_id;
        return { id: link.id, taxonomy: asV1Taxonomy(taxonomy(termId), termId) };
      }),
    };
    const at = `${servicesFile}:${line}`;
    const { service, taxonomies, changes } = fromV1Service(v1, scope);
    yield* companions.documents(taxonomies, at, scope);
    yield { kind: 'service', doc: service, at, scope, changes };
  }
  for (const [table, found] of tables) {
    if (table === 'services') continue;
    const lost = found.filter((row) => !reached.has(row.cells));
    if (lost.length)
      warn(
        fileOf[table],
        `${lost.length} of its ${found.length} rows belong to no service of the package ` +
          `(by the ids they name), e.g. line ${lost[0].line}: not read`,
      );
  }
}
