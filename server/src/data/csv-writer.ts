// Writes CSV as bytes into large chunks: a million-row output is built without one string per
// cell or per line. Numbers print as JavaScript prints them (the shortest text that reads back
// as the same float64, the closest such text when several are that short), digit by digit
// instead of through `String`, which costs several hundred nanoseconds a cell: up to four decimals
// from one product with 10^4 (int32 digits where they fit), the others (probabilities, computed values) from an exact product; the rare
// cases the product cannot settle (ties) go to `String`.

const CHUNK = 1 << 20;
const COMMA = 0x2c;
const NEWLINE = 0x0a;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
/** 10^0..10^22: every one exact as a float64, so m / 10^d is the correctly rounded value of "m e-d". */
const POW10 = Float64Array.from({ length: 23 }, (_, i) => 10 ** i);
/** Below 10^15 two different decimals never read as the same float64 (DBL_DIG = 15). */
const MAX_FAST = 1e15;
/** Veltkamp's splitter for float64: 2^27 + 1. */
const SPLIT = 134217729;
/** 10^0..10^9 as int32, for the digits of the two int32 halves of a 17-digit decimal. */
const POW10_INT = Int32Array.from({ length: 10 }, (_, i) => 10 ** i);
/** 5^0..5^22, exact: 2^e·10^d is 5^d·2^(e+d). */
const POW5 = Float64Array.from({ length: 23 }, (_, i) => 5 ** i);
/** 2^-100..2^27 (index k + 100), the powers of two a half gap takes. */
const POW2 = Float64Array.from({ length: 128 }, (_, i) => 2 ** (i - 100));
/** log10(2), to estimate a float64's decimal exponent from its binary one. */
const LOG10_2 = 0.30102999566398120;
const float64 = new Float64Array(1);
const words = new Uint32Array(float64.buffer);
/** Index of the high word of a float64 in `words` (its sign and exponent). */
const HIGH = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/** A CSV field: quoted (quotes doubled) when it holds a comma, a quote or a line break. */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * A column of CSV cells in typed arrays only, so that any thread can write its rows: numbers
 * (NaN: an empty field), codes into fields already encoded (-1: an empty field), or one encoded
 * field per row (a pass-through column's bytes).
 */
export type CsvCells = { numbers: Float64Array } | { codes: Int32Array; fields: EncodedFields } | { rowFields: EncodedFields };

/** Fields as CSV writes them (quoted where needed), in one buffer of UTF-8: field k is bytes[starts[k], starts[k + 1]). */
export interface EncodedFields {
  bytes: Uint8Array;
  starts: Int32Array;
}

/** Encodes texts once as CSV fields (`shared`: in shared memory, for worker threads). */
export function encodedFields(texts: readonly string[], shared: boolean): EncodedFields {
  const fields = texts.map(csvField);
  const joined = fields.join('');
  const size = Buffer.byteLength(joined);
  const starts = new Int32Array(shared ? new SharedArrayBuffer((fields.length + 1) * 4) : new ArrayBuffer((fields.length + 1) * 4));
  // ASCII, the usual case, takes a byte per character: no field needs measuring.
  const ascii = size === joined.length;
  for (let k = 0; k < fields.length; k++) starts[k + 1] = starts[k] + (ascii ? fields[k].length : Buffer.byteLength(fields[k]));
  const bytes = Buffer.from(shared ? new SharedArrayBuffer(size) : new ArrayBuffer(size));
  bytes.write(joined, 0, 'utf8');
  return { bytes, starts };
}

/** Rows [start, end) of columns of cells, written as CSV lines (`shared`: into chunks in shared memory). */
export interface CsvRowsPiece {
  columns: CsvCells[];
  start: number;
  end: number;
  shared: boolean;
}

/** Most bytes a number takes: String's longest form, "-1.2345678901234567e-308", has 24. */
const NUMBER_BYTES = 25;

/** Writes a piece's rows (on a worker thread, or this one); the chunks hold them in order. */
export function csvRows(piece: CsvRowsPiece): Uint8Array[] {
  const out = new CsvByteWriter(piece.shared);
  out.rows(piece.columns, piece.start, piece.end);
  return out.finish();
}

export class CsvByteWriter {
  private readonly chunks: Buffer[] = [];
  private chunk: Buffer;
  private at = 0;

  /** `shared`: chunks in shared memory, which a worker thread's answer shares instead of copying. */
  constructor(private readonly shared = false) {
    this.chunk = this.allocate(CHUNK);
  }

  /**
   * Rows [start, end) of columns of cells, as CSV lines. Room for a whole row is made at once (a
   * number's longest text, a column's longest field, or a long field's own length), so its cells
   * are written at a position held in a local, not through the writer's fields cell by cell.
   */
  rows(columns: readonly CsvCells[], start: number, end: number): void {
    const m = columns.length;
    // Each column's array looked up once, not through the union per cell.
    const numbers = columns.map((c) => ('numbers' in c ? c.numbers : undefined));
    const codes = columns.map((c) => ('codes' in c ? c.codes : undefined));
    const fields = columns.map((c) => ('codes' in c ? c.fields : 'rowFields' in c ? c.rowFields : undefined));
    let fixed = m;
    // Columns with a field too long to make room for in every row: their fields are measured per row.
    const measured: number[] = [];
    for (let j = 0; j < m; j++) {
      const f = fields[j];
      if (f === undefined) { fixed += NUMBER_BYTES; continue; }
      const longest = codes[j] ? longestField(f.starts, 0, f.starts.length - 1) : longestField(f.starts, start, end);
      if (longest <= MEASURED_FROM) fixed += longest;
      else measured.push(j);
    }
    for (let i = start; i < end; i++) {
      let width = fixed;
      for (const j of measured) {
        const c = codes[j];
        const k = c === undefined ? i : c[i];
        if (k >= 0) width += fields[j]!.starts[k + 1] - fields[j]!.starts[k];
      }
      this.room(width);
      const out = this.chunk;
      let at = this.at;
      for (let j = 0; j < m; j++) {
        if (j > 0) out[at++] = COMMA;
        const values = numbers[j];
        if (values !== undefined) {
          at = putNumber(out, at, values[i]);
          continue;
        }
        const c = codes[j];
        const k = c === undefined ? i : c[i];
        if (k >= 0) at = putField(out, at, fields[j]!, k);
      }
      out[at++] = NEWLINE;
      this.at = at;
    }
  }

  /** Text as UTF-8, written as it is (quote it first with `csvField` where it needs quotes). */
  text(s: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit; ASCII, the usual case, is copied in a loop,
    // cheaper than a native encoder call for short fields.
    this.room(s.length * 3);
    const out = this.chunk;
    let at = this.at;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.at = at + out.write(s.slice(i), at, 'utf8');
        return;
      }
      out[at++] = c;
    }
    this.at = at;
  }

  /** A number as `String(v)` prints it, except -0 as "-0" (so it reads back as -0); NaN is an empty field. */
  number(v: number): void {
    this.room(NUMBER_BYTES);
    this.at = putNumber(this.chunk, this.at, v);
  }

  newline(): void {
    this.room(1);
    this.chunk[this.at++] = NEWLINE;
  }

  /** All bytes written, in chunks (a large output is never copied into one buffer). */
  finish(): Buffer[] {
    this.flush();
    return this.chunks;
  }

  private room(n: number): void {
    if (this.at + n > this.chunk.length) {
      this.flush();
      if (n > this.chunk.length) this.chunk = this.allocate(n);
    }
  }

  private flush(): void {
    if (this.at === 0) return;
    this.chunks.push(this.chunk.subarray(0, this.at));
    this.chunk = this.allocate(CHUNK);
    this.at = 0;
  }

  private allocate(size: number): Buffer {
    return this.shared ? Buffer.from(new SharedArrayBuffer(size)) : Buffer.allocUnsafe(size);
  }
}

/** Fields longer than this are measured row by row (room for the longest in every row would waste chunks). */
const MEASURED_FROM = 256;

/** The longest of fields [from, to) given by their starts. */
function longestField(starts: Int32Array, from: number, to: number): number {
  let longest = 0;
  for (let k = from; k < to; k++) longest = Math.max(longest, starts[k + 1] - starts[k]);
  return longest;
}

/** Field k of encoded fields at `at`, its bytes as they are; returns the position after it. */
function putField(out: Uint8Array, at: number, f: EncodedFields, k: number): number {
  const bytes = f.bytes;
  const e = f.starts[k + 1];
  for (let i = f.starts[k]; i < e; i++) out[at++] = bytes[i];
  return at;
}

/**
 * Writes v at `at` as `String(v)` prints it, except -0 as "-0" (so it reads back as -0), NaN as
 * nothing (an empty field); returns the position after it (at most NUMBER_BYTES on).
 */
function putNumber(out: Uint8Array, at: number, v: number): number {
  if (v !== v) return at;
  if (v === 0) {
    if (1 / v < 0) out[at++] = MINUS;
    out[at++] = ZERO;
    return at;
  }
  const a = Math.abs(v);
  // `String` prints 1e-6 ≤ |v| < 1e21 in plain notation; above 1e15 (integers, mostly) and in
  // exponent notation it is left to `String`.
  if (a >= 1e-6 && a < MAX_FAST) {
    // Integers and up to four decimals, as measured data mostly hold, cost less tried directly:
    // m / 10^4 is the float64 that "m e-4" reads as (a·10^4 is within 2^-52·m of m, so the
    // rounding finds m, m < 10^15). If a decimal of fewer places reads as a, it is that same
    // decimal with zeros after it (two decimals of at most 15 digits never read as one float64),
    // so dropping m's trailing zeros gives the shortest.
    if (a < 1e11) {
      const m = Math.round(a * 1e4);
      if (m / 1e4 === a) {
        if (m < 0x7fffffff) return putFewDecimals(out, at, v < 0, m);
        const high = Math.floor(m / 1e8);
        return putDecimal(out, at, v < 0, high, m - high * 1e8, 4);
      }
    }
    const after = putShortest(out, at, v < 0, a);
    if (after >= 0) return after;
  }
  // String's text is ASCII.
  const text = String(v);
  for (let i = 0; i < text.length; i++) out[at++] = text.charCodeAt(i);
  return at;
}

/**
 * Writes a (1e-6 ≤ a < 1e15) as `String` does: the decimal of fewest significant digits that
 * reads back as a, the closest to a of those, at `at`; returns the position after it, or -1,
 * writing nothing, in the rare cases this cannot decide exactly (a tie, a power of ten at the
 * edge of the scale): the caller then writes `String(a)`.
 *
 * X = a·10^d in [10^16, 10^17) is computed exactly as p + err (Dekker's product; 10^d is exact
 * for d ≤ 22) and held as hi·10^8 + lo + fraction. A decimal reads back as a when it is closer
 * to a than half the gap to a's neighbours (the gap below is half as wide at a power of two),
 * or exactly that close and a's significand even (a tie, left to String); in units of 10^-d the
 * half gap is 2^(e-1)·10^d, exact, and between 0.55 and 11.1. So a decimal of 17 - j digits
 * reads back when X lies within the half gap of a multiple of 10^j, and when one of j does,
 * one of every smaller j does too: j is tried from 16 down, and the first that has one gives
 * the shortest. Distances are sums of a small integer and the fraction: where they are not
 * exact they exceed 12, and rounding is monotonic, so a comparison is never decided wrong
 * (at worst it comes out equal: a tie).
 */
function putShortest(out: Uint8Array, at: number, negative: boolean, a: number): number {
  float64[0] = a;
  const high = words[HIGH];
  const low = words[1 - HIGH];
  // a = significand·2^exponent, the significand an integer of 53 bits.
  const exponent = ((high >>> 20) & 0x7ff) - 1075;
  // floor(log10(a)) or one less; the checks on p below correct it.
  let d = 16 - Math.floor((exponent + 52) * LOG10_2);
  if (d > 22) return -1;
  let p = a * POW10[d];
  if (p >= 1e17) p = a * POW10[--d];
  else if (p < 1e16) { if (d === 22) return -1; p = a * POW10[++d]; }
  if (p < 1e16 || p >= 1e17) return -1;
  const P = POW10[d];
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * P;
  const ph = t - (t - P);
  const pl = P - ph;
  const err = ((ah * ph - p) + ah * pl + al * ph) + al * pl;
  // p ≥ 2^53 is an integer; X = p + err, |err| ≤ 8.
  const whole = Math.floor(err);
  const fraction = err - whole;
  let hiD = Math.floor(p / 1e8);
  let loD = p - hiD * 1e8 + whole;
  while (loD < 0) { loD += 1e8; hiD--; }
  while (loD >= 1e8) { loD -= 1e8; hiD++; }
  let hi = hiD | 0;
  let lo = loD | 0;
  const powerOfTwo = (high & 0xfffff) === 0 && low === 0;
  const halfGap = POW5[d] * POW2[exponent - 1 + d + 100];
  const halfGapBelow = powerOfTwo ? halfGap / 2 : halfGap;
  // X mod 100 between 12 and 87: no multiple of 100 or more is near, only j = 1 or 0 can do.
  const r100 = lo % 100;
  for (let j = r100 >= 12 && r100 <= 87 ? 1 : 16; j >= 0; j--) {
    // X mod 10^j = under + fraction, 10^j - X mod 10^j = over - fraction (far: 10^9, more than any half gap).
    let under: number;
    let over: number;
    if (j <= 8) {
      under = lo % POW10_INT[j];
      over = POW10_INT[j] - under;
    } else {
      const h = hi % POW10_INT[j - 8];
      under = h === 0 ? lo : 1e9;
      over = h === POW10_INT[j - 8] - 1 ? 1e8 - lo : 1e9;
    }
    const below = under + fraction;
    const above = over - fraction;
    const belowOk = below < halfGapBelow;
    const aboveOk = above < halfGap;
    if (below === halfGapBelow || above === halfGap) return -1;
    if (!belowOk && !aboveOk) continue;
    const half = POW10[j] / 2;
    if (belowOk && aboveOk && below === half) return -1;
    // The multiple of 10^j below X, or the one above; decimal() drops the zeros.
    const up = aboveOk && (!belowOk || below > half);
    if (j >= 2) {
      // X rounded to 10^j, divided by 10^j: at most 15 digits, exact as a float64.
      let m = j >= 8
        ? (hi - (hi % POW10_INT[j - 8])) / POW10_INT[j - 8] + (up ? 1 : 0)
        : hi * POW10_INT[8 - j] + (lo - under) / POW10_INT[j] + (up ? 1 : 0);
      let decimals = d - j;
      // An integer with trailing zeros (below 10^15, still exact).
      if (decimals < 0) { m *= POW10[-decimals]; decimals = 0; }
      const mh = Math.floor(m / 1e8);
      return putDecimal(out, at, negative, mh, m - mh * 1e8, decimals);
    } else {
      lo -= under;
      if (up) { lo += POW10_INT[j]; if (lo >= 1e8) { lo -= 1e8; hi++; } }
      return putDecimal(out, at, negative, hi, lo, d);
    }
  }
  return -1;
}

/** Writes ±m·10^-4 (m > 0, an int32) without trailing zeros ("0.0125", "42", "-3.5"); returns the position after it. */
function putFewDecimals(out: Uint8Array, at: number, negative: boolean, m: number): number {
  let decimals = 4;
  let units = m | 0;
  while (decimals > 0) {
    const q = (units / 10) | 0;
    if (units - q * 10 !== 0) break;
    units = q;
    decimals--;
  }
  let digits = 1;
  for (let rest = (units / 10) | 0; rest > 0; rest = (rest / 10) | 0) digits++;
  // Written from the last digit back: the fraction, the point, then at least one integer digit.
  const end = at + (negative ? 1 : 0) + (decimals > 0 ? Math.max(digits, decimals + 1) + 1 : digits);
  let p = end;
  for (let k = 0; k < decimals; k++) {
    const q = (units / 10) | 0;
    out[--p] = ZERO + units - q * 10;
    units = q;
  }
  if (decimals > 0) out[--p] = DOT;
  do {
    const q = (units / 10) | 0;
    out[--p] = ZERO + units - q * 10;
    units = q;
  } while (units > 0);
  if (negative) out[--p] = MINUS;
  return end;
}

/** `putDecimal`'s digits, least significant first (module state: one per thread). */
const DIGITS = new Int32Array(32);

/**
 * Writes ±(high·10^8 + low)·10^-decimals in plain notation without trailing zeros ("0.00125",
 * "42", "-3.5"); low < 10^8, high ≤ 10^9. Returns the position after it.
 */
function putDecimal(out: Uint8Array, at: number, negative: boolean, highPart: number, lowPart: number, decimals: number): number {
  // Digits least significant first, from two int32 halves (integer division is cheap on int32).
  const digits = DIGITS;
  const high = highPart | 0;
  let low = lowPart | 0;
  let n = 0;
  for (; n < 8; n++) { const q = (low / 10) | 0; digits[n] = low - q * 10; low = q; }
  for (let rest = high; rest > 0; n++) { const q = (rest / 10) | 0; digits[n] = rest - q * 10; rest = q; }
  for (; n <= decimals; n++) digits[n] = 0;
  while (n > decimals + 1 && digits[n - 1] === 0) n--;
  let skip = 0;
  while (skip < decimals && digits[skip] === 0) skip++;
  if (negative) out[at++] = MINUS;
  for (let i = n - 1; i >= skip; i--) {
    if (i === decimals - 1) out[at++] = DOT;
    out[at++] = ZERO + digits[i];
  }
  return at;
}
