// Feature selection before training. correlation: drop the later feature of every pair whose
// |Pearson r| exceeds the threshold. mutual_info: keep the `top` features with the most mutual
// information with the target (features binned into 10 quantile bins; regression targets too).
// rfe: repeatedly drop the feature with the smallest |standardised coefficient| of a ridge fit.
import { throwIfCancelled, type CancelSignal } from './cancellation';
import type { FeatureMatrix, Target } from './model-types';

function stats(c: Float64Array): { mean: number; sd: number } {
  let m = 0;
  for (const v of c) m += v;
  m /= c.length;
  let s = 0;
  for (const v of c) s += (v - m) ** 2;
  return { mean: m, sd: Math.sqrt(s / c.length) };
}

function corr(a: Float64Array, b: Float64Array): number {
  const sa = stats(a), sb = stats(b);
  if (sa.sd === 0 || sb.sd === 0) return 0;
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - sa.mean) * (b[i] - sb.mean);
  return s / (a.length * sa.sd * sb.sd);
}

function binned(c: Float64Array, bins: number): Int32Array {
  const sorted = Float64Array.from(c).sort();
  const edges = Array.from({ length: bins - 1 }, (_, i) => sorted[Math.floor(((i + 1) / bins) * (sorted.length - 1))]);
  return Int32Array.from(c, (v) => { let b = 0; while (b < edges.length && v > edges[b]) b++; return b; });
}

function mutualInformation(a: Int32Array, b: Int32Array): number {
  const n = a.length;
  const joint = new Map<string, number>();
  const pa = new Map<number, number>();
  const pb = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const key = `${a[i]},${b[i]}`;
    joint.set(key, (joint.get(key) ?? 0) + 1);
    pa.set(a[i], (pa.get(a[i]) ?? 0) + 1);
    pb.set(b[i], (pb.get(b[i]) ?? 0) + 1);
  }
  let mi = 0;
  for (const [key, c] of joint) {
    const [x, y] = key.split(',').map(Number);
    mi += (c / n) * Math.log((c * n) / (pa.get(x)! * pb.get(y)!));
  }
  return mi;
}

export function selectFeatures(method: string, options: Record<string, unknown>, x: FeatureMatrix, target: Target, signal?: CancelSignal): number[] {
  const p = x.columns.length;
  const all = Array.from({ length: p }, (_, j) => j);
  if (method === 'correlation') {
    const threshold = Number(options.threshold ?? 0.95);
    const kept: number[] = [];
    for (const j of all) {
      throwIfCancelled(signal);
      if (kept.every((k) => Math.abs(corr(x.columns[j], x.columns[k])) <= threshold)) kept.push(j);
    }
    return kept;
  }
  const top = Math.min(p, Number(options.top ?? 10));
  const yNumeric = target.task === 'classification' ? Float64Array.from(target.y) : target.y;
  if (method === 'mutual_info') {
    const yb = target.task === 'classification' ? target.y : binned(target.y, 10);
    const scores = all.map((j) => mutualInformation(binned(x.columns[j], 10), yb));
    return all.sort((a, b) => scores[b] - scores[a] || a - b).slice(0, top).sort((a, b) => a - b);
  }
  // rfe: standardised univariate-adjusted ridge coefficients, eliminating one feature at a time.
  let kept = all.slice();
  const standardised = x.columns.map((c) => { const s = stats(c); return Float64Array.from(c, (v) => (s.sd > 0 ? (v - s.mean) / s.sd : 0)); });
  while (kept.length > top) {
    throwIfCancelled(signal);
    const weights = ridgeCoefficients(kept.map((j) => standardised[j]), yNumeric);
    let worst = 0;
    for (let i = 1; i < kept.length; i++) if (Math.abs(weights[i]) < Math.abs(weights[worst])) worst = i;
    kept = kept.filter((_, i) => i !== worst);
  }
  return kept;
}

/** Ridge (alpha = 1) on centred data by gradient-free normal equations (Gauss-Jordan). */
function ridgeCoefficients(cols: Float64Array[], y: Float64Array): number[] {
  const p = cols.length;
  const n = y.length;
  const ym = y.reduce((a, b) => a + b, 0) / n;
  const a = Array.from({ length: p }, (_, i) => Array.from({ length: p + 1 }, (_, j) => {
    if (j === p) { let s = 0; for (let r = 0; r < n; r++) s += cols[i][r] * (y[r] - ym); return s; }
    let s = i === j ? 1 : 0;
    for (let r = 0; r < n; r++) s += cols[i][r] * cols[j][r];
    return s;
  }));
  for (let c = 0; c < p; c++) {
    let piv = c;
    for (let r = c + 1; r < p; r++) if (Math.abs(a[r][c]) > Math.abs(a[piv][c])) piv = r;
    [a[c], a[piv]] = [a[piv], a[c]];
    const d = a[c][c] || 1e-12;
    for (let j = c; j <= p; j++) a[c][j] /= d;
    for (let r = 0; r < p; r++) if (r !== c) { const f = a[r][c]; for (let j = c; j <= p; j++) a[r][j] -= f * a[c][j]; }
  }
  return a.map((r) => r[p]);
}
