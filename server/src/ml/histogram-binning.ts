// Bins each feature into at most 255 ordered bins (bin 255 holds missing values). With 255 or
// fewer distinct values every value gets its own bin, so splits are exact; otherwise bins hold
// quantiles. Thresholds are midpoints between neighbouring values, stored as float32-exact
// numbers so that exported float32 ONNX models route rows exactly as the runner does.

export const MISSING_BIN = 255;
const MAX_BINS = 255;

export interface BinnedFeatures {
  nRows: number;
  bins: Uint8Array[];
  /** thresholds[f][b]: rows with value <= thresholds[f][b] are in bins 0..b. */
  thresholds: Float64Array[];
  /** Non-missing bins per feature. */
  nBins: number[];
  hasMissing: boolean[];
}

/**
 * Buffers one column's binning sorts in, reused from column to column when features come one at
 * a time (10M rows: 160 MB a column that would otherwise be garbage before the next).
 */
export interface BinningScratch { present: Float64Array; other: Int32Array }

export function binningScratch(n: number): BinningScratch {
  return { present: new Float64Array(n), other: new Int32Array(2 * n) };
}

export function binFeature(col: Float64Array, scratch?: BinningScratch): { bins: Uint8Array; thresholds: Float64Array; hasMissing: boolean } {
  const n = col.length;
  const present = scratch && scratch.present.length >= n ? scratch.present : new Float64Array(n);
  let m = 0;
  for (let i = 0; i < n; i++) if (!Number.isNaN(col[i])) present[m++] = col[i];
  const sorted = sortNumbers(present.subarray(0, m), scratch?.other);
  // Distinct values only as far as deciding between one bin per value and quantiles.
  const distinct: number[] = [];
  for (let i = 0; i < m && distinct.length <= MAX_BINS; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]);
  let cuts: number[] = [];
  if (distinct.length <= MAX_BINS) {
    for (let i = 0; i + 1 < distinct.length; i++) cuts.push(Math.fround((distinct[i] + distinct[i + 1]) / 2));
  } else {
    for (let q = 1; q < MAX_BINS; q++) {
      const pos = (q / MAX_BINS) * (m - 1);
      const lo = sorted[Math.floor(pos)];
      // The cut sits midway between the quantile value and the next distinct value above it
      // (below it, for the largest value).
      const above = firstIndexAbove(sorted, lo);
      const cut = above < m ? (lo + sorted[above]) / 2 : (sorted[firstIndexAbove(sorted, lo, true) - 1] + lo) / 2;
      cuts.push(Math.fround(cut));
    }
    cuts = [...new Set(cuts)].sort((a, b) => a - b);
  }
  const thresholds = Float64Array.from(cuts);
  // Thresholds padded with +∞ to 255 entries: a bin is then 8 halvings without a loop or a
  // bound (the first bin whose threshold is >= v, i.e. the number of thresholds below v).
  const padded = new Float64Array(MAX_BINS).fill(Infinity);
  padded.set(thresholds);
  const bins = new Uint8Array(n);
  let hasMissing = false;
  for (let i = 0; i < n; i++) {
    const v = col[i];
    if (Number.isNaN(v)) { bins[i] = MISSING_BIN; hasMissing = true; continue; }
    const f = Math.fround(v);
    // Comparisons turned into numbers, not branches: each halving goes either way at random,
    // and mispredicted branches made this loop 4-5 times slower.
    let b = +(padded[127] < f) << 7;
    b += +(padded[b + 63] < f) << 6;
    b += +(padded[b + 31] < f) << 5;
    b += +(padded[b + 15] < f) << 4;
    b += +(padded[b + 7] < f) << 3;
    b += +(padded[b + 3] < f) << 2;
    b += +(padded[b + 1] < f) << 1;
    b += +(padded[b] < f);
    bins[i] = b;
  }
  return { bins, thresholds, hasMissing };
}

/** Below this many values the built-in sort is as fast as the radix sort's fixed costs. */
const RADIX_MIN = 2048;
const DIGIT_BITS = 11;
const DIGIT_MASK = (1 << DIGIT_BITS) - 1;
/** Six 11-bit digits cover the 64 bits of a float64: three in the low word, three in the high. */
const DIGIT_SHIFTS = [0, 11, 22, 0, 11, 22];

/**
 * Sorts numbers without NaN ascending in place, in the order of `Float64Array.prototype.sort`
 * (-0 before 0), by a least-significant-digit radix sort on their bits: a float64's bits, with
 * the sign bit flipped for positive numbers and every bit flipped for negative ones, order as
 * unsigned integers as the numbers do. On 100k values it takes a fraction of the comparison
 * sort's time, which dominated binning.
 */
export function sortNumbers(values: Float64Array, scratch?: Int32Array): Float64Array {
  const m = values.length;
  if (m < RADIX_MIN) return values.sort();
  // Int32 views, not Uint32: words at or above 2^31 would leave V8's small-integer fast path.
  let words: Int32Array = new Int32Array(values.buffer, values.byteOffset, 2 * m);
  let other: Int32Array = scratch && scratch.length >= 2 * m ? scratch.subarray(0, 2 * m) : new Int32Array(2 * m);
  const counts = new Int32Array(DIGIT_SHIFTS.length << DIGIT_BITS);
  for (let i = 0; i < 2 * m; i += 2) {
    let lo = words[i], hi = words[i + 1];
    if (hi < 0) { lo = ~lo; hi = ~hi; } else hi |= 0x80000000;
    words[i] = lo; words[i + 1] = hi;
    counts[lo & DIGIT_MASK]++;
    counts[(1 << DIGIT_BITS) + ((lo >>> 11) & DIGIT_MASK)]++;
    counts[(2 << DIGIT_BITS) + (lo >>> 22)]++;
    counts[(3 << DIGIT_BITS) + (hi & DIGIT_MASK)]++;
    counts[(4 << DIGIT_BITS) + ((hi >>> 11) & DIGIT_MASK)]++;
    counts[(5 << DIGIT_BITS) + (hi >>> 22)]++;
  }
  for (let pass = 0; pass < DIGIT_SHIFTS.length; pass++) {
    const base = pass << DIGIT_BITS;
    // A digit every value shares (exponent bits of values of one magnitude) needs no pass.
    let skip = false;
    for (let d = 0; d <= DIGIT_MASK; d++) if (counts[base + d] !== 0) { skip = counts[base + d] === m; break; }
    if (skip) continue;
    let start = 0;
    for (let d = 0; d <= DIGIT_MASK; d++) { const c = counts[base + d]; counts[base + d] = start; start += c; }
    const half = pass < 3 ? 0 : 1;
    const shift = DIGIT_SHIFTS[pass];
    for (let i = 0; i < 2 * m; i += 2) {
      const at = 2 * counts[base + ((words[i + half] >>> shift) & DIGIT_MASK)]++;
      other[at] = words[i]; other[at + 1] = words[i + 1];
    }
    const t = words; words = other; other = t;
  }
  const out = new Int32Array(values.buffer, values.byteOffset, 2 * m);
  for (let i = 0; i < 2 * m; i += 2) {
    const lo = words[i], hi = words[i + 1];
    if (hi < 0) { out[i] = lo; out[i + 1] = hi & 0x7fffffff; } else { out[i] = ~lo; out[i + 1] = ~hi; }
  }
  return values;
}

/** Index of the first value above `v` (at or above it when `orEqual`). */
function firstIndexAbove(sorted: Float64Array, v: number, orEqual = false): number {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < v || (!orEqual && sorted[mid] === v)) lo = mid + 1; else hi = mid;
  }
  return lo;
}

export function binFeatures(columns: Float64Array[], nRows: number): BinnedFeatures {
  const out: BinnedFeatures = { nRows, bins: [], thresholds: [], nBins: [], hasMissing: [] };
  for (const col of columns) addBinnedFeature(out, binFeature(col));
  return out;
}

/** Adds one binned column (a feature streamed column by column is binned as it arrives). */
export function addBinnedFeature(out: BinnedFeatures, b: ReturnType<typeof binFeature>): void {
  out.bins.push(b.bins);
  out.thresholds.push(b.thresholds);
  out.nBins.push(b.thresholds.length + 1);
  out.hasMissing.push(b.hasMissing);
}
