import { DataSource, EntityManager } from 'typeorm';
import { ENTITIES } from '../hsds/entities';
import { tableOf } from '../hsds/fields';
import { quoteIdent } from '../hsds/json-select';
import { Checked, databaseProblem, LoadResult, Loader } from '../hsds/loader';
import { SERVICE_FULL, Shape, TAXONOMY_FULL } from '../hsds/shapes';
import { SourceDocument } from './documents';

const SHAPES: Record<SourceDocument['kind'], Shape> = {
  service: SERVICE_FULL,
  taxonomy: TAXONOMY_FULL,
};

export interface ImportOptions {
  /** Any rejection aborts the whole import, leaving the database exactly as it was. */
  strict?: boolean;
  /** Documents per transaction (default 500). */
  batchSize?: number;
  /** Transactions at a time (default 2; 1 with `strict`). */
  writers?: number;
  /** Called after each batch is stored. */
  onProgress?: (summary: ImportSummary) => void;
  /** Called with each stored batch's outcome (e.g. to record where the records came from). */
  onStored?: (kind: SourceDocument['kind'], result: LoadResult) => Promise<void> | void;
}

export interface Counts {
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
}

export interface ImportRejection {
  /** Where in the input: `file:line`, `file[index]`, `services.csv:12`, a URL. */
  at: string;
  id?: string;
  /** JSON Pointer into the document. */
  path: string;
  reason: string;
}

export interface ImportSummary {
  services: Counts;
  taxonomies: Counts;
  /** The first rejections (at most MAX_REPORTED), one per problem. */
  rejections: ImportRejection[];
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

/**
 * Imports documents through the one write path (src/hsds/loader.ts), a batch per
 * transaction, in input order (a batch holds documents of one kind, so taxonomies are
 * stored before the services that follow them). Validating a batch overlaps with storing
 * the one before it. A rejected document is reported with where it was, its id, the JSON
 * path and the reason; the others are stored. With `strict`, the whole import is one
 * transaction and the first rejection rolls it back.
 */
export async function importDocuments(
  db: DataSource,
  documents: AsyncIterable<SourceDocument>,
  options: ImportOptions = {},
): Promise<ImportSummary> {
  if (options.strict) {
    try {
      return await db.transaction((manager) => new Import(db, options, manager).run(documents));
    } catch (error) {
      if (error instanceof Abort) throw new ImportAborted(error.summary);
      throw error;
    }
  }
  return new Import(db, options).run(documents);
}

class Abort extends Error {
  constructor(readonly summary: ImportSummary) {
    super('aborted');
  }
}

class Import {
  private readonly loader: Loader;
  private readonly batchSize: number;
  private readonly writers: number;
  private nextAnalyze = 1000;
  readonly summary: ImportSummary = {
    services: { created: 0, updated: 0, unchanged: 0, rejected: 0 },
    taxonomies: { created: 0, updated: 0, unchanged: 0, rejected: 0 },
    rejections: [],
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
    const storing = new Set<Promise<void>>();
    let failure: Error | undefined;
    const settle = async (until: number) => {
      while (storing.size > until) await Promise.race(storing);
      if (failure) throw failure;
    };
    const flush = async () => {
      if (!batch.length) return;
      const current = batch;
      batch = [];
      const checked = this.check(current);
      await settle(this.writers - 1);
      const write = this.store(current[0].kind, current, checked)
        .catch(
          (error: unknown) =>
            void (failure ??= error instanceof Error ? error : new Error(String(error))),
        )
        .finally(() => storing.delete(write));
      storing.add(write);
    };
    try {
      for await (const document of documents) {
        if (batch.length && batch[0].kind !== document.kind) {
          // Whatever the next documents refer to (e.g. taxonomy terms) is stored first.
          await flush();
          await settle(0);
        }
        if (batch.length >= this.batchSize && !this.sameOrganization(batch, document))
          await flush();
        batch.push(document);
      }
      await flush();
    } finally {
      // Never leave a write running behind the caller's back, even when reading failed.
      while (storing.size) await Promise.race(storing);
    }
    if (failure) throw failure;
    return this.summary;
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

  private check(batch: SourceDocument[]): Checked {
    const readable = batch.filter((d) => !d.problem);
    const checked = this.loader.check(
      SHAPES[batch[0].kind],
      readable.map((d) => d.doc),
    );
    // Indexes into the batch, not into the readable part.
    const positions = readable.map((d) => batch.indexOf(d));
    checked.accepted.forEach((a) => (a.index = positions[a.index]));
    checked.rejected.forEach((r) => (r.index = positions[r.index]));
    batch.forEach((d, index) => {
      if (d.problem) checked.rejected.push({ index, path: '/', reason: d.problem });
    });
    return checked;
  }

  private async store(
    kind: SourceDocument['kind'],
    batch: SourceDocument[],
    checked: Checked,
  ): Promise<void> {
    if (this.manager && checked.rejected.length) this.abort(kind, batch, checked.rejected);
    let result: LoadResult;
    try {
      result = await this.loader.store(SHAPES[kind], checked.accepted, this.manager);
    } catch (error) {
      if (!this.manager) throw error;
      this.abort(kind, batch, [{ index: 0, ...databaseProblem(error), id: undefined }]);
    }
    result.rejected.push(...checked.rejected);
    this.count(kind, batch, result);
    await this.analyzeAsItGrows();
    if (this.options.onStored) await this.options.onStored(kind, result);
    this.options.onProgress?.(this.summary);
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

  private count(kind: SourceDocument['kind'], batch: SourceDocument[], result: LoadResult) {
    const counts = kind === 'service' ? this.summary.services : this.summary.taxonomies;
    counts.created += result.created.length;
    counts.updated += result.updated.length;
    counts.unchanged += result.unchanged.length;
    counts.rejected += new Set(result.rejected.map((r) => r.index)).size;
    for (const r of result.rejected) {
      if (this.summary.rejections.length >= MAX_REPORTED) break;
      this.summary.rejections.push({
        at: batch[r.index]?.at ?? '?',
        id: r.id,
        path: r.path,
        reason: r.reason,
      });
    }
  }

  private abort(
    kind: SourceDocument['kind'],
    batch: SourceDocument[],
    rejected: Checked['rejected'],
  ): never {
    this.count(kind, batch, { created: [], updated: [], unchanged: [], rejected });
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
