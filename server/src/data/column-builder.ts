// Builds one typed column from cell strings and infers its type (spec §4). The same builder
// serves the schema sample and the full read, so the checker and the runner cannot disagree.
//
// A column starts optimistic as numbers straight into a Float64Array (no string kept). At its
// first non-numeric cell it switches to a dictionary of distinct strings with Int32Array codes;
// types are then decided once per distinct value, never once per cell.
import type { ColumnType } from '../language/schema';
import type { Column } from './table';

const BOOLEAN_WORDS = new Map<string, number>([
  ['true', 1], ['false', 0], ['yes', 1], ['no', 0], ['1', 1], ['0', 0],
]);

const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

export function parseNumber(s: string): number {
  const t = s.trim();
  return NUMBER_RE.test(t) ? Number(t) : NaN;
}

/** ISO date (optionally with a time) → days since 1970-01-01, or NaN. */
export function parseIsoDate(s: string): number {
  const m = DATE_RE.exec(s.trim());
  if (!m) return NaN;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return NaN;
  const ms = Date.UTC(y, mo - 1, d, Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0));
  const back = new Date(ms);
  if (back.getUTCDate() !== d) return NaN;
  return ms / 86_400_000;
}

export function parseBoolean(s: string): number {
  const v = BOOLEAN_WORDS.get(s.trim().toLowerCase());
  return v === undefined ? NaN : v;
}

/** Level order: numerically when both look like numbers, else by code units (as scikit-learn sorts strings). */
export function compareLevels(a: string, b: string): number {
  const x = parseNumber(a);
  const y = parseNumber(b);
  if (!Number.isNaN(x) && !Number.isNaN(y) && x !== y) return x - y;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Most distinct values a column may have to be inferred as a category. */
export function categoryLimit(rows: number): number {
  return Math.max(20, Math.floor(0.05 * rows));
}

export class ColumnBuilder {
  private numbers: Float64Array | undefined = new Float64Array(1024);
  private zeroOne = true;
  private dict: Map<string, number> | undefined;
  private codes: Int32Array | undefined;
  private distinct: string[] = [];
  length = 0;
  missing = 0;

  constructor(private readonly missingValues: ReadonlySet<string>) {}

  push(cell: string): void {
    const i = this.length++;
    if (this.missingValues.has(cell)) {
      this.missing++;
      if (this.numbers) this.numbersAt(i)[i] = NaN;
      else this.codesAt(i)[i] = -1;
      return;
    }
    if (this.numbers) {
      const v = parseNumber(cell);
      if (!Number.isNaN(v)) {
        this.numbersAt(i)[i] = v;
        if (v !== 0 && v !== 1) this.zeroOne = false;
        return;
      }
      this.switchToDictionary(i);
    }
    let code = this.dict!.get(cell);
    if (code === undefined) {
      code = this.distinct.length;
      this.distinct.push(cell);
      this.dict!.set(cell, code);
    }
    this.codesAt(i)[i] = code;
  }

  private numbersAt(i: number): Float64Array {
    if (i >= this.numbers!.length) {
      const grown = new Float64Array(this.numbers!.length * 2);
      grown.set(this.numbers!);
      this.numbers = grown;
    }
    return this.numbers!;
  }

  private codesAt(i: number): Int32Array {
    if (i >= this.codes!.length) {
      const grown = new Int32Array(this.codes!.length * 2);
      grown.set(this.codes!);
      this.codes = grown;
    }
    return this.codes!;
  }

  /** The first non-numeric cell: earlier numbers become dictionary entries (their shortest text). */
  private switchToDictionary(upTo: number): void {
    const nums = this.numbers!;
    this.numbers = undefined;
    this.dict = new Map();
    this.codes = new Int32Array(Math.max(1024, nums.length));
    for (let r = 0; r < upTo; r++) {
      const v = nums[r];
      if (Number.isNaN(v)) { this.codes[r] = -1; continue; }
      const s = String(v);
      let code = this.dict.get(s);
      if (code === undefined) {
        code = this.distinct.length;
        this.distinct.push(s);
        this.dict.set(s, code);
      }
      this.codes[r] = code;
    }
  }

  /** The type the rules of spec §4 give this column (`rowsForLimit` sets the category threshold). */
  inferType(rowsForLimit = this.length): ColumnType {
    if (this.numbers) {
      if (this.zeroOne && this.missing < this.length) return 'boolean';
      return 'number';
    }
    const distinct = this.distinct;
    if (distinct.every((s) => !Number.isNaN(parseBoolean(s)))) return 'boolean';
    if (distinct.every((s) => !Number.isNaN(parseNumber(s)))) return 'number';
    if (distinct.every((s) => !Number.isNaN(parseIsoDate(s)))) return 'date';
    return distinct.length <= categoryLimit(rowsForLimit) ? 'category' : 'text';
  }

  distinctCount(): number {
    return this.numbers ? -1 : this.distinct.length;
  }

  /** The column as `type`; cells that do not convert become missing (and are counted). */
  build(type: ColumnType): { column: Column; unconvertible: number } {
    const n = this.length;
    if (this.numbers) {
      const values = this.numbers.slice(0, n);
      if (type === 'number' || type === 'boolean' || type === 'date') {
        if (type === 'number') return { column: { type, values }, unconvertible: 0 };
        let bad = 0;
        for (let r = 0; r < n; r++) {
          const v = values[r];
          if (Number.isNaN(v)) continue;
          if (type === 'boolean' && v !== 0 && v !== 1) { values[r] = NaN; bad++; }
        }
        return { column: { type, values }, unconvertible: bad };
      }
      // Numbers declared as category/text: levels are the numbers' text.
      this.switchToDictionary(n);
    }
    const codes = this.codes!.slice(0, n);
    const distinct = this.distinct;
    if (type === 'category' || type === 'text') {
      if (type === 'category') {
        const order = distinct.map((_, i) => i).sort((a, b) => compareLevels(distinct[a], distinct[b]));
        const remap = new Int32Array(distinct.length);
        order.forEach((old, rank) => { remap[old] = rank; });
        for (let r = 0; r < n; r++) if (codes[r] >= 0) codes[r] = remap[codes[r]];
        return { column: { type, codes, levels: order.map((i) => distinct[i]) }, unconvertible: 0 };
      }
      return { column: { type, codes, levels: distinct.slice() }, unconvertible: 0 };
    }
    const parse = type === 'number' ? parseNumber : type === 'boolean' ? parseBoolean : parseIsoDate;
    const table = new Float64Array(distinct.length);
    for (let k = 0; k < distinct.length; k++) table[k] = parse(distinct[k]);
    const values = new Float64Array(n);
    let bad = 0;
    for (let r = 0; r < n; r++) {
      const c = codes[r];
      if (c < 0) { values[r] = NaN; continue; }
      const v = table[c];
      if (Number.isNaN(v)) bad++;
      values[r] = v;
    }
    return { column: { type, values }, unconvertible: bad };
  }

  /** Sorted distinct levels when the column would be a category (for schema levels). */
  levels(type: ColumnType): string[] | undefined {
    if (type === 'boolean') return ['false', 'true'];
    if (type !== 'category') return undefined;
    if (this.numbers) {
      const seen = new Set<number>();
      for (let r = 0; r < this.length; r++) if (!Number.isNaN(this.numbers[r])) seen.add(this.numbers[r]);
      return [...seen].sort((a, b) => a - b).map(String);
    }
    return this.distinct.slice().sort(compareLevels);
  }
}
