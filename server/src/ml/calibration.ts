// Probability calibration as scikit-learn's CalibratedClassifierCV(cv=K, ensemble=True): K copies
// of the classifier, each fitted on K−1 folds and calibrated on the fold it did not see; the
// probabilities are the mean of the K calibrated copies. A copy is calibrated on its decision
// function when it has one (logistic regression's linear scores, boosting's margins), else on its
// probabilities (binary: the positive class's only), one class against the rest; more than two
// classes are normalised to sum to one.
import { throwIfCancelled, type CancelSignal } from './cancellation';
import { sklearnFolds } from './sklearn-folds';
import type { Calibrator, FeatureMatrix, FittedModel, ModelParams, SavedModel, Target, TrainContext } from './model-types';
import { argmaxRows, linearScores } from './linear-predict';
import { subsetMatrix, subsetTarget } from './subset';
import { treeEnsembleMargins } from './tree-ensemble';

export type CalibrationMethod = 'sigmoid' | 'isotonic';

export type CalibratedParams = Extract<ModelParams, { kind: 'calibrated' }>;

const softplus = (z: number): number => (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)));

/**
 * Platt scaling as scikit-learn's _sigmoid_calibration: targets smoothed towards the class priors
 * ((N+ + 1) / (N+ + 2) and 1 / (N− + 2)), the cross-entropy minimised over (a, b). The objective is
 * convex in two unknowns, so Newton's method with a halving line search reaches the one minimum
 * that scikit-learn's BFGS approaches (to its gradient tolerance).
 */
export function fitSigmoid(scores: Float64Array, positive: Uint8Array): { a: number; b: number } {
  const n = scores.length;
  let prior1 = 0;
  for (let i = 0; i < n; i++) prior1 += positive[i];
  const prior0 = n - prior1;
  const hi = (prior1 + 1) / (prior1 + 2);
  const lo = 1 / (prior0 + 2);
  const t = Float64Array.from(positive, (p) => (p ? hi : lo));
  const objective = (a: number, b: number): number => {
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const z = a * scores[i] + b;
      loss += t[i] * softplus(z) + (1 - t[i]) * softplus(-z);
    }
    return loss;
  };
  let a = 0;
  let b = Math.log((prior0 + 1) / (prior1 + 1));
  let f = objective(a, b);
  for (let iter = 0; iter < 100; iter++) {
    // P = σ(−z) is the calibrated probability; dL/dz = t − P and d²L/dz² = P(1 − P).
    let ga = 0, gb = 0, haa = 1e-12, hab = 0, hbb = 1e-12;
    for (let i = 0; i < n; i++) {
      const s = scores[i];
      const p = 1 / (1 + Math.exp(a * s + b));
      const d = t[i] - p;
      const w = p * (1 - p);
      ga += d * s; gb += d;
      haa += w * s * s; hab += w * s; hbb += w;
    }
    if (Math.max(Math.abs(ga), Math.abs(gb)) < 1e-10) break;
    const det = haa * hbb - hab * hab;
    const da = -(hbb * ga - hab * gb) / det;
    const db = -(haa * gb - hab * ga) / det;
    let step = 1;
    let next = objective(a + da, b + db);
    while (!(next <= f + 1e-4 * step * (ga * da + gb * db)) && step > 1e-10) {
      step /= 2;
      next = objective(a + step * da, b + step * db);
    }
    if (step <= 1e-10) break;
    a += step * da;
    b += step * db;
    if (f - next < 1e-14 * Math.max(1, Math.abs(f))) { f = next; break; }
    f = next;
  }
  return { a, b };
}

/**
 * Isotonic regression as scikit-learn's IsotonicRegression(out_of_bounds="clip"): rows sorted by
 * score (ties by target), equal scores (closer than 1e-15) merged into their mean, pool-adjacent-
 * violators for a non-decreasing fit. Prediction interpolates linearly between the fitted points.
 */
export function fitIsotonic(scores: Float64Array, positive: Uint8Array): { x: number[]; y: number[] } {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => scores[i] - scores[j] || positive[i] - positive[j]);
  const xs: number[] = [];
  const means: number[] = [];
  const weights: number[] = [];
  for (const i of order) {
    const s = scores[i];
    const last = xs.length - 1;
    if (last >= 0 && !(s - xs[last] >= 1e-15)) {
      means[last] += positive[i];
      weights[last]++;
    } else {
      xs.push(s); means.push(positive[i]); weights.push(1);
    }
  }
  for (let j = 0; j < means.length; j++) means[j] /= weights[j];
  // Pool adjacent violators over blocks (value, weight, length).
  const value: number[] = [];
  const weight: number[] = [];
  const length: number[] = [];
  for (let j = 0; j < means.length; j++) {
    value.push(means[j]); weight.push(weights[j]); length.push(1);
    while (value.length > 1 && value[value.length - 2] > value[value.length - 1]) {
      const w = weight.pop()!, v = value.pop()!, l = length.pop()!;
      const top = value.length - 1;
      value[top] = (value[top] * weight[top] + v * w) / (weight[top] + w);
      weight[top] += w;
      length[top] += l;
    }
  }
  const ys: number[] = [];
  value.forEach((v, b) => { for (let l = 0; l < length[b]; l++) ys.push(v); });
  return { x: xs, y: ys };
}

function calibrate(c: Calibrator, s: number): number {
  if (c.kind === 'sigmoid') return 1 / (1 + Math.exp(c.a * s + c.b));
  const { x, y } = c;
  if (s <= x[0]) return y[0];
  if (s >= x[x.length - 1]) return y[y.length - 1];
  let lo = 0, hi = x.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (x[mid] <= s) lo = mid;
    else hi = mid;
  }
  return y[lo] + ((s - x[lo]) * (y[hi] - y[lo])) / (x[hi] - x[lo]);
}

/**
 * What a copy is calibrated on, row-major n × m: the decision function where scikit-learn's
 * estimator has one (logistic regression, boosting: one column for two classes), else the
 * probabilities (the positive class's only for two classes).
 */
export function calibrationScores(model: FittedModel, x: FeatureMatrix, signal?: CancelSignal): { scores: Float64Array; m: number } {
  const p = model.params;
  const k = model.classes?.length ?? 2;
  if (p.kind === 'linear') return { scores: linearScores(p, x), m: p.coef.length };
  if (p.kind === 'tree-ensemble' && p.aggregate === 'sum') return { scores: treeEnsembleMargins(p, x, signal), m: p.base.length };
  const proba = model.predictProba!(x, signal);
  if (k > 2) return { scores: proba, m: k };
  return { scores: Float64Array.from({ length: x.nRows }, (_, i) => proba[i * 2 + 1]), m: 1 };
}

/** Calibrated probabilities of one copy, row-major n × k. */
function copyProbabilities(model: FittedModel, calibrators: readonly Calibrator[], x: FeatureMatrix, signal?: CancelSignal): Float64Array {
  const n = x.nRows;
  const k = model.classes!.length;
  const { scores, m } = calibrationScores(model, x, signal);
  const proba = new Float64Array(n * k);
  if (k === 2) {
    for (let i = 0; i < n; i++) {
      const q = calibrate(calibrators[0], scores[i * m]);
      proba[i * 2 + 1] = q;
      proba[i * 2] = 1 - q;
    }
  } else {
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let c = 0; c < k; c++) { const q = calibrate(calibrators[c], scores[i * m + c]); proba[i * k + c] = q; sum += q; }
      // A row every calibrator puts at zero gets equal probabilities, as scikit-learn does.
      for (let c = 0; c < k; c++) proba[i * k + c] = sum === 0 ? 1 / k : proba[i * k + c] / sum;
    }
  }
  for (let i = 0; i < proba.length; i++) if (proba[i] > 1 && proba[i] <= 1 + 1e-5) proba[i] = 1;
  return proba;
}

/** A calibrated model: the mean of its copies' calibrated probabilities. */
export function calibratedModel(params: CalibratedParams, copies: FittedModel[], featureNames: string[], classes: string[]): FittedModel {
  const k = classes.length;
  const predictProba = (x: FeatureMatrix, signal?: CancelSignal): Float64Array => {
    const out = new Float64Array(x.nRows * k);
    copies.forEach((copy, f) => {
      const p = copyProbabilities(copy, params.folds[f].calibrators, x, signal);
      for (let i = 0; i < out.length; i++) out[i] += p[i] / copies.length;
    });
    return out;
  };
  return {
    algorithm: copies[0].algorithm, task: 'classification', classes, featureNames, params,
    predictProba, predictIsArgmax: true,
    predict: (x, signal) => argmaxRows(predictProba(x, signal), x.nRows, k),
  };
}

/** Rebuilds a calibrated model from its stored parameters (each copy through `restore`). */
export function restoreCalibrated(s: SavedModel & { params: CalibratedParams }, restore: (m: SavedModel) => FittedModel): FittedModel {
  const copies = s.params.folds.map((f) => restore({ algorithm: s.algorithm, task: s.task, classes: s.classes, featureNames: s.featureNames, params: f.params }));
  return calibratedModel(s.params, copies, s.featureNames, s.classes ?? []);
}

/**
 * Fits `cv` calibrated copies of a classifier, `fit` fitting one copy on the rows it is given.
 * Every class needs at least `cv` rows (scikit-learn refuses fewer).
 */
export function fitCalibrated(
  method: CalibrationMethod, cv: number, x: FeatureMatrix, target: Extract<Target, { task: 'classification' }>, ctx: TrainContext,
  fit: (x: FeatureMatrix, target: Target, ctx: TrainContext) => FittedModel,
): FittedModel {
  const k = target.classes.length;
  const counts = new Int32Array(k);
  for (const c of target.y) counts[c]++;
  const few = counts.findIndex((n) => n < cv);
  if (few >= 0) throw new Error(`calibrate: ${method}(cv: ${cv}) calibrates on ${cv} folds, each needing a row of every class, but the class "${target.classes[few]}" has ${counts[few]} training row${counts[few] === 1 ? '' : 's'} (scikit-learn refuses this too); lower cv, or train on more rows of that class`);
  const fold = sklearnFolds(x.nRows, cv, target.y);
  const copies: FittedModel[] = [];
  const folds: CalibratedParams['folds'] = [];
  for (let f = 0; f < cv; f++) {
    throwIfCancelled(ctx.signal);
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < x.nRows; i++) (fold[i] === f ? test : train).push(i);
    const tr = Int32Array.from(train);
    const te = Int32Array.from(test);
    const copy = fit(subsetMatrix(x, tr), subsetTarget(target, tr), ctx);
    const { scores, m } = calibrationScores(copy, subsetMatrix(x, te), ctx.signal);
    const calibrators: Calibrator[] = [];
    for (let c = 0; c < m; c++) {
      // Two classes: one calibrator, for the positive class (index 1).
      const cls = k === 2 ? 1 : c;
      const col = Float64Array.from({ length: te.length }, (_, i) => scores[i * m + c]);
      const positive = Uint8Array.from(te, (r) => (target.y[r] === cls ? 1 : 0));
      calibrators.push(method === 'sigmoid' ? { kind: 'sigmoid', ...fitSigmoid(col, positive) } : { kind: 'isotonic', ...fitIsotonic(col, positive) });
    }
    copies.push(copy);
    folds.push({ params: copy.params, calibrators });
    ctx.onProgress?.((f + 1) / cv);
  }
  return calibratedModel({ kind: 'calibrated', method, folds }, copies, x.names, target.classes);
}
