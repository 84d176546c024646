import { FieldSpec } from './fields';
import { Shape, shapeFields } from './shapes';

export type JsonSchema = Record<string, unknown>;

/** HH:MM or HH:MM:SS, optionally with fractions and a UTC offset (which is not stored). */
export const TIME_PATTERN =
  '^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\\.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?$';

/**
 * The JSON Schema of every shape reachable from `roots`, one named schema per shape, as
 * OpenAPI components (refPrefix `#/components/schemas/`) or as `$defs` for Ajv. The same
 * schemas document the API and validate imports, so what we publish is what we accept.
 */
export function shapeSchemas(roots: Shape[], refPrefix: string): Record<string, JsonSchema> {
  const schemas: Record<string, JsonSchema> = {};
  const visit = (shape: Shape): void => {
    if (schemas[shape.name]) return;
    const properties: Record<string, JsonSchema> = {};
    for (const field of shapeFields(shape)) properties[field.name] = fieldSchema(field);
    schemas[shape.name] = { type: 'object' };
    for (const [key, nest] of Object.entries(shape.nest ?? {})) {
      const ref = { $ref: `${refPrefix}${nest.shape.name}` };
      properties[key] = nest.many ? { type: 'array', items: ref } : ref;
      visit(nest.shape);
    }
    Object.assign(properties, shape.extras);
    const required = shapeFields(shape)
      .filter((f) => f.required)
      .map((f) => f.name);
    schemas[shape.name] = { type: 'object', required, properties };
  };
  roots.forEach(visit);
  return schemas;
}

function fieldSchema(field: FieldSpec): JsonSchema {
  const schema: JsonSchema = { description: field.description };
  switch (field.kind) {
    case 'uuid':
      Object.assign(schema, { type: 'string', format: 'uuid' });
      break;
    case 'email':
      Object.assign(schema, { type: 'string', format: 'email' });
      break;
    case 'uri':
      Object.assign(schema, { type: 'string', format: 'uri' });
      break;
    case 'date':
      Object.assign(schema, { type: 'string', format: 'date' });
      break;
    case 'datetime':
      Object.assign(schema, { type: 'string', format: 'date-time' });
      break;
    case 'time':
      Object.assign(schema, { type: 'string', pattern: TIME_PATTERN });
      break;
    case 'enum':
      Object.assign(schema, { type: 'string', enum: [...field.values!] });
      break;
    case 'number':
    case 'integer':
      schema.type = field.kind;
      if (field.minimum !== undefined) schema.minimum = field.minimum;
      if (field.maximum !== undefined) schema.maximum = field.maximum;
      break;
    default:
      schema.type = 'string';
  }
  if (field.example !== undefined) schema.example = field.example;
  return schema;
}
