// The CSV reader's inner loop, on bytes: rows are scanned in a buffer (quoted fields with ""
// escapes, delimiters and newlines inside quotes, \r\n, \r and \n line ends), and each cell goes
// to its column's builder without a string when it can: plain numbers are parsed from their
// bytes, and a column reading codes looks its cells up by their bytes (a string is made once per
// distinct value). The same code reads a whole file here and the parts of a file in workers
// (csv-parallel.ts), so both give the same table.
import { isUtf8 } from 'node:buffer';
import type { ColumnBuilder } from './column-builder';
import { numberFormatOf, type CsvOptions } from './csv-options';
import { parsePlainNumber } from './parse-values';
import type { PassThroughCells } from './pass-through';

/** What stopped a read, at a line counted from the first line of the bytes read (0). */
export type CsvProblem =
  | { kind: 'after-quote' | 'unclosed' | 'nul'; line: number }
  | { kind: 'utf8'; line: number; byte: number }
  | { kind: 'fields'; line: number; fields: number };

const QUOTE = 34;
const LF = 10;
const CR = 13;
/** `scan` results besides a position. */
export const INCOMPLETE = -1;
const FAILED = -2;

/** Splits one row into fields: byte ranges, each marked when it holds doubled quotes. */
export class CsvRowScanner {
  starts = new Int32Array(64);
  ends = new Int32Array(64);
  escaped = new Uint8Array(64);
  fields = 0;
  /** Line ends in the row scanned, its own included. */
  lines = 0;
  /** Set when `scan` fails: the problem (its line counted within the row) and where it was found. */
  problem: { kind: 'after-quote' | 'unclosed'; line: number } | undefined;
  at = 0;

  constructor(private readonly delimiter: number) {}

  /**
   * Scans the row at `pos`: the position after its line end, INCOMPLETE when `buf` ends inside it
   * and more bytes follow (`final` false), or FAILED (see `problem`).
   */
  scan(buf: Uint8Array, pos: number, final: boolean): number {
    const n = buf.length;
    const d = this.delimiter;
    let i = pos;
    let k = 0;
    let lines = 0;
    for (;;) {
      if (k === this.starts.length) this.grow();
      if (i < n && buf[i] === QUOTE) {
        const openLine = lines;
        const s = ++i;
        let escaped = 0;
        for (;;) {
          if (i >= n) {
            if (!final) return INCOMPLETE;
            return this.fail('unclosed', openLine, i);
          }
          const c = buf[i];
          if (c === QUOTE) {
            if (i + 1 >= n && !final) return INCOMPLETE;
            if (buf[i + 1] === QUOTE) { escaped = 1; i += 2; continue; }
            break;
          }
          if (c === LF) lines++;
          else if (c === CR) {
            if (i + 1 >= n && !final) return INCOMPLETE;
            if (buf[i + 1] !== LF) lines++;
          }
          i++;
        }
        this.starts[k] = s;
        this.ends[k] = i;
        this.escaped[k++] = escaped;
        i++;
        if (i >= n) {
          if (!final) return INCOMPLETE;
          return this.done(k, lines, i);
        }
        const c = buf[i];
        if (c === d) { i++; continue; }
        if (c !== LF && c !== CR) return this.fail('after-quote', lines, i);
      } else {
        const s = i;
        while (i < n) {
          const c = buf[i];
          if (c === d || c === LF || c === CR) break;
          i++;
        }
        this.starts[k] = s;
        this.ends[k] = i;
        this.escaped[k++] = 0;
        if (i >= n) {
          if (!final) return INCOMPLETE;
          return this.done(k, lines, i);
        }
        if (buf[i] === d) { i++; continue; }
      }
      // A line end at i; \r\n is one, and a \r at the end of the bytes waits for what follows.
      if (buf[i] === CR) {
        if (i + 1 >= n) { if (!final) return INCOMPLETE; } else if (buf[i + 1] === LF) i++;
      }
      return this.done(k, lines + 1, i + 1);
    }
  }

  /** A row of one empty field is a blank line, which is skipped. */
  get blank(): boolean {
    return this.fields === 1 && this.starts[0] === this.ends[0];
  }

  private done(fields: number, lines: number, next: number): number {
    this.fields = fields;
    this.lines = lines;
    return next;
  }

  private fail(kind: 'after-quote' | 'unclosed', line: number, at: number): number {
    this.problem = { kind, line };
    this.at = at;
    return FAILED;
  }

  private grow(): void {
    const n = this.starts.length * 2;
    const starts = new Int32Array(n);
    const ends = new Int32Array(n);
    const escaped = new Uint8Array(n);
    starts.set(this.starts);
    ends.set(this.ends);
    escaped.set(this.escaped);
    this.starts = starts;
    this.ends = ends;
    this.escaped = escaped;
  }
}

const NOT_FOUND = -3;

/** Byte strings → the code a column's builder gave them (or -1: missing), in open addressing. */
class ByteDictionary {
  private slots = new Int32Array(256).fill(-1);
  private starts = new Int32Array(64);
  private lengths = new Int32Array(64);
  private hashes = new Int32Array(64);
  private values = new Int32Array(64);
  private bytes = new Uint8Array(4096);
  private used = 0;
  private size = 0;
  /** Entries that hold a code (the others mark missing cells). */
  codes = 0;

  static hash(b: Uint8Array, s: number, e: number): number {
    let h = -2128831035;
    for (let i = s; i < e; i++) h = Math.imul(h ^ b[i], 16777619);
    return h;
  }

  get(b: Uint8Array, s: number, e: number, h: number): number {
    const mask = this.slots.length - 1;
    const len = e - s;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const k = this.slots[slot];
      if (k < 0) return NOT_FOUND;
      if (this.hashes[k] !== h || this.lengths[k] !== len) continue;
      const at = this.starts[k];
      let i = 0;
      while (i < len && this.bytes[at + i] === b[s + i]) i++;
      if (i === len) return this.values[k];
    }
  }

  set(b: Uint8Array, s: number, e: number, h: number, value: number): void {
    const k = this.size++;
    if (k === this.starts.length) {
      this.starts = grown(this.starts);
      this.lengths = grown(this.lengths);
      this.hashes = grown(this.hashes);
      this.values = grown(this.values);
    }
    const len = e - s;
    if (this.used + len > this.bytes.length) {
      const bytes = new Uint8Array(Math.max(this.bytes.length * 2, this.used + len));
      bytes.set(this.bytes);
      this.bytes = bytes;
    }
    // A loop, not set(subarray): a view per new value costs more than copying a short text.
    const bytes = this.bytes;
    for (let i = s, at = this.used; i < e; i++, at++) bytes[at] = b[i];
    this.starts[k] = this.used;
    this.lengths[k] = len;
    this.hashes[k] = h;
    this.values[k] = value;
    if (value >= 0) this.codes++;
    this.used += len;
    if (this.size * 2 > this.slots.length) this.rehash();
    else this.place(k);
  }

  private place(k: number): void {
    const mask = this.slots.length - 1;
    let slot = this.hashes[k] & mask;
    while (this.slots[slot] >= 0) slot = (slot + 1) & mask;
    this.slots[slot] = k;
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2).fill(-1);
    for (let k = 0; k < this.size; k++) this.place(k);
  }
}

function grown(a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

/** What `CsvRowReader.read` did: rows read, where it stopped, and the lines they took. */
export interface RowsRead {
  /** Position after the last row read. */
  next: number;
  /** The bytes ended inside a row (it is read with the bytes that follow). */
  incomplete: boolean;
  rows: number;
  /** Line ends from the start to `next`. */
  lines: number;
  /** Pairs (row, line), both counted from the start, where lines stop advancing one per row (see RowLocator). */
  breaks: number[];
  problem?: CsvProblem;
}

/** Reads rows of bytes into one builder per column. */
export class CsvRowReader {
  private readonly scanner: CsvRowScanner;
  private readonly dictionaries: (ByteDictionary | undefined)[];
  private readonly emptyIsMissing: boolean;
  /** Plain numbers may be read from bytes: no missing marker could be one. */
  private readonly plainNumbers: boolean;
  private readonly decimal: number;
  private readonly encoding: 'utf8' | 'latin1';

  /**
   * `passThrough[c]`: column c is kept as bytes while its cells are plain text (pass-through.ts);
   * at its first other cell it is replayed into its builder and the entry cleared (the caller
   * shares the array, and so sees which columns are still kept as bytes).
   */
  constructor(options: CsvOptions, private readonly builders: readonly ColumnBuilder[], private readonly passThrough: (PassThroughCells | undefined)[] = builders.map(() => undefined)) {
    this.scanner = new CsvRowScanner(options.delimiter.charCodeAt(0));
    this.dictionaries = builders.map(() => undefined);
    this.emptyIsMissing = options.missing.includes('');
    this.plainNumbers = !options.missing.some((m) => /\d/.test(m));
    this.decimal = numberFormatOf(options).decimal.charCodeAt(0);
    this.encoding = options.encoding;
  }

  /**
   * Reads the rows that start in [start, end) of `buf` (the last one may end after `end`), at most
   * `maxRows`. `final`: `buf` ends where the file does. Stops at the first problem, which is
   * returned rather than thrown, so a worker can report it and lines can be counted from the file's start.
   */
  read(buf: Buffer, start: number, end: number, final: boolean, maxRows = Infinity): RowsRead {
    const scanner = this.scanner;
    const columns = this.builders.length;
    const breaks: number[] = [];
    let offset = NaN;
    let pos = start;
    let lines = 0;
    let rows = 0;
    let incomplete = false;
    let problem: CsvProblem | undefined;
    let checkedTo = end;
    while (pos < end && rows < maxRows) {
      const next = scanner.scan(buf, pos, final);
      if (next === INCOMPLETE) { incomplete = true; break; }
      if (next === FAILED) {
        problem = { kind: scanner.problem!.kind, line: lines + scanner.problem!.line };
        checkedTo = scanner.at;
        break;
      }
      if (scanner.blank) { lines += scanner.lines; pos = next; continue; }
      if (scanner.fields !== columns) {
        problem = { kind: 'fields', line: lines, fields: scanner.fields };
        checkedTo = next;
        break;
      }
      if (lines - rows !== offset) { offset = lines - rows; breaks.push(rows, lines); }
      this.cells(buf);
      rows++;
      lines += scanner.lines;
      pos = next;
    }
    if (!problem) checkedTo = pos;
    return { next: pos, incomplete, rows, lines, breaks, problem: badBytes(buf, start, checkedTo, this.encoding) ?? problem };
  }

  private cells(buf: Buffer): void {
    const { starts, ends, escaped } = this.scanner;
    const builders = this.builders;
    for (let c = 0; c < builders.length; c++) {
      const b = builders[c];
      const s = starts[c];
      const e = ends[c];
      const kept = this.passThrough[c];
      if (kept !== undefined) {
        if (kept.push(buf, s, e, escaped[c] === 1)) continue;
        kept.replayInto(b);
        this.passThrough[c] = undefined;
      }
      if (escaped[c]) { b.push(this.text(buf, s, e).replaceAll('""', '"')); continue; }
      if (b.readsNumbers) {
        if (s === e) {
          if (this.emptyIsMissing) { b.pushMissing(); continue; }
        } else if (this.plainNumbers) {
          const v = parsePlainNumber(buf, s, e, this.decimal);
          if (v === v) { b.pushNumber(v); continue; }
        }
        b.push(this.text(buf, s, e));
        continue;
      }
      const dict = this.dictionaries[c] ??= this.dictionaryOf(b);
      const h = ByteDictionary.hash(buf, s, e);
      const code = dict.get(buf, s, e, h);
      if (code >= 0) b.pushCode(code);
      else if (code === -1) b.pushMissing();
      else {
        const text = this.text(buf, s, e);
        // Bytes never seen are a text never seen, unless a text came in otherwise (a cell with doubled quotes).
        const known = dict.codes === b.texts.length;
        dict.set(buf, s, e, h, known && !b.isMissingText(text) ? b.pushNew(text) : b.push(text));
      }
    }
  }

  /** A column's byte dictionary, starting with the texts its builder already holds. */
  private dictionaryOf(b: ColumnBuilder): ByteDictionary {
    const dict = new ByteDictionary();
    b.texts.forEach((text, code) => {
      const bytes = Buffer.from(text, this.encoding);
      dict.set(bytes, 0, bytes.length, ByteDictionary.hash(bytes, 0, bytes.length), code);
    });
    return dict;
  }

  private text(buf: Buffer, s: number, e: number): string {
    return buf.toString(this.encoding, s, e);
  }

}

/**
 * The first NUL byte, or (UTF-8) the first byte that is not valid UTF-8, in [start, end) of `buf`,
 * as a problem on a line counted from `start`: text never holds either.
 */
export function badBytes(buf: Buffer, start: number, end: number, encoding: 'utf8' | 'latin1'): CsvProblem | undefined {
  const bytes = buf.subarray(start, end);
  const nul = bytes.indexOf(0);
  const limit = nul < 0 ? bytes.length : nul;
  const bad = encoding === 'utf8' && !isUtf8(bytes.subarray(0, limit)) ? firstInvalidUtf8(bytes, limit) : nul;
  if (bad < 0) return undefined;
  const line = lineEndsBetween(bytes, 0, bad);
  return bytes[bad] === 0 ? { kind: 'nul', line } : { kind: 'utf8', line, byte: bytes[bad] };
}

/** Offset of the first byte that starts no valid UTF-8 sequence before `end` (which holds one). */
function firstInvalidUtf8(b: Uint8Array, end: number): number {
  let i = 0;
  while (i < end) {
    const c = b[i];
    const len = c < 0x80 ? 1 : (c & 0xe0) === 0xc0 && c >= 0xc2 ? 2 : (c & 0xf0) === 0xe0 ? 3 : (c & 0xf8) === 0xf0 && c <= 0xf4 ? 4 : 0;
    if (len === 0 || i + len > end) return i;
    for (let k = 1; k < len; k++) if ((b[i + k] & 0xc0) !== 0x80) return i;
    // Overlong three- and four-byte forms, surrogates and code points past U+10FFFF.
    const c1 = b[i + 1];
    if ((c === 0xe0 && c1 < 0xa0) || (c === 0xed && c1 >= 0xa0) || (c === 0xf0 && c1 < 0x90) || (c === 0xf4 && c1 >= 0x90)) return i;
    i += len;
  }
  return end;
}

/** Line ends (\n, \r\n or a lone \r) in [start, end). */
function lineEndsBetween(b: Uint8Array, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    if (b[i] === LF) n++;
    else if (b[i] === CR && b[i + 1] !== LF) n++;
  }
  return n;
}
