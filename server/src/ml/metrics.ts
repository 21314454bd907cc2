// Metrics with scikit-learn's definitions. Classification inputs are class indices; the
// positive class of a binary target is `positiveIndex`; for more classes precision, recall and
// f1 are macro averages (and `_weighted` variants weight by support), roc_auc is macro one-vs-rest.
// As in scikit-learn, a macro average runs over the classes the scored rows hold or the model
// predicts (a class in neither counts for nothing), and a one-vs-rest roc_auc is undefined when
// a class of the model has no scored row (scikit-learn raises).

export interface MetricInput {
  task: 'classification' | 'regression';
  yTrue: Float64Array | Int32Array;
  yPred: Float64Array | Int32Array;
  /** Row-major n × classes (classification). */
  proba?: Float64Array;
  /** Size of the label space of `yTrue` and `yPred`. */
  nClasses?: number;
  /**
   * Classes the model knows (the width of `proba`; default `nClasses`). Labels past them are
   * classes only the scored rows hold: always mispredicted, and with no probability, so
   * roc_auc and log_loss are undefined over them (scikit-learn raises).
   */
  modelClasses?: number;
  positiveIndex?: number;
}

export function confusionMatrix(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, k: number): number[][] {
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < yTrue.length; i++) m[yTrue[i]][yPred[i]]++;
  return m;
}

function perClass(cm: number[][]): { precision: number[]; recall: number[]; f1: number[]; support: number[] } {
  const k = cm.length;
  const precision: number[] = [], recall: number[] = [], f1: number[] = [], support: number[] = [];
  for (let c = 0; c < k; c++) {
    const tp = cm[c][c];
    let predicted = 0, actual = 0;
    for (let r = 0; r < k; r++) { predicted += cm[r][c]; actual += cm[c][r]; }
    const p = predicted > 0 ? tp / predicted : 0;
    const r = actual > 0 ? tp / actual : 0;
    precision.push(p);
    recall.push(r);
    f1.push(p + r > 0 ? (2 * p * r) / (p + r) : 0);
    support.push(actual);
  }
  return { precision, recall, f1, support };
}

const meanOf = (v: number[]): number => v.reduce((a, b) => a + b, 0) / (v.length || 1);
function weighted(v: number[], w: number[]): number {
  const total = w.reduce((a, b) => a + b, 0);
  return total > 0 ? v.reduce((a, x, i) => a + x * w[i], 0) / total : 0;
}

/** Area under the ROC curve of scores for the positive class (ties averaged, as sklearn). */
export function binaryAuc(positive: ArrayLike<boolean | number>, score: ArrayLike<number>): number {
  const n = score.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[a] - score[b]);
  let nPos = 0;
  for (let i = 0; i < n; i++) if (positive[i]) nPos++;
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return NaN;
  let rankSum = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && score[order[j + 1]] === score[order[i]]) j++;
    const rank = (i + j) / 2 + 1;
    for (let t = i; t <= j; t++) if (positive[order[t]]) rankSum += rank;
    i = j + 1;
  }
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

export function rocCurve(positive: ArrayLike<boolean | number>, score: ArrayLike<number>): { fpr: number[]; tpr: number[]; thresholds: number[] } {
  const n = score.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[b] - score[a]);
  let nPos = 0;
  for (let i = 0; i < n; i++) if (positive[i]) nPos++;
  const nNeg = n - nPos;
  const fpr = [0], tpr = [0], thresholds = [Infinity];
  let tp = 0, fp = 0;
  for (let i = 0; i < n; i++) {
    if (positive[order[i]]) tp++; else fp++;
    if (i + 1 < n && score[order[i + 1]] === score[order[i]]) continue;
    fpr.push(nNeg ? fp / nNeg : 0);
    tpr.push(nPos ? tp / nPos : 0);
    thresholds.push(score[order[i]]);
  }
  // Drop points on straight segments, as sklearn's drop_intermediate.
  const keep = fpr.map((_, i) => i === 0 || i === fpr.length - 1 ||
    (fpr[i + 1] - fpr[i]) * (tpr[i] - tpr[i - 1]) !== (tpr[i + 1] - tpr[i]) * (fpr[i] - fpr[i - 1]));
  return { fpr: fpr.filter((_, i) => keep[i]), tpr: tpr.filter((_, i) => keep[i]), thresholds: thresholds.filter((_, i) => keep[i]) };
}

export function computeMetrics(names: readonly string[], m: MetricInput): Record<string, number> {
  const out: Record<string, number> = {};
  const n = m.yTrue.length;
  if (m.task === 'regression') {
    let se = 0, ae = 0, ape = 0, mean = 0;
    for (let i = 0; i < n; i++) mean += m.yTrue[i];
    mean /= n;
    let ss = 0;
    const eps = 2.220446049250313e-16;
    for (let i = 0; i < n; i++) {
      const e = m.yTrue[i] - m.yPred[i];
      se += e * e;
      ae += Math.abs(e);
      ape += Math.abs(e) / Math.max(Math.abs(m.yTrue[i]), eps);
      ss += (m.yTrue[i] - mean) ** 2;
    }
    for (const name of names) {
      if (name === 'rmse') out[name] = Math.sqrt(se / n);
      else if (name === 'mae') out[name] = ae / n;
      else if (name === 'r2') out[name] = ss > 0 ? 1 - se / ss : se === 0 ? 1 : 0;
      else if (name === 'mape') out[name] = ape / n;
    }
    return out;
  }
  const k = m.nClasses ?? 2;
  const cm = confusionMatrix(m.yTrue, m.yPred, k);
  const pc = perClass(cm);
  const kModel = m.modelClasses ?? k;
  const binary = kModel === 2;
  let foreign = false;
  for (let i = 0; i < n && !foreign; i++) foreign = m.yTrue[i] >= kModel;
  const pos = m.positiveIndex ?? 1;
  const seen = (c: number): boolean => pc.support[c] > 0 || cm.some((row) => row[c] > 0);
  const macro = (v: number[]): number => meanOf(v.filter((_, c) => seen(c)));
  for (const name of names) {
    switch (name) {
      case 'accuracy': {
        let right = 0;
        for (let c = 0; c < k; c++) right += cm[c][c];
        out[name] = right / n;
        break;
      }
      case 'balanced_accuracy':
        out[name] = meanOf(pc.recall.filter((_, c) => pc.support[c] > 0));
        break;
      case 'precision': out[name] = binary ? pc.precision[pos] : macro(pc.precision); break;
      case 'recall': out[name] = binary ? pc.recall[pos] : macro(pc.recall); break;
      case 'f1': out[name] = binary ? pc.f1[pos] : macro(pc.f1); break;
      case 'precision_weighted': out[name] = weighted(pc.precision, pc.support); break;
      case 'recall_weighted': out[name] = weighted(pc.recall, pc.support); break;
      case 'f1_weighted': out[name] = weighted(pc.f1, pc.support); break;
      case 'roc_auc': {
        if (!m.proba) break;
        if (foreign) out[name] = NaN;
        else if (binary) {
          out[name] = binaryAuc(Array.from(m.yTrue, (y) => y === pos), Array.from({ length: n }, (_, i) => m.proba![i * 2 + pos]));
        } else {
          // NaN (undefined) as soon as one class has no row or every row, as binaryAuc.
          let sum = 0;
          for (let c = 0; c < kModel; c++) sum += binaryAuc(Array.from(m.yTrue, (y) => y === c), Array.from({ length: n }, (_, i) => m.proba![i * kModel + c]));
          out[name] = sum / kModel;
        }
        break;
      }
      case 'log_loss': {
        if (!m.proba) break;
        if (foreign) { out[name] = NaN; break; }
        // scikit-learn (>= 1.2) clips at the float64 machine epsilon.
        const eps = Number.EPSILON;
        let s = 0;
        for (let i = 0; i < n; i++) {
          let total = 0;
          for (let c = 0; c < kModel; c++) total += Math.min(1 - eps, Math.max(eps, m.proba[i * kModel + c]));
          const p = Math.min(1 - eps, Math.max(eps, m.proba[i * kModel + m.yTrue[i]])) / total;
          s -= Math.log(p);
        }
        out[name] = s / n;
        break;
      }
    }
  }
  return out;
}

/**
 * Precision-recall pairs at every distinct score, highest threshold first, starting at
 * recall 0 / precision 1 (scikit-learn's precision_recall_curve, read backwards), and the
 * average precision (scikit-learn's average_precision_score: the sum of precision × recall step).
 */
export function precisionRecallCurve(positive: ArrayLike<boolean | number>, score: ArrayLike<number>): { precision: number[]; recall: number[]; averagePrecision: number } {
  const n = score.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[b] - score[a]);
  let nPos = 0;
  for (let i = 0; i < n; i++) if (positive[i]) nPos++;
  const precision = [1], recall = [0];
  let tp = 0, ap = 0;
  for (let i = 0; i < n; i++) {
    if (positive[order[i]]) tp++;
    if (i + 1 < n && score[order[i + 1]] === score[order[i]]) continue;
    const r = nPos ? tp / nPos : 0;
    const p = tp / (i + 1);
    ap += (r - recall[recall.length - 1]) * p;
    precision.push(p);
    recall.push(r);
  }
  return { precision, recall, averagePrecision: nPos ? ap : NaN };
}

/**
 * Reliability diagram with `bins` equal-width bins of the predicted probability (scikit-learn's
 * calibration_curve, strategy "uniform"): per non-empty bin the mean predicted probability,
 * the observed fraction of positives and the number of rows.
 */
export function calibrationCurve(positive: ArrayLike<boolean | number>, prob: ArrayLike<number>, bins = 10): { predicted: number[]; observed: number[]; count: number[] } {
  const sums = new Float64Array(bins), hits = new Float64Array(bins), counts = new Float64Array(bins);
  // The inner edges as numpy.linspace computes them (3 × 0.1 is 0.30000000000000004, not 0.3).
  const edges = Array.from({ length: bins - 1 }, (_, j) => (j + 1) * (1 / bins));
  for (let i = 0; i < prob.length; i++) {
    const p = prob[i];
    if (Number.isNaN(p)) continue;
    // numpy.searchsorted(edges, p, side="left"): a probability on an edge belongs to the lower bin.
    let b = 0;
    while (b < edges.length && edges[b] < p) b++;
    sums[b] += p;
    counts[b]++;
    if (positive[i]) hits[b]++;
  }
  const predicted: number[] = [], observed: number[] = [], count: number[] = [];
  for (let b = 0; b < bins; b++) {
    if (counts[b] === 0) continue;
    predicted.push(sums[b] / counts[b]);
    observed.push(hits[b] / counts[b]);
    count.push(counts[b]);
  }
  return { predicted, observed, count };
}
