import { Doc } from '../documents';
import { ordered } from './values';

/**
 * Vocabularies derived from v1 enumerated service fields. They are the standard's, not a
 * feed's, so their ids are the same for every feed (scope `oruk-v1:`): services from
 * different v1 feeds share the terms, and filter together.
 */
export interface DerivedVocabulary {
  name: string;
  description: string;
  /** The label of the v1 field, for term descriptions. */
  label: string;
  /** Known values, in their canonical spelling. */
  values: readonly string[];
  /** Other spellings of the values, lower case with single spaces → the value. */
  aliases?: Record<string, string>;
}

export const DERIVED: Record<string, DerivedVocabulary> = {
  eligibility: {
    name: 'ORUK v1 eligibility',
    description:
      'Who a service is for, from the eligibility field of ORUK v1 eligibility records (ages are mapped to minimum_age and maximum_age).',
    label: 'Eligibility',
    values: [
      'adult',
      'child',
      'teen',
      'family',
      'female',
      'male',
      'Transgender',
      'Transgender - M to F',
      'Transgender - F to M',
    ],
  },
  deliverable_type: {
    name: 'ORUK v1 deliverable type',
    description:
      'The nature of what a service delivers (the ORUK v1 service field deliverable_type).',
    label: 'Deliverable type',
    values: [
      'Advice',
      'Assessment',
      'Counselling',
      'Equipment',
      'Financial Support',
      'Information',
      'Permission',
      'Training',
    ],
    aliases: { counseling: 'Counselling', 'financial help': 'Financial Support' },
  },
  attending_type: {
    name: 'ORUK v1 attending type',
    description: 'How people attend a service (the ORUK v1 service field attending_type).',
    label: 'Attending type',
    values: ['phone', 'online', 'venue', 'home visit'],
    aliases: {
      telephone: 'phone',
      'phone call': 'phone',
      'by phone': 'phone',
      web: 'online',
      website: 'online',
      virtual: 'online',
      'in person': 'venue',
      'face to face': 'venue',
      'home visits': 'home visit',
      'at home': 'home visit',
    },
  },
  attending_access: {
    name: 'ORUK v1 attending access',
    description:
      'What access to a service requires, e.g. a referral (the ORUK v1 service field attending_access).',
    label: 'Attending access',
    values: ['referral', 'appointment', 'membership', 'drop-in'],
    aliases: {
      'self referral': 'referral',
      'referral required': 'referral',
      'by referral': 'referral',
      'by appointment': 'appointment',
      'appointment only': 'appointment',
      'appointments only': 'appointment',
      'drop in': 'drop-in',
      dropin: 'drop-in',
      'drop in session': 'drop-in',
      members: 'membership',
      'members only': 'membership',
    },
  },
};

export const DERIVED_SCOPE = 'oruk-v1';

/**
 * The LGA (esd) lists, whose terms have published URIs. v1 feeds name terms by CURIE
 * (`esdServiceType:242`) or by the bare list identifier inside a vocabulary named after
 * the list (`esdServiceTypes`); only then is a `term_uri` derived.
 */
export interface EsdList {
  prefixes: readonly string[];
  vocabularies: readonly string[];
  list: string;
  term: string;
  identifier: RegExp;
}

export const ESD_LISTS: readonly EsdList[] = [
  {
    prefixes: ['esdservicetype', 'esdservicetypes'],
    vocabularies: ['esdservicetype', 'esdservicetypes'],
    list: 'http://id.esd.org.uk/list/services',
    term: 'http://id.esd.org.uk/service/',
    identifier: /^\d+$/,
  },
  {
    prefixes: ['esdneed', 'esdneeds'],
    vocabularies: ['esdneed', 'esdneeds'],
    list: 'http://id.esd.org.uk/list/needs',
    term: 'http://id.esd.org.uk/need/',
    identifier: /^\d+$/,
  },
  {
    prefixes: ['esdcircumstance', 'esdcircumstances'],
    vocabularies: ['esdcircumstance', 'esdcircumstances'],
    list: 'http://id.esd.org.uk/list/circumstances',
    term: 'http://id.esd.org.uk/circumstance/',
    identifier: /^[A-Za-z0-9_]+$/,
  },
];

export const UNSPECIFIED_VOCABULARY = 'Unspecified';

export function curie(id: string | undefined): { prefix: string; local: string } | undefined {
  const match = id ? /^([A-Za-z][\w.-]*):([^/\s][^\s]*)$/.exec(id) : null;
  if (!match || /^https?$/i.test(match[1])) return undefined;
  return { prefix: match[1], local: match[2] };
}

export function esdTermUri(v1Id: string | undefined, vocabulary: string): string | undefined {
  if (!v1Id) return undefined;
  if (/^https?:\/\/id\.esd\.org\.uk\/(service|need|circumstance)\/[\w]+$/.test(v1Id)) return v1Id;
  const compact = curie(v1Id);
  for (const esd of ESD_LISTS) {
    if (compact && esd.prefixes.includes(compact.prefix.toLowerCase())) {
      return esd.identifier.test(compact.local) ? esd.term + compact.local : undefined;
    }
    if (!compact && esd.vocabularies.includes(vocabulary.trim().toLowerCase())) {
      return esd.identifier.test(v1Id) ? esd.term + v1Id : undefined;
    }
  }
  return undefined;
}

export function esdListUri(vocabulary: string): string | undefined {
  const name = vocabulary.trim().toLowerCase();
  return ESD_LISTS.find((esd) => esd.vocabularies.includes(name))?.list;
}

export const TERM_KEYS = [
  'id',
  'name',
  'description',
  'parent_id',
  'taxonomy',
  'taxonomy_id',
  'term_uri',
  'term',
  'code',
];

/** The taxonomies and terms one mapping needs, in the order first met. */
export class Vocabularies {
  private readonly taxonomies = new Map<string, { doc: Doc; terms: Map<string, Doc> }>();

  taxonomy(doc: Doc): string {
    const id = doc.id as string;
    if (!this.taxonomies.has(id)) this.taxonomies.set(id, { doc, terms: new Map() });
    return id;
  }

  /** Adds a term; a term met again only fills in what the first sight lacked. */
  term(term: Doc): string {
    const id = term.id as string;
    const terms = this.taxonomies.get(term.taxonomy_id as string)!.terms;
    const known = terms.get(id);
    if (!known) terms.set(id, term);
    else for (const [key, value] of Object.entries(term)) known[key] ??= value;
    return id;
  }

  /** The final form of a term, as nested in attributes and in its taxonomy alike. */
  get(id: string): Doc | undefined {
    for (const { terms } of this.taxonomies.values()) {
      const term = terms.get(id);
      if (term) return ordered(term, TERM_KEYS);
    }
    return undefined;
  }

  documents(): Doc[] {
    return [...this.taxonomies.values()].map(({ doc, terms }) => ({
      ...doc,
      taxonomy_terms: [...terms.keys()].map((id) => this.get(id)!),
    }));
  }
}

export const STATUS_ALIASES: Record<string, string> = {
  temporarily_closed: 'temporarily closed',
  'temporarily-closed': 'temporarily closed',
  temporarilyclosed: 'temporarily closed',
  'closed temporarily': 'temporarily closed',
  suspended: 'temporarily closed',
  paused: 'temporarily closed',
  open: 'active',
  live: 'active',
  published: 'active',
  closed: 'inactive',
  withdrawn: 'inactive',
  deleted: 'defunct',
  discontinued: 'defunct',
  archived: 'defunct',
};
