import { Check, Column, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { ColumnType, RelationOptions } from 'typeorm';

/**
 * Every HSDS field is declared once, on its entity, with one of the decorators below.
 * A decorator both maps the field to a PostgreSQL column (through TypeORM) and records
 * its HSDS meaning (JSON type, format, enum, range, required) in a registry. That registry
 * drives the JSON the API emits (src/hsds/json-select.ts), the JSON Schemas published in
 * the OpenAPI document and used to validate imports (src/hsds/json-schema.ts), and the
 * loader (src/hsds/loader.ts). The property name is the HSDS name, so the column, the
 * property and the JSON key are the same word.
 */
export type FieldKind =
  'uuid' | 'text' | 'email' | 'uri' | 'number' | 'integer' | 'date' | 'datetime' | 'time' | 'enum';

export interface FieldSpec {
  name: string;
  kind: FieldKind;
  description: string;
  /** In the JSON Schema `required` list of the ORUK 3.0 entity (docs/standard.md). */
  required: boolean;
  values?: readonly string[];
  minimum?: number;
  maximum?: number;
  /** For uuid fields that point at another entity: that entity (lazy, for circular imports). */
  references?: () => Function;
  example?: string | number;
}

interface FieldOptions {
  required?: boolean;
  /** NOT NULL in the database although the JSON may omit it (derived from the nesting). */
  notNull?: boolean;
  minimum?: number;
  maximum?: number;
  example?: string | number;
  default?: () => string;
}

const registry = new Map<Function, FieldSpec[]>();

/** The HSDS fields of an entity class, in declaration order. */
export function fieldsOf(entity: Function): readonly FieldSpec[] {
  const fields = registry.get(entity);
  if (!fields) throw new Error(`${entity.name} declares no HSDS fields`);
  return fields;
}

const tables = new Map<Function, string>();

export function tableOf(entity: Function): string {
  let table = tables.get(entity);
  if (!table) {
    table = entity.name.replace(/(?<!^)([A-Z])/g, '_$1').toLowerCase();
    tables.set(entity, table);
  }
  return table;
}

const COLUMN_TYPE: Record<FieldKind, ColumnType> = {
  uuid: 'uuid',
  text: 'text',
  email: 'text',
  uri: 'text',
  enum: 'text',
  number: 'double precision',
  integer: 'integer',
  date: 'date',
  datetime: 'timestamptz',
  time: 'time',
};

function field(
  kind: FieldKind,
  description: string,
  options: FieldOptions = {},
  values?: readonly string[],
) {
  return (target: object, property: string | symbol): void => {
    const name = String(property);
    const entity = target.constructor;
    const table = tableOf(entity);
    const required = options.required ?? false;
    Column({
      type: COLUMN_TYPE[kind],
      nullable: !(required || options.notNull),
      precision: kind === 'datetime' ? 3 : undefined,
      default: options.default,
      comment: description,
    })(target, property);
    if (values) {
      const list = values.map((v) => `'${v}'`).join(', ');
      Check(`CHK_${table}_${name}`, `"${name}" IN (${list})`)(entity);
    }
    if (options.minimum !== undefined && options.maximum !== undefined) {
      Check(
        `CHK_${table}_${name}`,
        `"${name}" BETWEEN ${options.minimum} AND ${options.maximum}`,
      )(entity);
    }
    const spec: FieldSpec = { name, kind, description, required, values, ...pick(options) };
    registry.set(entity, [...(registry.get(entity) ?? []), spec]);
  };
}

function pick({ minimum, maximum, example }: FieldOptions) {
  return { minimum, maximum, example };
}

export const Uuid = (description: string, options?: FieldOptions) =>
  field('uuid', description, options);
export const Text = (description: string, options?: FieldOptions) =>
  field('text', description, options);
export const Email = (description: string, options?: FieldOptions) =>
  field('email', description, options);
export const Uri = (description: string, options?: FieldOptions) =>
  field('uri', description, options);
export const Num = (description: string, options?: FieldOptions) =>
  field('number', description, options);
export const Int = (description: string, options?: FieldOptions) =>
  field('integer', description, options);
export const DateOnly = (description: string, options?: FieldOptions) =>
  field('date', description, options);
export const DateTime = (description: string, options?: FieldOptions) =>
  field('datetime', description, options);
export const Time = (description: string, options?: FieldOptions) =>
  field('time', description, options);
export const OneOf = (values: readonly string[], description: string, options?: FieldOptions) =>
  field('enum', description, options, values);

/** The primary key: a UUID, as every ORUK id must be (docs/standard.md, "Output rules"). */
export function Id(description: string) {
  return (target: object, property: string | symbol): void => {
    PrimaryColumn({
      type: 'uuid',
      comment: description,
      primaryKeyConstraintName: `PK_${tableOf(target.constructor)}`,
    })(target, property);
    const spec: FieldSpec = { name: String(property), kind: 'uuid', description, required: true };
    registry.set(target.constructor, [spec, ...(registry.get(target.constructor) ?? [])]);
  };
}

interface RefOptions extends FieldOptions {
  onDelete?: RelationOptions['onDelete'];
  /**
   * false for references that may point outside this dataset (a parent organization or
   * parent term published elsewhere, as in the official example): indexed, but no
   * foreign-key constraint.
   */
  constraint?: boolean;
}

/**
 * A uuid field that refers to another entity: an indexed column with a foreign key.
 * The TypeORM relation lives on a property that is never read (`<field>_ref`); it exists
 * so that migrations and the ER diagram know the relationship.
 */
export function Ref(to: () => Function, description: string, options: RefOptions = {}) {
  return (target: object, property: string | symbol): void => {
    const name = String(property);
    const table = tableOf(target.constructor);
    field('uuid', description, options)(target, property);
    const relation = `${name}_ref`;
    ManyToOne(to, {
      onDelete: options.onDelete ?? 'CASCADE',
      nullable: !(options.required || options.notNull),
      createForeignKeyConstraints: options.constraint ?? true,
    })(target, relation);
    JoinColumn({ name, foreignKeyConstraintName: `FK_${table}_${name}` })(target, relation);
    Index(`IDX_${table}_${name}`)(target, property);
    const fields = registry.get(target.constructor)!;
    fields[fields.length - 1].references = to;
  };
}
