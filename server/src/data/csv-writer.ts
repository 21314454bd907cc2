// Writes CSV as bytes into large chunks: a million-row output is built without one string per
// cell or per line. Numbers print as JavaScript prints them (the shortest text that reads back
// as the same float64), but the common case — at most 15 significant digits, as measured data and
// integers are — is written digit by digit instead of through `String`, which costs several
// hundred nanoseconds a cell.

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

/** A CSV field: quoted (quotes doubled) when it holds a comma, a quote or a line break. */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export class CsvByteWriter {
  private readonly chunks: Buffer[] = [];
  private chunk = Buffer.allocUnsafe(CHUNK);
  private at = 0;
  private readonly digits = new Int32Array(32);

  comma(): void {
    this.room(1);
    this.chunk[this.at++] = COMMA;
  }

  newline(): void {
    this.room(1);
    this.chunk[this.at++] = NEWLINE;
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
    if (Number.isNaN(v)) return;
    if (v === 0) {
      this.text(Object.is(v, -0) ? '-0' : '0');
      return;
    }
    const a = Math.abs(v);
    // `String` prints 1e-6 ≤ |v| < 1e21 in plain notation; the fast path covers the part of that
    // range where a 15-digit decimal can be exact. Decimals are tried from none up: m / 10^d is the
    // float64 that "m e-d" reads as, so the first d at which it equals a gives the shortest decimal
    // that round-trips (what String prints). At that d, a·10^d is within 2^-52·m of m, so the
    // rounding finds m (m < 10^15); an earlier d that passed would be a shorter decimal.
    if (a >= 1e-6 && a < MAX_FAST) {
      for (let d = 0; d <= 22; d++) {
        const m = Math.round(a * POW10[d]);
        if (m >= MAX_FAST) break;
        if (m / POW10[d] === a) {
          this.decimal(v < 0, m, d);
          return;
        }
      }
    }
    this.text(String(v));
  }

  /** All bytes written, in one buffer. */
  finish(): Buffer {
    this.flush();
    return Buffer.concat(this.chunks);
  }

  /** Writes ±m·10^-decimals in plain notation without trailing zeros ("0.00125", "42", "-3.5"); m is an integer < 10^15. */
  private decimal(negative: boolean, m: number, decimals: number): void {
    // Digits least significant first, from two int32 halves (integer division is cheap on int32).
    const digits = this.digits;
    const high = Math.floor(m / 1e8) | 0;
    let low = (m - high * 1e8) | 0;
    let n = 0;
    for (; n < 8; n++) { const q = (low / 10) | 0; digits[n] = low - q * 10; low = q; }
    for (let rest = high; rest > 0; n++) { const q = (rest / 10) | 0; digits[n] = rest - q * 10; rest = q; }
    for (; n <= decimals; n++) digits[n] = 0;
    while (n > decimals + 1 && digits[n - 1] === 0) n--;
    let skip = 0;
    while (skip < decimals && digits[skip] === 0) skip++;
    this.room(n + 2);
    const out = this.chunk;
    let at = this.at;
    if (negative) out[at++] = MINUS;
    for (let i = n - 1; i >= skip; i--) {
      if (i === decimals - 1) out[at++] = DOT;
      out[at++] = ZERO + digits[i];
    }
    this.at = at;
  }

  private room(n: number): void {
    if (this.at + n > this.chunk.length) {
      this.flush();
      if (n > this.chunk.length) this.chunk = Buffer.allocUnsafe(n);
    }
  }

  private flush(): void {
    if (this.at === 0) return;
    this.chunks.push(this.chunk.subarray(0, this.at));
    this.chunk = Buffer.allocUnsafe(CHUNK);
    this.at = 0;
  }
}
