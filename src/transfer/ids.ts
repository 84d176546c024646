import { createHash } from 'node:crypto';
import { fieldsOf, tableOf } from '../hsds/fields';
import { Shape } from '../hsds/shapes';
import { Doc } from './documents';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** The namespace of ids we derive (a v5 UUID of the project's URL in the URL namespace). */
const NAMESPACE = '6c1c1b3e-6b0e-5d53-9d0c-0e7f5d1f8a3b';

/**
 * A stable UUID (RFC 9562 version 5) for an id that is not a UUID, from where it comes
 * from (a feed's base URL, `v1:taxonomy`, …) and the id itself: the same pair gives the
 * same UUID on every run and every machine, so re-imports update rather than duplicate.
 */
export function stableUuid(scope: string, id: string): string {
  const hash = createHash('sha1')
    .update(Buffer.from(NAMESPACE.replace(/-/g, ''), 'hex'))
    .update(`${scope}\u0000${id}`)
    .digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The id itself when it is a UUID (lower-cased), else its stable UUID in that scope. */
export function uuidFor(scope: string, id: string | number): string {
  const text = String(id);
  return isUuid(text) ? text.toLowerCase() : stableUuid(scope, text);
}

/**
 * A document of a shape with every id that is not a UUID replaced by its stable UUID,
 * consistently: every uuid field of the field registry (`id`, each reference `*_id`,
 * attribute `link_id`) becomes `uuidFor(<scope>:<table it names>, value)`, so the same
 * source id gives the same UUID wherever it appears, in this document, in others, and
 * in the next harvest. UUIDs are kept as they are. (ORUK v1 documents are mapped with the
 * same scopes by src/transfer/v1/mapper.ts.)
 */
export function remapIds(shape: Shape, doc: Doc, scope: string, linkEntity?: string): Doc {
  const out: Doc = { ...doc };
  for (const field of fieldsOf(shape.entity)) {
    const value = out[field.name];
    if (field.kind !== 'uuid' || (typeof value !== 'string' && typeof value !== 'number')) continue;
    if (isUuid(value)) continue;
    const table =
      field.name === 'id'
        ? tableOf(shape.entity)
        : field.references
          ? tableOf(field.references())
          : typeof out.link_entity === 'string'
            ? out.link_entity
            : linkEntity;
    if (table) out[field.name] = uuidFor(`${scope}:${table}`, value);
  }
  for (const [key, nest] of Object.entries(shape.nest ?? {})) {
    const value = out[key];
    if (nest.readOnly) continue;
    if (nest.many && Array.isArray(value)) {
      out[key] = (value as unknown[]).map((child) =>
        isObject(child) ? remapIds(nest.shape, child, scope, nest.where?.link_entity) : child,
      );
    } else if (!nest.many && isObject(value)) {
      out[key] = remapIds(nest.shape, value, scope);
    }
  }
  return out;
}

function isObject(value: unknown): value is Doc {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
