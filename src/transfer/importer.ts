import { DataSource, EntityManager } from 'typeorm';
import { ENTITIES } from '../hsds/entities';
import { tableOf } from '../hsds/fields';
import { quoteIdent } from '../hsds/json-select';
import {
  Around,
  Checked,
  databaseProblem,
  LoadResult,
  Loader,
  compactListCounts,
  vacuumAnalyze,
} from '../hsds/loader';
import { SERVICE_FULL, Shape, TAXONOMY_FULL } from '../hsds/shapes';
import type { Problem } from '../hsds/validation';
import { Doc, Origin, SourceDocument } from './documents';
import { scopeFeed, stableUuid } from './ids';
import { Change, ChangeKind, Rule } from './repair/changes';
import { resolveReferences } from './repair/references';
import { repairDocument, RepairResult } from './repair/repair';

const SHAPES: Record<SourceDocument['kind'], Shape> = {
  service: SERVICE_FULL,
  taxonomy: TAXONOMY_FULL,
};

export interface ImportOptions {
  /** Any rejection aborts the whole import, leaving the database exactly as it was. */
  strict?: boolean;
  /**
   * false: what would be repaired or dropped rejects the record instead (for a publisher who
   * wants to see every fault as an error). Fields that are merely unknown are still just
   * reported.
   */
  repair?: boolean;
  /** Documents per transaction (default 500). */
  batchSize?: number;
  /** Transactions at a time (default 2; 1 with `strict`). */
  writers?: number;
  /** Called after each batch is stored. */
  onProgress?: (summary: ImportSummary) => void;
  /** Called with every change and every rejection, as they are found (e.g. `--report`). */
  onReport?: (entry: ReportEntry) => void;
}

export interface Counts {
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
}

/** One line of an import's report: a change to a record, or why it was rejected. */
export interface ReportEntry extends Change {
  /** Where in the input: `file:line`, `file[index]`, `services.csv:12`, a URL. */
  at: string;
  record: SourceDocument['kind'];
  /** The record's id as it is, or would have been, stored. */
  id?: string;
  /** The record's id in the feed or file it came from. */
  source_id?: string;
}

export type ImportRejection = ReportEntry & { kind: 'rejected' };

export interface ImportSummary {
  services: Counts;
  taxonomies: Counts;
  /** The first rejections (at most MAX_REPORTED), one per problem. */
  rejections: ImportRejection[];
  /**
   * By kind and rule: the changes made to the records stored, and the problems that
   * rejected the others (the changes a rejected record would have had are in the report).
   */
  changes: Record<ChangeKind, Partial<Record<Rule, number>>>;
  /** Records stored with at least one change. */
  changed: number;
}

/** An import aborted by --strict: nothing was written. */
export class ImportAborted extends Error {
  constructor(readonly summary: ImportSummary) {
    const r = summary.rejections[0];
    super(
      `aborted (--strict), nothing stored: ${r.at}${r.id ? ` ${r.id}` : ''} ${r.path}: ${r.reason}`,
    );
  }
}

const MAX_REPORTED = 1000;

/** Reported, never turned into rejections by `repair: false`: not faults of the record. */
const NOT_FAULTS: readonly Rule[] = ['unknown-field', 'v1-mapping', 'vendor-extra'];

/**
 * Imports documents through the one write path (src/hsds/loader.ts), a batch per
 * transaction, in input order (a batch holds documents of one kind, so taxonomies are
 * stored before the services that follow them; the taxonomies a mapping derives for the
 * services of a batch, before that batch). Each document is first repaired
 * (src/transfer/repair/: what has one obvious meaning is repaired, what cannot be used is
 * dropped, every change reported), then validated; validating a batch overlaps with storing
 * the one before it. A rejected document is reported with where it was, its id, the JSON
 * path and the reason; the others are stored. With each stored record, in its transaction:
 * the changes made to it (table record_change, replaced by the next import of it), and
 * where it came from (table provenance) when it was harvested or its id was not a UUID.
 * With `strict`, the whole import is one transaction and the first rejection rolls it back.
 */
export async function importDocuments(
  db: DataSource,
  documents: AsyncIterable<SourceDocument>,
  options: ImportOptions = {},
): Promise<ImportSummary> {
  let summary: ImportSummary;
  if (options.strict) {
    try {
      summary = await db.transaction((manager) => new Import(db, options, manager).run(documents));
    } catch (error) {
      if (error instanceof Abort) throw new ImportAborted(error.summary);
      throw error;
    }
  } else summary = await new Import(db, options).run(documents);
  if (summary.services.created + summary.services.updated >= BULK_LOAD) await vacuumAnalyze(db);
  else await compactListCounts(db);
  return summary;
}

/** Services written by one import from which it is a bulk load, vacuumed at its end. */
export const BULK_LOAD = 1000;

class Abort extends Error {
  constructor(readonly summary: ImportSummary) {
    super('aborted');
  }
}

/** A document of a batch, once repaired: what it became, what changed, what is wrong. */
interface Prepared {
  source: SourceDocument;
  doc: Record<string, unknown>;
  changes: Change[];
  problems: Problem[];
  origin?: Origin;
  /** Its nested records that ./repair/references.ts checks. */
  records: RepairResult['records'];
}

class Import {
  private readonly loader: Loader;
  private readonly batchSize: number;
  private readonly writers: number;
  private nextAnalyze = 1000;
  /** Whether record_change may hold rows (known once asked; true once this import adds some). */
  private changesStored: boolean | undefined;
  /** Ids made for services without one, and how many services were given each. */
  private readonly madeIds = new Map<string, number>();
  /** The ids of the services read so far, to report one given twice (id-duplicate). */
  private readonly seen = new Set<string>();
  /** The records nested in the batches being stored (see register()). */
  private readonly inFlight = new Set<Map<string, Set<string>>>();
  /** The derived taxonomies counted so far. */
  private readonly counted = new Set<string>();
  /** Placeholder taxonomies made by this import (counted as created taxonomies). */
  private readonly placeholdersCreated = new Set<string>();
  /** The batches being stored, and the first failure of one. */
  private readonly storing = new Set<Promise<void>>();
  private failure: Error | undefined;
  readonly summary: ImportSummary = {
    services: { created: 0, updated: 0, unchanged: 0, rejected: 0 },
    taxonomies: { created: 0, updated: 0, unchanged: 0, rejected: 0 },
    rejections: [],
    changes: { repaired: {}, dropped: {}, rejected: {} },
    changed: 0,
  };

  constructor(
    private readonly db: DataSource,
    private readonly options: ImportOptions,
    private readonly manager?: EntityManager,
  ) {
    this.loader = new Loader(db);
    this.batchSize = options.batchSize ?? 500;
    // One transaction for --strict; else two side by side, so that PostgreSQL can use a
    // second core while Node validates and the other batch commits.
    this.writers = manager ? 1 : (options.writers ?? 2);
  }

  async run(documents: AsyncIterable<SourceDocument>): Promise<ImportSummary> {
    let batch: SourceDocument[] = [];
    /** Taxonomies derived for the services of `batch`: stored, and committed, before it. */
    let companions: SourceDocument[] = [];
    const flush = async () => {
      if (companions.length) {
        await this.write('taxonomy', companions);
        companions = [];
        await this.settle(0);
      }
      if (batch.length) await this.write(batch[0].kind, batch);
      batch = [];
    };
    try {
      for await (const document of documents) {
        if (document.companion) {
          companions.push(document);
          continue;
        }
        if (batch.length && batch[0].kind !== document.kind) {
          // Whatever the next documents refer to (e.g. taxonomy terms) is stored first.
          await flush();
          await this.settle(0);
        }
        if (batch.length >= this.batchSize && !this.sameOrganization(batch, document))
          await flush();
        batch.push(document);
      }
      await flush();
    } finally {
      // Never leave a write running behind the caller's back, even when reading failed.
      while (this.storing.size) await Promise.race(this.storing);
    }
    if (this.failure) throw this.failure;
    this.summary.taxonomies.created += this.placeholdersCreated.size;
    return this.summary;
  }

  /** Until at most `writers` batches are being stored; the first failure of one thrown. */
  private async settle(writers: number): Promise<void> {
    while (this.storing.size > writers) await Promise.race(this.storing);
    if (this.failure) throw this.failure;
  }

  /**
   * Repairs and validates a batch (while the batch before it is still being stored), then
   * starts storing it once a writer is free.
   */
  private async write(kind: SourceDocument['kind'], documents: SourceDocument[]): Promise<void> {
    const prepared = documents.map((d) => this.prepare(d));
    const checked = this.check(kind, prepared);
    await this.settle(this.writers - 1);
    const write = this.store(kind, prepared, checked)
      .catch(
        (error: unknown) =>
          void (this.failure ??= error instanceof Error ? error : new Error(String(error))),
      )
      .finally(() => this.storing.delete(write));
    this.storing.add(write);
  }

  /**
   * Services of one organization are kept in one batch (up to twice the batch size): two
   * transactions side by side that both write a new organization would run one after the
   * other, the second waiting for the first to commit.
   */
  private sameOrganization(batch: SourceDocument[], next: SourceDocument): boolean {
    if (batch.length >= 2 * this.batchSize) return false;
    const organization = (d: SourceDocument) =>
      d.doc.organization_id ?? (d.doc.organization as { id?: unknown } | undefined)?.id;
    const id = organization(next);
    return id !== undefined && id === organization(batch[batch.length - 1]);
  }

  /** A document repaired (src/transfer/repair/), its changes reported. */
  private prepare(source: SourceDocument): Prepared {
    if (source.problem) {
      return {
        source,
        doc: {},
        changes: [],
        problems: [{ path: '/', reason: source.problem }],
        records: new Map(),
      };
    }
    const scope = source.scope ?? 'local';
    const repaired = repairDocument(SHAPES[source.kind], source.doc, scope, (id) =>
      this.distinct(id, scope),
    );
    const changes = [...(source.changes ?? []), ...repaired.changes];
    const problems = [...repaired.problems];
    if (this.options.repair === false) {
      for (const c of changes)
        if (!NOT_FAULTS.includes(c.rule))
          problems.push({ path: c.path, reason: `${c.reason} (--no-repair)`, rule: c.rule });
    }
    // Where it came from: the feed it was harvested from, or the id it was given here.
    const origin =
      source.origin ??
      (repaired.givenId !== undefined && source.kind === 'service'
        ? { feed: scopeFeed(scope), sourceId: repaired.givenId }
        : undefined);
    const id = typeof repaired.doc.id === 'string' ? repaired.doc.id : undefined;
    if (source.kind === 'service' && id && !source.problem) {
      // The same service twice in one input: the one given last is stored (check()).
      if (this.seen.has(id))
        changes.push({
          kind: 'repaired',
          rule: 'id-duplicate',
          path: '/id',
          before: id,
          after: id,
          reason:
            'a service with this id was given earlier in this input: the last one given is stored',
        });
      else this.seen.add(id);
    }
    for (const change of changes) {
      this.options.onReport?.({
        at: source.at,
        record: source.kind,
        id,
        source_id: origin?.sourceId,
        ...change,
      });
    }
    return { source, doc: repaired.doc, changes, problems, origin, records: repaired.records };
  }

  /**
   * The id of a service without one, made from its name and organization: the second
   * (third…) such service of this import with the same gets an id of its own, from the
   * same and its rank (stable while the input's order is), instead of replacing the first.
   */
  private distinct(id: string, scope: string): string {
    const rank = (this.madeIds.get(id) ?? 0) + 1;
    this.madeIds.set(id, rank);
    return rank === 1 ? id : stableUuid(`${scope}:service`, `${id}#${rank}`);
  }

  private check(kind: SourceDocument['kind'], prepared: Prepared[]): Checked {
    // Of documents with the same id in one batch only the last is stored (and counted).
    const last = new Map(prepared.map((p, i) => [p.doc.id, i]));
    const usable = prepared.filter(
      (p, i) => !p.problems.length && (typeof p.doc.id !== 'string' || last.get(p.doc.id) === i),
    );
    const checked = this.loader.check(
      SHAPES[kind],
      usable.map((p) => p.doc),
    );
    // Indexes into the batch, not into the usable part.
    const positions = usable.map((p) => prepared.indexOf(p));
    checked.accepted.forEach((a) => (a.index = positions[a.index]));
    checked.rejected.forEach((r) => (r.index = positions[r.index]));
    prepared.forEach((p, index) => {
      const id = typeof p.doc.id === 'string' ? p.doc.id : undefined;
      for (const problem of p.problems) checked.rejected.push({ index, id, ...problem });
    });
    return checked;
  }

  private async store(
    kind: SourceDocument['kind'],
    prepared: Prepared[],
    checked: Checked,
  ): Promise<void> {
    if (this.manager && checked.rejected.length) this.abort(kind, prepared, checked.rejected);
    // What this batch nests, for the other batch being stored beside it to point at.
    const nested = kind === 'service' ? this.register(prepared, checked) : undefined;
    let result: LoadResult;
    try {
      const placeholders =
        nested && checked.accepted.length ? await this.resolve(prepared, checked, nested) : [];
      if (this.manager && checked.rejected.length) this.abort(kind, prepared, checked.rejected);
      result = await this.loader.store(SHAPES[kind], checked.accepted, this.manager, {
        before: placeholders.length
          ? (manager) => this.storePlaceholders(manager, placeholders)
          : undefined,
        after: this.keepBeside(kind, prepared),
      });
    } catch (error) {
      if (!this.manager || error instanceof Abort) throw error;
      this.abort(kind, prepared, [{ index: 0, ...databaseProblem(error), id: undefined }]);
    } finally {
      if (nested) this.inFlight.delete(nested);
    }
    result.rejected.push(...checked.rejected);
    this.count(kind, prepared, result);
    await this.analyzeAsItGrows();
    this.options.onProgress?.(this.summary);
  }

  /** Records this batch nests, by table, registered as being stored until it is done. */
  private register(prepared: Prepared[], checked: Checked): Map<string, Set<string>> {
    const ids = new Map<string, Set<string>>();
    for (const a of checked.accepted) {
      for (const [table, records] of prepared[a.index].records) {
        let set = ids.get(table);
        if (!set) ids.set(table, (set = new Set()));
        for (const r of records) set.add(r.record.id as string);
      }
    }
    this.inFlight.add(ids);
    return ids;
  }

  /**
   * What the services of a batch point at without nesting it, against the database and the
   * batches being stored beside it (./repair/references.ts): parts that point at nothing
   * left out, and the placeholder taxonomies to store first for terms whose taxonomy is
   * nowhere. The changes are reported as those of the repairs; with `repair: false`, a
   * document with any is rejected instead.
   */
  private async resolve(
    prepared: Prepared[],
    checked: Checked,
    own: Map<string, Set<string>>,
  ): Promise<Doc[]> {
    const targets = checked.accepted.map((a) => {
      const p = prepared[a.index];
      // The records the repairs found are the ones stored: validation copies nothing once
      // the repairs have left out the empty values.
      if (a.doc !== p.doc) throw new Error('a checked document is not the one repaired');
      return { records: p.records, changes: [] as Change[], scope: p.source.scope ?? 'local', a };
    });
    const { taxonomies } = await resolveReferences(
      this.manager ?? this.db.manager,
      targets,
      // (This batch's own records are the references' own business.)
      (table, id) => [...this.inFlight].some((ids) => ids !== own && ids.get(table)?.has(id)),
    );
    for (const t of targets) {
      const p = prepared[t.a.index];
      for (const change of t.changes) {
        p.changes.push(change);
        this.options.onReport?.({
          at: p.source.at,
          record: 'service',
          id: p.doc.id as string,
          source_id: p.origin?.sourceId,
          ...change,
        });
      }
    }
    if (this.options.repair !== false) return taxonomies;
    // --no-repair: what would have been left out or stood in for rejects the document.
    const faulty = new Set(targets.filter((t) => t.changes.length));
    checked.accepted = checked.accepted.filter(
      (a) => !targets.some((t) => t.a === a && faulty.has(t)),
    );
    for (const t of faulty) {
      for (const c of t.changes) {
        checked.rejected.push({
          index: t.a.index,
          id: t.a.doc.id as string,
          path: c.path,
          reason: `${c.reason} (--no-repair)`,
          rule: c.rule,
        });
      }
    }
    return [];
  }

  /** Placeholder taxonomies, in the transaction of the services that need them. */
  private async storePlaceholders(manager: EntityManager, taxonomies: Doc[]): Promise<void> {
    const stored = await this.loader.store(
      TAXONOMY_FULL,
      taxonomies.map((doc, index) => ({ doc, index })),
      manager,
    );
    for (const id of stored.created) this.placeholdersCreated.add(id);
  }

  /**
   * What is stored beside the records of a batch, in their transaction: the changes made
   * to each (replacing those of its last import; none left when this one changed nothing),
   * and where each came from when that is known.
   */
  private keepBeside(
    kind: SourceDocument['kind'],
    prepared: Prepared[],
  ): NonNullable<Around['after']> {
    return async (manager, result) => {
      const stored = new Set([...result.created, ...result.updated, ...result.unchanged]);
      // The last of the documents of an id (one given twice is stored as the last says),
      // and not a taxonomy derived for services (partial, each: not the publisher's record).
      const mine = [
        ...new Map(
          prepared
            .filter((p) => stored.has(p.doc.id as string) && !p.problems.length)
            .filter((p) => !p.source.companion)
            .map((p) => [p.doc.id as string, p]),
        ).values(),
      ];
      const changed = mine.filter((p) => p.changes.length);
      const clean = mine.filter((p) => !p.changes.length).map((p) => p.doc.id);
      // (Nothing to remove while the table is empty, as it is for a first import.)
      if (clean.length && (await this.changesKept(manager))) {
        await manager.query(`DELETE FROM record_change WHERE record_id = ANY($1::uuid[])`, [clean]);
      }
      if (changed.length) {
        this.changesStored = true;
        const rows = changed.map((p) => ({
          record_id: p.doc.id,
          source: p.source.at,
          changes: p.changes,
        }));
        await manager.query(
          `INSERT INTO record_change (record_id, record_type, source, imported_at, changes)
           SELECT r.record_id, $2, r.source, now(), r.changes
           FROM json_to_recordset($1::json) AS r(record_id uuid, source text, changes jsonb)
           ON CONFLICT (record_id) DO UPDATE SET record_type = EXCLUDED.record_type,
             source = EXCLUDED.source, imported_at = EXCLUDED.imported_at,
             changes = EXCLUDED.changes`,
          [JSON.stringify(rows), kind],
        );
      }
      const origins = mine.filter((p) => p.origin && kind === 'service');
      // A harvest says when it fetched each; an import again of the same ids changes nothing.
      const harvested = origins.filter((p) => p.origin!.fetchedAt);
      const imported = origins.filter((p) => !p.origin!.fetchedAt);
      for (const [rows, always] of [
        [harvested, true],
        [imported, false],
      ] as const) {
        if (!rows.length) continue;
        await manager.query(
          `INSERT INTO provenance AS p (id, source_feed, source_id, fetched_at, gone_at)
           SELECT r.id, r.source_feed, r.source_id, coalesce(r.fetched_at, now()), NULL
           FROM json_to_recordset($1::json)
             AS r(id uuid, source_feed text, source_id text, fetched_at timestamptz)
           ON CONFLICT (id) DO UPDATE SET source_feed = EXCLUDED.source_feed,
             source_id = EXCLUDED.source_id, fetched_at = EXCLUDED.fetched_at, gone_at = NULL
           WHERE $2 OR (p.source_feed, p.source_id, p.gone_at)
             IS DISTINCT FROM (EXCLUDED.source_feed, EXCLUDED.source_id, NULL)`,
          [
            JSON.stringify(
              rows.map((p) => ({
                id: p.doc.id,
                source_feed: p.origin!.feed,
                source_id: p.origin!.sourceId,
                fetched_at: p.origin!.fetchedAt ?? null,
              })),
            ),
            always,
          ],
        );
      }
    };
  }

  private async changesKept(manager: EntityManager): Promise<boolean> {
    if (this.changesStored === undefined) {
      const [{ any }] = await manager.query<{ any: boolean }[]>(
        'SELECT EXISTS (SELECT 1 FROM record_change) AS any',
      );
      this.changesStored ||= any;
    }
    return this.changesStored;
  }

  /**
   * Table statistics, refreshed each time the import has doubled the services it created.
   * A bulk load outruns autovacuum (or runs without it), and plans made for near-empty
   * tables read whole tables where an index would do, so the load would slow down as it
   * grows. Skipped where the role may not analyze.
   */
  private async analyzeAsItGrows(): Promise<void> {
    if (this.summary.services.created < this.nextAnalyze) return;
    this.nextAnalyze = 2 * this.summary.services.created;
    const tables = ENTITIES.map((e) => quoteIdent(tableOf(e))).join(', ');
    await (this.manager ?? this.db).query(`ANALYZE ${tables}`).catch(() => undefined);
  }

  private tally(kind: ChangeKind, rule: Rule): void {
    const counts = this.summary.changes[kind];
    counts[rule] = (counts[rule] ?? 0) + 1;
  }

  private count(kind: SourceDocument['kind'], prepared: Prepared[], result: LoadResult) {
    const counts = kind === 'service' ? this.summary.services : this.summary.taxonomies;
    // A taxonomy derived for services comes in parts (its terms as services use them):
    // counted once, as its first part went.
    const once = (ids: string[]) =>
      prepared[0]?.source.companion
        ? ids.filter((id) => !this.counted.has(id) && this.counted.add(id))
        : ids;
    counts.created += once(result.created).length;
    counts.updated += once(result.updated).length;
    counts.unchanged += once(result.unchanged).length;
    const rejected = new Set(result.rejected.map((r) => r.index));
    counts.rejected += rejected.size;
    // Changes are counted for the records stored; a rejected one's are in the report only.
    prepared.forEach((p, i) => {
      if (!p.changes.length || rejected.has(i) || p.problems.length) return;
      this.summary.changed++;
      for (const c of p.changes) this.tally(c.kind, c.rule);
    });
    for (const r of result.rejected) {
      const source = prepared[r.index]?.source;
      const rule = (r.rule ?? 'invalid') as Rule;
      this.tally('rejected', rule);
      const entry: ImportRejection = {
        at: source?.at ?? '?',
        record: kind,
        id: r.id,
        source_id: source?.origin?.sourceId,
        kind: 'rejected',
        rule,
        path: r.path,
        reason: r.reason,
      };
      this.options.onReport?.(entry);
      if (this.summary.rejections.length < MAX_REPORTED) this.summary.rejections.push(entry);
    }
  }

  private abort(
    kind: SourceDocument['kind'],
    prepared: Prepared[],
    rejected: Checked['rejected'],
  ): never {
    this.count(kind, prepared, { created: [], updated: [], unchanged: [], rejected });
    throw new Abort(this.summary);
  }
}

export function describeCounts(c: Counts): string {
  return `${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged, ${c.rejected} rejected`;
}

/** The one-line summary an import ends with. */
export function describeSummary(summary: ImportSummary): string {
  const t = summary.taxonomies;
  const taxonomies = t.created + t.updated + t.unchanged + t.rejected;
  return (
    `services: ${describeCounts(summary.services)}` +
    (taxonomies ? `; taxonomies: ${describeCounts(t)}` : '')
  );
}

/** The changes an import made, by kind and rule, one line each ("" when none). */
export function describeChanges(summary: ImportSummary): string {
  const line = (kind: ChangeKind, what: (total: number) => string) => {
    const counts = Object.entries(summary.changes[kind] as Record<string, number>).sort(
      ([, a], [, b]) => b - a,
    );
    const total = counts.reduce((sum, [, n]) => sum + n, 0);
    if (!total) return [];
    return [`${what(total)} ${counts.map(([rule, n]) => `${rule} ${n}`).join(', ')}`];
  };
  return [
    ...line('repaired', (n) => `repaired ${n} values in ${summary.changed} stored records:`),
    ...line('dropped', (n) => `dropped ${n} values or child records of stored records:`),
    ...line('rejected', (n) => `rejected records for ${n} problems:`),
  ].join('\n');
}
