import { ALIAS, col } from './aliases';
import { ListPlan } from './list-plan';
import { correctableWords, withoutWords } from './typos';

/**
 * Query parameters → SQL conditions on a ListPlan. Filters combine with AND; the values of
 * one filter (comma-separated or repeated) with OR. Each condition is written so that an
 * index can serve it (see the search migration and the entities' indexes); `npm run
 * explain` shows the plans. The values arrive validated (src/api/queries.ts declares and
 * checks the parameters); the interfaces below say what each list's filters read.
 */

/** Every list: free-text search. */
export interface SearchFilter {
  search?: string;
}

/** /services, and /service_at_locations through each one's service. */
export interface ServiceFilters extends SearchFilter {
  taxonomy_term_id?: string[];
  taxonomy_id?: string[];
  organization_id?: string[];
  /** ISO 8601 date or date-time (see asUtcInstant). */
  modified_after?: string;
  minimum_age?: number;
  maximum_age?: number;
  /** Weekday codes, MO…SU. */
  day?: string[];
  /** HH:MM or HH:MM:SS. */
  start_time?: string;
  end_time?: string;
  postcode?: string;
  proximity?: number;
  lat?: number;
  long?: number;
}

/** /taxonomy_terms. */
export interface TaxonomyTermFilters extends SearchFilter {
  taxonomy_id?: string[];
  parent_id?: string[];
  top_only?: boolean;
}

/** A point the request named: from a postcode (geocoded) or lat/long. */
export interface Point {
  latitude: number;
  longitude: number;
  /** The postcode, when the point came from one. */
  postcode?: string;
  /** Lower-case names and codes of the areas the postcode lies in (from the ONSPD). */
  areas?: string[];
}

const EARTH_RADIUS_M = 6_371_008.8;

/**
 * What a list's filters need beyond the query, found before the plan is built (see
 * Lists.plan): the point a postcode or lat/long names, and how a search reads its words.
 */
export interface FilterContext {
  point?: Point;
  search?: SearchContext;
}

/**
 * How a search reads its words, decided by searchProbe (one statement) and, for typos, one
 * lookup of the words one edit away (src/search/typos.ts).
 */
export interface SearchContext {
  /** Nothing matches the words as such: match what is close to them instead. */
  fallback: boolean;
  /** Words no service has, and the known lexemes one edit away from theirs. */
  corrections: Correction[];
}

export interface Correction {
  word: string;
  lexemes: string[];
}

/**
 * Row `r` (an alias) of `table` matches a text-search query: services by their search
 * column, the other tables by their name and description (the expression their search
 * index is on).
 */
const matchesText = (table: string, r: string, tsquery: string) =>
  table === 'service'
    ? `${r}.search_vector @@ ${tsquery}`
    : `to_tsvector('english', coalesce(${r}.name, '') || ' ' || coalesce(${r}.description, '')) @@ ${tsquery}`;

/**
 * The statement that decides how a search over `table` reads (services have their own
 * search column; the other tables their name and description): `fallback` true when no
 * row matches the words as such, read through the text index; and then `unknown`, the
 * correctable words (src/search/typos.ts) whose lexeme no service has, with that lexeme
 * (none are looked up for an ordinary search, which matches). Undefined when the search
 * has no words to fall back on (only exclusions).
 */
export function searchProbe(table: string, search: string): [string, unknown[]] | undefined {
  const plan = new ListPlan(table);
  const { tsquery, words } = searchTerms(plan, search);
  if (!words) return undefined;
  const correctable = plan.param(correctableWords(search) ?? [], 'text[]');
  return plan.bind(
    `WITH f AS (
       SELECT NOT EXISTS (SELECT 1 FROM ${table} x WHERE ${matchesText(table, 'x', tsquery)}) AS fallback)
     SELECT fallback, CASE WHEN fallback THEN (
       SELECT coalesce(json_agg(json_build_object('word', w, 'lexeme', l)), '[]')
       FROM unnest(${correctable}) w, unnest(tsvector_to_array(to_tsvector('english', w))) l
       WHERE NOT EXISTS (SELECT 1 FROM search_word k WHERE k.lexeme = l)) END AS unknown
     FROM f`,
  );
}

/**
 * Free-text search over a service: its name, organization, terms and description, ranked.
 * When no service matches the words as such, the words are corrected (a typo of one edit:
 * "domsetic") and trigram similarity over the names and terms finds close ones too (a
 * misspelling: "dementa"), corrected matches first (see SearchContext), so that an ordinary
 * search costs only the text index.
 */
export function searchServices(
  plan: ListPlan,
  s: string,
  search: string,
  context?: SearchContext,
): void {
  const { tsquery, words, excluded, corrected } = searchTerms(plan, search, context?.corrections);
  fallbackSearch(plan, context?.fallback ?? false, {
    matches: matchesText('service', s, tsquery),
    rank: `ts_rank(${s}.search_vector, ${tsquery})`,
    similar: words && `${words} <% ${s}.search_text`,
    similarity: words && `word_similarity(${words}, ${s}.search_text)`,
    excluded: excluded && matchesText('service', s, excluded),
    corrected: corrected
      ? {
          matches: matchesText('service', s, corrected),
          rank: `ts_rank(${s}.search_vector, ${corrected})`,
        }
      : undefined,
  });
}

/**
 * Free-text search over a record's name and description (organizations, taxonomies,
 * terms), with the same syntax and fallbacks. The condition matches the tables' search
 * indexes; the rank weighs the name above the description.
 */
export function searchNamed(plan: ListPlan, search: string, context?: SearchContext): void {
  const { tsquery, words, excluded, corrected } = searchTerms(plan, search, context?.corrections);
  const { row } = ALIAS;
  const [name, description] = [col(row, 'name'), col(row, 'description')];
  const weighted = `setweight(to_tsvector('english', coalesce(${name}, '')), 'A') || setweight(to_tsvector('english', coalesce(${description}, '')), 'C')`;
  fallbackSearch(plan, context?.fallback ?? false, {
    matches: matchesText(plan.table, row, tsquery),
    rank: `ts_rank(${weighted}, ${tsquery})`,
    similar: words && `${words} <% lower(${name})`,
    similarity: words && `similarity(${words}, lower(${name}))`,
    excluded: excluded && matchesText(plan.table, row, excluded),
    corrected: corrected
      ? {
          matches: matchesText(plan.table, row, corrected),
          rank: `ts_rank(${weighted}, ${corrected})`,
        }
      : undefined,
    // These tables are small: likeness to the whole name always counts, so "Housing" ranks
    // the term named Housing above "Housing advice".
    alwaysSimilarity: true,
  });
}

function fallbackSearch(
  plan: ListPlan,
  fallback: boolean,
  sql: {
    matches: string;
    rank: string;
    similar?: string;
    similarity?: string;
    excluded?: string;
    /** The search with its typos corrected (SearchContext.corrections). */
    corrected?: { matches: string; rank: string };
    alwaysSimilarity?: boolean;
  },
): void {
  if (fallback && sql.similar && sql.similarity) {
    // Nothing matches the words as such: the most similar, still without the excluded words,
    // after those that match once typos are corrected (ranks below 1 against 1 and above).
    const similar = `${sql.similar}${sql.excluded ? ` AND NOT ${sql.excluded}` : ''}`;
    if (sql.corrected) {
      plan.and(`(${sql.corrected.matches}) OR (${similar})`);
      plan.sortBy(
        `CASE WHEN ${sql.corrected.matches} THEN 1 + ${sql.corrected.rank} ELSE ${sql.similarity} END`,
        'DESC',
      );
      return;
    }
    plan.and(similar);
    plan.sortBy(sql.similarity, 'DESC');
    return;
  }
  plan.and(sql.matches);
  plan.sortBy(
    sql.alwaysSimilarity && sql.similarity ? `${sql.rank} + ${sql.similarity}` : sql.rank,
    'DESC',
  );
}

/**
 * The query as PostgreSQL's web-search syntax reads it (stemmed words, "phrases", -word),
 * plus the wanted words as plain text and the excluded words as a query of their own, so
 * that the misspelling fallback (trigram similarity) still honours the exclusions; and,
 * with corrections, the query with each corrected word replaced by "it, or one of its
 * corrections" (lexemes, not stemmed again).
 */
function searchTerms(plan: ListPlan, search: string, corrections: Correction[] = []) {
  const excludedWords: string[] = [];
  const wanted = search
    .replace(/(^|\s)-("[^"]*"|\S+)/g, (_, _space, word: string) => {
      excludedWords.push(word.replace(/"/g, ''));
      return ' ';
    })
    .replace(/["()]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
  let corrected: string | undefined;
  if (corrections.length) {
    const rest = withoutWords(
      search,
      corrections.map((c) => c.word),
    );
    const alternatives = corrections.map(
      (c) =>
        `(plainto_tsquery('english', ${plan.param(c.word)}) || ` +
        `(SELECT string_agg(quote_literal(x), ' | ') FROM unnest(${plan.param(c.lexemes, 'text[]')}) x)::tsquery)`,
    );
    corrected = `(${[
      ...(rest ? [`websearch_to_tsquery('english', ${plan.param(rest)})`] : []),
      ...alternatives,
    ].join(' && ')})`;
  }
  return {
    tsquery: `websearch_to_tsquery('english', ${plan.param(search)})`,
    words: wanted ? plan.param(wanted) : undefined,
    excluded: excludedWords.length
      ? `websearch_to_tsquery('english', ${plan.param(excludedWords.join(' or '))})`
      : undefined,
    corrected,
  };
}

/**
 * The service filters, on the service row aliased `s`: ALIAS.row for /services, the joined
 * ALIAS.service for /service_at_locations (whose own rows, joined to ALIAS.location, are
 * what proximity measures: `near` 'location'). The selective condition (ListPlan.selective)
 * is the first of: the taxonomy term, the taxonomy, the postcode's coverage; it is the one
 * whose matches may be rare or common, read one of two ways as the page runs.
 */
export function serviceFilters(
  plan: ListPlan,
  query: ServiceFilters,
  s: string,
  { point, search }: FilterContext,
  near: 'service' | 'location',
): void {
  const covering = Boolean(point?.postcode && query.proximity === undefined);
  const selective = query.taxonomy_term_id
    ? 'taxonomy_term_id'
    : query.taxonomy_id
      ? 'taxonomy_id'
      : covering
        ? 'postcode'
        : undefined;
  if (query.search) searchServices(plan, s, query.search, search);
  // Through the facets the write path keeps (migration 1795586130893, docs/scale.md): a
  // term matches the services that have it or a term below it; a taxonomy, those with one
  // of its terms. One index range per value.
  const facet = (kind: 't' | 'x', ids: string[]) =>
    `SELECT f.service_id FROM service_facet f
     WHERE f.kind = '${kind}' AND f.value = ANY(${plan.param(ids, 'uuid[]')})`;
  if (query.taxonomy_term_id) {
    plan.andIn(col(s, 'id'), facet('t', query.taxonomy_term_id), {
      selective: selective === 'taxonomy_term_id',
      counted: ['taxonomy_term_id', query.taxonomy_term_id],
    });
  }
  if (query.taxonomy_id) {
    plan.andIn(col(s, 'id'), facet('x', query.taxonomy_id), {
      selective: selective === 'taxonomy_id',
      counted: ['taxonomy_id', query.taxonomy_id],
    });
  }
  if (query.organization_id) {
    plan.and(`${s}.organization_id = ANY(${plan.param(query.organization_id, 'uuid[]')})`, {
      counted: ['organization_id', query.organization_id],
    });
  }
  if (query.modified_after) {
    plan.and(
      `${s}.last_modified >= ${plan.param(asUtcInstant(query.modified_after), 'timestamptz')}`,
    );
  }
  if (query.minimum_age !== undefined) {
    plan.and(`${s}.minimum_age >= ${plan.param(query.minimum_age, 'float8')}`);
  }
  if (query.maximum_age !== undefined) {
    plan.and(`${s}.maximum_age <= ${plan.param(query.maximum_age, 'float8')}`);
  }
  if (query.day || query.start_time || query.end_time) scheduleFilter(plan, query, s);
  if (point) pointFilter(plan, query, s, point, near, selective === 'postcode');
}

/** Open on one of the days, overlapping the time window, today within the schedule's validity. */
function scheduleFilter(plan: ListPlan, query: ServiceFilters, s: string): void {
  const conditions = [
    `x.service_id = ${s}.id`,
    '(x.valid_from IS NULL OR x.valid_from <= CURRENT_DATE)',
    '(x.valid_to IS NULL OR x.valid_to >= CURRENT_DATE)',
  ];
  if (query.day) {
    conditions.push(
      `oruk_weekdays(x.byday) && ${plan.param(query.day, 'text[]')}`,
      `(x.freq IS NULL OR x.freq IN ('WEEKLY', 'MONTHLY'))`,
    );
  }
  // A schedule that closes at or before it opens runs past midnight: open until the day ends.
  const closesAfter = (time: string) => `(x.closes_at > ${time} OR x.closes_at <= x.opens_at)`;
  if (query.start_time) {
    conditions.push('x.opens_at IS NOT NULL', closesAfter(plan.param(query.start_time, 'time')));
  }
  if (query.end_time) conditions.push(`x.opens_at < ${plan.param(query.end_time, 'time')}`);
  plan.and(`EXISTS (SELECT 1 FROM schedule x WHERE ${conditions.join(' AND ')})`);
}

/**
 * Distance from the point, nearest first. With proximity: only records with a location
 * within it, found through the (latitude, longitude) index with a bounding box before the
 * exact great-circle distance. A postcode without proximity: services whose service
 * areas cover it.
 */
function pointFilter(
  plan: ListPlan,
  query: ServiceFilters,
  s: string,
  point: Point,
  near: 'service' | 'location',
  selective: boolean,
): void {
  const lat = plan.param(point.latitude, 'float8');
  const lon = plan.param(point.longitude, 'float8');
  const distance = (l: string) =>
    `${EARTH_RADIUS_M} * 2 * asin(least(1, sqrt(
      power(sin(radians(${l}.latitude - ${lat}) / 2), 2)
      + cos(radians(${lat})) * cos(radians(${l}.latitude)) * power(sin(radians(${l}.longitude - ${lon}) / 2), 2))))`;
  /** The location aliased `l` is within the proximity (undefined: no proximity asked). */
  let within: ((l: string) => string) | undefined;
  if (query.proximity !== undefined) {
    const dLat = ((query.proximity / EARTH_RADIUS_M) * 180) / Math.PI;
    const cosLat = Math.max(Math.cos((point.latitude * Math.PI) / 180), 0.01);
    const dLon = Math.min(dLat / cosLat, 180);
    const [south, north] = [point.latitude - dLat, point.latitude + dLat].map((v) =>
      plan.param(v, 'float8'),
    );
    const [west, east] = [point.longitude - dLon, point.longitude + dLon].map((v) =>
      plan.param(v, 'float8'),
    );
    const metres = plan.param(query.proximity, 'float8');
    within = (l) => `(${l}.latitude BETWEEN ${south} AND ${north}
      AND ${l}.longitude BETWEEN ${west} AND ${east}
      AND ${distance(l)} <= ${metres})`;
  } else if (point.postcode) {
    plan.andIn(col(s, 'id'), coverage(plan, point), { selective });
  }
  if (near === 'location') {
    const l = ALIAS.location;
    plan.joinOne('location', l, 'location_id');
    if (within) plan.and(within(l));
    plan.sortBy(`round(${distance(l)})::int`, 'ASC', 'distance');
    return;
  }
  // The service's nearest location (alias nl).
  const locations = `FROM service_at_location sal JOIN location nl ON nl.id = sal.location_id`;
  if (within) {
    // Within a proximity: the services with a location in it, each with the distance of
    // its nearest, computed once per location (a join that is the condition too: a
    // sub-select per service read its locations again for each of the 17,900 services
    // within 2 km of a town on 1M services).
    plan.joinOne(
      `(SELECT sal.service_id, round(min(${distance('nl')}))::int AS distance
        ${locations} WHERE ${within('nl')} GROUP BY sal.service_id)`,
      ALIAS.nearest,
      'id',
      { key: 'service_id', filters: true },
    );
    plan.sortBy(col(ALIAS.nearest, 'distance'), 'ASC', 'distance');
    return;
  }
  plan.sortBy(
    `(SELECT round(min(${distance('nl')}))::int ${locations} WHERE sal.service_id = ${col(s, 'id')})`,
    'ASC',
    'distance',
  );
}

/**
 * A service area covers a postcode when its name is the name or code of an area the
 * postcode lies in (ward, district: from the ONSPD), when it names the postcode's area,
 * district or sector ("BS", "BS5", "BS5 6"), or when its GeoJSON extent contains the point.
 * Returns the ids of the services so covered, as a query of one column.
 */
function coverage(plan: ListPlan, point: Point): string {
  const names = new Set<string>();
  for (const area of point.areas ?? []) {
    names.add(area);
    // ONS names such as "Bristol, City of" are also known as "Bristol" and "City of Bristol".
    const match = /^(.*), ((?:city|county) of)$/.exec(area);
    if (match) names.add(match[1]).add(`${match[2]} ${match[1]}`);
  }
  const compact = point.postcode!.replace(' ', '');
  const prefixes = [
    compact.replace(/\d.*$/, ''), // area
    point.postcode!.split(' ')[0], // district
    compact.slice(0, -2), // sector
  ];
  const namesParam = plan.param([...names], 'text[]');
  const lat = plan.param(point.latitude, 'float8');
  const lon = plan.param(point.longitude, 'float8');
  // One branch per way of covering, each served by its index (the coverage migration).
  return `SELECT service_id FROM service_area WHERE lower(name) = ANY(${namesParam})
    UNION ALL SELECT service_id FROM service_area WHERE lower(service_area) = ANY(${namesParam})
    UNION ALL SELECT service_id FROM service_area
      WHERE upper(replace(name, ' ', '')) = ANY(${plan.param(prefixes, 'text[]')})
    UNION ALL SELECT service_id FROM service_area
      WHERE lower(extent_type) = 'geojson'
        AND oruk_geojson_bbox(extent) @> box(point(${lon}, ${lat}), point(${lon}, ${lat}))
        AND oruk_geojson_contains(extent, ${lat}, ${lon})`;
}

export function taxonomyTermFilters(
  plan: ListPlan,
  query: TaxonomyTermFilters,
  { search }: FilterContext,
): void {
  const { row } = ALIAS;
  if (query.search) searchNamed(plan, query.search, search);
  if (query.taxonomy_id) {
    plan.and(`${col(row, 'taxonomy_id')} = ANY(${plan.param(query.taxonomy_id, 'uuid[]')})`);
  }
  if (query.parent_id) {
    plan.and(`${col(row, 'parent_id')} = ANY(${plan.param(query.parent_id, 'uuid[]')})`);
  }
  // Top level: no parent, or a parent published elsewhere (not in this dataset).
  if (query.top_only) {
    plan.and(`NOT EXISTS (SELECT 1 FROM taxonomy_term p WHERE p.id = ${col(row, 'parent_id')})`);
  }
}

export function namedFilters(plan: ListPlan, query: SearchFilter, { search }: FilterContext): void {
  if (query.search) searchNamed(plan, query.search, search);
}

/** A date is midnight UTC; a date-time without an offset is UTC. */
export function asUtcInstant(value: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return `${value}T00:00:00Z`;
  return /(Z|[+-]\d{2}(:?\d{2})?)$/i.test(value) ? value : `${value}Z`;
}
