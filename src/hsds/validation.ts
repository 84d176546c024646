import Ajv2020, { ErrorObject, ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { shapeSchemas } from './json-schema';
import { Shape } from './shapes';

export interface Problem {
  /** JSON Pointer into the document, e.g. /service_at_locations/0/location/latitude. */
  path: string;
  reason: string;
  /** What kind of fault, when the finder knows (src/transfer/repair/changes.ts: RULES). */
  rule?: string;
}

/**
 * Validates documents against the JSON Schema of their shape (the one the OpenAPI document
 * publishes), with every format checked: uuid, email, uri, date, date-time.
 */
export class ShapeValidator {
  private readonly ajv = new Ajv2020({ allErrors: true, strict: true });
  private readonly compiled = new Map<Shape, ValidateFunction>();

  constructor() {
    addFormats(this.ajv);
    this.ajv.addVocabulary(['example']);
  }

  validate(shape: Shape, document: unknown): Problem[] {
    let validate = this.compiled.get(shape);
    if (!validate) {
      const $defs = shapeSchemas([shape], '#/$defs/');
      validate = this.ajv.compile({ $ref: `#/$defs/${shape.name}`, $defs });
      this.compiled.set(shape, validate);
    }
    if (validate(document)) return [];
    return (validate.errors ?? []).map(toProblem);
  }
}

function toProblem(error: ErrorObject): Problem {
  const path = error.instancePath || '/';
  if (error.keyword === 'required') {
    const missing = (error.params as { missingProperty: string }).missingProperty;
    return { path: `${error.instancePath}/${missing}`, reason: `${missing} is required` };
  }
  if (error.keyword === 'enum') {
    const allowed = (error.params as { allowedValues: string[] }).allowedValues;
    return { path, reason: `must be one of: ${allowed.join(', ')}` };
  }
  return { path, reason: error.message ?? error.keyword };
}

/**
 * Clients and other feeds send `null` and "" for "no value" (ORUK v1 did so everywhere);
 * ORUK 3.0 omits such fields instead (docs/standard.md, "Output rules"). Normalise before validating.
 */
export function withoutEmptyValues(value: unknown): unknown {
  return hasEmptyValues(value) ? copyWithoutEmptyValues(value) : value;
}

function hasEmptyValues(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some(hasEmptyValues);
  for (const key in value) {
    const v = (value as Record<string, unknown>)[key];
    if (v === null || v === '' || hasEmptyValues(v)) return true;
  }
  return false;
}

function copyWithoutEmptyValues(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copyWithoutEmptyValues);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      if (v === null || v === '') continue;
      out[key] = copyWithoutEmptyValues(v);
    }
    return out;
  }
  return value;
}
