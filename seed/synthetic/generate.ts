import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../src/config/config';
import { INWARD_LETTERS, localAuthorityScheme, Town, TOWNS, TOWNS_BY_REGION } from './places';
import { Random } from './random';
import {
  ACCESS_SENTENCES,
  ACCESSIBILITY,
  ACCREDITATIONS,
  ACTIVE_ALERTS,
  ACTIVITIES,
  ALERTS,
  ATTENDING,
  Audience,
  AUDIENCES,
  BRAND_FIRST,
  BRAND_SECOND,
  CHARITY_KIND,
  EXTRA_SENTENCES,
  FIRST_NAMES,
  FUNDERS,
  GENERAL_AUDIENCES,
  JOB_TITLES,
  LANGUAGES,
  LAST_NAMES,
  NHS_NAMES,
  SAINTS,
  SCHEDULE_NOTES,
  STREET_NAMES,
  STREET_TYPES,
  TERM_AUDIENCES,
  Theme,
  THEMES,
  VENUES,
} from './words';

/**
 * Synthetic ORUK 3.0 full-service documents (shape SERVICE_FULL) for benchmarks: any
 * number, deterministic for a seed (ids included), generated lazily in constant memory.
 *
 * Every record has its own random stream keyed by the seed and its position (see
 * ./random.ts), so a record shared by several services (an organization, a location) is
 * rebuilt identically in each of them and loading stays idempotent. Services come
 * organization by organization: ~services/6 organizations (council teams, NHS bodies,
 * charities, community groups) of varied size, ~services/2 locations shared between the
 * services of their organization, in ~65 real UK towns. Dates are relative to AS_OF, not
 * to the clock, so that a seed always gives the same documents.
 */

export const AS_OF = '2026-11-01';

export interface TaxonomyTermDocument {
  id: string;
  name: string;
  description: string;
  parent_id?: string;
  taxonomy_id?: string;
  [field: string]: unknown;
}

export interface TaxonomyDocument {
  id: string;
  name: string;
  taxonomy_terms?: TaxonomyTermDocument[];
  [field: string]: unknown;
}

/** A generated document: an ORUK 3.0 full service with everything nested in it. */
export type ServiceDocument = Record<string, unknown> & {
  id: string;
  organization_id: string;
  name: string;
  status: string;
  organization: Record<string, unknown> & { id: string };
  service_at_locations: (Record<string, unknown> & {
    location: Record<string, unknown> & { id: string };
  })[];
  attributes: (Record<string, unknown> & { taxonomy_term_id: string })[];
};

export interface GenerateOptions {
  /** How many services (≥ 1). */
  services: number;
  /** Same seed, same documents. Default 1. */
  seed?: number;
  /** The taxonomies the attributes point at (default: seed/data/taxonomies.json). */
  taxonomies?: TaxonomyDocument[];
}

/** The taxonomies of the demonstration directory, read from `file`. */
export function readTaxonomies(
  file = join(projectRoot(), 'seed', 'data', 'taxonomies.json'),
): TaxonomyDocument[] {
  const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!Array.isArray(value)) throw new Error(`${file} must hold a JSON array`);
  return value as TaxonomyDocument[];
}

/** Yields `services` full-service documents, one at a time. */
export function* generateServices(options: GenerateOptions): Generator<ServiceDocument> {
  const { services, seed = 1 } = options;
  if (!Number.isSafeInteger(services) || services < 1)
    throw new Error('services must be an integer ≥ 1');
  if (!Number.isSafeInteger(seed)) throw new Error('seed must be an integer');
  const world = new World(seed, new Catalogue(options.taxonomies ?? readTaxonomies()));
  let produced = 0;
  for (let o = 0; produced < services; o++) {
    const org = world.organization(o);
    const size = Math.min(org.size, services - produced);
    // Service k always uses location k mod n, so that every location is used.
    const locations = Array.from({ length: Math.min(org.locations, size) }, (_, j) =>
      world.location(org, j),
    );
    for (let k = 0; k < size; k++) yield world.service(org, locations, produced + k, k);
    produced += size;
  }
}

// ---------------------------------------------------------------------------------------
// The taxonomy terms, as the generator uses them.

interface Term {
  id: string;
  name: string;
  description: string;
  parent?: Term;
  document: TaxonomyTermDocument;
}

interface ThemeTerms {
  theme: Theme;
  root: Term;
  /** The root's descendants, in file order, with Zipf-like weights (earlier = commoner). */
  terms: readonly (readonly [Term, number])[];
}

const FALLBACK_THEME: Omit<Theme, 'term'> = {
  weight: 1,
  teams: ['Community Services'],
  charities: ['Community Trust', 'Project'],
  groups: ['Community Group'],
};

class Catalogue {
  readonly themes: ThemeTerms[] = [];
  private readonly byName = new Map<string, Term>();
  /** Tag terms by parent name ("Access", "Venue features"). */
  readonly tagsUnder = new Map<string, Term[]>();

  constructor(taxonomies: TaxonomyDocument[]) {
    const all: Term[] = [];
    const byId = new Map<string, Term>();
    for (const taxonomy of taxonomies) {
      for (const document of taxonomy.taxonomy_terms ?? []) {
        const term: Term = {
          id: document.id,
          name: document.name,
          description: document.description,
          document,
        };
        all.push(term);
        byId.set(term.id, term);
        if (!this.byName.has(term.name)) this.byName.set(term.name, term);
      }
    }
    if (!all.length) throw new Error('the taxonomies hold no terms');
    for (const term of all) {
      const parentId = term.document.parent_id;
      term.parent = parentId ? byId.get(parentId) : undefined;
      if (term.parent)
        this.tagsUnder.set(term.parent.name, [
          ...(this.tagsUnder.get(term.parent.name) ?? []),
          term,
        ]);
    }
    const descendants = (root: Term) => all.filter((t) => t !== root && isUnder(t, root));
    for (const theme of THEMES) {
      const root = this.byName.get(theme.term);
      if (root && !root.parent) this.themes.push(themeTerms(theme, root, descendants(root)));
    }
    if (!this.themes.length) {
      // Unknown taxonomies: one plain theme per root term that has children.
      for (const root of all.filter((t) => !t.parent)) {
        const terms = descendants(root);
        if (terms.length)
          this.themes.push(themeTerms({ ...FALLBACK_THEME, term: root.name }, root, terms));
      }
    }
    if (!this.themes.length) throw new Error('the taxonomies have no hierarchy of service types');
  }

  term(name: string | undefined): Term | undefined {
    return name === undefined ? undefined : this.byName.get(name);
  }
}

function isUnder(term: Term, root: Term): boolean {
  for (let t = term.parent; t; t = t.parent) if (t === root) return true;
  return false;
}

function themeTerms(theme: Theme, root: Term, terms: Term[]): ThemeTerms {
  const weighted = terms.map((t, i) => [t, 1 / Math.pow(i + 1, 0.8)] as const);
  return { theme, root, terms: weighted.length ? weighted : [[root, 1]] };
}

// ---------------------------------------------------------------------------------------
// Organizations, locations, services.

type Kind = 'council' | 'nhs' | 'charity' | 'community';

const KINDS: readonly (readonly [Kind, number])[] = [
  ['council', 0.1],
  ['nhs', 0.08],
  ['charity', 0.42],
  ['community', 0.4],
];

/** How many services an organization of a kind runs: [min, max]. Mean ≈ 6 overall. */
const SIZES: Record<Kind, [number, number]> = {
  council: [6, 26],
  nhs: [3, 17],
  charity: [2, 11],
  community: [1, 3],
};

const PROVIDER_TYPE: Record<Kind, string> = {
  council: 'Statutory service',
  nhs: 'Statutory service',
  charity: 'Voluntary sector',
  community: 'Community group',
};

interface Org {
  index: number;
  kind: Kind;
  size: number;
  locations: number;
  town: Town;
  regional: boolean;
  /** Main theme first. */
  themes: ThemeTerms[];
  name: string;
  domain: string;
  website?: string;
  document: Record<string, unknown> & { id: string; name: string };
}

interface Place {
  document: Record<string, unknown> & { id: string };
  name: string;
  town: Town;
  area: string;
  outward?: string;
  lat?: number;
  lon?: number;
}

type Doc = Record<string, unknown>;

class World {
  private readonly themeWeights: (readonly [ThemeTerms, number])[];
  private readonly townWeights: (readonly [Town, number])[];

  constructor(
    private readonly seed: number,
    private readonly catalogue: Catalogue,
  ) {
    this.themeWeights = catalogue.themes.map((t) => [t, t.theme.weight] as const);
    this.townWeights = TOWNS.map((t) => [t, t.weight] as const);
  }

  private random(...key: (string | number)[]): Random {
    return new Random([this.seed, ...key].join(':'));
  }

  organization(index: number): Org {
    const r = this.random('organization', index);
    const kind = r.weighted(KINDS);
    const size = r.int(...SIZES[kind]);
    const ratio = kind === 'community' ? 0.5 : 0.32 + r.float() * 0.34;
    const locations = Math.max(1, Math.round(size * ratio));
    const town = r.weighted(this.townWeights);
    const themes = this.pickThemes(r, kind);
    const main = themes[0].theme;
    const area = r.pick(town.areas)[0];
    let name: string;
    let domain: string;
    let description: string;
    const identifiers: Doc[] = [];
    const id = r.uuid();
    const identifier = (scheme: string, type: string, value: string) =>
      identifiers.push({
        id: r.uuid(),
        organization_id: id,
        identifier_scheme: scheme,
        identifier_type: type,
        identifier: value,
      });
    switch (kind) {
      case 'council': {
        const team = r.pick(main.teams);
        name = `${town.council} ${team}`;
        domain = `${slug(town.council)}.example.org.uk`;
        description = `The ${team} team at ${town.council} runs ${lower(main.term)} services for people who live in ${town.name}.`;
        identifier(
          localAuthorityScheme(town.region),
          'Local authority code',
          town.name
            .replace(/[^A-Za-z]/g, '')
            .slice(0, 3)
            .toUpperCase(),
        );
        break;
      }
      case 'nhs': {
        name = fill(r.pick(NHS_NAMES), { town: town.name, county: town.county, area });
        domain = `${slug(name).slice(0, 40).replace(/-$/, '')}.example.nhs.uk`;
        description = `${name} provides NHS ${lower(main.term)} services across ${r.chance(0.5) ? town.name : town.county}.`;
        identifier('GB-NHS', 'ODS code', `R${letters(r, 2, 'ABCDEFGHJKLMNPQRTVWXY0123456789')}`);
        break;
      }
      case 'charity': {
        name = r.chance(0.55)
          ? `${r.chance(0.6) ? town.name : area} ${r.pick(main.charities)}`
          : `${r.pick(BRAND_FIRST)} ${r.pick(BRAND_SECOND)} ${r.pick(CHARITY_KIND)}`;
        domain = `${slug(name)}.example.org.uk`;
        const since = r.int(1965, 2022);
        description = r.chance(0.5)
          ? `A registered charity supporting people in ${town.name} with ${lower(main.term)} since ${since}.`
          : `An independent charity working across ${r.chance(0.5) ? town.name : town.county} on ${lower(main.term)}, with ${r.int(2, 60)} staff and ${r.int(10, 400)} volunteers.`;
        if (town.region === 'Scotland')
          identifier('GB-SC', 'Scottish charity number', `SC0${digits(r, 5)}`);
        else if (town.region === 'Northern Ireland')
          identifier('GB-NIC', 'Charity number', `NIC${r.int(100000, 109999)}`);
        else identifier('GB-CHC', 'Charity number', String(r.int(1000000, 1209999)));
        if (r.chance(0.4)) identifier('GB-COH', 'Company number', `0${digits(r, 7)}`);
        break;
      }
      case 'community': {
        const group = r.pick(main.groups);
        name = group.startsWith('Friends of')
          ? `Friends of ${area} Park`
          : `${r.chance(0.8) ? area : town.name} ${group}`;
        domain = `${slug(name)}.example.org.uk`;
        description = `A volunteer-run community group in ${area}, ${town.name}. ${r.pick(['Everyone is welcome.', 'New members are always welcome.', 'Run by local people for local people.'])}`;
        if (r.chance(0.15)) identifier('GB-COH', 'Company number', `1${digits(r, 7)}`);
        break;
      }
    }
    const website = kind === 'community' && r.chance(0.5) ? undefined : `https://www.${domain}/`;
    const document: Org['document'] = {
      id,
      name,
      description,
      email:
        kind === 'community' && r.chance(0.3)
          ? undefined
          : `${r.pick(['info', 'hello', 'enquiries', 'contact'])}@${domain}`,
      website,
      logo: website && r.chance(0.3) ? `${website}logo.png` : undefined,
      uri:
        identifiers.length && r.chance(0.6)
          ? `https://org-id.example/${String(identifiers[0].identifier_scheme)}-${String(identifiers[0].identifier)}`
          : undefined,
      organization_identifiers: identifiers,
      attributes: this.attributes(r, id, [
        [this.catalogue.term(PROVIDER_TYPE[kind]), 'provider_type'],
      ]),
    };
    return {
      index,
      kind,
      size,
      locations,
      town,
      regional: kind !== 'community' && r.chance(0.15),
      themes,
      name,
      domain,
      website,
      document: compact(document),
    };
  }

  private pickThemes(r: Random, kind: Kind): ThemeTerms[] {
    const eligible = this.themeWeights.filter(([t]) => kind !== 'nhs' || t.theme.nhs);
    const main = r.weighted(eligible.length ? eligible : this.themeWeights);
    const others = r.sample(
      this.catalogue.themes.filter((t) => t !== main),
      kind === 'community'
        ? 0
        : r.weighted([
            [0, 50],
            [1, 35],
            [2, 15],
          ]),
    );
    return [main, ...others];
  }

  location(org: Org, index: number): Place {
    const r = this.random('location', org.index, index);
    const id = r.uuid();
    if (index > 0 && r.chance(0.02)) {
      const name = r.chance(0.5) ? 'Online' : `${org.name} online`;
      return {
        name,
        town: org.town,
        area: org.town.name,
        document: {
          id,
          location_type: 'virtual',
          name,
          description: 'Sessions and appointments by video call; a link is sent when you book.',
        },
      };
    }
    const town =
      org.regional && index > 0 && r.chance(0.5)
        ? r.pick(TOWNS_BY_REGION.get(org.town.region) ?? [org.town])
        : org.town;
    const [area, outward] = r.pick(town.areas);
    const street = `${r.pick(STREET_NAMES)} ${r.pick(STREET_TYPES)}`;
    const [venue, venueDescription] =
      index === 0 && org.kind !== 'council' && r.chance(0.4)
        ? [`${org.name} offices`, `The offices of ${org.name}.`]
        : r.pick(VENUES);
    const name = fill(venue, {
      area,
      town: town.name,
      street: street.split(' ')[0],
      saint: r.pick(SAINTS),
    });
    const lat = round(town.lat + clamp(r.normal()) * 0.015, 5);
    const lon = round(
      town.lon + (clamp(r.normal()) * 0.015) / Math.cos((town.lat * Math.PI) / 180),
      5,
    );
    const number = r.int(1, 240);
    const postcode = `${outward} ${r.int(0, 9)}${letters(r, 2, INWARD_LETTERS)}`;
    const address: Doc = {
      id: r.uuid(),
      location_id: id,
      address_1: r.chance(0.35) ? `${name}, ${number} ${street}` : `${number} ${street}`,
      city: town.city,
      region: town.region,
      state_province: town.county,
      postal_code: postcode,
      country: 'GB',
      address_type: 'physical',
    };
    const accessibility = r
      .sample(
        ACCESSIBILITY,
        r.weighted([
          [0, 25],
          [1, 55],
          [2, 20],
        ]),
      )
      .map(([description, details]) => ({
        id: r.uuid(),
        location_id: id,
        description,
        details: details && r.chance(0.7) ? details : undefined,
        accessibility: description,
      }));
    const features = r
      .sample(
        this.catalogue.tagsUnder.get('Venue features') ?? [],
        r.weighted([
          [0, 45],
          [1, 40],
          [2, 15],
        ]),
      )
      .map((t): [Term, string] => [t, 'venue_feature']);
    const document = {
      id,
      location_type: 'physical',
      name,
      description: r.chance(0.45) ? venueDescription : undefined,
      latitude: lat,
      longitude: lon,
      external_identifier: r.chance(0.5) ? digits(r, 12) : undefined,
      external_identifier_type: undefined as string | undefined,
      addresses: [address],
      accessibility,
      attributes: this.attributes(r, id, features),
      phones: r.chance(0.4)
        ? [
            {
              id: r.uuid(),
              location_id: id,
              number: phone(r, town),
              type: 'voice',
              description: `${name} reception`,
            },
          ]
        : [],
    };
    if (document.external_identifier) document.external_identifier_type = 'UPRN';
    return { name, town, area, outward, lat, lon, document: compact(document) };
  }

  service(org: Org, places: Place[], index: number, local: number): ServiceDocument {
    const r = this.random('service', index);
    const id = r.uuid();
    // Mostly the organization's main theme, sometimes a secondary one, rarely anything.
    const themes =
      org.kind === 'community' || r.chance(0.95) ? org.themes : [r.weighted(this.themeWeights)];
    const theme = themes.length > 1 && r.chance(0.2) ? r.pick(themes.slice(1)) : themes[0];
    const term = r.chance(0.12) ? theme.root : r.weighted(theme.terms);
    const activity = r.pick(ACTIVITIES[term.name] ?? [plainName(term.name)]);
    const audienceNames = TERM_AUDIENCES[term.name] ?? theme.theme.audiences ?? GENERAL_AUDIENCES;
    const audience = r.chance(TERM_AUDIENCES[term.name] ? 0.8 : 0.55)
      ? audienceOf(r.pick(audienceNames))
      : undefined;

    // Locations: always place local mod n (so every location is used), plus 0–2 others.
    const first = places[local % places.length];
    const count = Math.min(
      places.length,
      r.weighted([
        [1, 60],
        [2, 28],
        [3, 12],
      ]),
    );
    const chosen = [
      first,
      ...r.sample(
        places.filter((p) => p !== first),
        count - 1,
      ),
    ];
    const physical = chosen.find((p) => p.lat !== undefined);
    const where = physical ?? first;
    const placeName = r.chance(0.65) ? where.area : where.town.name;

    const name = this.serviceName(r, org, activity, audience?.name, placeName, where.name);
    const ages = this.ages(r, audience);
    const access = r.chance(0.5) ? r.pick(this.catalogue.tagsUnder.get('Access') ?? []) : undefined;
    const description = this.description(r, org, name, term, audience, ages, access, where);

    const status = r.weighted([
      ['active', 88],
      ['inactive', 4],
      ['defunct', 3],
      ['temporarily closed', 5],
    ] as const);
    const assured = r.chance(0.85) ? daysBefore(AS_OF, r.int(0, 730)) : undefined;
    const lastModified = dateTime(
      assured
        ? daysBefore(AS_OF, r.int(0, daysBetween(assured, AS_OF)))
        : daysBefore(AS_OF, r.int(0, 1000)),
      r,
    );
    const url = r.chance(0.55)
      ? `https://www.${org.domain}/${slug(name).slice(0, 60).replace(/-$/, '')}`
      : undefined;

    const sals = chosen.map((p) => ({
      id: r.uuid(),
      service_id: id,
      location_id: p.document.id,
      location: structuredClone(p.document),
    }));

    const attributes: [Term | undefined, string][] = [[term, 'service_type']];
    if (term.parent && r.chance(0.3)) attributes.push([term.parent, 'service_type']);
    if (audience?.tag && r.chance(0.7))
      attributes.push([this.catalogue.term(audience.tag), 'audience']);
    if (access) attributes.push([access, 'access']);
    if (attributes.length < 4 && r.chance(0.1)) {
      const other = r.weighted(r.weighted(this.themeWeights).terms);
      attributes.push([other, 'service_type']);
    }

    const paid = r.chance(0.25);
    const document = {
      id,
      organization_id: org.document.id,
      name,
      description,
      url,
      email: r.chance(0.4)
        ? `${r.pick(['hello', 'info', slug(activity).split('-')[0], 'bookings', 'referrals'])}@${org.domain}`
        : undefined,
      status,
      fees:
        paid && r.chance(0.3)
          ? r.pick([
              'Small charge for materials.',
              'Free for people on benefits; small charge otherwise.',
              'Suggested donation per session.',
            ])
          : undefined,
      accreditations: r.chance(0.06) ? r.pick(ACCREDITATIONS) : undefined,
      minimum_age: ages?.[0],
      maximum_age: ages?.[1],
      assured_date: assured,
      assurer_email:
        assured && r.chance(0.5)
          ? `${r.pick(['directory', 'data.checks', 'editor'])}@${slug(org.town.council)}.example.org.uk`
          : undefined,
      alert:
        status === 'temporarily closed'
          ? r.pick(ALERTS)
          : status === 'active' && r.chance(0.03)
            ? r.pick(ACTIVE_ALERTS)
            : undefined,
      last_modified: lastModified,
      schedules: this.schedules(r, id, sals, chosen, url ?? org.website),
      service_areas: this.serviceAreas(r, id, where, chosen),
      service_at_locations: sals,
      languages: this.languages(r, id, where.town),
      organization: structuredClone(org.document),
      funding: r.chance(0.45)
        ? r.sample(FUNDERS, r.int(1, 2)).map((f) => ({
            id: r.uuid(),
            service_id: id,
            source: fill(f, { council: where.town.council, county: where.town.county }),
          }))
        : [],
      cost_options: this.costOptions(r, id, paid),
      contacts: this.contacts(r, id, org, where.town),
      phones: this.phones(r, id, where.town),
      attributes: this.attributes(r, id, attributes),
    };
    return compact(document) as unknown as ServiceDocument;
  }

  private serviceName(
    r: Random,
    org: Org,
    activity: string,
    audience: string | undefined,
    place: string,
    venue: string,
  ): string {
    const patterns: [() => string, number][] = [
      [() => `${place} ${activity}`, 30],
      [() => `${cap(activity)} in ${place}`, 15],
      [() => `${cap(activity)} at ${venue}`, 8],
      [() => `${org.kind === 'council' ? org.town.name : org.name} ${activity}`, 12],
      [
        () =>
          `${r.pick(BRAND_FIRST)} ${r.pick(BRAND_SECOND)}: ${activity}${audience ? ` for ${audience}` : ''}`,
        5,
      ],
    ];
    if (audience) {
      patterns.push([() => `${cap(activity)} for ${audience}`, 15]);
      patterns.push([() => `${cap(activity)} for ${audience} in ${place}`, 12]);
    }
    return cap(r.weighted(patterns)());
  }

  private ages(
    r: Random,
    audience: Audience | undefined,
  ): [number | undefined, number | undefined] | undefined {
    if (audience?.ages) {
      if (!r.chance(0.85)) return undefined;
      const [min, max] = r.pick(audience.ages);
      return [min, max];
    }
    if (!r.chance(0.3)) return undefined;
    // An audience without ages of its own is adults (or everyone); no audience is anyone.
    return r.weighted<[number | undefined, number | undefined]>([
      [[18, undefined], 50],
      [[16, undefined], 20],
      [[undefined, 18], audience ? 0 : 10],
      [[r.int(0, 10), r.int(11, 19)], audience ? 0 : 20],
    ]);
  }

  private description(
    r: Random,
    org: Org,
    name: string,
    term: Term,
    audience: Audience | undefined,
    ages: [number | undefined, number | undefined] | undefined,
    access: Term | undefined,
    where: Place,
  ): string {
    const place = where.lat !== undefined ? `${where.area}, ${where.town.name}` : where.town.name;
    const first = r.pick([
      () => `${name} is run by ${org.name}${where.lat !== undefined ? ` at ${where.name}` : ''}.`,
      () =>
        `${name} is a ${r.pick(['free', 'friendly', 'local', 'confidential', 'volunteer-led', 'community', 'welcoming', 'small'])} service in ${place}, run by ${org.name}.`,
      () => `Run by ${org.name}, ${name} is open to people in ${place}.`,
    ])();
    const optional: string[] = [];
    if (r.chance(0.75)) optional.push(term.description);
    if (audience && audience.name !== 'everyone') {
      const range =
        ages && ages[0] !== undefined
          ? ages[1] !== undefined
            ? ` aged ${ages[0]} to ${ages[1]}`
            : ` aged ${ages[0]} and over`
          : '';
      optional.push(`It is for ${audience.name}${range}.`);
    }
    const accessSentences = access ? ACCESS_SENTENCES[access.name] : undefined;
    if (accessSentences) optional.push(r.pick(accessSentences));
    optional.push(r.pick(EXTRA_SENTENCES));
    const wanted = r.int(1, 3);
    // Keep the order, drop random sentences until `wanted` are left.
    while (optional.length > wanted) optional.splice(r.int(0, optional.length - 1), 1);
    return [first, ...optional].join(' ');
  }

  private schedules(
    r: Random,
    serviceId: string,
    sals: { id: string }[],
    places: Place[],
    link: string | undefined,
  ): Doc[] {
    if (!r.chance(0.8)) return [];
    const bySite = sals.length > 1 && r.chance(0.4);
    const count = bySite
      ? sals.length
      : r.weighted([
          [1, 70],
          [2, 22],
          [3, 8],
        ]);
    return Array.from({ length: count }, (_, i) => {
      const schedule = this.schedule(r);
      const at = bySite ? ` at ${places[i].name}` : '';
      return {
        id: r.uuid(),
        service_id: serviceId,
        service_at_location_id: bySite ? sals[i].id : undefined,
        ...schedule.fields,
        description: `${schedule.text}${at}${schedule.period}.`,
        attending_type: r.chance(0.3) ? r.pick(ATTENDING) : undefined,
        notes: r.chance(0.1) ? r.pick(SCHEDULE_NOTES) : undefined,
        schedule_link: link && r.chance(0.05) ? `${link.replace(/\/$/, '')}/timetable` : undefined,
      };
    });
  }

  private schedule(r: Random): { fields: Doc; text: string; period: string } {
    const kind = r.weighted([
      ['weekly', 78],
      ['monthly-byday', 18],
      ['monthly-bymonthday', 4],
    ] as const);
    const fields: Doc = {};
    let text: string;
    let opens: number;
    let closes: number;
    if (kind === 'weekly') {
      const days = r.weighted<string[]>([
        [WEEKDAYS.slice(0, 5), 25],
        [WEEKDAYS.slice(0, 6), 3],
        [WEEKDAYS, 4],
        [[r.weighted(ONE_DAY)], 38],
        [sortDays(r.sample(WEEKDAYS.slice(0, 6), r.int(2, 3))), 27],
        [['SA', 'SU'], 3],
      ]);
      const interval = days.length === 1 && r.chance(0.2) ? 2 : 1;
      Object.assign(fields, { freq: 'WEEKLY', interval, byday: days.join(',') });
      text = interval === 2 ? `Every other ${DAY_NAMES[days[0]]}` : dayList(days);
      [opens, closes] = days.length >= 5 ? officeHours(r) : session(r);
    } else if (kind === 'monthly-byday') {
      const day = r.weighted(ONE_DAY);
      const ordinals = r.weighted<number[]>([
        [
          [
            r.weighted<number>([
              [1, 3],
              [2, 3],
              [3, 3],
              [4, 2],
              [-1, 3],
            ]),
          ],
          80,
        ],
        [[2, 4], 10],
        [[1, 3], 10],
      ]);
      Object.assign(fields, {
        freq: 'MONTHLY',
        byday: ordinals.map((o) => `${o}${day}`).join(','),
      });
      const names = ordinals.map((o) => ORDINAL_NAMES[o]);
      text =
        names.length === 1
          ? `${cap(names[0])} ${DAY_NAMES[day]} of the month`
          : `${cap(names[0])} and ${names[1]} ${DAY_NAMES[day]}s of the month`;
      [opens, closes] = session(r);
    } else {
      const monthDays = r.pick([[1], [1, 15], [15], [-1], [5, 20]]);
      Object.assign(fields, { freq: 'MONTHLY', bymonthday: monthDays.join(',') });
      text = `On the ${monthDays.map(dayOfMonth).join(' and ')} of each month`;
      [opens, closes] = session(r);
    }
    fields.opens_at = clock(opens);
    fields.closes_at = clock(closes);
    text += `, ${spoken(opens)} to ${spoken(closes)}`;
    let period = '';
    if (r.chance(0.15)) {
      const from = daysBefore(AS_OF, r.int(-150, 200));
      const to = daysBefore(from, -7 * r.int(4, 30));
      Object.assign(fields, { valid_from: from, valid_to: to });
      if (r.chance(0.3)) fields.dtstart = from;
      period = ` (${longDate(from)} to ${longDate(to)})`;
    }
    return { fields, text, period };
  }

  private serviceAreas(r: Random, serviceId: string, where: Place, places: Place[]): Doc[] {
    const count = r.weighted([
      [0, 25],
      [1, 62],
      [2, 13],
    ]);
    const town = where.town;
    return Array.from({ length: count }, () => {
      const area = (name: string, extra: Doc = {}) => ({
        id: r.uuid(),
        service_id: serviceId,
        name,
        ...extra,
        service_area: name,
      });
      if (r.chance(0.04)) {
        const centre = places.find((p) => p.lat !== undefined) ?? where;
        return area(`${where.area} catchment`, {
          extent_type: 'geojson',
          extent: JSON.stringify(polygon(r, centre.lat ?? town.lat, centre.lon ?? town.lon)),
        });
      }
      const areas = town.areas.map(([a]) => a);
      return area(
        r.weighted<() => string>([
          [() => town.name, 35],
          [() => r.pick(areas), 25],
          [() => r.sample(areas, 2).join(' and '), 10],
          [() => town.county, 10],
          [() => `${town.council} area`, 10],
          [() => `${town.name} and surrounding villages`, 5],
          [() => listOf([...new Set(r.sample(town.areas, 3).map(([, o]) => o))]) + ' postcodes', 5],
        ])(),
      );
    });
  }

  private languages(r: Random, serviceId: string, town: Town): Doc[] {
    const chosen: (readonly [string, string])[] = [];
    if (r.chance(0.6)) chosen.push(['English', 'en']);
    if (town.region === 'Wales' && r.chance(0.6)) chosen.push(['Welsh', 'cy']);
    if (town.region === 'Scotland' && r.chance(0.05)) chosen.push(['Scottish Gaelic', 'gd']);
    const others = r.weighted([
      [0, 60],
      [1, 25],
      [2, 10],
      [3, 5],
    ]);
    for (let i = 0; i < others; i++) {
      const [name, code] = r.weighted(LANGUAGES.map(([n, c, w]) => [[n, c] as const, w] as const));
      if (!chosen.some(([, c]) => c === code)) chosen.push([name, code]);
    }
    return chosen.map(([name, code]) => ({
      id: r.uuid(),
      service_id: serviceId,
      name,
      code,
      note:
        code !== 'en' && r.chance(0.2)
          ? r.pick([
              'Some staff speak this language.',
              'Interpreter available on request.',
              'Leaflets available in this language.',
            ])
          : undefined,
    }));
  }

  private costOptions(r: Random, serviceId: string, paid: boolean): Doc[] {
    if (!r.chance(0.65)) return [];
    const period = r.chance(0.1) ? { valid_from: '2026-04-01', valid_to: '2027-03-31' } : {};
    if (!paid)
      return [
        {
          id: r.uuid(),
          service_id: serviceId,
          ...period,
          option: r.pick(['Everyone', 'Everyone', 'Residents', 'Everyone with a referral']),
          amount: 0,
          amount_description: 'free',
        },
      ];
    const amount = r.pick([1, 1.5, 2, 2.5, 3, 4, 5, 7.5, 10, 15, 25, 40]);
    const per = r.pick([
      'per session',
      'per session',
      'per week',
      'per term',
      'per year (membership)',
      'per hour',
    ]);
    const options: Doc[] = [
      {
        id: r.uuid(),
        service_id: serviceId,
        ...period,
        option: r.pick(['Adults', 'Everyone', 'Members']),
        amount,
        amount_description: per,
      },
    ];
    if (r.chance(0.4))
      options.push({
        id: r.uuid(),
        service_id: serviceId,
        ...period,
        option: r.pick(['Concessions', 'Under 18s', 'People on benefits']),
        amount: round(amount / 2, 2),
        amount_description: per,
      });
    return options;
  }

  private contacts(r: Random, serviceId: string, org: Org, town: Town): Doc[] {
    const count = r.weighted([
      [0, 35],
      [1, 50],
      [2, 15],
    ]);
    return Array.from({ length: count }, () => {
      const first = r.pick(FIRST_NAMES);
      const last = r.pick(LAST_NAMES);
      const id = r.uuid();
      return {
        id,
        service_id: serviceId,
        name: `${first} ${last}`,
        title: r.chance(0.8) ? r.pick(JOB_TITLES) : undefined,
        email: r.chance(0.4) ? `${slug(first)}.${slug(last)}@${org.domain}` : undefined,
        phones: r.chance(0.6)
          ? [
              {
                id: r.uuid(),
                contact_id: id,
                number: r.chance(0.25) ? mobile(r) : phone(r, town),
                type: 'voice',
              },
            ]
          : [],
      };
    });
  }

  private phones(r: Random, serviceId: string, town: Town): Doc[] {
    const count = r.weighted([
      [0, 15],
      [1, 70],
      [2, 15],
    ]);
    return Array.from({ length: count }, (_, i) => {
      const id = r.uuid();
      const [number, type, description] =
        i === 0
          ? r.weighted<[string, string, string | undefined]>([
              [[phone(r, town), 'voice', undefined], 55],
              [[phone(r, town), 'voice', 'Main line, Monday to Friday 9am to 5pm'], 20],
              [[freephone(r), 'voice', 'Freephone helpline'], 10],
              [[phone(r, town), 'voice', 'Answerphone outside opening hours'], 15],
            ])
          : r.weighted<[string, string, string | undefined]>([
              [[mobile(r), 'text', 'Text only'], 40],
              [[phone(r, town), 'textphone', 'Textphone'], 15],
              [[phone(r, town), 'fax', undefined], 5],
              [[mobile(r), 'voice', 'Out-of-hours mobile'], 40],
            ]);
      const withLanguages = r.chance(0.03);
      return {
        id,
        service_id: serviceId,
        number,
        extension: r.chance(0.04) ? String(r.int(1, 9)) : undefined,
        type,
        description: withLanguages ? 'Interpreting line' : description,
        languages: withLanguages
          ? r
              .sample(LANGUAGES, r.int(1, 3))
              .map(([name, code]) => ({ id: r.uuid(), phone_id: id, name, code }))
          : [],
      };
    });
  }

  /** Attributes of a record, one per distinct known term. */
  private attributes(r: Random, linkId: string, terms: [Term | undefined, string][]): Doc[] {
    const seen = new Set<string>();
    const out: Doc[] = [];
    for (const [term, linkType] of terms) {
      if (!term || seen.has(term.id)) continue;
      seen.add(term.id);
      out.push({
        id: r.uuid(),
        link_id: linkId,
        taxonomy_term_id: term.id,
        link_type: linkType,
        taxonomy_term: { ...term.document },
      });
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------
// Small helpers.

const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
const ONE_DAY: [string, number][] = [
  ['MO', 15],
  ['TU', 17],
  ['WE', 17],
  ['TH', 17],
  ['FR', 14],
  ['SA', 13],
  ['SU', 7],
];
const DAY_NAMES: Record<string, string> = {
  MO: 'Monday',
  TU: 'Tuesday',
  WE: 'Wednesday',
  TH: 'Thursday',
  FR: 'Friday',
  SA: 'Saturday',
  SU: 'Sunday',
};
const ORDINAL_NAMES: Record<number, string> = {
  1: 'first',
  2: 'second',
  3: 'third',
  4: 'fourth',
  [-1]: 'last',
};
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

function sortDays(days: string[]): string[] {
  return [...days].sort((a, b) => WEEKDAYS.indexOf(a) - WEEKDAYS.indexOf(b));
}

function dayList(days: string[]): string {
  if (days.length === 7) return 'Every day';
  if (days.join(',') === 'MO,TU,WE,TH,FR') return 'Monday to Friday';
  if (days.join(',') === 'MO,TU,WE,TH,FR,SA') return 'Monday to Saturday';
  if (days.join(',') === 'SA,SU') return 'Weekends';
  return listOf(days.map((d) => `${DAY_NAMES[d]}s`));
}

function listOf(items: string[]): string {
  return items.length < 2
    ? items.join('')
    : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function dayOfMonth(day: number): string {
  if (day === -1) return 'last day';
  const suffix =
    day % 10 === 1 && day !== 11
      ? 'st'
      : day % 10 === 2 && day !== 12
        ? 'nd'
        : day % 10 === 3 && day !== 13
          ? 'rd'
          : 'th';
  return `${day}${suffix}`;
}

/** Opening and closing minutes of a day-long opening. */
function officeHours(r: Random): [number, number] {
  return [r.pick([480, 510, 540, 540, 570, 600]), r.pick([960, 990, 1020, 1020, 1050, 1080, 1200])];
}

/** Opening and closing minutes of a session of 1 to 4 hours. */
function session(r: Random): [number, number] {
  const opens = r.pick([
    540, 570, 600, 600, 630, 660, 720, 780, 810, 840, 930, 1020, 1080, 1110, 1140,
  ]);
  return [opens, Math.min(opens + 30 * r.int(2, 8), 1320)];
}

function clock(minutes: number): string {
  return `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}:00`;
}

/** 9am, 9:30am, 12 noon, 6:30pm. */
function spoken(minutes: number): string {
  if (minutes === 720) return '12 noon';
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  const h12 = h % 12 === 0 ? 12 : h % 12;
  return `${h12}${m ? `:${pad(m)}` : ''}${h < 12 ? 'am' : 'pm'}`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

const DAY = 86_400_000;

/** The date `days` before `date` (after, when negative), as YYYY-MM-DD. */
function daysBefore(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) - days * DAY).toISOString().slice(0, 10);
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY);
}

/** A time during the working day of `date`, with milliseconds, in UTC. */
function dateTime(date: string, r: Random): string {
  const ms = Date.parse(`${date}T00:00:00Z`) + r.int(7 * 3600, 19 * 3600) * 1000 + r.int(0, 999);
  return new Date(ms).toISOString();
}

function longDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return `${d} ${MONTHS[m - 1]} ${y}`;
}

/** A closed GeoJSON ring of 6–10 points, 1–4 km around a point. */
function polygon(
  r: Random,
  lat: number,
  lon: number,
): { type: 'Polygon'; coordinates: number[][][] } {
  const points = r.int(6, 10);
  const radius = 0.009 * (1 + r.float() * 3);
  const ring: number[][] = [];
  for (let i = 0; i < points; i++) {
    const angle = (2 * Math.PI * i) / points;
    const d = radius * (0.7 + r.float() * 0.6);
    ring.push([
      round(lon + (d * Math.cos(angle)) / Math.cos((lat * Math.PI) / 180), 4),
      round(lat + d * Math.sin(angle), 4),
    ]);
  }
  ring.push([...ring[0]]);
  return { type: 'Polygon', coordinates: [ring] };
}

function phone(r: Random, town: Town): string {
  return `${town.phone}${digits(r, 3)}`;
}

function mobile(r: Random): string {
  return `07700 900${digits(r, 3)}`;
}

function freephone(r: Random): string {
  return `0808 157 0${digits(r, 3)}`;
}

function digits(r: Random, count: number): string {
  let s = '';
  for (let i = 0; i < count; i++) s += String(r.int(0, 9));
  return s;
}

function letters(r: Random, count: number, alphabet: string): string {
  let s = '';
  for (let i = 0; i < count; i++) s += alphabet[r.int(0, alphabet.length - 1)];
  return s;
}

function round(x: number, places: number): number {
  const f = 10 ** places;
  return Math.round(x * f) / f;
}

/** A standard normal value, kept within ±2.5. */
function clamp(x: number): number {
  return Math.max(-2.5, Math.min(2.5, x));
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Lower case, except words that are all capitals (GP, SEND). */
function lower(s: string): string {
  return s
    .split(' ')
    .map((w) => (w.length > 1 && w === w.toUpperCase() ? w : w.toLowerCase()))
    .join(' ');
}

function plainName(termName: string): string {
  return lower(termName);
}

function slug(s: string): string {
  return s
    .normalize('NFKD')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[’']/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => values[key] ?? key);
}

function audienceOf(name: string): Audience {
  return AUDIENCES.find((a) => a.name === name) ?? { name };
}

/** Drops undefined values and empty arrays (the loader would treat them as "no value"). */
function compact<T extends object>(document: T): T {
  for (const key of Object.keys(document) as (keyof T)[]) {
    const value = document[key];
    if (value === undefined || (Array.isArray(value) && !value.length)) delete document[key];
    else if (Array.isArray(value))
      value.forEach((item) => {
        if (item && typeof item === 'object') compact(item as object);
      });
  }
  return document;
}
