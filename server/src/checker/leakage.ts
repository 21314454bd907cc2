// Data-based leakage (NML201): a raw feature column that is (almost) a copy of the raw target
// column in the sampled rows: equal values, |correlation| >= 0.99, or a one-to-one relabelling.
import type { Column, Table } from '../data/table';

const MIN_ROWS = 10;

function numericValues(c: Column, n: number): Float64Array {
  if ('values' in c) return c.values;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = c.codes[i] < 0 ? NaN : c.codes[i];
  return out;
}

function correlation(x: Float64Array, y: Float64Array, n: number): number | undefined {
  let count = 0, sx = 0, sy = 0;
  for (let i = 0; i < n; i++) if (!Number.isNaN(x[i]) && !Number.isNaN(y[i])) { count++; sx += x[i]; sy += y[i]; }
  if (count < MIN_ROWS) return undefined;
  const mx = sx / count, my = sy / count;
  let cxy = 0, cxx = 0, cyy = 0;
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(x[i]) || Number.isNaN(y[i])) continue;
    const dx = x[i] - mx, dy = y[i] - my;
    cxy += dx * dy; cxx += dx * dx; cyy += dy * dy;
  }
  if (cxx === 0 || cyy === 0) return undefined;
  return cxy / Math.sqrt(cxx * cyy);
}

/**
 * True when each value of one column always goes with the same value of the other, both ways, and
 * values repeat: when nearly every row holds its own value (an id, a price), any column pairs
 * one-to-one with it and that says nothing of leakage.
 */
function oneToOne(a: Float64Array, b: Float64Array, n: number): boolean {
  const ab = new Map<number, number>();
  const ba = new Map<number, number>();
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(a[i]) || Number.isNaN(b[i])) continue;
    count++;
    const x = ab.get(a[i]);
    if (x === undefined) ab.set(a[i], b[i]); else if (x !== b[i]) return false;
    const y = ba.get(b[i]);
    if (y === undefined) ba.set(b[i], a[i]); else if (y !== a[i]) return false;
  }
  return count >= MIN_ROWS && ab.size > 1 && ab.size * 2 <= count;
}

/** Name → column of each sample: a model on a 10,000-column table compares every feature with the target. */
const sampleIndexes = new WeakMap<Table, Map<string, Column>>();

function sampleColumn(sample: Table, name: string): Column | undefined {
  let index = sampleIndexes.get(sample);
  if (!index) {
    index = new Map();
    for (let i = sample.names.length - 1; i >= 0; i--) index.set(sample.names[i], sample.columns[i]);
    sampleIndexes.set(sample, index);
  }
  return index.get(name);
}

export function detectCopy(sample: Table, feature: string, target: string): string | undefined {
  const f = sampleColumn(sample, feature);
  const t = sampleColumn(sample, target);
  if (!f || !t || feature === target) return undefined;
  const n = sample.rowCount;
  const x = numericValues(f, n);
  const y = numericValues(t, n);
  const categorical = !('values' in f) || !('values' in t) || f.type === 'boolean' || t.type === 'boolean';
  if (categorical) return oneToOne(x, y, n) ? 'a one-to-one relabelling of' : undefined;
  const r = correlation(x, y, n);
  if (r === undefined) return undefined;
  if (Math.abs(r) > 0.999999) return 'a copy (up to scale) of';
  return Math.abs(r) >= 0.99 ? 'almost a copy of' : undefined;
}
