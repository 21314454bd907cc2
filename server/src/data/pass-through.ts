// A column that is only copied to the output (an id that no step or model reads) is kept as the
// bytes of its cells, each already the CSV field the writer would write for it, never as one
// string per value: a million distinct ids were a million strings made, hashed, cloned between
// threads and encoded again. This holds only while every cell is plain text: a cell that could
// read as a number, a date or a boolean (which would change the column's type or, read in
// numbers mode, its text) ends it, and the cells kept so far are replayed into a ColumnBuilder,
// which then reads the column as any other. Replaying texts in file order gives exactly the
// column a read without pass-through gives, so a column is materialised that way whenever code
// asks for its codes or levels (`PassThroughColumn`).
import type { ColumnBuilder } from './column-builder';
import type { EncodedFields } from './csv-writer';
import type { DictionaryColumn } from './table';

const QUOTE = 0x22;
const COMMA = 0x2c;
const CR = 0x0d;
const LF = 0x0a;
const DASH = 0x2d;

/** What a thread read of a pass-through column: field k is bytes[starts[k], starts[k + 1]); missing[k] marks a missing cell. */
export interface PassThroughPart {
  kind: 'pass-through';
  length: number;
  bytes: Uint8Array;
  starts: Int32Array;
  missing: Uint8Array;
}

export function isPassThroughPart(p: object): p is PassThroughPart {
  return (p as PassThroughPart).kind === 'pass-through';
}

/** Bytes of a column's cells kept as CSV fields (see the file comment). */
export class PassThroughCells {
  private bytes = new Uint8Array(1 << 16);
  private starts = new Int32Array(1025);
  private missing = new Uint8Array(1024);
  length = 0;

  /**
   * `markers`: the missing markers as bytes; `numberBytes`: the bytes a number may hold besides
   * digits, signs, '.', 'e' and 'E' (the dataset's decimal and thousands separators).
   */
  constructor(private readonly markers: readonly Uint8Array[], private readonly numberBytes: readonly number[]) {}

  /**
   * Adds a cell, bytes [s, e) of `b` inside any quotes (`escaped`: holding doubled quotes); false,
   * adding nothing, when the cell is not plain text.
   */
  push(b: Uint8Array, s: number, e: number, escaped: boolean): boolean {
    const i = this.length;
    if (!escaped && this.isMarker(b, s, e)) {
      this.room(0);
      this.missing[i] = 1;
      this.starts[i + 1] = this.starts[i];
      this.length++;
      return true;
    }
    if (!this.plain(b, s, e)) return false;
    let quote = escaped;
    for (let k = s; k < e && !quote; k++) {
      const c = b[k];
      quote = c === COMMA || c === QUOTE || c === CR || c === LF;
    }
    this.room(2 * (e - s) + 2);
    const out = this.bytes;
    let at = this.starts[i];
    if (quote) {
      out[at++] = QUOTE;
      // Doubled quotes are kept as read; a lone one (mid-field in an unquoted cell) is doubled.
      for (let k = s; k < e; k++) {
        const c = b[k];
        out[at++] = c;
        if (c === QUOTE) {
          if (escaped) out[at++] = b[++k];
          else out[at++] = QUOTE;
        }
      }
      out[at++] = QUOTE;
    } else for (let k = s; k < e; k++) out[at++] = b[k];
    this.missing[i] = 0;
    this.starts[i + 1] = at;
    this.length++;
    return true;
  }

  /** The cells as fields for the CSV writer (`shared`: copied into shared memory, for worker threads). */
  fields(shared: boolean): EncodedFields {
    const n = this.length;
    const size = this.starts[n];
    if (!shared) return { bytes: this.bytes.subarray(0, size), starts: this.starts.subarray(0, n + 1) };
    const bytes = new Uint8Array(new SharedArrayBuffer(size));
    bytes.set(this.bytes.subarray(0, size));
    const starts = new Int32Array(new SharedArrayBuffer((n + 1) * 4));
    starts.set(this.starts.subarray(0, n + 1));
    return { bytes, starts };
  }

  /** What was read, to be joined onto the cells of the rows before (its arrays can be transferred). */
  part(): PassThroughPart {
    return { kind: 'pass-through', length: this.length, bytes: this.bytes, starts: this.starts, missing: this.missing };
  }

  append(p: PassThroughPart): void {
    const n = this.length;
    const base = this.starts[n];
    const size = p.starts[p.length];
    this.room(size, p.length);
    this.bytes.set(p.bytes.subarray(0, size), base);
    for (let k = 1; k <= p.length; k++) this.starts[n + k] = base + p.starts[k];
    this.missing.set(p.missing.subarray(0, p.length), n);
    this.length += p.length;
  }

  /** Pushes every cell, as its text, into `builder`: the column as a read without pass-through makes it. */
  replayInto(builder: ColumnBuilder): void {
    replay(this.part(), builder);
  }

  /** Room for one more cell of `bytes` bytes (or `cells` cells of `bytes` in all). */
  private room(bytes: number, cells = 1): void {
    const n = this.length + cells;
    if (n >= this.missing.length) {
      const size = Math.max(n + 1, this.missing.length * 2);
      const starts = new Int32Array(size + 1);
      starts.set(this.starts.subarray(0, this.length + 1));
      this.starts = starts;
      const missing = new Uint8Array(size);
      missing.set(this.missing.subarray(0, this.length));
      this.missing = missing;
    }
    const need = this.starts[this.length] + bytes;
    if (need > this.bytes.length) {
      const grown = new Uint8Array(Math.max(need, this.bytes.length * 2));
      grown.set(this.bytes.subarray(0, this.starts[this.length]));
      this.bytes = grown;
    }
  }

  private isMarker(b: Uint8Array, s: number, e: number): boolean {
    for (const m of this.markers) {
      if (m.length !== e - s) continue;
      let k = 0;
      while (k < m.length && m[k] === b[s + k]) k++;
      if (k === m.length) return true;
    }
    return false;
  }

  /**
   * Text that no reading of the column can take for a value: it has visible ASCII at both ends
   * (so trimming, which missing markers and parsers do, leaves it as it is), is no boolean word,
   * could not be a number (a byte outside what numbers are written with) and does not begin as
   * an ISO date does.
   */
  private plain(b: Uint8Array, s: number, e: number): boolean {
    if (s === e) return true;
    const first = b[s];
    const last = b[e - 1];
    if (first <= 32 || first >= 127 || last <= 32 || last >= 127) return false;
    if (e - s <= 5 && isBooleanWord(b, s, e)) return false;
    if (e - s >= 10 && isDigit(b[s]) && isDigit(b[s + 1]) && isDigit(b[s + 2]) && isDigit(b[s + 3]) && b[s + 4] === DASH) return false;
    for (let k = s; k < e; k++) if (!this.inNumber(b[k])) return true;
    return false;
  }

  private inNumber(c: number): boolean {
    return isDigit(c) || c === 0x2b || c === DASH || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x20 || c >= 0x80 || this.numberBytes.includes(c);
  }
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

const BOOLEAN_WORDS = ['true', 'false', 'yes', 'no', '1', '0'];

function isBooleanWord(b: Uint8Array, s: number, e: number): boolean {
  return BOOLEAN_WORDS.some((w) => {
    if (w.length !== e - s) return false;
    for (let k = 0; k < w.length; k++) if ((b[s + k] | 0x20) !== w.charCodeAt(k)) return false;
    return true;
  });
}

/** Pushes a part's cells into `builder` in order, each as the text it was read as. */
export function replay(p: PassThroughPart, builder: ColumnBuilder): void {
  const buf = Buffer.from(p.bytes.buffer, p.bytes.byteOffset, p.bytes.byteLength);
  for (let k = 0; k < p.length; k++) {
    if (p.missing[k]) { builder.pushMissing(); continue; }
    const s = p.starts[k];
    const e = p.starts[k + 1];
    if (e - s >= 2 && buf[s] === QUOTE) builder.push(buf.toString('utf8', s + 1, e - 1).replaceAll('""', '"'));
    else builder.push(buf.toString('utf8', s, e));
  }
}

/**
 * A text or category column kept as its cells' CSV fields: the writer copies `cells`, and the
 * column's codes and levels are made (once, by `materialise`) only when something reads them.
 */
export class PassThroughColumn implements DictionaryColumn {
  private built: DictionaryColumn | undefined;

  constructor(readonly cells: PassThroughCells, private readonly materialise: () => DictionaryColumn) {}

  get type(): 'category' | 'text' {
    return this.column().type;
  }

  get codes(): Int32Array {
    return this.column().codes;
  }

  get levels(): string[] {
    return this.column().levels;
  }

  private column(): DictionaryColumn {
    return this.built ??= this.materialise();
  }
}
