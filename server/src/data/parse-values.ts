// Cell text → value, for type inference, the full read and `cast`. Every parser returns NaN for
// text that is not a value of its type, never a guess: a number that overflows ("1e999"), an
// integer beyond 2^53 that a double would round (an id), a date that does not exist
// ("2023-02-30", "25:00") or a separator the dataset did not declare.

/** How a dataset writes numbers: `decimal: ","` and `thousands: ","` options (spec §3). */
export interface NumberFormat {
  decimal: string;
  /** '' when numbers have no thousands separator. */
  thousands: string;
}

export const PLAIN_NUMBERS: NumberFormat = { decimal: '.', thousands: '' };

const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * An integer written in more digits than a double holds exactly (a 19-digit transaction id): as
 * a number it would come back changed ("…6789" as "…6800"), two ids could merge, so it is text.
 */
function inexactInteger(v: number, plain: string): boolean {
  return Math.abs(v) > Number.MAX_SAFE_INTEGER && /^[+-]?\d+$/.test(plain);
}

/** A number written the usual way (`-1.5e3`), or NaN; never ±Infinity nor an inexact integer. */
export function parseNumber(s: string): number {
  const t = s.trim();
  if (!NUMBER_RE.test(t)) return NaN;
  const v = Number(t);
  return Number.isFinite(v) && !inexactInteger(v, t) ? v : NaN;
}

/** 10^0 ... 10^22: every one exact in a double. */
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/**
 * The number of a cell written in plain digits ("-12.5", "007", ".5", "3."), read from its bytes
 * [s, e) without making a string, and exactly the double `Number` gives for its text: with at most
 * 15 significant digits the digits are an exact integer m, and m / 10^k (k <= 22, also exact) is
 * one correctly rounded division. NaN for anything else (a space, an exponent, a thousands
 * separator, more digits): the caller then parses the cell's text.
 */
export function parsePlainNumber(b: Uint8Array, s: number, e: number, decimal: number): number {
  let i = s;
  let negative = false;
  if (b[i] === 45) { negative = true; i++; } else if (b[i] === 43) i++;
  let m = 0;
  let digits = 0;
  let significant = 0;
  let scale = 0;
  let point = false;
  for (; i < e; i++) {
    const c = b[i];
    if (c >= 48 && c <= 57) {
      digits++;
      if (point) scale++;
      if ((m !== 0 || c !== 48) && ++significant > 15) return NaN;
      m = m * 10 + (c - 48);
    } else if (c === decimal && !point) point = true;
    else return NaN;
  }
  if (digits === 0 || scale > 22) return NaN;
  const v = scale === 0 ? m : m / POW10[scale];
  return negative ? -v : v;
}

const escapeRe = (c: string): string => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A parser for numbers in `format`. Thousands groups must be whole ("1,234,567"): "1,23" is not
 * a number with thousands ",". A space separator also accepts the no-break spaces spreadsheets write.
 */
export function numberParser(format: NumberFormat): (s: string) => number {
  if (format.decimal === '.' && format.thousands === '') return parseNumber;
  const sep = format.thousands === ' ' ? '[ \\u00a0\\u202f]' : escapeRe(format.thousands);
  const int = format.thousands ? `(?:\\d{1,3}(?:${sep}\\d{3})+|\\d+)` : '\\d+';
  const dec = escapeRe(format.decimal);
  const re = new RegExp(`^[+-]?(?:${int}(?:${dec}\\d*)?|${dec}\\d+)(?:[eE][+-]?\\d+)?$`);
  const strip = format.thousands ? new RegExp(sep, 'g') : undefined;
  return (s) => {
    const t = s.trim();
    if (!re.test(t)) return NaN;
    const plain = (strip ? t.replace(strip, '') : t).replace(format.decimal, '.');
    const v = Number(plain);
    return Number.isFinite(v) && !inexactInteger(v, plain) ? v : NaN;
  };
}

/** Formats other than `current` in which every one of `texts` is a number, most specific first. */
export function numberFormatsThatFit(texts: readonly string[], current: NumberFormat): NumberFormat[] {
  const candidates: NumberFormat[] = [
    { decimal: '.', thousands: ',' },
    { decimal: ',', thousands: '' },
    { decimal: ',', thousands: '.' },
    { decimal: ',', thousands: ' ' },
  ];
  if (texts.length === 0) return [];
  return candidates.filter((f) => {
    if (f.decimal === current.decimal && f.thousands === current.thousands) return false;
    const parse = numberParser(f);
    return texts.every((t) => !Number.isNaN(parse(t)));
  });
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

const isLeap = (y: number): boolean => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days from 1970-01-01 to a proleptic Gregorian date, for every year (0045 is the year 45, not 1945). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * An ISO date, optionally with a time and a "Z" or ±hh:mm offset → days since 1970-01-01 UTC
 * (fractional with a time), or NaN when it is not a real date and time (30 February, 25:00, :60).
 */
export function parseIsoDate(s: string): number {
  const t = s.trim();
  // Most texts that are no date (ids, names) fail here, before the expression is run.
  const first = t.charCodeAt(0);
  if (t.length < 10 || first < 48 || first > 57) return NaN;
  const m = DATE_RE.exec(t);
  if (!m) return NaN;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1 || d > (mo === 2 && isLeap(y) ? 29 : MONTH_DAYS[mo - 1])) return NaN;
  const h = Number(m[4] ?? 0);
  const min = Number(m[5] ?? 0);
  const sec = Number(m[6] ?? 0) + Number(m[7] ?? 0);
  if (h > 23 || min > 59 || sec >= 60) return NaN;
  let offsetMinutes = 0;
  const zone = m[8];
  if (zone && zone !== 'Z') {
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.slice(3).replace(':', '') || 0);
    if (oh > 23 || om > 59) return NaN;
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  return daysFromCivil(y, mo, d) + (h * 3600 + min * 60 + sec - offsetMinutes * 60) / 86_400;
}

const BOOLEAN_WORDS = new Map<string, number>([
  ['true', 1], ['false', 0], ['yes', 1], ['no', 0], ['1', 1], ['0', 0],
]);

/** Length of the longest word in BOOLEAN_WORDS. */
const LONGEST_BOOLEAN = 5;

export function parseBoolean(s: string): number {
  // A longer text is no boolean word unless trim() would shorten it: it starts and ends with a
  // visible ASCII character (trim() removes only spaces and other Unicode white space).
  const a = s.charCodeAt(0);
  const z = s.charCodeAt(s.length - 1);
  if (s.length > LONGEST_BOOLEAN && a > 32 && a < 127 && z > 32 && z < 127) return NaN;
  const v = BOOLEAN_WORDS.get(s.trim().toLowerCase());
  return v === undefined ? NaN : v;
}
