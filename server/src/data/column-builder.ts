// Builds one typed column from cell strings and infers its type (spec §4). The same builder
// serves the schema sample and the full read, so the checker and the runner cannot disagree.
//
// A column starts optimistic as numbers straight into a Float64Array (no string kept); the few
// cells that are not numbers are kept aside in a dictionary. When they stop being few, the
// column switches to a dictionary of distinct strings with Int32Array codes; types are then
// decided once per distinct value (with its count), never once per cell.
//
// "Mostly" a type: a column whose non-missing cells are numbers (or dates) except at most
// INVALID_SHARE of them is that type; the other cells become missing and are reported with a
// count and an example (`invalidCells`), never dropped silently.
import type { CastTarget, ColumnType } from '../language/schema';
import { parseBoolean, parseIsoDate, parseNumber } from './parse-values';
import type { Column } from './table';

/** Largest share of a column's non-missing cells that may fail to parse for it to keep a value type. */
const INVALID_SHARE = 0.05;
/** While reading, a few more failures are tolerated before switching, so early rows do not decide alone. */
const EARLY_SLACK = 16;

/** Cells of a column that are not values of a type: how many, and the first one. */
export interface InvalidCells {
  count: number;
  /** Non-missing cells of the column. */
  of: number;
  example: string;
  /** Row (0-based) of the example's first occurrence. */
  row: number;
}

function mostlyValid(invalid: number, valid: number, slack = 0): boolean {
  return invalid <= INVALID_SHARE * (invalid + valid) + slack;
}

/**
 * A cell with spaces around it: a missing marker matches it too (`missing: ["?"]` reads the " ?"
 * of a file written with ", " between fields as missing, as numbers read " 42" as 42).
 */
function hasEdgeSpace(cell: string): boolean {
  return cell.length > 0 && (cell.charCodeAt(0) <= 32 || cell.charCodeAt(cell.length - 1) <= 32);
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

/** The state of a builder that read one part of a file (see `ColumnBuilder.part`). */
export interface ColumnPart {
  length: number;
  missing: number;
  /** Numbers mode (then `codes` is undefined); may be longer than `length`. */
  numbers: Float64Array | undefined;
  numericCells: number;
  zeroOne: boolean;
  exceptionRows: number[];
  exceptionCodes: number[];
  exceptionNumeric: number[];
  codes: Int32Array | undefined;
  distinct: string[];
  counts: number[];
  firstRow: number[];
  fromNumber: number[];
  /** `textHash` of the first `hashed` distinct texts. */
  hashes: Int32Array;
  hashed: number;
}

/** FNV-1a over a text's UTF-16 units (the same on every thread, for any file encoding). */
export function textHash(s: string): number {
  let h = -2128831035;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h;
}

/** The first n numbers, in a buffer of their own (shared, like `a`'s, when it is shared). */
function exactly(a: Float64Array, n: number): Float64Array {
  if (!(a.buffer instanceof SharedArrayBuffer)) return a.slice(0, n);
  const s = new Float64Array(new SharedArrayBuffer(n * 8));
  s.set(a.subarray(0, n));
  return s;
}

export class ColumnBuilder {
  private numbers: Float64Array | undefined = new Float64Array(1024);
  private zeroOne = true;
  private numericCells = 0;
  /** Numbers mode: rows holding a cell that is not a number (its code is in `exceptionCodes`). */
  private exceptionRows: number[] = [];
  private exceptionCodes: number[] = [];
  /** Numeric cells before each exception (to replay the switch rule when parts read apart are joined). */
  private exceptionNumeric: number[] = [];
  /**
   * The index of `distinct` by text: open addressing on `hashes` (slot: code + 1, 0 empty), for
   * codes below `indexed`; texts added by `pushNew` are hashed and indexed when a lookup needs
   * them. Hashes travel with a part, so joining parts hashes no text again.
   */
  private slots = new Int32Array(0);
  private hashes = new Int32Array(0);
  /** Codes below this have their hash in `hashes`. */
  private hashed = 0;
  private indexed = 0;
  /** The number each distinct text reads as (NaN: none), for the first `numbersFor` texts. */
  private numberOfText = new Float64Array(0);
  private numbersFor = 0;
  private distinct: string[] = [];
  private counts: number[] = [];
  private firstRow: number[] = [];
  /** The number a distinct text stands for when it came from numbers mode (its text is then canonical, "1234.5"). */
  private fromNumber: number[] = [];
  private codes: Int32Array | undefined;
  length = 0;
  missing = 0;

  constructor(private readonly missingValues: ReadonlySet<string>, private readonly parseNum: (s: string) => number = parseNumber) {}

  /** Whether cells are still read as numbers (else as dictionary codes). */
  get readsNumbers(): boolean {
    return this.numbers !== undefined;
  }

  isMissingText(cell: string): boolean {
    return this.missingValues.has(cell) || (hasEdgeSpace(cell) && this.missingValues.has(cell.trim()));
  }

  /**
   * Adds a cell; returns its dictionary code when the column was already reading codes (the
   * reader caches it by the cell's bytes, see `pushCode`), -1 for a missing cell, else -2.
   */
  push(cell: string): number {
    if (this.isMissingText(cell)) {
      this.pushMissing();
      return -1;
    }
    const i = this.length++;
    if (this.numbers) {
      const v = this.parseNum(cell);
      const nums = this.numbersAt(i);
      if (!Number.isNaN(v)) {
        nums[i] = v;
        this.numericCells++;
        if (v !== 0 && v !== 1) this.zeroOne = false;
        return -2;
      }
      nums[i] = NaN;
      this.exceptionRows.push(i);
      this.exceptionCodes.push(this.codeOf(cell, i));
      this.exceptionNumeric.push(this.numericCells);
      if (!mostlyValid(this.exceptionRows.length, this.numericCells, EARLY_SLACK)) this.switchToDictionary(i + 1);
      return -2;
    }
    const code = this.codeOf(cell, i);
    this.codesAt(i)[i] = code;
    return code;
  }

  /** A cell known to be the number `v` (never missing); only while `readsNumbers`. */
  pushNumber(v: number): void {
    const i = this.length++;
    this.numbersAt(i)[i] = v;
    this.numericCells++;
    if (v !== 0 && v !== 1) this.zeroOne = false;
  }

  pushMissing(): void {
    const i = this.length++;
    this.missing++;
    if (this.numbers) this.numbersAt(i)[i] = NaN;
    else this.codesAt(i)[i] = -1;
  }

  /** A cell equal to one `push` returned `code` for; only while reading codes. */
  pushCode(code: number): void {
    const i = this.length++;
    this.codesAt(i)[i] = code;
    this.counts[code]++;
  }

  /**
   * Makes room for `rows` cells in all (growing by half at least, so joining many parts copies
   * little). Numbers go to shared memory: parts are joined only for a large file, whose columns the
   * training pool and the CSV writer's threads then share instead of copying them each.
   */
  reserve(rows: number): void {
    const room = (have: number): number => Math.max(rows, Math.ceil(have * 1.5));
    if (this.numbers && (this.numbers.length < rows || !(this.numbers.buffer instanceof SharedArrayBuffer))) {
      const size = this.numbers.length < rows ? room(this.numbers.length) : this.numbers.length;
      const grown = new Float64Array(new SharedArrayBuffer(size * 8));
      grown.set(this.numbers);
      this.numbers = grown;
    }
    if (this.codes && this.codes.length < rows) { const grown = new Int32Array(room(this.codes.length)); grown.set(this.codes); this.codes = grown; }
  }

  /** What this builder read, to be joined onto the builder of the rows before it (`append`); its arrays can be transferred. */
  part(): ColumnPart {
    return {
      length: this.length, missing: this.missing, numbers: this.numbers, numericCells: this.numericCells, zeroOne: this.zeroOne,
      exceptionRows: this.exceptionRows, exceptionCodes: this.exceptionCodes, exceptionNumeric: this.exceptionNumeric, codes: this.codes,
      distinct: this.distinct, counts: this.counts, firstRow: this.firstRow, fromNumber: this.fromNumber,
      ...this.allHashed(),
    };
  }

  /**
   * Adds the cells of a later part of the file that another builder read from a fresh start,
   * leaving this builder exactly as if it had read them itself. False (and nothing changed) when
   * the part cannot tell that: it kept numbers whose text this builder would need (it reads codes
   * by then, or the part's exceptions make it switch); the caller then reads those rows here.
   */
  append(p: ColumnPart): boolean {
    if (this.length === 0) {
      this.adopt(p);
      return true;
    }
    if (this.numbers && p.numbers !== undefined && !this.switchesWithin(p)) {
      const base = this.length;
      this.reserve(base + p.length);
      this.numbers.set(p.numbers.subarray(0, p.length), base);
      for (let j = 0; j < p.exceptionRows.length; j++) {
        const row = base + p.exceptionRows[j];
        this.exceptionRows.push(row);
        this.exceptionCodes.push(this.codeOf(p.distinct[p.exceptionCodes[j]], row, NaN, p.hashes[p.exceptionCodes[j]]));
        this.exceptionNumeric.push(this.numericCells + p.exceptionNumeric[j]);
      }
      this.length += p.length;
      this.missing += p.missing;
      this.numericCells += p.numericCells;
      this.zeroOne &&= p.zeroOne;
      return true;
    }
    // Otherwise every cell of the part must be known as text (missing, or a code of a text as read).
    let local = p.codes;
    if (local === undefined) {
      if (p.numericCells > 0) return false;
      local = new Int32Array(p.length).fill(-1);
      for (let j = 0; j < p.exceptionRows.length; j++) local[p.exceptionRows[j]] = p.exceptionCodes[j];
    } else if (p.fromNumber.some((v) => !Number.isNaN(v))) return false;
    this.reserve(this.length + p.length);
    let r = 0;
    // Reading numbers, each cell decides (and may make the column switch), as read here.
    for (; r < p.length && this.numbers; r++) {
      if (local[r] < 0) this.pushMissing();
      else this.push(p.distinct[local[r]]);
    }
    if (r === p.length) return true;
    // Reading codes: texts new here get codes in the order of their first row, as a read here gives them.
    const base = this.length - r;
    const remap = new Int32Array(p.distinct.length).fill(-1);
    for (let i = r; i < p.length; i++) {
      const c = local[i];
      if (c < 0) { this.missing++; continue; }
      if (remap[c] < 0) {
        remap[c] = this.codeOf(p.distinct[c], base + i, NaN, p.hashes[c]);
        this.counts[remap[c]]--;
      }
      this.counts[remap[c]]++;
    }
    const codes = this.codes!;
    for (let i = r; i < p.length; i++) codes[base + i] = local[i] < 0 ? -1 : remap[local[i]];
    this.length = base + p.length;
    return true;
  }

  /** Whether the part's cells that are not numbers would make this builder (reading numbers) switch to codes. */
  private switchesWithin(p: ColumnPart): boolean {
    const before = this.exceptionRows.length;
    for (let j = 0; j < p.exceptionRows.length; j++) {
      if (!mostlyValid(before + j + 1, this.numericCells + p.exceptionNumeric[j], EARLY_SLACK)) return true;
    }
    return false;
  }

  /** Takes a part read from a fresh start as its own state (this builder holds no cell yet). */
  private adopt(p: ColumnPart): void {
    // ColumnPart's fields are this builder's state by the same names.
    Object.assign(this, p);
    this.slots = new Int32Array(0);
    this.indexed = 0;
  }

  /** Every distinct text's hash, for a part to carry. */
  private allHashed(): { hashes: Int32Array; hashed: number } {
    this.hashUpTo(this.distinct.length);
    return { hashes: this.hashes, hashed: this.hashed };
  }

  /** Hashes of the first n texts, with room for one more. */
  private hashUpTo(n: number): void {
    if (this.hashes.length <= n) {
      const grown = new Int32Array(Math.max(1024, n + 1, this.hashes.length * 2));
      grown.set(this.hashes.subarray(0, this.hashed));
      this.hashes = grown;
    }
    for (let k = this.hashed; k < n; k++) this.hashes[k] = textHash(this.distinct[k]);
    this.hashed = Math.max(this.hashed, n);
  }

  /** The code of `cell` (its hash `h`), added when new (first seen at `row`). */
  private codeOf(cell: string, row: number, fromNumber = NaN, h = textHash(cell)): number {
    const n = this.distinct.length;
    this.hashUpTo(n);
    // At most half full with one more text, so probes stay short and always end.
    if (this.slots.length < 2 * (n + 1)) {
      this.slots = new Int32Array(Math.max(1024, 2 * this.slots.length, 1 << Math.ceil(Math.log2(2 * (n + 1)))));
      this.indexed = 0;
    }
    for (; this.indexed < n; this.indexed++) this.place(this.indexed);
    const mask = this.slots.length - 1;
    const hashes = this.hashes;
    let slot = h & mask;
    for (let k = this.slots[slot] - 1; k >= 0; slot = (slot + 1) & mask, k = this.slots[slot] - 1) {
      if (hashes[k] === h && this.distinct[k] === cell) {
        this.counts[k]++;
        return k;
      }
    }
    const code = this.addDistinct(cell, row, fromNumber);
    hashes[code] = h;
    this.hashed = code + 1;
    this.indexed = code + 1;
    this.slots[slot] = code + 1;
    return code;
  }

  private place(k: number): void {
    const mask = this.slots.length - 1;
    let slot = this.hashes[k] & mask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
    this.slots[slot] = k + 1;
  }

  private addDistinct(cell: string, row: number, fromNumber: number): number {
    this.distinct.push(cell);
    this.counts.push(1);
    this.firstRow.push(row);
    this.fromNumber.push(fromNumber);
    return this.distinct.length - 1;
  }

  /**
   * A cell whose text no earlier cell of this column had (the reader knows it by its bytes);
   * only while reading codes. Returns its code. The text index catches up when next asked.
   */
  pushNew(cell: string): number {
    const i = this.length++;
    const code = this.addDistinct(cell, i, NaN);
    this.codesAt(i)[i] = code;
    return code;
  }

  /** Distinct texts so far, in code order. */
  get texts(): readonly string[] {
    return this.distinct;
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

  /** Cells so far become dictionary codes: numbers as their shortest text, the others as read. */
  private switchToDictionary(upTo: number): void {
    const nums = this.numbers!;
    this.numbers = undefined;
    this.codes = new Int32Array(Math.max(1024, nums.length));
    for (let r = 0; r < upTo; r++) {
      const v = nums[r];
      this.codes[r] = Number.isNaN(v) ? -1 : this.codeOf(String(v), r, v);
    }
    for (let k = 0; k < this.exceptionRows.length; k++) this.codes[this.exceptionRows[k]] = this.exceptionCodes[k];
    this.exceptionRows = [];
    this.exceptionCodes = [];
    this.exceptionNumeric = [];
  }

  /** Cells (not missing) whose distinct value `parse` rejects; undefined when there are none. */
  private failures(parse: (k: number) => number, stopAbove = Infinity): InvalidCells | undefined {
    let count = 0;
    let example = -1;
    for (let k = 0; k < this.distinct.length && count <= stopAbove; k++) {
      if (!Number.isNaN(parse(k))) continue;
      count += this.counts[k];
      if (example < 0 || this.firstRow[k] < this.firstRow[example]) example = k;
    }
    if (count === 0) return undefined;
    return { count, of: this.length - this.missing, example: this.distinct[example], row: this.firstRow[example] };
  }

  /** Parses distinct value k as `type` (numbers mode keeps only texts that are not numbers). */
  private parserFor(type: 'number' | 'boolean' | 'date'): (k: number) => number {
    const text = this.distinct;
    if (type === 'number') {
      // Parsed once per text: inference, notes and the build each ask (a million ids would be parsed again each time).
      if (this.numbersFor < text.length) {
        const known = this.numberOfText;
        this.numberOfText = new Float64Array(text.length);
        this.numberOfText.set(known.subarray(0, this.numbersFor));
        for (let k = this.numbersFor; k < text.length; k++) this.numberOfText[k] = Number.isNaN(this.fromNumber[k]) ? this.parseNum(text[k]) : this.fromNumber[k];
        this.numbersFor = text.length;
      }
      const numbers = this.numberOfText;
      return (k) => numbers[k];
    }
    return type === 'boolean' ? (k) => parseBoolean(text[k]) : (k) => parseIsoDate(text[k]);
  }

  /** The type the rules of spec §4 give this column (`rowsForLimit` sets the category threshold). */
  inferType(rowsForLimit = this.length): ColumnType {
    if (this.numbers) {
      if (mostlyValid(this.exceptionRows.length, this.numericCells)) return this.zeroOne && this.numericCells > 0 ? 'boolean' : 'number';
      this.switchToDictionary(this.length);
    }
    const distinct = this.distinct;
    if (distinct.every((s) => !Number.isNaN(parseBoolean(s)))) return 'boolean';
    const nonMissing = this.length - this.missing;
    for (const type of ['number', 'date'] as const) {
      // Counting stops once too many fail: the column is then not of the type, whatever the rest holds.
      const bad = this.failures(this.parserFor(type), INVALID_SHARE * nonMissing)?.count ?? 0;
      if (bad < nonMissing && mostlyValid(bad, nonMissing - bad)) return type;
    }
    return distinct.length <= categoryLimit(rowsForLimit) ? 'category' : 'text';
  }

  /** Cells that do not convert to `type` (they become missing in `build(type)`). */
  invalidCells(type: ColumnType): InvalidCells | undefined {
    if (type === 'category' || type === 'text') return undefined;
    if (this.numbers && type === 'number') return this.failures(this.parserFor(type));
    if (this.numbers) this.switchToDictionary(this.length);
    return this.failures(this.parserFor(type));
  }

  /**
   * The value types that no cell of a text or category column parses as, with its first value:
   * undefined when the column holds no value or some value of every type.
   */
  typesNoValueIs(): { types: CastTarget[]; example: string } | undefined {
    if (this.length === this.missing) return undefined;
    if (this.numbers) this.switchToDictionary(this.length);
    const types = (['number', 'date', 'boolean'] as const).filter((type) => {
      const parse = this.parserFor(type);
      return this.distinct.every((_, k) => Number.isNaN(parse(k)));
    });
    // The example goes into a one-line message: a long text is cut.
    const first = this.distinct[0];
    return types.length > 0 ? { types, example: first.length > 40 ? `${first.slice(0, 40)}…` : first } : undefined;
  }

  /** The one value ("false" or "true") that every non-missing cell holds as a boolean, if only one. */
  onlyBoolean(): 'false' | 'true' | undefined {
    let seen = 0; // bit 1: false seen, bit 2: true seen
    if (this.numbers) for (let i = 0; i < this.length; i++) seen |= this.numbers[i] === 0 ? 1 : this.numbers[i] === 1 ? 2 : 0;
    const parse = this.parserFor('boolean');
    for (let k = 0; k < this.distinct.length; k++) { const v = parse(k); seen |= v === 0 ? 1 : v === 1 ? 2 : 0; }
    return seen === 1 ? 'false' : seen === 2 ? 'true' : undefined;
  }

  /** Distinct texts of the cells that are not numbers. */
  textsThatAreNotNumbers(): string[] {
    const parse = this.parserFor('number');
    return this.distinct.filter((_, k) => Number.isNaN(parse(k)));
  }

  /** The column as `type`; cells that do not convert become missing (see `invalidCells`). */
  build(type: ColumnType): Column {
    const n = this.length;
    // 0/1 numbers are booleans as they are; cells aside ("yes") need the dictionary's per-value parse.
    // An array of exactly the rows (parts joined) is the column itself: a builder is built once.
    if (this.numbers && (type === 'number' || (type === 'boolean' && this.zeroOne && this.exceptionRows.length === 0))) return { type, values: this.numbers.length === n ? this.numbers : exactly(this.numbers, n) };
    if (this.numbers) this.switchToDictionary(n);
    const codes = this.codes!.slice(0, n);
    const distinct = this.distinct;
    if (type === 'category') {
      const order = distinct.map((_, i) => i).sort((a, b) => compareLevels(distinct[a], distinct[b]));
      const remap = new Int32Array(distinct.length);
      order.forEach((old, rank) => { remap[old] = rank; });
      for (let r = 0; r < n; r++) if (codes[r] >= 0) codes[r] = remap[codes[r]];
      return { type, codes, levels: order.map((i) => distinct[i]) };
    }
    if (type === 'text') return { type, codes, levels: distinct.slice() };
    const parse = this.parserFor(type);
    const table = new Float64Array(distinct.length);
    for (let k = 0; k < distinct.length; k++) table[k] = parse(k);
    const values = new Float64Array(n);
    for (let r = 0; r < n; r++) values[r] = codes[r] < 0 ? NaN : table[codes[r]];
    return { type, values };
  }

  /** Sorted distinct levels when the column would be a category (for schema levels). */
  levels(type: ColumnType): string[] | undefined {
    if (type === 'boolean') return ['false', 'true'];
    if (type !== 'category') return undefined;
    if (this.numbers) this.switchToDictionary(this.length);
    return this.distinct.slice().sort(compareLevels);
  }
}
