import {
  Accessibility,
  Address,
  Attribute,
  Contact,
  CostOption,
  Funding,
  Language,
  LinkEntity,
  Location,
  Organization,
  OrganizationIdentifier,
  Phone,
  Schedule,
  Service,
  ServiceArea,
  ServiceAtLocation,
  Taxonomy,
  TaxonomyTerm,
} from './entities';

/**
 * How records nest in ORUK JSON (STANDARD.md §1.6), declared once. A shape is an entity
 * plus the objects and arrays nested in it, by JSON key. The same shapes drive:
 *  - the SQL that builds each response (./json-select.ts),
 *  - the JSON Schemas in the OpenAPI document and the import validator (./json-schema.ts),
 *  - the loader that writes documents of that shape (./loader.ts).
 */
export interface Shape {
  /** The schema name in the OpenAPI document. */
  name: string;
  entity: Function;
  nest?: Record<string, Nest>;
}

export interface Nest {
  shape: Shape;
  /** An array of children that point at the parent, or one object the parent points at. */
  many: boolean;
  /** The column on the child (many) or on the parent (one) that links the two. */
  via: string;
  /** Constant column values of the children, e.g. attribute.link_entity. */
  where?: Record<string, string>;
  /**
   * For arrays: whether the array is the complete set of the parent's children, so that
   * writing the parent replaces them (children missing from a document are deleted).
   */
  owned?: boolean;
}

const many = (shape: Shape, via: string, where?: Record<string, string>): Nest => ({
  shape,
  many: true,
  via,
  where,
  owned: true,
});
const one = (shape: Shape, via: string): Nest => ({ shape, many: false, via });
const flat = (name: string, entity: Function): Shape => ({ name, entity });

const TERM = flat('TaxonomyTerm', TaxonomyTerm);
const ATTRIBUTE: Shape = {
  name: 'Attribute',
  entity: Attribute,
  nest: { taxonomy_term: one(TERM, 'taxonomy_term_id') },
};

/** The `attributes[]` of a record: the taxonomy terms that classify it (STANDARD.md §4). */
function attributes(of: LinkEntity): Nest {
  return many(ATTRIBUTE, 'link_id', { link_entity: of });
}

const withAttributes = (name: string, entity: Function, of: LinkEntity, nest = {}): Shape => ({
  name,
  entity,
  nest: { ...nest, attributes: attributes(of) },
});

const LANGUAGE = flat('Language', Language);

/** HSDS 3.0 phones (an extra: the UK profile keeps the table but nests it nowhere). */
const PHONE: Shape = {
  name: 'Phone',
  entity: Phone,
  nest: { languages: many(LANGUAGE, 'phone_id') },
};

export const ORGANIZATION = flat('Organization', Organization);
export const ORGANIZATION_FULL = withAttributes('OrganizationFull', Organization, 'organization', {
  organization_identifiers: many(
    withAttributes('OrganizationIdentifier', OrganizationIdentifier, 'organization_identifier'),
    'organization_id',
  ),
});

export const LOCATION = flat('Location', Location);
export const LOCATION_FULL = withAttributes('LocationFull', Location, 'location', {
  addresses: many(withAttributes('Address', Address, 'address'), 'location_id'),
  accessibility: many(
    withAttributes('Accessibility', Accessibility, 'accessibility'),
    'location_id',
  ),
  phones: many(PHONE, 'location_id'),
});

/** A `/services` list item: service fields and a flat organization. */
export const SERVICE = {
  name: 'Service',
  entity: Service,
  nest: { organization: one(ORGANIZATION, 'organization_id') },
} satisfies Shape;

/** Everything nested in a service except its service_at_locations. */
const SERVICE_CHILDREN = {
  schedules: many(flat('Schedule', Schedule), 'service_id'),
  service_areas: many(flat('ServiceArea', ServiceArea), 'service_id'),
  languages: many(LANGUAGE, 'service_id'),
  organization: one(ORGANIZATION_FULL, 'organization_id'),
  funding: many(flat('Funding', Funding), 'service_id'),
  cost_options: many(flat('CostOption', CostOption), 'service_id'),
  contacts: many(
    withAttributes('Contact', Contact, 'contact', { phones: many(PHONE, 'contact_id') }),
    'service_id',
  ),
  phones: many(PHONE, 'service_id'),
  attributes: attributes('service'),
};

/** `/services/{id}` and `/services?full=true` items: the whole tree. */
const { schedules, service_areas, ...OTHER_CHILDREN } = SERVICE_CHILDREN;
export const SERVICE_FULL: Shape = {
  name: 'ServiceFull',
  entity: Service,
  // In the order of the official example.
  nest: {
    schedules,
    service_areas,
    service_at_locations: many(
      {
        name: 'ServiceAtLocationInService',
        entity: ServiceAtLocation,
        nest: { location: one(LOCATION_FULL, 'location_id') },
      },
      'service_id',
    ),
    ...OTHER_CHILDREN,
  },
};

/** `/taxonomies/{id}`: a taxonomy with its terms (terms are not deleted when omitted). */
export const TAXONOMY_FULL: Shape = {
  name: 'TaxonomyFull',
  entity: Taxonomy,
  nest: { taxonomy_terms: { ...many(TERM, 'taxonomy_id'), owned: false } },
};
