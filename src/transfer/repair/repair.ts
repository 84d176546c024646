import { isDeepStrictEqual } from 'node:util';
import { FieldSpec, fieldsOf, tableOf } from '../../hsds/fields';
import { nestsOf, Shape } from '../../hsds/shapes';
import { Problem } from '../../hsds/validation';
import { Doc } from '../documents';
import { stableUuid, uuidFor } from '../ids';
import { isDoc } from '../values';
import { country } from '../v1/values';
import { Change, ChangeLog } from './changes';
import { canonicalUuid } from '../../hsds/uuid';
import { Nested, REFERENCING } from './references';
import { repairValue } from './values';

/**
 * Be liberal in what we accept, exact in what we serve, and never lose anything silently
 * (docs/import.md): every document of an import (ORUK 3.0 and HSDS JSON, ndjson, CSV
 * packages, ORUK v1 after its mapping, harvested feeds) passes here before it is validated
 * and stored. Each value is repaired by its field's kind (./values.ts), each record by the
 * rules of its table (below): what has one obvious meaning is repaired, what cannot be
 * used is dropped (a value, or a child record), and only what ORUK cannot do without (a
 * service's name or organization, a taxonomy's name) rejects the document. Every change
 * is reported with its JSON path, the value before and after, and why.
 *
 * Ids that are not UUIDs become stable UUIDs of the import's scope, the table and the id
 * (src/transfer/ids.ts: the same on every import and machine, so a re-import updates);
 * a child record without an id gets one made from its parent and its content.
 */
export interface RepairResult {
  doc: Doc;
  changes: Change[];
  /** Why the document cannot be stored (empty: it can). */
  problems: Problem[];
  /** The document's own id as it was given, when a UUID was made from it. */
  givenId?: string;
  /** Its nested records of the tables that ./references.ts checks, by table. */
  records: Map<string, Nested[]>;
}

/**
 * Repairs a document in place (an import's documents are its own: parsed, mapped or
 * assembled for it) and returns it, with what was changed.
 */
export function repairDocument(
  shape: Shape,
  input: Doc,
  scope: string,
  /** Makes a service's id made from its name and organization distinct within an import. */
  distinct: (id: string) => string = (id) => id,
): RepairResult {
  const givenId =
    typeof input.id === 'string' || typeof input.id === 'number' ? String(input.id) : undefined;
  const walk = new Walk(scope, distinct);
  const doc = walk.record(shape, input, '', undefined) ?? {};
  return {
    doc,
    changes: walk.log.changes,
    problems: walk.problems,
    records: byTable(walk.tracked),
    givenId: givenId !== undefined && canonicalUuid(givenId) === undefined ? givenId : undefined,
  };
}

const fieldMaps = new Map<Function, Map<string, FieldSpec>>();

/** An entity's fields by name. */
function fieldMap(entity: Function): Map<string, FieldSpec> {
  let fields = fieldMaps.get(entity);
  if (!fields) {
    fields = new Map(fieldsOf(entity).map((f) => [f.name, f]));
    fieldMaps.set(entity, fields);
  }
  return fields;
}

/** Where a nested record sits: its parent's table and id, the link and the constants. */
interface Parent {
  table: string;
  id: string;
  /** Its id as it was given (what its children's links say, when it was made a UUID). */
  given: unknown;
  /** The child's column that names the parent (arrays), if any. */
  via?: string;
  constants?: Record<string, string>;
}

class Walk {
  readonly log = new ChangeLog();
  readonly problems: Problem[] = [];
  /** The nested records ./references.ts checks, as met (see track()). */
  readonly tracked: [table: string, nested: Nested][] = [];

  constructor(
    private readonly scope: string,
    private readonly distinct: (id: string) => string,
  ) {}

  /** A record of `shape`, repaired; undefined when it is to be left out. */
  record(shape: Shape, value: unknown, path: string, parent: Parent | undefined): Doc | undefined {
    const table = tableOf(shape.entity);
    if (!isDoc(value)) {
      this.log.dropped('not-an-object', path || '/', value, `a ${table} must be a JSON object`);
      return undefined;
    }
    const fields = fieldMap(shape.entity);
    const given = value.id;
    // What is met inside a record left out is not checked: it is not stored.
    const mark = this.tracked.length;
    // Repaired in place: most values stay as they are, and copying them all would cost an
    // import more than the repairs.
    const out = value;
    for (const key in out) {
      const raw = out[key];
      const field = fields.get(key);
      if (raw === null || raw === '' || raw === undefined) {
        // "No value" (ORUK omits such fields instead): not worth a report.
        delete out[key];
      } else if (field) {
        // What the nesting sets (the link to the parent, attribute.link_entity) is the
        // nesting's: see constants().
        if (parent !== undefined && key === parent.via && raw === parent.given) {
          // Its parent's id as given: the parent's id, however that was repaired.
          out[key] = parent.id;
        } else if (!parent?.constants || !Object.hasOwn(parent.constants, key)) {
          this.field(table, field, raw, path, out, parent);
        }
      } else if (!Object.hasOwn(shape.nest ?? {}, key)) {
        this.log.dropped(
          'unknown-field',
          `${path}/${key}`,
          raw,
          `${table} has no field "${key}" in ORUK 3.0 or among the HSDS extras stored`,
        );
        delete out[key];
      }
    }
    this.constants(out, path, parent);
    out.id ??= this.missingId(table, out, value, path, parent);
    for (const [key, nest] of nestsOf(shape)) {
      const raw = out[key];
      if (raw === undefined) continue;
      if (nest.readOnly) {
        // Emitted, never read from a document (an export's provenance): not the import's.
        delete out[key];
        continue;
      }
      const at = `${path}/${key}`;
      if (nest.many) {
        const list = this.children(nest.shape, raw, at, {
          table,
          id: out.id as string,
          given,
          via: nest.via,
          constants: nest.where,
        });
        if (list !== raw) out[key] = list;
      } else {
        // A nested record without an id is the one its parent names.
        if (isDoc(raw) && (raw.id ?? '') === '' && typeof out[nest.via] === 'string')
          raw.id = out[nest.via];
        const child = this.record(nest.shape, raw, at, undefined);
        if (!child) {
          delete out[key];
          continue;
        }
        if (child !== raw) out[key] = child;
        this.track(nest.shape, child, at);
        // The parent names its nested record by id: the record it nests wins.
        if (out[nest.via] !== undefined && out[nest.via] !== child.id) {
          this.log.repaired(
            'nested-link',
            `${path}/${nest.via}`,
            out[nest.via],
            child.id,
            `${nest.via} named another ${tableOf(nest.shape.entity)} than the one nested in it`,
          );
        }
        if (out[nest.via] !== undefined) out[nest.via] = child.id;
      }
    }
    const rules = TABLE_RULES[table];
    const kept = rules ? rules(out, path, this) : out;
    if (!kept) this.tracked.length = mark;
    return kept;
  }

  /** An array of child records: each repaired, duplicates resolved (the same array when all are kept). */
  private children(shape: Shape, raw: unknown, path: string, parent: Parent): Doc[] {
    let list = raw;
    if (!Array.isArray(list)) {
      if (!isDoc(list)) {
        this.log.dropped('not-an-object', path, raw, 'a list of records was expected');
        return [];
      }
      this.log.repaired(
        'not-an-object',
        path,
        '(one record)',
        '(a list of it)',
        'one record where a list belongs',
      );
      list = [list];
    }
    const out: Doc[] = [];
    const paths: string[] = [];
    const byId = new Map<string, Doc>();
    (list as unknown[]).forEach((child, i) => {
      const at = `${path}/${i}`;
      const mark = this.tracked.length;
      const record = this.record(shape, child, at, parent);
      if (!record) return;
      const twin = byId.get(record.id as string);
      if (twin) {
        if (isDeepStrictEqual(twin, record)) {
          this.log.dropped(
            'id-duplicate',
            `${at}/id`,
            record.id,
            'the same record twice in one list',
          );
          this.tracked.length = mark;
          return;
        }
        const id = this.contentId(tableOf(shape.entity), record, parent);
        this.log.repaired(
          'id-duplicate',
          `${at}/id`,
          record.id,
          id,
          'another record of the list has this id',
        );
        // Its own children name it by its new id.
        for (const [key, nest] of nestsOf(shape)) {
          const children = record[key];
          if (!nest.many || !Array.isArray(children)) continue;
          for (const c of children as Doc[]) if (c[nest.via] === record.id) c[nest.via] = id;
        }
        record.id = id;
      }
      byId.set(record.id as string, record);
      out.push(record);
      paths.push(at);
    });
    const kept = out.length === (list as unknown[]).length && list === raw ? (raw as Doc[]) : out;
    kept.forEach((record, i) => this.track(shape, record, paths[i], kept));
    return kept;
  }

  /** A nested record that ./references.ts will check, where it is. */
  private track(shape: Shape, record: Doc, path: string, list?: Doc[]): void {
    const table = tableOf(shape.entity);
    if (REFERENCING.has(table)) this.tracked.push([table, { record, path, list }]);
  }

  /** One field of a record at `record` (its path), repaired into `out`. */
  private field(
    table: string,
    field: FieldSpec,
    raw: unknown,
    record: string,
    out: Doc,
    parent: Parent | undefined,
  ): void {
    const outcome = repairValue(field, raw);
    if ('asGiven' in outcome) return;
    const path = `${record}/${field.name}`;
    if ('keep' in outcome) {
      out[field.name] = outcome.keep;
    } else if ('repaired' in outcome) {
      out[field.name] = outcome.repaired;
      this.log.repaired(outcome.rule, path, raw, outcome.repaired, outcome.reason);
    } else if (
      field.kind === 'uuid' &&
      (typeof raw === 'string' || typeof raw === 'number') &&
      String(raw).trim()
    ) {
      // Not a UUID: the stable UUID of the table it names, in this import's scope.
      const of =
        field.name === 'id'
          ? table
          : field.references
            ? tableOf(field.references())
            : (parent?.constants?.link_entity ?? (out.link_entity as string | undefined));
      if (!of) {
        this.log.dropped('id-derived', path, raw, 'not a UUID, and of no known table');
        delete out[field.name];
        return;
      }
      const id = uuidFor(`${this.scope}:${of}`, String(raw).trim());
      out[field.name] = id;
      this.log.repaired(
        'id-derived',
        path,
        raw,
        id,
        `not a UUID: made from "${this.scope}", ${of} and the id`,
      );
    } else {
      this.log.dropped(outcome.rule, path, raw, outcome.drop);
      delete out[field.name];
    }
  }

  /** What the nesting says of a child: its parent link and its constants (link_entity). */
  private constants(out: Doc, path: string, parent: Parent | undefined): void {
    if (!parent) return;
    if (parent.via && out[parent.via] !== undefined && out[parent.via] !== parent.id) {
      this.log.repaired(
        'nested-link',
        `${path}/${parent.via}`,
        out[parent.via],
        parent.id,
        `${parent.via} named another ${parent.table} than the one it is nested in`,
      );
      out[parent.via] = parent.id;
    }
    for (const [column, value] of Object.entries(parent.constants ?? {})) {
      if (out[column] === undefined || out[column] === value) continue;
      this.log.repaired(
        column === 'link_entity' ? 'link-entity' : 'nested-link',
        `${path}/${column}`,
        out[column],
        value,
        `it sits in a ${value}`,
      );
      out[column] = value;
    }
  }

  /** The id of a record that has none: from its parent and its content, or its name. */
  private missingId(
    table: string,
    out: Doc,
    given: Doc,
    path: string,
    parent: Parent | undefined,
  ): string {
    if (parent || table !== 'service') {
      const id = this.contentId(table, out, parent);
      this.log.repaired(
        'id-missing',
        `${path}/id`,
        given.id,
        id,
        `a ${table} without an id: made from ${parent ? 'its parent and ' : ''}its content`,
      );
      return id;
    }
    const organization = given.organization_id ?? (given.organization as Doc | undefined)?.id;
    const made = stableUuid(
      `${this.scope}:${table}`,
      `name:${JSON.stringify(out.name ?? '')}|${JSON.stringify(organization ?? '')}`,
    );
    const id = this.distinct(made);
    this.log.repaired(
      'id-missing',
      `${path}/id`,
      given.id,
      id,
      `a service without an id: made from its name and organization${id === made ? '' : ', and its rank among the services of this import with the same'}`,
    );
    return id;
  }

  /** A stable id from a record's own values (not its id) and its parent. */
  contentId(table: string, record: Doc, parent: Parent | undefined): string {
    const own = Object.entries(record)
      .filter(([key, value]) => key !== 'id' && (value === null || typeof value !== 'object'))
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return stableUuid(`${this.scope}:${table}`, `${parent?.id ?? ''}|${JSON.stringify(own)}`);
  }

  problem(path: string, reason: string): void {
    this.problems.push({ path, reason, rule: 'required' });
  }
}

type Rule = (record: Doc, path: string, walk: Walk) => Doc | undefined;

/** A required field filled from another, reported. */
function fill(
  walk: Walk,
  record: Doc,
  path: string,
  field: string,
  value: unknown,
  reason: string,
) {
  record[field] = value;
  walk.log.repaired('required', `${path}/${field}`, undefined, value, reason);
}

/** The rules of each table that a field alone cannot say: required values, pairs. */
const TABLE_RULES: Record<string, Rule> = {
  service(s, path, walk) {
    if (s.name === undefined) walk.problem(`${path}/name`, 'a service needs a name');
    if (s.organization === undefined && s.organization_id === undefined)
      walk.problem(`${path}/organization`, 'a service needs an organization or organization_id');
    if (s.status === undefined) fill(walk, s, path, 'status', 'active', 'a service needs a status');
    const [min, max] = [s.minimum_age, s.maximum_age] as (number | undefined)[];
    if (min !== undefined && max !== undefined && min > max) {
      walk.log.dropped(
        'age',
        `${path}/minimum_age`,
        min,
        `above maximum_age ${max}: no range can be both`,
      );
      walk.log.dropped('age', `${path}/maximum_age`, max, `below minimum_age ${min}`);
      delete s.minimum_age;
      delete s.maximum_age;
    }
    return s;
  },
  organization(o, path, walk) {
    if (o.name === undefined) walk.problem(`${path}/name`, 'an organization needs a name');
    else if (o.description === undefined)
      fill(walk, o, path, 'description', o.name, 'an organization needs a description: its name');
    return o;
  },
  taxonomy(t, path, walk) {
    if (t.name === undefined) walk.problem(`${path}/name`, 'a taxonomy needs a name');
    else if (t.description === undefined)
      fill(walk, t, path, 'description', t.name, 'a taxonomy needs a description: its name');
    return t;
  },
  taxonomy_term(t, path, walk) {
    if (t.name === undefined && typeof t.term === 'string')
      fill(walk, t, path, 'name', t.term, 'a taxonomy term needs a name: its "term"');
    if (t.name === undefined) {
      walk.log.dropped('required', path, t.id, 'a taxonomy term without a name');
      return undefined;
    }
    if (t.description === undefined)
      fill(walk, t, path, 'description', t.name, 'a taxonomy term needs a description: its name');
    return t;
  },
  attribute(a, path, walk) {
    const term = a.taxonomy_term as Doc | undefined;
    if (a.taxonomy_term_id === undefined && term?.id === undefined) {
      walk.log.dropped('required', path, a.id, 'an attribute without a taxonomy term');
      return undefined;
    }
    return a;
  },
  organization_identifier(i, path, walk) {
    if (i.identifier === undefined) {
      walk.log.dropped('required', path, i.id, 'an organization identifier without its identifier');
      return undefined;
    }
    if (i.identifier_type === undefined)
      fill(
        walk,
        i,
        path,
        'identifier_type',
        i.identifier_scheme ?? 'Identifier',
        'an identifier needs a type',
      );
    return i;
  },
  location(l, path, walk) {
    const { latitude: lat, longitude: lon } = l as { latitude?: number; longitude?: number };
    if ((lat === undefined) !== (lon === undefined) || (lat === 0 && lon === 0)) {
      for (const key of ['latitude', 'longitude'] as const) {
        if (l[key] === undefined) continue;
        walk.log.dropped(
          'coordinates',
          `${path}/${key}`,
          l[key],
          lat === 0 && lon === 0
            ? '0,0 is no place in the UK: taken as unknown'
            : 'a coordinate without the other',
        );
        delete l[key];
      }
    }
    if (l.location_type === undefined) {
      const addresses = (l.addresses as Doc[] | undefined) ?? [];
      const type = addresses.length || l.latitude !== undefined ? 'physical' : 'virtual';
      fill(
        walk,
        l,
        path,
        'location_type',
        type,
        'a location needs a type: from its address or coordinates',
      );
    }
    return l;
  },
  address(a, path, walk) {
    const missing = ['address_1', 'city', 'postal_code'].filter((key) => a[key] === undefined);
    if (missing.length) {
      walk.log.dropped('required', path, a.id, `an address without ${missing.join(', ')}`);
      return undefined;
    }
    if (a.state_province === undefined) {
      const county = a.region ?? a.city;
      fill(
        walk,
        a,
        path,
        'state_province',
        county,
        'an address needs a county: its region or city stands in',
      );
    }
    if (a.country === undefined)
      fill(walk, a, path, 'country', 'GB', 'an address needs a country: GB');
    else if (typeof a.country === 'string' && !/^[A-Z]{2}$/.test(a.country)) {
      const code = country(a.country);
      if (/^[A-Z]{2}$/.test(code)) {
        walk.log.repaired(
          'enum',
          `${path}/country`,
          a.country,
          code,
          'a country as its ISO 3166-1 code',
        );
        a.country = code;
      }
    }
    if (a.address_type === undefined)
      fill(walk, a, path, 'address_type', 'physical', 'an address needs a type');
    return a;
  },
  phone(p, path, walk) {
    if (p.number === undefined) {
      walk.log.dropped('required', path, p.id, 'a phone without a number');
      return undefined;
    }
    return p;
  },
  service_at_location(sal, path, walk) {
    if (sal.location === undefined && sal.location_id === undefined) {
      walk.log.dropped('required', path, sal.id, 'a service at location without a location');
      return undefined;
    }
    return sal;
  },
};

function byTable(tracked: [string, Nested][]): Map<string, Nested[]> {
  const records = new Map<string, Nested[]>();
  for (const [table, nested] of tracked) {
    let list = records.get(table);
    if (!list) records.set(table, (list = []));
    list.push(nested);
  }
  return records;
}
