import { ServiceDocument } from './generate';
import { Random } from './random';

/**
 * Synthetic services with the faults of real published feeds (docs/import.md), at rates
 * like those seen in them: for `BENCH_MESSY=1 npm run bench:import`, which imports such a
 * file and compares what the import reports with what was injected here. Each fault is
 * counted once per service it was put in; a fault whose field the service lacks is not.
 */
export const FAULTS = {
  /** UUID-shaped ids that are not RFC 4122 ones (version and variant nibbles): every id. */
  'non-rfc-ids': 2 / 3,
  'upper-case-id': 0.02,
  'numeric-id': 0.05,
  'url-without-scheme': 0.06,
  'javascript-url': 0.005,
  'placeholder-url': 0.005,
  'email-trailing-dot': 0.005,
  'email-zero-width-space': 0.005,
  'age-minus-one': 0.2,
  'last-modified-without-offset': 0.5,
  'date-dd-mm-yyyy': 0.05,
  'phones-without-ids': 0.3,
  'numeric-extension': 0.02,
  'link-entity-outside-enum': 0.05,
  'coordinates-0-0': 0.01,
  'latitude-out-of-range': 0.005,
  'address-without-county': 0.1,
  'status-capitalised': 0.03,
  'vendor-audience': 0.25,
  'vendor-field': 0.1,
  'no-name': 0.003,
  'no-organization': 0.002,
} as const;
export type Fault = keyof typeof FAULTS;

/** What the faults touch of a service document. */
interface Messy {
  [key: string]: unknown;
  id: string;
  name?: string;
  url?: string;
  email?: string;
  status: string;
  minimum_age?: number;
  maximum_age?: number;
  last_modified?: string;
  assured_date?: string;
  contacts?: { phones?: { id?: string; extension?: unknown }[] }[];
  service_at_locations?: {
    location: { latitude?: number; longitude?: number; addresses?: { state_province?: string }[] };
  }[];
  attributes?: { link_entity?: string }[];
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const VARIANT: Record<string, string> = { '8': '0', '9': '1', a: 'c', b: 'd' };

/**
 * The same id made not RFC 4122 for two of three ids (by their last digit), the same way
 * wherever it appears: version nibble `d`, variant nibble outside 8–b. One-to-one, so no
 * two ids meet.
 */
export function withNonRfcIds(text: string): string {
  return text.replace(UUID, (id) =>
    parseInt(id[35], 16) % 3 === 2
      ? id
      : `${id.slice(0, 14)}d${id.slice(15, 19)}${VARIANT[id[19]] ?? id[19]}${id.slice(20)}`,
  );
}

/** The service with faults put in, and which. */
export function messUp(
  service: ServiceDocument,
  index: number,
): { doc: ServiceDocument; faults: Fault[] } {
  const random = new Random(`messy:${index}`);
  const faults: Fault[] = [];
  const maybe = (fault: Fault, apply: () => boolean | void) => {
    if (random.chance(FAULTS[fault]) && apply() !== false) faults.push(fault);
  };
  let text = withNonRfcIds(JSON.stringify(service));
  if (text !== JSON.stringify(service)) faults.push('non-rfc-ids');
  const { id } = JSON.parse(text) as Messy;
  // A service's own id in other forms, wherever it is named.
  maybe('upper-case-id', () => void (text = text.replaceAll(id, id.toUpperCase())));
  maybe('numeric-id', () => void (text = text.replaceAll(id, String(100_000 + index))));
  const doc = JSON.parse(text) as Messy;
  const phones = (doc.contacts ?? []).flatMap((c) => c.phones ?? []);
  const locations = (doc.service_at_locations ?? []).map((s) => s.location);
  const addresses = locations.flatMap((l) => l.addresses ?? []);
  const host = `${String(doc.name)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 40)}.example-charity.org.uk`;

  maybe('url-without-scheme', () => void (doc.url = `www.${host}/about`));
  maybe('javascript-url', () => void (doc.url = 'javascript:void(0)'));
  maybe('placeholder-url', () => void (doc.url = 'http://www.example.com'));
  maybe('email-trailing-dot', () => void (doc.email = `hello@${host}.`));
  maybe('email-zero-width-space', () => void (doc.email = `\u200Bhello@${host}`));
  maybe('age-minus-one', () => {
    doc.minimum_age = -1;
    if (doc.maximum_age === undefined) doc.maximum_age = -1;
  });
  maybe('last-modified-without-offset', () => {
    if (typeof doc.last_modified !== 'string') return false;
    doc.last_modified = doc.last_modified.slice(0, 19);
  });
  maybe('date-dd-mm-yyyy', () => {
    if (typeof doc.assured_date !== 'string') return false;
    const [y, m, d] = doc.assured_date.split('-');
    doc.assured_date = `${d}/${m}/${y}`;
  });
  maybe('phones-without-ids', () => {
    if (!phones.length) return false;
    for (const p of phones) delete p.id;
  });
  maybe('numeric-extension', () => {
    if (!phones.length) return false;
    phones[0].extension = 100 + random.int(0, 899);
  });
  maybe('link-entity-outside-enum', () => {
    const attribute = doc.attributes?.[0];
    if (!attribute) return false;
    attribute.link_entity = 'link_entity';
  });
  maybe('coordinates-0-0', () => {
    if (locations[0]?.latitude === undefined) return false;
    locations[0].latitude = 0;
    locations[0].longitude = 0;
  });
  maybe('latitude-out-of-range', () => {
    if (locations[0]?.latitude === undefined) return false;
    locations[0].latitude += 100;
  });
  maybe('address-without-county', () => {
    if (!addresses.length) return false;
    for (const a of addresses) delete a.state_province;
  });
  maybe(
    'status-capitalised',
    () => void (doc.status = `${doc.status[0].toUpperCase()}${doc.status.slice(1)}`),
  );
  maybe('vendor-audience', () => {
    // The product's own ids for its audience tags: one per tag.
    const tag = random.int(0, AUDIENCES.length - 1);
    doc.pc_targetAudience = [{ id: String(80_420 + tag), audienceType: AUDIENCES[tag] }];
  });
  maybe('vendor-field', () => void (doc.linkid = `x-${index}`));
  maybe('no-name', () => void delete doc.name);
  maybe('no-organization', () => {
    delete doc.organization;
    delete doc.organization_id;
  });
  return { doc: doc as unknown as ServiceDocument, faults };
}

const AUDIENCES = ['Older people', 'Carers', 'Young people', 'Families', 'Adults', 'Veterans'];
