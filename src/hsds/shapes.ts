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
  Provenance,
  Schedule,
  Service,
  ServiceArea,
  ServiceAtLocation,
  Taxonomy,
  TaxonomyTerm,
} from './entities';
import { FieldSpec, fieldsOf } from './fields';

/**
 * How records nest in ORUK JSON (docs/standard.md, "Nesting"), declared once. A shape is an entity
 * plus the objects and arrays nested in it, by JSON key. The same shapes drive:
 *  - the SQL that builds each response (./json-select.ts),
 *  - the JSON Schemas in the OpenAPI document and the import validator (./json-schema.ts),
 *  - the loader that writes documents of that shape (./loader.ts).
 */
export interface Shape {
  /** The schema name in the OpenAPI document. */
  name: string;
  entity: Function;
  /** Only these fields of the entity (default: all of them). */
  fields?: readonly string[];
  nest?: Record<string, Nest>;
  /** Computed properties a response may add (e.g. `distance`), with their JSON Schemas. */
  extras?: Record<string, Record<string, unknown>>;
}

/** The entity fields a shape carries. */
export function shapeFields(shape: Shape): readonly FieldSpec[] {
  const all = fieldsOf(shape.entity);
  return shape.fields ? all.filter((f) => shape.fields!.includes(f.name)) : all;
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
  /**
   * Emitted, never written from documents: the loader skips it (e.g. `provenance`, which
   * the importer writes). A document may carry it (an export of a harvested service).
   */
  readOnly?: boolean;
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

/** The `attributes[]` of a record: the taxonomy terms that classify it (docs/standard.md, "Attributes and taxonomies"). */
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

/** `distance`, added to list items when the request names a point (postcode or lat/long). */
const DISTANCE = {
  distance: {
    type: 'integer',
    minimum: 0,
    description:
      'Extra: metres from the point the request named (postcode or lat/long) to the nearest location.',
  },
};

/** A `/services` list item: service fields and a flat organization. */
export const SERVICE = {
  name: 'Service',
  entity: Service,
  nest: { organization: one(ORGANIZATION, 'organization_id') },
  extras: DISTANCE,
} satisfies Shape;

/** A `/services?minimal=true` item: just enough for a client to sync. */
export const SERVICE_MINIMAL: Shape = {
  name: 'ServiceMinimal',
  entity: Service,
  fields: ['id', 'last_modified'],
};

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

/**
 * Extra: where a service came from (a harvested feed, or an import's non-UUID id), on full
 * services.
 * Linked by the service's own id (provenance.id = service.id).
 */
const PROVENANCE: Nest = {
  shape: {
    name: 'Provenance',
    entity: Provenance,
    fields: ['source_feed', 'source_id', 'fetched_at', 'gone_at'],
  },
  many: false,
  via: 'id',
  readOnly: true,
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
    provenance: PROVENANCE,
  },
  extras: DISTANCE,
};

/** The full service inside `/service_at_locations/{id}`: everything but its locations. */
const SERVICE_FULL_IN_SAL: Shape = {
  name: 'ServiceFullInServiceAtLocation',
  entity: Service,
  nest: SERVICE_CHILDREN,
};

/** A `/service_at_locations` item: flat location, and the service with a flat organization. */
export const SERVICE_AT_LOCATION: Shape = {
  name: 'ServiceAtLocation',
  entity: ServiceAtLocation,
  nest: {
    location: one(LOCATION, 'location_id'),
    service: one(
      { name: 'ServiceInServiceAtLocation', entity: Service, nest: SERVICE.nest },
      'service_id',
    ),
  },
  extras: DISTANCE,
};

/** `/service_at_locations/{id}`: the full location and the full service (docs/standard.md, "Nesting"). */
export const SERVICE_AT_LOCATION_FULL: Shape = {
  name: 'ServiceAtLocationFull',
  entity: ServiceAtLocation,
  nest: {
    location: one(LOCATION_FULL, 'location_id'),
    service: one(SERVICE_FULL_IN_SAL, 'service_id'),
  },
  extras: DISTANCE,
};

/** The services an organization provides, nested in it (not written through it). */
const providedServices = (shape: Shape): Nest => ({
  ...many(shape, 'organization_id'),
  owned: false,
});

function withoutOrganization(nest: Record<string, Nest>): Record<string, Nest> {
  return Object.fromEntries(Object.entries(nest).filter(([key]) => key !== 'organization'));
}

/** `/organizations/{id}`: identifiers, attributes and the services it provides (flat). */
export const ORGANIZATION_WITH_SERVICES: Shape = {
  ...ORGANIZATION_FULL,
  name: 'OrganizationWithServices',
  nest: {
    ...ORGANIZATION_FULL.nest,
    services: providedServices(flat('ServiceInOrganization', Service)),
  },
};

/** `/organizations/{id}?full_service=true`: the same with every service fully nested. */
export const ORGANIZATION_WITH_FULL_SERVICES: Shape = {
  ...ORGANIZATION_FULL,
  name: 'OrganizationWithFullServices',
  nest: {
    ...ORGANIZATION_FULL.nest,
    services: providedServices({
      name: 'ServiceFullInOrganization',
      entity: Service,
      nest: withoutOrganization(SERVICE_FULL.nest!),
    }),
  },
};

export const TAXONOMY = flat('Taxonomy', Taxonomy);
export const TAXONOMY_TERM = TERM;

/** `/taxonomies/{id}`: a taxonomy with its terms (terms are not deleted when omitted). */
export const TAXONOMY_FULL: Shape = {
  name: 'TaxonomyFull',
  entity: Taxonomy,
  nest: { taxonomy_terms: { ...many(TERM, 'taxonomy_id'), owned: false } },
};

const nestLists = new Map<Shape, [string, Nest][]>();

/** A shape's nested records by key, as a list (made once per shape). */
export function nestsOf(shape: Shape): readonly [string, Nest][] {
  let nests = nestLists.get(shape);
  if (!nests) {
    nests = Object.entries(shape.nest ?? {});
    nestLists.set(shape, nests);
  }
  return nests;
}
