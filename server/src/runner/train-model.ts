// Trains one model declaration on its prepared training rows: feature selection, resampling,
// tuning (grid/random with k-fold CV), AutoML over candidates, then the final fit.
import type { ModelInfo, OptionValues } from '../checker/checked-model';
import { METRICS, autoCandidates } from '../ml/catalog';
import { kFoldIndices } from '../ml/cross-validation';
import { selectFeatures } from '../ml/feature-selection';
import { computeMetrics } from '../ml/metrics';
import { throwIfCancelled, type CancelSignal } from '../ml/cancellation';
import type { AlgorithmOptions, FeatureMatrix, FittedModel, Target, TrainContext } from '../ml/model-types';
import { createRng } from '../ml/random';
import { getAlgorithm } from '../ml/registry';
import { resample } from '../ml/resample';
import { subsetMatrix } from './model-data';
import { RunError } from './pipeline-data';

export interface TrainOutcome {
  model: FittedModel;
  /** The algorithm and options finally used (after tuning or AutoML). */
  algorithm: string;
  options: OptionValues;
  /** What tuning or AutoML tried, with cross-validated scores. */
  trials: { algorithm: string; options: OptionValues; score: number }[];
}

function fitOnce(algorithm: string, options: OptionValues, x: FeatureMatrix, target: Target, ctx: TrainContext): FittedModel {
  const algo = getAlgorithm(algorithm);
  if (!algo) throw new RunError(`algorithm ${algorithm} is not available`);
  return algo.fit(x, target, options as AlgorithmOptions, ctx);
}

function subsetTarget(t: Target, rows: Int32Array): Target {
  return t.task === 'classification'
    ? { task: 'classification', y: Int32Array.from(rows, (r) => t.y[r]), classes: t.classes }
    : { task: 'regression', y: Float64Array.from(rows, (r) => t.y[r]) };
}

/** Mean k-fold score of one configuration (higher is better: error metrics are negated). */
function crossValidate(algorithm: string, options: OptionValues, x: FeatureMatrix, target: Target, folds: number, metric: string, seed: number, signal?: CancelSignal): number {
  if (x.nRows < folds) throw new RunError(`cross-validation with ${folds} folds needs at least ${folds} training rows, but there are ${x.nRows}; lower the model's cv or train on more rows`);
  const fold = kFoldIndices(x.nRows, folds, seed, target.task === 'classification' ? target.y : undefined);
  const spec = METRICS[metric];
  let total = 0;
  let measured = 0;
  for (let f = 0; f < folds; f++) {
    throwIfCancelled(signal);
    const trainRows: number[] = [];
    const testRows: number[] = [];
    for (let i = 0; i < x.nRows; i++) (fold[i] === f ? testRows : trainRows).push(i);
    const tr = Int32Array.from(trainRows);
    const te = Int32Array.from(testRows);
    const model = fitOnce(algorithm, options, subsetMatrix(x, tr), subsetTarget(target, tr), { seed, signal });
    const xt = subsetMatrix(x, te);
    const yt = subsetTarget(target, te);
    const proba = model.predictProba?.(xt, signal);
    const m = computeMetrics([metric], {
      task: target.task, yTrue: yt.y, yPred: model.predict(xt, signal), ...(proba ? { proba } : {}),
      ...(target.task === 'classification' ? { nClasses: target.classes.length, positiveIndex: 1 } : {}),
    })[metric];
    // A fold with one class leaves roc_auc undefined: the other folds still score the configuration.
    if (!Number.isFinite(m)) continue;
    total += spec?.higherIsBetter === false ? -m : m;
    measured++;
  }
  return measured > 0 ? total / measured : -Infinity;
}

/**
 * What `smote`, `adasyn` or `borderline_smote` cannot do as asked: a class with no more training
 * rows than k has fewer than k neighbours to interpolate with (imbalanced-learn refuses it; the
 * run interpolates with the neighbours there are, or copies a lone row), said in the warnings.
 */
export function resampleWarnings(info: ModelInfo, target: Target): string[] {
  const method = info.resample?.name;
  if (target.task !== 'classification' || !method || !['smote', 'adasyn', 'borderline_smote'].includes(method)) return [];
  const k = Number(info.resample!.options.k ?? 5);
  const counts = new Int32Array(target.classes.length);
  for (let i = 0; i < target.y.length; i++) counts[target.y[i]]++;
  const largest = Math.max(...counts);
  const out: string[] = [];
  counts.forEach((n, c) => {
    if (n === 0 || n > k || n === largest) return;
    const how = n === 1 ? 'its new rows copy that row' : `its new rows interpolate between its ${n} rows only`;
    out.push(`${method}(k: ${k}): class "${target.classes[c]}" has ${n} training row${n === 1 ? '' : 's'}, fewer than k + 1 = ${k + 1}, so ${how} (imbalanced-learn refuses this); lower k or give the class more rows`);
  });
  return out;
}

export function trainModel(info: ModelInfo, x: FeatureMatrix, target: Target, ctx: TrainContext): TrainOutcome {
  if (!info.algorithm) throw new RunError(`model ${info.name} has no algorithm`);
  let features = x;
  if (info.select) {
    const kept = selectFeatures(info.select.name, info.select.options, x, target, ctx.signal);
    features = { nRows: x.nRows, columns: kept.map((j) => x.columns[j]), names: kept.map((j) => x.names[j]) };
  }
  let train = features;
  let trainTarget = target;
  if (info.resample && target.task === 'classification') {
    const r = resample(info.resample.name, info.resample.options, features, target.y, ctx.seed, ctx.signal);
    train = r.x;
    trainTarget = { task: 'classification', y: r.y, classes: target.classes };
  }
  const trials: TrainOutcome['trials'] = [];
  let algorithm = info.algorithm.name;
  let options: OptionValues = { ...info.algorithm.options };
  const defaultMetric = target.task === 'classification' ? 'accuracy' : 'r2';
  if (algorithm === 'auto') {
    const metric = String(info.algorithm.options.metric ?? (target.task === 'classification' ? 'f1' : 'r2'));
    const budget = Number(info.algorithm.options.budget ?? 60_000);
    const maxTrials = Number(info.algorithm.options.trials ?? 10);
    const hasMissing = train.columns.some((c) => c.some((v) => Number.isNaN(v)));
    const candidates = autoCandidates(info.algorithm.options, info.task).filter((a) => !hasMissing || a.allowsMissing);
    if (candidates.length === 0) throw new RunError(`auto has no candidate algorithm for this ${target.task}${hasMissing ? ' with missing values (only gradient_boosting takes them)' : ''}`);
    const started = Date.now();
    for (const cand of candidates.slice(0, maxTrials)) {
      if (trials.length > 0 && Date.now() - started > budget) break;
      const opts = Object.fromEntries(Object.entries(cand.options).map(([k, o]) => [k, 'default' in o ? o.default : 0])) as OptionValues;
      const score = crossValidate(cand.name, opts, train, trainTarget, 3, metric, ctx.seed, ctx.signal);
      trials.push({ algorithm: cand.name, options: opts, score });
      ctx.onProgress?.(Math.min(0.9, trials.length / Math.min(candidates.length, maxTrials)));
    }
    const best = trials.reduce((a, b) => (b.score > a.score ? b : a));
    algorithm = best.algorithm;
    options = best.options;
  }
  if (info.tune) {
    const space = Object.entries(info.tune.space).filter(([, v]) => v.length > 0);
    let combos: OptionValues[] = [{}];
    for (const [key, values] of space) combos = combos.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
    if (info.tune.method.name === 'random') {
      const rng = createRng(ctx.seed);
      const want = Number(info.tune.method.options.trials ?? 10);
      for (let i = combos.length - 1; i > 0; i--) { const j = rng.int(i + 1); [combos[i], combos[j]] = [combos[j], combos[i]]; }
      combos = combos.slice(0, want);
    }
    let best: { options: OptionValues; score: number } | undefined;
    combos.forEach((combo, i) => {
      const opts = { ...options, ...combo };
      const score = crossValidate(algorithm, opts, train, trainTarget, info.tune!.cv, defaultMetric, ctx.seed, ctx.signal);
      trials.push({ algorithm, options: opts, score });
      if (!best || score > best.score) best = { options: opts, score };
      ctx.onProgress?.(0.9 * ((i + 1) / combos.length));
    });
    if (best) options = best.options;
  }
  const model = fitOnce(algorithm, options, train, trainTarget, ctx);
  return { model, algorithm, options, trials };
}
