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

function binFeature(col: Float64Array): { bins: Uint8Array; thresholds: Float64Array; hasMissing: boolean } {
  const n = col.length;
  const values: number[] = [];
  for (let i = 0; i < n; i++) if (!Number.isNaN(col[i])) values.push(col[i]);
  const sorted = Float64Array.from(values).sort();
  const distinct: number[] = [];
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]);
  let cuts: number[] = [];
  if (distinct.length <= MAX_BINS) {
    for (let i = 0; i + 1 < distinct.length; i++) cuts.push(Math.fround((distinct[i] + distinct[i + 1]) / 2));
  } else {
    for (let q = 1; q < MAX_BINS; q++) {
      const pos = (q / MAX_BINS) * (sorted.length - 1);
      const lo = sorted[Math.floor(pos)];
      // The cut sits midway between the quantile value and the next distinct value above it.
      let k = binarySearchAbove(distinct, lo);
      if (k >= distinct.length) k = distinct.length - 1;
      const prev = distinct[Math.max(0, k - 1)];
      cuts.push(Math.fround((prev + distinct[k]) / 2));
    }
    cuts = [...new Set(cuts)].sort((a, b) => a - b);
  }
  const thresholds = Float64Array.from(cuts);
  const bins = new Uint8Array(n);
  let hasMissing = false;
  for (let i = 0; i < n; i++) {
    const v = col[i];
    if (Number.isNaN(v)) { bins[i] = MISSING_BIN; hasMissing = true; continue; }
    bins[i] = binOf(thresholds, Math.fround(v));
  }
  return { bins, thresholds, hasMissing };
}

function binarySearchAbove(sortedDistinct: number[], v: number): number {
  let lo = 0, hi = sortedDistinct.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sortedDistinct[mid] <= v) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/** First bin whose threshold is >= v (the number of thresholds below v). */
function binOf(thresholds: Float64Array, v: number): number {
  let lo = 0, hi = thresholds.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (thresholds[mid] < v) lo = mid + 1; else hi = mid;
  }
  return lo;
}

export function binFeatures(columns: Float64Array[], nRows: number): BinnedFeatures {
  const out: BinnedFeatures = { nRows, bins: [], thresholds: [], nBins: [], hasMissing: [] };
  for (const col of columns) {
    const b = binFeature(col);
    out.bins.push(b.bins);
    out.thresholds.push(b.thresholds);
    out.nBins.push(b.thresholds.length + 1);
    out.hasMissing.push(b.hasMissing);
  }
  return out;
}
