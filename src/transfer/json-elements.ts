/**
 * The elements of a large JSON array read as they arrive, each as its own text, so that a
 * file of any size (an array of services, or a page envelope whose `contents` or v1
 * `content` is one) is parsed a record at a time, in constant memory (./sources.ts).
 *
 * The splitter follows only what JSON's structure needs: strings (and their escapes), and
 * the depth of objects and arrays. The elements are the values at depth 1 of a top-level
 * array, or at depth 2 inside the `contents`/`content` array of a top-level object. Each
 * element's text is bounded by `maxChars`; a longer one is skipped (not held) and given as
 * `tooLong`. Anything else (a single document) is not split: `form` says so, and the
 * caller reads it whole. What JSON.parse would refuse and the structure shows (text after
 * the value, a missing or extra comma, text that ends too soon) is `problem`/`unfinished`.
 * An envelope with two `contents` keys (which RFC 8259 advises against) is split at the
 * first, where JSON.parse would keep the last.
 */
export type JsonForm = 'array' | 'envelope' | 'other';

export interface Element {
  index: number;
  text?: string;
  tooLong?: true;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

export class ElementSplitter {
  form?: JsonForm;
  private depth = 0;
  /** The value has begun (its first character was read). */
  private started = false;
  private inString = false;
  private escaped = false;
  /** Depth at which elements are values (1: an array, 2: an envelope's contents). */
  private elementDepth = 0;
  /** The elements' array has ended. */
  private done = false;
  /** What makes the text not JSON, where the splitter can tell (read no further). */
  problem?: string;
  /** At the element depth: an element ended, so a comma or the end comes next. */
  private afterElement = false;
  /** At the element depth: a comma was read, so an element comes next. */
  private afterComma = false;
  /** In an envelope: the key being read (its pieces), the last key, and whether its value is next. */
  private key: string[] | undefined;
  private lastKey = '';
  private afterColon = false;
  /** The element being read: its pieces, its length, whether it is a scalar or too long. */
  private inElement = false;
  private scalar = false;
  private pieces: string[] = [];
  private length = 0;
  private skipping = false;
  private index = 0;

  constructor(private readonly maxChars: number) {}

  /** The text ended inside a string, an object or an array. */
  get unfinished(): boolean {
    return this.inString || this.depth !== 0;
  }

  /** The elements that end in `text` (the next piece of the JSON). */
  *feed(text: string): Generator<Element> {
    let start = this.inElement ? 0 : -1; // where the element's text begins in this piece
    let keyStart = this.key ? 0 : -1;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) {
          this.inString = false;
          if (this.key) {
            this.key.push(text.slice(keyStart, i));
            this.lastKey = this.key.join('');
            this.key = undefined;
            keyStart = -1;
          }
        }
        continue;
      }
      if (isSpace(c)) continue;
      if (this.form === undefined) {
        this.form = c === OPEN_BRACKET ? 'array' : c === OPEN_BRACE ? 'envelope' : 'other';
        if (this.form === 'array') this.elementDepth = 1;
      }
      if (this.form === 'other' || this.problem) return;
      if (this.depth === 0 && this.started) {
        this.problem = 'more text after the JSON value';
        return;
      }
      this.started = true;
      const atElements = this.elementDepth > 0 && this.depth === this.elementDepth;
      if (atElements && !this.inElement) {
        if (c === COMMA) {
          if (!this.afterElement) this.problem = 'a comma where a value belongs';
          this.afterElement = false;
          this.afterComma = true;
          continue;
        }
        if (c === CLOSE_BRACKET) {
          if (this.afterComma) this.problem = 'a comma before the end of a list';
          this.endElements();
          continue;
        }
        if (this.afterElement) {
          this.problem = 'a missing comma between two values';
          return;
        }
        this.afterComma = false;
        this.inElement = true;
        this.scalar = c !== OPEN_BRACE && c !== OPEN_BRACKET;
        start = i;
      }
      if (atElements && this.scalar && (c === COMMA || c === CLOSE_BRACKET)) {
        yield this.finish(text.slice(start, i));
        start = -1;
        this.afterElement = c === COMMA ? false : this.afterElement;
        this.afterComma = c === COMMA;
        if (c === CLOSE_BRACKET) this.endElements();
        continue;
      }
      if (c === QUOTE) {
        this.inString = true;
        const isKey =
          this.form === 'envelope' && this.depth === 1 && !this.afterColon && !this.done;
        if (isKey) {
          this.key = [];
          keyStart = i + 1;
        }
      } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        this.depth++;
        const contents =
          this.form === 'envelope' &&
          this.depth === 2 &&
          c === OPEN_BRACKET &&
          this.afterColon &&
          !this.done &&
          (this.lastKey === 'contents' || this.lastKey === 'content');
        if (contents) this.elementDepth = 2;
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        this.depth--;
        if (this.inElement && !this.scalar && this.depth === this.elementDepth) {
          yield this.finish(text.slice(start, i + 1));
          start = -1;
        }
        if (this.depth === 1) this.afterColon = false; // a value of the envelope ended
      } else if (this.form === 'envelope' && this.depth === 1) {
        if (c === COLON) this.afterColon = true;
        else if (c === COMMA) this.afterColon = false;
      }
    }
    if (this.inElement && start >= 0) this.keep(text.slice(start));
    if (this.key && keyStart >= 0) this.key.push(text.slice(keyStart));
  }

  /** Whether the elements were found: an array, or an envelope with its contents. */
  get split(): boolean {
    return (
      this.form === 'array' || (this.form === 'envelope' && (this.elementDepth > 0 || this.done))
    );
  }

  private endElements(): void {
    this.afterElement = this.afterComma = false;
    this.depth--;
    this.elementDepth = 0;
    this.done = true;
    if (this.depth === 1) this.afterColon = false;
  }

  private keep(piece: string): void {
    this.length += piece.length;
    if (this.length > this.maxChars) {
      this.skipping = true;
      this.pieces = [];
    } else if (!this.skipping) this.pieces.push(piece);
  }

  private finish(last: string): Element {
    this.keep(last);
    const element: Element = this.skipping
      ? { index: this.index, tooLong: true }
      : { index: this.index, text: this.pieces.join('') };
    this.index++;
    this.pieces = [];
    this.length = 0;
    this.skipping = false;
    this.inElement = false;
    this.afterElement = true;
    return element;
  }
}
