import { EntityManager } from 'typeorm';
import { Doc } from '../documents';
import { isDoc } from '../values';
import { Change } from './changes';

/**
 * References that a batch's documents make without nesting what they name, checked against
 * the database before the batch is stored (one query per kind of reference), so that a
 * record that points at nothing costs its document a part, not the whole:
 *
 * - an attribute whose taxonomy term is nowhere (not nested, not stored) is left out;
 * - a nested taxonomy term whose taxonomy is nowhere gets a placeholder taxonomy that says
 *   so (ORUK 3.0 feeds embed their terms; /taxonomies is optional, and files lack it);
 * - a service at location whose location is nowhere is left out;
 * - a schedule's service_at_location_id or a language's phone_id that names nothing in the
 *   document or the database is left out of it.
 *
 * A service's organization that is nowhere still rejects the service: ORUK cannot do
 * without it.
 */
export interface Dangling {
  /** Placeholder taxonomies to store first. */
  taxonomies: Doc[];
}

/** The tables whose nested records the checks below look at (the repairs collect them). */
export const REFERENCING = new Set([
  'attribute',
  'taxonomy_term',
  'location',
  'service_at_location',
  'schedule',
  'language',
  'phone',
]);

/** A nested record of a document, where it is (as the repairs found it). */
export interface Nested {
  record: Doc;
  path: string;
  /** The array that holds the record, if one does (to leave it out). */
  list?: Doc[];
}

/** A document of the batch: its nested records by table, and where its changes go. */
export interface Referrer {
  records: Map<string, Nested[]>;
  changes: Change[];
  scope: string;
}

type Visit = Nested & { doc: Referrer };

/**
 * `storing` says which records other batches of the import are storing at the same time
 * (their rows not yet visible here): what points at them is kept, for the database's
 * foreign keys to wait for them.
 */
export async function resolveReferences(
  manager: EntityManager,
  batch: Referrer[],
  storing: (table: string, id: string) => boolean = () => false,
): Promise<Dangling> {
  const visits = new Map<string, Visit[]>();
  for (const doc of batch)
    for (const [table, records] of doc.records) {
      let list = visits.get(table);
      if (!list) visits.set(table, (list = []));
      for (const r of records) {
        // Told whose record it is, in place (there are many, and each is the batch's).
        (r as Visit).doc = doc;
        list.push(r as Visit);
      }
    }
  const of = (table: string) => visits.get(table) ?? [];
  /** Of these ids of a table, the ones stored (or being stored by another batch). */
  const known = async (table: string, ids: Iterable<unknown>): Promise<Set<string>> => {
    const found = new Set<string>();
    const list = [...new Set(ids)].filter((id): id is string => {
      if (typeof id !== 'string') return false;
      if (storing(table, id)) found.add(id);
      return !found.has(id);
    });
    if (!list.length) return found;
    const rows = await manager.query<{ id: string }[]>(
      `SELECT id FROM ${table} WHERE id = ANY($1::uuid[])`,
      [list],
    );
    for (const r of rows) found.add(r.id);
    return found;
  };
  /** Records left out here: what points at them points at nothing. */
  const dropped = new Set<Doc>();
  const nested = (table: string) =>
    new Set(of(table).flatMap((v) => (dropped.has(v.record) ? [] : [v.record.id as string])));
  const drop = (v: Visit, reason: string) => {
    dropped.add(v.record);
    v.list?.splice(v.list.indexOf(v.record), 1);
    v.doc.changes.push({
      kind: 'dropped',
      rule: 'required',
      path: v.path,
      before: v.record.id,
      reason,
    });
  };

  /**
   * The records of `table` whose `column` names a `target` that is neither nested in the
   * record itself (under `inline`), nor anywhere in the batch, nor stored.
   */
  const unresolved = async (table: string, column: string, target: string, inline?: string) => {
    const mine = nested(target);
    const pointing = of(table).filter(
      (v) => !(inline && isDoc(v.record[inline])) && !mine.has(v.record[column] as string),
    );
    const stored = await known(
      target,
      pointing.map((v) => v.record[column]),
    );
    return pointing.filter((v) => !stored.has(v.record[column] as string));
  };

  // Attributes whose term is neither nested (anywhere in the batch) nor stored.
  for (const v of await unresolved(
    'attribute',
    'taxonomy_term_id',
    'taxonomy_term',
    'taxonomy_term',
  ))
    drop(v, `its taxonomy term ${String(v.record.taxonomy_term_id)} is in no taxonomy here`);

  // Terms whose taxonomy is nowhere: a placeholder stands in.
  const termVisits = of('taxonomy_term').filter((v) => typeof v.record.taxonomy_id === 'string');
  const storedTaxonomies = await known(
    'taxonomy',
    termVisits.map((v) => v.record.taxonomy_id),
  );
  const placeholders = new Map<string, Doc>();
  for (const v of termVisits) {
    const id = v.record.taxonomy_id as string;
    if (storedTaxonomies.has(id)) continue;
    let placeholder = placeholders.get(id);
    if (!placeholder) {
      const name = typeof v.record.taxonomy === 'string' ? v.record.taxonomy : `Taxonomy ${id}`;
      placeholder = {
        id,
        name,
        description: `A taxonomy that records of ${v.doc.scope} name, without publishing it.`,
      };
      placeholders.set(id, placeholder);
    }
    v.doc.changes.push({
      kind: 'repaired',
      rule: 'taxonomy',
      path: `${v.path}/taxonomy_id`,
      before: id,
      after: `a placeholder taxonomy "${String(placeholder.name)}"`,
      reason: 'the taxonomy of this term is not published with it, nor stored here',
    });
  }

  // Services at locations whose location is neither nested (in any of them) nor stored.
  for (const v of await unresolved('service_at_location', 'location_id', 'location', 'location'))
    drop(v, `its location ${String(v.record.location_id)} is nowhere`);

  // Optional links to records of the document: left out when they name nothing.
  const loose: [table: string, column: string, target: string][] = [
    ['schedule', 'service_at_location_id', 'service_at_location'],
    ['language', 'phone_id', 'phone'],
  ];
  for (const [table, column, target] of loose) {
    for (const v of await unresolved(table, column, target)) {
      if (typeof v.record[column] !== 'string') continue; // no link given: nothing to check
      v.doc.changes.push({
        kind: 'dropped',
        rule: 'required',
        path: `${v.path}/${column}`,
        before: v.record[column],
        reason: `names a ${target} that is nowhere`,
      });
      delete v.record[column];
    }
  }
  return { taxonomies: [...placeholders.values()] };
}
