import { PHONE_TYPE, SERVICE_STATUS } from '../../hsds/entities';
import { Doc } from '../documents';
import { isUuid, uuidFor } from '../ids';
import { Change, shown } from '../repair/changes';
import { vendorExtras } from '../vendors';
import { Reads } from './reads';
import {
  curie,
  DERIVED,
  DERIVED_SCOPE,
  esdListUri,
  esdTermUri,
  STATUS_ALIASES,
  UNSPECIFIED_VOCABULARY,
  Vocabularies,
} from './vocabularies';
import {
  ALL_DAYS,
  amount,
  coordinate,
  country,
  dayCodes,
  isGeoJson,
  languageOf,
  MAX_AGE,
} from './values';
import { asDoc, compact, defined, docs, isDoc, isoDate, number, text, time } from '../values';

/**
 * ORUK v1 ("HSDS-UK 1.0", the 2019–2023 Porism-style API, docs/standard.md, "ORUK v1") to ORUK 3.0.
 *
 * A v1 `/services/{id}` document becomes one full 3.0 service (SERVICE_FULL) plus the
 * taxonomies (TAXONOMY_FULL) its attributes' terms belong to. v1 ids may be any string:
 * every one goes through `uuidFor(`${feedScope}:<kind>`, id)`, so a UUID is kept and
 * anything else gets a stable v5 UUID that differs per kind (organization "12" is not
 * service "12"). The same input always gives byte-identical output: no clocks, no
 * randomness, arrays in the order of the input. docs/v1-mapping.md has the field table.
 */

export interface V1Mapping {
  /** A full ORUK 3.0 service (SERVICE_FULL), without null or "" values. */
  service: Doc;
  /** The taxonomies, each with the terms this service uses (TAXONOMY_FULL). */
  taxonomies: Doc[];
  /** What the mapping changed: what the v1 document held that ORUK 3.0 cannot carry, or that was unusable, or held differently. */
  changes: Change[];
}

/**
 * Maps a v1 service document to ORUK 3.0. `rank`: of a service without an id, how many
 * services of the import before it had its name, plus one (their ids must differ).
 */
export function fromV1Service(doc: Doc, feedScope: string, rank = 1): V1Mapping {
  return new ServiceMapper(doc, feedScope, rank).map();
}

// ---------------------------------------------------------------------------------------
// The service mapping
// ---------------------------------------------------------------------------------------

/**
 * The links of a child to its parent (v1 repeats them in nested records; a CSV row holds
 * them): the nesting says as much, so they are not reported as left out.
 */
const LINKS = new Set([
  'service_id',
  'location_id',
  'organization_id',
  'contact_id',
  'service_at_location_id',
]);

interface PendingAttribute {
  id: string;
  termId: string;
  linkType?: string;
}

class ServiceMapper {
  private readonly vocabularies = new Vocabularies();
  private readonly attributes: PendingAttribute[] = [];
  private readonly changes: Change[] = [];
  private readonly reads = new Reads();
  private readonly doc: Doc;
  private readonly v1Id: string;
  private readonly id: string;

  constructor(
    private readonly given: Doc,
    private readonly feedScope: string,
    rank: number,
  ) {
    // Everything read is recorded: what is never read is reported at the end.
    const doc = this.reads.wrap(given);
    this.doc = doc;
    // v1 requires an id; without one, the name is all that tells services apart.
    this.v1Id = text(doc.id) ?? `name:${text(doc.name) ?? ''}${rank > 1 ? `#${rank}` : ''}`;
    this.id = uuidFor(this.scope('service'), this.v1Id);
    if (!text(doc.id))
      this.changes.push({
        kind: 'repaired',
        rule: 'id-missing',
        path: '/id',
        after: this.id,
        reason: 'a service without an id: made from its name',
      });
    else if (!isUuid(this.v1Id))
      this.changes.push({
        kind: 'repaired',
        rule: 'id-derived',
        path: '/id',
        before: this.v1Id,
        after: this.id,
        reason: `not a UUID: made from "${feedScope}", service and the id (and so are its records' ids)`,
      });
  }

  map(): V1Mapping {
    const doc = this.doc;
    // Attributes in the order: service_taxonomys, eligibility, cost options and service
    // areas (their v1 taxonomies), then the enumerated v1 fields.
    this.serviceTaxonomies();
    this.eligibilityTerms();
    const organization = this.organization(asDoc(doc.organization));
    const ages = this.ages();
    const schedules = this.schedules();
    const service: Doc = {
      id: this.id,
      organization_id: organization?.id,
      name: text(doc.name),
      description: text(doc.description),
      url: text(doc.url),
      email: text(doc.email),
      status: this.status(doc.status),
      fees: text(doc.fees),
      accreditations: text(doc.accreditations),
      minimum_age: ages.minimum,
      maximum_age: ages.maximum,
      assured_date: this.date(doc.assured_date, 'assured_date'),
      schedules,
      service_areas: this.serviceAreas(),
      service_at_locations: this.serviceAtLocations(),
      languages: this.languages(),
      organization,
      funding: this.funding(),
      cost_options: this.costOptions(),
      contacts: this.contacts(),
      // HSDS 1.x phones of the service itself (ORUK v1 nests phones in contacts only).
      phones: docs(doc.phones)
        .map((phone, i) => this.phone(phone, `phones/${i}`, this.v1Id))
        .filter(defined),
    };
    for (const field of ['deliverable_type', 'attending_type', 'attending_access']) {
      this.derived(field, doc[field], field);
    }
    const vendor = vendorExtras(doc, this.id, this.feedScope);
    for (const [key, value] of Object.entries(vendor.fields)) service[key] ??= value;
    service.attributes = [...this.attributeDocs(), ...vendor.attributes];
    this.changes.push(...vendor.changes);
    const reviews = docs(doc.reviews).length;
    if (reviews) {
      this.note(`reviews`, `${reviews} review(s) dropped; ORUK 3.0 has no review entity`);
    }
    for (const { path, value } of this.reads.unread(this.given, (key) => LINKS.has(key))) {
      this.changes.push({
        kind: 'dropped',
        rule: 'v1-mapping',
        path,
        before: shown(value),
        reason: 'a field ORUK 3.0 has no home for',
      });
    }
    return {
      service: compact(service) as Doc,
      taxonomies: [
        ...this.vocabularies.documents(),
        ...(vendor.taxonomy ? [vendor.taxonomy] : []),
      ].map((t) => compact(t) as Doc),
      changes: this.changes,
    };
  }

  private scope(kind: string): string {
    return `${this.feedScope}:${kind}`;
  }

  /** The UUID of a v1 child record: from its id, else from where it sits in the document. */
  private childId(kind: string, raw: Doc, position: string): string {
    const id = text(raw.id);
    return uuidFor(this.scope(kind), id ?? `${this.v1Id}/${position}`);
  }

  /** A change of the mapping's: what it dropped (or, `repaired`, held differently). */
  private note(path: string, reason: string, kind: 'dropped' | 'repaired' = 'dropped'): void {
    this.changes.push({ kind, rule: 'v1-mapping', path: `/${path}`, reason });
  }

  private organization(raw: Doc | undefined): Doc | undefined {
    if (!raw) {
      this.note(`organization`, `missing; a 3.0 service needs one`);
      return undefined;
    }
    const v1Id = text(raw.id);
    const name = text(raw.name);
    if (!v1Id) this.note(`organization`, `no id; a stable one was derived from its name`);
    return {
      id: uuidFor(this.scope('organization'), v1Id ?? `name:${name ?? ''}`),
      name,
      // Required in 3.0 (and in v1); a publisher that left it empty gets the name.
      description: text(raw.description) ?? name,
      email: text(raw.email),
      website: text(raw.url) ?? text(raw.website),
      logo: text(raw.logo),
      uri: text(raw.uri),
    };
  }

  private status(value: unknown): string {
    const given = text(value)?.toLowerCase().replace(/\s+/g, ' ');
    if (!given) return 'active';
    if ((SERVICE_STATUS as readonly string[]).includes(given)) return given;
    const alias = STATUS_ALIASES[given];
    if (alias) return alias;
    this.note(`status`, `"${text(value)}" is not a 3.0 status; mapped to active`);
    return 'active';
  }

  // --- ages and eligibility ------------------------------------------------------------

  /**
   * The age range of the service: the union of the ranges of its v1 eligibility records
   * (a record without a lower or upper bound leaves that side of the union open).
   */
  private ages(): { minimum?: number; maximum?: number } {
    const records = [this.doc, ...docs(this.doc.eligibilitys)]
      .map((raw, i) => ({
        min: this.age(raw.minimum_age, `${i ? `eligibilitys/${i - 1}/` : ''}minimum_age`),
        max: this.age(raw.maximum_age, `${i ? `eligibilitys/${i - 1}/` : ''}maximum_age`),
      }))
      .filter((r) => r.min !== undefined || r.max !== undefined);
    if (!records.length) return {};
    const mins = records.map((r) => r.min);
    const maxes = records.map((r) => r.max);
    return {
      minimum: mins.every(defined) ? Math.min(...mins) : undefined,
      maximum: maxes.every(defined) ? Math.max(...maxes) : undefined,
    };
  }

  private age(value: unknown, at: string): number | undefined {
    const age = number(value);
    if (age === undefined) return undefined;
    if (age < 0 || age > MAX_AGE) {
      this.note(`${at}`, `age ${age} is outside 0–${MAX_AGE}; taken as no limit`);
      return undefined;
    }
    return age;
  }

  private eligibilityTerms(): void {
    docs(this.doc.eligibilitys).forEach((raw) => {
      // Its id has no home: the record becomes a term, and the service's ages.
      void raw.id;
      this.derived('eligibility', raw.eligibility, 'eligibility');
      for (const link of [...docs(raw.taxonomys), ...docs(raw.link_taxonomies)]) {
        this.linkTaxonomy(link, 'eligibility');
      }
    });
  }

  // --- taxonomies and attributes -------------------------------------------------------

  private serviceTaxonomies(): void {
    docs(this.doc.service_taxonomys).forEach((link) => {
      const taxonomy = asDoc(link.taxonomy);
      const termId = taxonomy ? this.v1Term(taxonomy, undefined) : undefined;
      if (!termId) {
        this.note(`service_taxonomys`, `an entry without a usable taxonomy was dropped`);
        return;
      }
      const v1LinkId = text(link.id);
      this.attribute(
        v1LinkId
          ? uuidFor(this.scope('service_taxonomy'), v1LinkId)
          : uuidFor(this.scope('attribute'), `${this.v1Id}|${termId}`),
        termId,
      );
    });
  }

  /** A `{id?, taxonomy{…}}` link (or a bare taxonomy) of an eligibility, cost option… */
  private linkTaxonomy(link: Doc, linkType: string): void {
    const taxonomy = asDoc(link.taxonomy) ?? link;
    const termId = this.v1Term(taxonomy, text(link.vocabulary));
    if (termId) {
      this.attribute(
        uuidFor(this.scope('attribute'), `${this.v1Id}|${linkType}|${termId}`),
        termId,
        linkType,
      );
    }
  }

  /** Adds a v1 taxonomy (a term, with its parents) and returns the 3.0 term's id. */
  private v1Term(raw: Doc, inherited: string | undefined, depth = 0): string | undefined {
    const v1Id = text(raw.id);
    const name = text(raw.name) ?? v1Id;
    if (!name || depth > 32) return undefined;
    const vocabulary =
      text(raw.vocabulary) ?? inherited ?? curie(v1Id)?.prefix ?? UNSPECIFIED_VOCABULARY;
    const taxonomyId = this.vocabularies.taxonomy({
      id: uuidFor(this.scope('vocabulary'), vocabulary),
      name: vocabulary,
      description: `The "${vocabulary}" vocabulary of an ORUK v1 feed.`,
      uri: esdListUri(vocabulary),
    });
    const id = uuidFor(this.scope('taxonomy'), v1Id ?? `${vocabulary}|${name}`);
    let parentId: string | undefined;
    const parent = raw.parent;
    if (isDoc(parent)) parentId = this.v1Term(parent, vocabulary, depth + 1);
    else {
      const parentV1Id = text(parent) ?? text(raw.parent_id);
      if (parentV1Id) parentId = uuidFor(this.scope('taxonomy'), parentV1Id);
    }
    return this.vocabularies.term({
      id,
      name,
      description: name,
      parent_id: parentId === id ? undefined : parentId,
      taxonomy: vocabulary,
      taxonomy_id: taxonomyId,
      term_uri: esdTermUri(v1Id, vocabulary),
      term: name,
      code: v1Id && !isUuid(v1Id) ? v1Id : undefined,
    });
  }

  /** An attribute in one of the vocabularies derived from v1 enumerated fields. */
  private derived(field: string, value: unknown, linkType: string): void {
    const given = text(value);
    if (!given) return;
    const vocabulary = DERIVED[field];
    const spelt = given
      .toLowerCase()
      .replace(/[\s_-]+/g, ' ')
      .trim();
    const canonical =
      vocabulary.values.find((v) => v.toLowerCase().replace(/-/g, ' ') === spelt) ??
      vocabulary.aliases?.[spelt];
    const label = canonical ?? given;
    if (label !== given) {
      this.changes.push({
        kind: 'repaired',
        rule: 'v1-mapping',
        path: `/${field}`,
        before: given,
        after: label,
        reason: `the v1 ${field} value this spells`,
      });
    } else if (!canonical) {
      this.changes.push({
        kind: 'repaired',
        rule: 'v1-mapping',
        path: `/${field}`,
        before: given,
        after: `a term "${given}" of the vocabulary ${vocabulary.name}`,
        reason: `not one of v1's ${field} values: kept as a term of its own`,
      });
    }
    const taxonomyId = this.vocabularies.taxonomy({
      id: uuidFor(`${DERIVED_SCOPE}:vocabulary`, field),
      name: vocabulary.name,
      description: vocabulary.description,
    });
    const code = label.toLowerCase();
    const termId = this.vocabularies.term({
      id: uuidFor(`${DERIVED_SCOPE}:${field}`, code),
      name: label,
      description: `${vocabulary.label}: ${label}`,
      taxonomy: vocabulary.name,
      taxonomy_id: taxonomyId,
      term: label,
      code,
    });
    this.attribute(
      uuidFor(this.scope('attribute'), `${this.v1Id}|${field}|${code}`),
      termId,
      linkType,
    );
  }

  private attribute(id: string, termId: string, linkType?: string): void {
    const duplicate = this.attributes.some(
      (a) => a.id === id || (a.termId === termId && a.linkType === linkType),
    );
    if (!duplicate) this.attributes.push({ id, termId, linkType });
  }

  private attributeDocs(): Doc[] {
    return this.attributes.map((a) => ({
      id: a.id,
      taxonomy_term_id: a.termId,
      link_type: a.linkType,
      taxonomy_term: this.vocabularies.get(a.termId),
    }));
  }

  // --- schedules -----------------------------------------------------------------------

  /**
   * Regular and holiday schedules of the service and of its service_at_locations, in one
   * list (3.0 nests schedules in the service only; a location's carry its
   * service_at_location_id). A schedule listed in both places is kept once.
   */
  private schedules(): Doc[] {
    const byId = new Map<string, Doc>();
    const add = (schedule: Doc | undefined) => {
      if (!schedule) return;
      const known = byId.get(schedule.id as string);
      if (!known) byId.set(schedule.id as string, schedule);
      else known.service_at_location_id ??= schedule.service_at_location_id;
    };
    const fromList = (list: unknown, at: string, salId?: string) => {
      docs(list).forEach((raw, i) => add(this.regularSchedule(raw, `${at}/${i}`, salId)));
    };
    const fromHolidays = (list: unknown, at: string, salId?: string) => {
      docs(list).forEach((raw, i) => add(this.holidaySchedule(raw, `${at}/${i}`, salId)));
    };
    fromList(this.doc.regular_schedules, 'regular_schedules');
    fromHolidays(this.doc.holiday_schedules, 'holiday_schedules');
    docs(this.doc.service_at_locations).forEach((sal, i) => {
      const salId = this.serviceAtLocationId(sal, i);
      if (!salId) return;
      const at = `service_at_locations/${i}`;
      fromList(sal.regular_schedules, `${at}/regular_schedules`, salId);
      fromList(sal.regular_schedule, `${at}/regular_schedule`, salId);
      fromHolidays(sal.holiday_schedules, `${at}/holiday_schedules`, salId);
      // Open Place spells it so.
      fromHolidays(sal.holidayScheduleCollection, `${at}/holidayScheduleCollection`, salId);
    });
    return [...byId.values()];
  }

  private regularSchedule(raw: Doc, at: string, salId?: string): Doc {
    const days = this.days([raw.byday, raw.weekday, raw.day], at);
    let freq = text(raw.freq)?.toUpperCase();
    let byday = days.length ? days.join(',') : undefined;
    const bymonthday = text(raw.bymonthday);
    if (freq === 'DAILY') {
      freq = 'WEEKLY';
      byday ??= ALL_DAYS;
    } else if (freq && freq !== 'WEEKLY' && freq !== 'MONTHLY') {
      this.note(`${at}`, `freq ${freq} cannot be expressed in 3.0; dropped`);
      freq = undefined;
    }
    if (!freq && byday) freq = /\d/.test(byday) ? 'MONTHLY' : 'WEEKLY';
    if (!freq && bymonthday) freq = 'MONTHLY';
    return {
      id: this.childId('regular_schedule', raw, at),
      service_at_location_id: salId,
      valid_from: this.date(raw.valid_from, `${at}/valid_from`),
      valid_to: this.date(raw.valid_to, `${at}/valid_to`),
      dtstart: this.date(raw.dtstart, `${at}/dtstart`),
      freq,
      interval: this.interval(raw.interval, at),
      byday,
      bymonthday,
      description: text(raw.description),
      opens_at: time(raw.opens_at),
      closes_at: time(raw.closes_at),
    };
  }

  /**
   * A v1 holiday schedule: opening hours on the days start_date..end_date become a daily
   * (WEEKLY on every day) schedule valid on those days; a closure, which 3.0 cannot say
   * in structured form, becomes a schedule that only describes it.
   */
  private holidaySchedule(raw: Doc, at: string, salId?: string): Doc | undefined {
    const from = this.date(raw.start_date, `${at}/start_date`);
    const to = this.date(raw.end_date, `${at}/end_date`) ?? from;
    if (!from) {
      this.note(`${at}`, `holiday schedule without a start_date dropped`);
      return undefined;
    }
    const period = from === to ? `on ${from}` : `from ${from} to ${to}`;
    const closed = raw.closed === true || text(raw.closed)?.toLowerCase() === 'true';
    const opensAt = time(raw.opens_at ?? raw.open_at);
    const closesAt = time(raw.closes_at);
    const hours = !closed && (opensAt || closesAt);
    if (closed) this.note(`${at}`, `closure ${period} kept as a schedule description only`);
    return {
      id: this.childId('holiday_schedule', raw, at),
      service_at_location_id: salId,
      valid_from: from,
      valid_to: to,
      freq: hours ? 'WEEKLY' : undefined,
      byday: hours ? ALL_DAYS : undefined,
      description: closed ? `Closed ${period} (holiday).` : `Holiday opening hours ${period}.`,
      opens_at: hours ? opensAt : undefined,
      closes_at: hours ? closesAt : undefined,
    };
  }

  private days(values: unknown[], at: string): string[] {
    const days: string[] = [];
    for (const value of values) {
      const tokens =
        typeof value === 'number' ? [String(value)] : (text(value)?.split(/[,;/&]|\band\b/i) ?? []);
      for (const token of tokens.map((t) => t.trim()).filter(Boolean)) {
        const codes = dayCodes(token);
        if (!codes) this.note(`${at}`, `day "${token}" not understood; dropped`);
        for (const code of codes ?? []) if (!days.includes(code)) days.push(code);
      }
    }
    return days;
  }

  private interval(value: unknown, at: string): number | undefined {
    const interval = number(value);
    if (interval === undefined) return undefined;
    if (Number.isInteger(interval) && interval >= 1) return interval;
    this.note(`${at}`, `interval ${interval} is not a positive whole number; dropped`);
    return undefined;
  }

  /** ISO date (YYYY-MM-DD); unparseable values are kept as given, for the validator. */
  private date(value: unknown, at: string): string | undefined {
    const result = isoDate(value);
    if (result !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(result)) {
      this.note(`${at}`, `"${result}" is not a date`);
    }
    return result;
  }

  // --- locations -----------------------------------------------------------------------

  private serviceAtLocationId(sal: Doc, i: number): string | undefined {
    const location = asDoc(sal.location);
    const locationV1Id = location ? text(location.id) : undefined;
    if (!locationV1Id) return undefined;
    return uuidFor(
      this.scope('service_at_location'),
      text(sal.id) ?? `${this.v1Id}|${locationV1Id}|${i}`,
    );
  }

  private serviceAtLocations(): Doc[] {
    const out: Doc[] = [];
    docs(this.doc.service_at_locations).forEach((sal, i) => {
      const id = this.serviceAtLocationId(sal, i);
      const raw = asDoc(sal.location);
      if (!id || !raw) {
        this.note(`service_at_locations/${i}`, `no location with an id; dropped`);
        return;
      }
      const location = this.location(raw, `service_at_locations/${i}/location`);
      out.push({ id, location_id: location.id, location });
    });
    return out;
  }

  private location(raw: Doc, at: string): Doc {
    const v1Id = text(raw.id)!;
    const addresses = [
      ...docs(raw.physical_addresses).map((a, i) =>
        this.address(a, 'physical', `${at}/physical_addresses/${i}`, v1Id),
      ),
      ...docs(raw.postal_addresses).map((a, i) =>
        this.address(a, 'postal', `${at}/postal_addresses/${i}`, v1Id),
      ),
    ];
    return {
      id: uuidFor(this.scope('location'), v1Id),
      // v1 locations are places people go to (their addresses are "physical_addresses").
      location_type: 'physical',
      name: text(raw.name),
      description: text(raw.description),
      latitude: coordinate(raw.latitude),
      longitude: coordinate(raw.longitude),
      addresses: addresses.filter(defined),
      accessibility: docs(raw.accessibility_for_disabilities)
        .map((a, i) => this.accessibility(a, `${at}/accessibility_for_disabilities/${i}`, v1Id))
        .filter(defined),
      phones: docs(raw.phones)
        .map((phone, i) => this.phone(phone, `${at}/phones/${i}`, v1Id))
        .filter(defined),
    };
  }

  private address(raw: Doc, type: string, at: string, locationV1Id: string): Doc | undefined {
    const lines = [text(raw.address_1), text(raw.address_2)].filter(defined);
    const address: Doc = {
      id: uuidFor(this.scope(`${type}_address`), text(raw.id) ?? `${locationV1Id}|${at}`),
      attention: text(raw.attention),
      address_1: lines.length ? lines.join(', ') : undefined,
      city: text(raw.city),
      region: text(raw.region),
      state_province: text(raw.state_province),
      postal_code: text(raw.postal_code),
      country: country(raw.country),
      address_type: type,
    };
    // (A missing county is the repairs' to fill: src/transfer/repair/repair.ts.)
    const missing = ['address_1', 'city', 'postal_code'].filter(
      (key) => address[key] === undefined,
    );
    if (missing.length) {
      this.note(`${at}`, `address dropped, 3.0 requires ${missing.join(', ')}`);
      return undefined;
    }
    return address;
  }

  private accessibility(raw: Doc, at: string, locationV1Id: string): Doc | undefined {
    const description = text(raw.accessibility) ?? text(raw.description);
    if (!description) return undefined;
    return {
      id: uuidFor(
        this.scope('accessibility_for_disabilities'),
        text(raw.id) ?? `${locationV1Id}|${at}`,
      ),
      description,
      details: text(raw.details),
      url: text(raw.url),
      // The UK profile's duplicate of description (docs/standard.md, "Known gaps": fill both).
      accessibility: description,
    };
  }

  // --- the other children --------------------------------------------------------------

  private languages(): Doc[] {
    return docs(this.doc.languages)
      .map((raw, i): Doc | undefined => {
        const language = languageOf(raw.language ?? raw.name);
        if (!language) return undefined;
        return { id: this.childId('language', raw, `languages/${i}`), ...language };
      })
      .filter(defined);
  }

  private funding(): Doc[] {
    return docs(this.doc.fundings)
      .map((raw, i): Doc | undefined => {
        const source = text(raw.source);
        return source ? { id: this.childId('funding', raw, `fundings/${i}`), source } : undefined;
      })
      .filter(defined);
  }

  private costOptions(): Doc[] {
    return docs(this.doc.cost_options)
      .map((raw, i): Doc | undefined => {
        const at = `cost_options/${i}`;
        for (const link of [...docs(raw.taxonomys), ...docs(raw.link_taxonomies)]) {
          this.linkTaxonomy(link, 'cost_option');
        }
        const option = {
          valid_from: this.date(raw.valid_from, `${at}/valid_from`),
          valid_to: this.date(raw.valid_to, `${at}/valid_to`),
          option: text(raw.option),
          amount: amount(raw.amount),
          amount_description: text(raw.amount_description),
        };
        if (Object.values(option).every((v) => v === undefined)) return undefined;
        return { id: this.childId('cost_option', raw, at), ...option };
      })
      .filter(defined);
  }

  private serviceAreas(): Doc[] {
    return docs(this.doc.service_areas)
      .map((raw, i): Doc | undefined => {
        for (const link of [...docs(raw.taxonomys), ...docs(raw.link_taxonomies)]) {
          this.linkTaxonomy(link, 'service_area');
        }
        const name = text(raw.service_area) ?? text(raw.name);
        const extent = text(raw.extent);
        const uri = text(raw.uri);
        if (!name && !extent && !uri) return undefined;
        return {
          id: this.childId('service_area', raw, `service_areas/${i}`),
          name,
          extent,
          extent_type:
            text(raw.extent_type) ?? (extent && isGeoJson(extent) ? 'geojson' : undefined),
          uri,
          // The UK profile's duplicate of name (docs/standard.md, "Known gaps": fill both).
          service_area: name,
        };
      })
      .filter(defined);
  }

  private contacts(): Doc[] {
    return docs(this.doc.contacts).map((raw, i) => {
      const at = `contacts/${i}`;
      const contactKey = text(raw.id) ?? `${this.v1Id}/${at}`;
      return {
        id: uuidFor(this.scope('contact'), contactKey),
        name: text(raw.name),
        title: text(raw.title),
        email: text(raw.email),
        phones: docs(raw.phones)
          .map((phone, j) => this.phone(phone, `${at}/phones/${j}`, contactKey))
          .filter(defined),
      };
    });
  }

  private phone(raw: Doc, at: string, contactKey: string): Doc | undefined {
    const number = text(raw.number);
    if (!number) {
      this.note(`${at}`, `phone without a number dropped`);
      return undefined;
    }
    const phoneKey = text(raw.id) ?? `${contactKey}|${at}`;
    const type = text(raw.type)?.toLowerCase();
    const languages = (Array.isArray(raw.language) ? raw.language : [raw.language])
      .map(languageOf)
      .filter(defined)
      .map((language) => ({
        id: uuidFor(this.scope('phone_language'), `${phoneKey}|${language.name ?? language.code}`),
        ...language,
      }));
    return {
      id: uuidFor(this.scope('phone'), phoneKey),
      number,
      extension: text(raw.extension),
      type: type && (PHONE_TYPE as readonly string[]).includes(type) ? type : undefined,
      description: text(raw.description),
      languages,
    };
  }
}
