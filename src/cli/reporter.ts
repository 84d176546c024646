import { createWriteStream, WriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { describeChanges, ImportSummary, ReportEntry } from '../transfer/importer';
import { Change } from '../transfer/repair/changes';

/** The first rejections shown on the terminal; the rest are counted (and in --report). */
const SHOWN = 20;

/**
 * What an import or a harvest tells: on standard error, the first rejections, the changes
 * counted by kind, and where the rest is; with `--report FILE`, every change and rejection,
 * one JSON object a line (ReportEntry), in the order found.
 */
export class Reporter {
  private written = 0;
  private problems = 0;
  private readonly records = new Set<string>();
  private warnings = 0;

  private constructor(
    private readonly file: string | undefined,
    private readonly out: WriteStream | undefined,
  ) {}

  static async open(file: string | undefined): Promise<Reporter> {
    if (!file) return new Reporter(undefined, undefined);
    const out = createWriteStream(file);
    await once(out, 'open');
    return new Reporter(file, out);
  }

  write(entry: ReportEntry): void {
    if (entry.kind === 'rejected') {
      this.problems++;
      this.records.add(`${entry.at}|${entry.id ?? ''}`);
      if (this.problems <= SHOWN)
        say(`rejected ${entry.at}${entry.id ? ` ${entry.id}` : ''} ${entry.path}: ${entry.reason}`);
    }
    this.line(entry);
  }

  /** Something of the input that was not read (a file of a package, say): said at once. */
  warning(at: string, message: string): void {
    this.warnings++;
    say(`warning: ${at}: ${message}`);
    this.line({ at, kind: 'dropped', rule: 'unknown-field', path: '/', reason: message });
  }

  async close(): Promise<void> {
    if (!this.out) return;
    this.out.end();
    await finished(this.out);
  }

  /** The counts, and where the rest of the report is. */
  summarise(summary: ImportSummary): void {
    if (this.problems > SHOWN) {
      const where = this.file ? `: all in ${this.file}` : ' (--report <file> lists them all)';
      say(
        `… ${this.problems - SHOWN} more problems, ${this.records.size} records rejected in all${where}`,
      );
    }
    const changes = describeChanges(summary);
    if (changes) say(changes);
    if (this.file) say(`report: ${this.written} lines in ${this.file}`);
    else if (changes) say('(--report <file> lists every change)');
  }

  private line(entry: object): void {
    this.written++;
    this.out?.write(`${JSON.stringify(entry)}\n`);
  }
}

/** One stored change as a line of text. */
export function describeChange(c: Change): string {
  const value = (v: unknown) =>
    typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? '');
  const what =
    c.kind === 'repaired'
      ? `${value(c.before)} → ${value(c.after)}`
      : c.before !== undefined
        ? `${value(c.before)} left out`
        : 'left out';
  return `${c.kind} ${c.rule} ${c.path}: ${what} (${c.reason})`;
}

function say(line: string): void {
  process.stderr.write(`${line}\n`);
}
