// The plot data of an evaluation (ROC, precision-recall and reliability curves, residuals),
// computed exactly on the scored rows by ml/metrics.ts and then thinned to CURVE_POINTS so a
// run record stays small whatever the number of rows.
import { CURVE_CLASSES, CURVE_POINTS, type CurvesJson } from '../contracts/cli-json';
import { binaryAuc, calibrationCurve, precisionRecallCurve, rocCurve } from '../ml/metrics';

/**
 * Indices of at most `cap` points of a curve: both ends, the points where x or y is smallest or
 * largest, and the rest evenly spaced along the curve's length (|dx| + |dy|), so steps and
 * corners survive where an even spacing by index would skip them; any room left is spaced by index.
 */
export function thinIndices(xs: readonly number[], ys: readonly number[], cap = CURVE_POINTS): number[] {
  const n = xs.length;
  if (n <= cap) return Array.from({ length: n }, (_, i) => i);
  const keep = new Set<number>([0, n - 1]);
  for (const v of [xs, ys]) {
    let lo = 0, hi = 0;
    for (let i = 1; i < n; i++) {
      if (v[i] < v[lo]) lo = i;
      if (v[i] > v[hi]) hi = i;
    }
    keep.add(lo).add(hi);
  }
  const along = new Float64Array(n);
  for (let i = 1; i < n; i++) along[i] = along[i - 1] + Math.abs(xs[i] - xs[i - 1]) + Math.abs(ys[i] - ys[i - 1]);
  const total = along[n - 1];
  const room = cap - keep.size;
  for (let j = 1, i = 0; j <= room && total > 0; j++) {
    const at = (j / (room + 1)) * total;
    while (i < n - 1 && along[i] < at) i++;
    keep.add(i);
  }
  // Where a long jump drew several targets onto one point, fill the cap evenly by index.
  const left = cap - keep.size;
  if (left > 0) {
    const rest = Array.from({ length: n }, (_, i) => i).filter((i) => !keep.has(i));
    for (let j = 0; j < left; j++) keep.add(rest[left === 1 ? 0 : Math.round((j * (rest.length - 1)) / (left - 1))]);
  }
  return [...keep].sort((a, b) => a - b);
}

function thin<T extends Record<string, number[]>>(xs: number[], ys: number[], series: T): T {
  const idx = thinIndices(xs, ys);
  if (idx.length === xs.length) return series;
  return Object.fromEntries(Object.entries(series).map(([k, v]) => [k, idx.map((i) => v[i])])) as T;
}

/** The classes to draw one-vs-rest curves for: the positive one of a binary model, else the most frequent. */
function curveClasses(yTrue: Float64Array, k: number, positive: number): number[] {
  if (k === 2) return [positive];
  const support = new Float64Array(k);
  for (const y of yTrue) if (y < k) support[y]++;
  return Array.from({ length: k }, (_, c) => c).filter((c) => support[c] > 0 && support[c] < yTrue.length)
    .sort((a, b) => support[b] - support[a] || a - b).slice(0, CURVE_CLASSES).sort((a, b) => a - b);
}

/** ROC, precision-recall and reliability curves of a classifier's probabilities (`proba` row-major n × k). */
export function classificationCurves(yTrue: Float64Array, proba: Float64Array, k: number, labels: readonly string[], positive: number): CurvesJson {
  const n = yTrue.length;
  const roc: NonNullable<CurvesJson['roc']> = [], pr: NonNullable<CurvesJson['pr']> = [], calibration: NonNullable<CurvesJson['calibration']> = [];
  for (const c of curveClasses(yTrue, k, positive)) {
    const isC = Array.from(yTrue, (y) => y === c);
    const score = Float64Array.from({ length: n }, (_, i) => proba[i * k + c]);
    const positives = isC.filter(Boolean).length;
    if (positives === 0 || positives === n) continue;
    const label = labels[c];
    const r = rocCurve(isC, score);
    roc.push({ label, auc: binaryAuc(isC, score), ...thin(r.fpr, r.tpr, { fpr: r.fpr, tpr: r.tpr }) });
    const p = precisionRecallCurve(isC, score);
    pr.push({ label, averagePrecision: p.averagePrecision, prevalence: positives / n, ...thin(p.recall, p.precision, { recall: p.recall, precision: p.precision }) });
    calibration.push({ label, ...calibrationCurve(isC, score) });
  }
  return roc.length > 0 ? { roc, pr, calibration } : {};
}

/**
 * Residuals (actual − predicted) of up to CURVE_POINTS rows: the largest residuals by size, then
 * rows evenly spaced in the order of their prediction (so the whole range of predictions shows).
 */
export function regressionCurves(yTrue: Float64Array, pred: Float64Array): CurvesJson {
  const n = yTrue.length;
  const residual = Float64Array.from({ length: n }, (_, i) => yTrue[i] - pred[i]);
  const chosen = new Set<number>();
  if (n <= CURVE_POINTS) for (let i = 0; i < n; i++) chosen.add(i);
  else {
    const bySize = Array.from({ length: n }, (_, i) => i).sort((a, b) => Math.abs(residual[b]) - Math.abs(residual[a]));
    for (const i of bySize.slice(0, CURVE_POINTS / 10)) chosen.add(i);
    const byPred = Array.from({ length: n }, (_, i) => i).sort((a, b) => pred[a] - pred[b]);
    const room = CURVE_POINTS - chosen.size;
    for (let j = 0; j < room; j++) chosen.add(byPred[Math.round((j * (n - 1)) / (room - 1))]);
  }
  const rows = [...chosen].sort((a, b) => pred[a] - pred[b]).slice(0, CURVE_POINTS);
  return { residuals: { predicted: rows.map((i) => pred[i]), residual: rows.map((i) => residual[i]), rows: n } };
}
