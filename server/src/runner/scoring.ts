// Scoring trained models on tables: prepares rows with the model's own fitted steps, predicts
// (ensembles combine their members), and computes evaluation and comparison reports.
import type { CompareInfo, EvaluateInfo, ModelInfo } from '../checker/checked-model';
import type { ComparisonJson, EvaluationJson } from '../contracts/cli-json';
import type { Table } from '../data/table';
import { compareLevels } from '../data/column-builder';
import type { StreamedTable } from '../engine/engine';
import { COMPARE_TEST_OUTCOMES, METRICS } from '../ml/catalog';
import { bootstrapPValue, mcnemar, pairedT } from '../ml/compare-tests';
import { kFoldIndices, scoreFolds } from '../ml/cross-validation';
import { argmaxRows } from '../ml/linear-predict';
import { computeMetrics, confusionMatrix } from '../ml/metrics';
import type { CancelSignal } from '../ml/cancellation';
import type { AlgorithmOptions, FittedModel } from '../ml/model-types';
import { getAlgorithm } from '../ml/registry';
import { stackFeatures, withColumns } from '../ml/stacking';
import { tuneThreshold } from '../ml/threshold';
import type { FittedStep } from '../transforms/fitted-step';
import { applySteps } from '../transforms/fit-steps';
import { classificationCurves, regressionCurves } from './evaluation-curves';
import { featureMatrix, subsetMatrix, targetValues, labelUnseenClasses, usableRows, makeTarget } from './model-data';
import { RunError } from './pipeline-data';

export interface TrainedModel {
  info: ModelInfo;
  /** Fitted steps from the raw dataset to the model's table (for ensembles: empty, or the steps of a stacking's passed-through features). */
  steps: FittedStep[];
  model?: FittedModel;
  members?: TrainedModel[];
  /** Stacking and blending: the model trained on the members' predictions (features named by stackFeatureNames). */
  final?: FittedModel;
  trainRows: number;
  /** Options the final model was fitted with (after tuning). */
  options: Record<string, unknown>;
}

export interface Scored {
  /** Rows of the prepared table that were scored. */
  yTrue: Float64Array;
  pred: Float64Array;
  proba?: Float64Array;
  n: number;
  /**
   * Rows whose class the model was not trained on: scored (always wrong), as scikit-learn does,
   * under labels after the model's classes.
   */
  unseen: { rows: number; levels: string[] };
  /** Class names of `yTrue` indices: the model's classes, then the unseen levels (classification). */
  labels: string[];
  /** Rows with a target left unscored because a feature is missing and the algorithm takes none. */
  missingFeatures: number;
  /** The raw row of each scored row (to pair two models' scores row by row). */
  rawRows: Int32Array;
}

/** Predictions for the rows of a raw table (prepared with the model's steps, 'train' mode: the evaluated table's rows). */
export function predictPrepared(tm: TrainedModel, raw: Table, mode: 'train' | 'predict', signal?: CancelSignal): { prepared: Table; rowMap: Int32Array; pred: Float64Array; proba?: Float64Array; usable: Uint8Array } {
  if (tm.members) {
    const outs = tm.members.map((m) => predictPrepared(m, raw, mode, signal));
    const n = outs[0].pred.length;
    if (outs.some((o) => o.pred.length !== n)) throw new RunError(`ensemble ${tm.info.name}: members prepare different rows; give them the same transforms`);
    const usable = Uint8Array.from({ length: n }, (_, i) => (outs.every((o) => o.usable[i]) ? 1 : 0));
    if (tm.final) {
      // A row some member cannot score (or, passed through, a missing feature the final model
      // does not take) is left out by `usable`: the final model predicts only where all is known.
      let meta = stackFeatures(tm.members.map((m) => m.info.name), outs, n, tm.info.task === 'classification' ? tm.info.classes : undefined);
      if (tm.info.ensemble?.passthrough) {
        const own = applySteps(tm.steps, raw, mode);
        if (own.table.rowCount !== n) throw new RunError(`ensemble ${tm.info.name}: its own transforms keep other rows than its members'; give them the same row steps`);
        meta = withColumns(meta, featureMatrix(own.table, tm.final.featureNames.slice(meta.columns.length)));
        if (tm.final.algorithm !== 'gradient_boosting') for (const c of meta.columns) for (let i = 0; i < n; i++) if (c[i] !== c[i]) usable[i] = 0;
      }
      // Zeros stand for what an unusable row lacks (its prediction is dropped): copies, as the
      // columns may be the members' outputs or the prepared table's own arrays.
      meta = { ...meta, columns: meta.columns.map((c) => Float64Array.from(c, (v, i) => (usable[i] ? v : 0))) };
      const proba = tm.final.predictProba?.(meta, signal);
      const pred = proba ? argmaxRows(proba, n, tm.info.classes!.length) : tm.final.predict(meta, signal);
      for (let i = 0; i < n; i++) if (!usable[i]) pred[i] = NaN;
      return { prepared: outs[0].prepared, rowMap: outs[0].rowMap, pred, ...(proba ? { proba } : {}), usable };
    }
    if (tm.info.task === 'regression') {
      const pred = new Float64Array(n);
      for (const o of outs) for (let i = 0; i < n; i++) pred[i] += o.pred[i] / outs.length;
      return { prepared: outs[0].prepared, rowMap: outs[0].rowMap, pred, usable };
    }
    const k = tm.info.classes?.length ?? 2;
    const proba = new Float64Array(n * k);
    if (tm.info.ensemble?.soft !== false) {
      for (const o of outs) for (let i = 0; i < n * k; i++) proba[i] += (o.proba?.[i] ?? 0) / outs.length;
    } else {
      for (const o of outs) for (let i = 0; i < n; i++) proba[i * k + o.pred[i]] += 1 / outs.length;
    }
    return { prepared: outs[0].prepared, rowMap: outs[0].rowMap, pred: argmaxRows(proba, n, k), proba, usable };
  }
  const model = tm.model!;
  const { table, rowMap } = applySteps(tm.steps, raw, mode);
  const x = featureMatrix(table, model.featureNames);
  const allowsMissing = model.algorithm === 'gradient_boosting';
  // Rows with every feature present, column by column (no closure or boxed index per row).
  const usable = new Uint8Array(x.nRows).fill(1);
  if (!allowsMissing) {
    for (const c of x.columns) for (let i = 0; i < x.nRows; i++) if (c[i] !== c[i]) usable[i] = 0;
  }
  let count = 0;
  for (let i = 0; i < x.nRows; i++) count += usable[i];
  const rows = new Int32Array(count);
  for (let i = 0, j = 0; i < x.nRows; i++) if (usable[i]) rows[j++] = i;
  const sub = count === x.nRows ? x : subsetMatrix(x, rows);
  const k = model.classes?.length ?? 0;
  const subProba = model.predictProba?.(sub, signal);
  const subPred = subProba && model.predictIsArgmax ? argmaxRows(subProba, sub.nRows, k) : model.predict(sub, signal);
  if (count === x.nRows) return { prepared: table, rowMap, pred: subPred, ...(subProba ? { proba: subProba } : {}), usable };
  const pred = new Float64Array(x.nRows).fill(NaN);
  const proba = subProba ? new Float64Array(x.nRows * k).fill(NaN) : undefined;
  for (let i = 0; i < count; i++) {
    const r = rows[i];
    pred[r] = subPred[i];
    if (proba && subProba) for (let c = 0; c < k; c++) proba[r * k + c] = subProba[i * k + c];
  }
  return { prepared: table, rowMap, pred, ...(proba ? { proba } : {}), usable };
}

export function scoreOn(tm: TrainedModel, raw: Table, signal?: CancelSignal): Scored {
  const out = predictPrepared(tm, raw, 'train', signal);
  const y = targetValues(out.prepared, tm.info);
  const unseen = labelUnseenClasses(out.prepared, tm.info, y);
  const classification = tm.info.task === 'classification';
  const keep: number[] = [];
  let missingFeatures = 0;
  for (let i = 0; i < y.length; i++) {
    if (!(classification ? y[i] >= 0 : !Number.isNaN(y[i]))) continue;
    if (out.usable[i]) keep.push(i);
    else missingFeatures++;
  }
  const k = tm.info.classes?.length ?? 0;
  const yTrue = Float64Array.from(keep, (r) => y[r]);
  const pred = Float64Array.from(keep, (r) => out.pred[r]);
  const proba = out.proba ? Float64Array.from({ length: keep.length * k }, (_, j) => out.proba![keep[Math.floor(j / k)] * k + (j % k)]) : undefined;
  return {
    yTrue, pred, ...(proba ? { proba } : {}), n: keep.length, unseen, labels: [...(tm.info.classes ?? []), ...unseen.levels], missingFeatures,
    rawRows: Int32Array.from(keep, (r) => out.rowMap[r]),
  };
}

/** Whether a model's steps score each row on its own (no dedupe, which compares rows): then it can be scored chunk by chunk. */
export function scoresRowByRow(tm: TrainedModel): boolean {
  return !tm.steps.some((s) => s.kind === 'dedupe') && (tm.members ?? []).every(scoresRowByRow);
}

/**
 * scoreOn over a table an engine streams, chunk by chunk: only the scored rows' target,
 * prediction and probabilities are kept (a few numbers per row), never the table. The result is
 * scoreOn's on the whole table: rows in the same order, unseen classes numbered over all chunks.
 */
export async function scoreStreamed(tm: TrainedModel, table: StreamedTable, signal?: CancelSignal): Promise<Scored> {
  const parts: Scored[] = [];
  let offset = 0;
  await table.chunks((chunk) => {
    const s = scoreOn(tm, chunk.table, signal);
    for (let i = 0; i < s.rawRows.length; i++) s.rawRows[i] += offset;
    offset += chunk.table.rowCount;
    parts.push(s);
  });
  return joinScored(parts, tm.info.classes ?? []);
}

/** Scored chunks as one: an unseen level's label index is its place among every chunk's unseen levels. */
function joinScored(parts: Scored[], classes: string[]): Scored {
  const k = classes.length;
  const levels = [...new Set(parts.flatMap((p) => p.unseen.levels))].sort(compareLevels);
  const n = parts.reduce((t, p) => t + p.n, 0);
  const width = parts.find((p) => p.proba)?.proba ? k : 0;
  const out: Scored = {
    yTrue: new Float64Array(n), pred: new Float64Array(n), ...(width ? { proba: new Float64Array(n * width) } : {}), n,
    unseen: { rows: 0, levels }, labels: [...classes, ...levels], missingFeatures: 0, rawRows: new Int32Array(n),
  };
  let at = 0;
  for (const p of parts) {
    const relabel = p.unseen.levels.map((l) => k + levels.indexOf(l));
    if (relabel.length === 0) out.yTrue.set(p.yTrue, at);
    else for (let i = 0; i < p.n; i++) out.yTrue[at + i] = p.yTrue[i] < k ? p.yTrue[i] : relabel[p.yTrue[i] - k];
    out.pred.set(p.pred, at);
    if (out.proba && p.proba) out.proba.set(p.proba, at * width);
    out.rawRows.set(p.rawRows, at);
    out.unseen.rows += p.unseen.rows;
    out.missingFeatures += p.missingFeatures;
    at += p.n;
  }
  return out;
}

/** Warnings for rows that could not be scored: a class the model never saw, a missing feature. */
export function unscoredWarnings(what: string, on: string, s: Scored, model: TrainedModel): string[] {
  const out: string[] = [];
  if (s.unseen.rows > 0) {
    out.push(`${what}: ${s.unseen.rows} rows of "${on}" hold a class the model was not trained on (${s.unseen.levels.map((l) => `"${l}"`).join(', ')}); they count as wrong predictions, as in scikit-learn; stratify the split by the target so every class reaches the training rows`);
  }
  if (s.missingFeatures > 0) {
    out.push(`${what}: ${s.missingFeatures} rows of "${on}" are not scored: a feature of "${model.info.name}" is missing in them (an ordinal level the training rows lack, a value a step could not compute) and ${model.model?.algorithm ?? 'the model'} takes no missing values; impute after the step, or use gradient_boosting`);
  }
  return out;
}

function positiveIndex(info: ModelInfo, positive?: string): number {
  if (positive && info.classes) return Math.max(0, info.classes.indexOf(positive));
  return 1;
}

export function evaluationReport(ev: EvaluateInfo, tm: TrainedModel, s: Scored, cvReport?: EvaluationJson['cv']): EvaluationJson {
  if (s.n === 0) throw new RunError(`evaluate ${ev.name}: no rows to score in ${ev.on}`);
  const info = tm.info;
  const classification = info.task === 'classification';
  const k = info.classes?.length ?? 0;
  const pos = positiveIndex(info, ev.positive);
  let pred = s.pred;
  let threshold: number | undefined;
  if (classification && k === 2 && s.proba && ev.threshold) {
    const score = Float64Array.from({ length: s.n }, (_, i) => s.proba![i * 2 + pos]);
    if ('tune' in ev.threshold) {
      const yPos = Int32Array.from(s.yTrue, (y) => (y === pos ? 1 : 0));
      threshold = tuneThreshold(ev.threshold.tune, yPos, score, METRICS[ev.threshold.tune]?.higherIsBetter !== false).threshold;
    } else threshold = ev.threshold.value;
    pred = Float64Array.from(score, (p) => (p >= threshold! ? pos : 1 - pos));
  }
  const metrics = computeMetrics(ev.metrics, {
    task: info.task!, yTrue: s.yTrue, yPred: pred, ...(s.proba ? { proba: s.proba } : {}),
    ...(classification ? { nClasses: s.labels.length, modelClasses: k, positiveIndex: pos } : {}),
  });
  refuseUndefined(metrics, s, info, `evaluate ${ev.name}`, ev.on);
  const report: EvaluationJson = { model: info.name, on: ev.on, metrics, rows: s.n };
  if (threshold !== undefined) report.threshold = threshold;
  if (classification) {
    report.confusion = { labels: s.labels, matrix: confusionMatrix(s.yTrue, pred, s.labels.length) };
    if (s.proba) {
      const curves = classificationCurves(s.yTrue, s.proba, k, s.labels, pos);
      if (curves.roc) report.curves = curves;
    }
  } else report.curves = regressionCurves(s.yTrue, pred);
  if (cvReport) report.cv = cvReport;
  return report;
}

/**
 * A metric that the scored rows leave undefined (roc_auc over rows of one class) fails the run
 * with the reason, as scikit-learn raises; it is never reported as 0 or left as null.
 */
function refuseUndefined(metrics: Record<string, number>, s: Scored, info: ModelInfo, what: string, on: string): void {
  const bad = Object.entries(metrics).find(([, v]) => !Number.isFinite(v));
  if (!bad) return;
  const present = new Set(Array.from(s.yTrue));
  const absent = (info.classes ?? []).filter((_, c) => !present.has(c));
  const why = s.unseen.levels.length > 0 && (bad[0] === 'roc_auc' || bad[0] === 'log_loss')
    ? `: they hold ${s.unseen.levels.map((c) => `"${c}"`).join(', ')}, a class the model was not trained on and gives no probability for (scikit-learn raises too)`
    : present.size === 1 && info.classes ? `: they hold only the class "${info.classes[[...present][0]]}"`
    : absent.length > 0 ? `: none of them is of the class ${absent.map((c) => `"${c}"`).join(', ')}, which the model learned` : '';
  throw new RunError(`${what}: ${bad[0]} is not defined on the ${s.n} scored rows of "${on}"${why}; score on more rows (a larger part, or a split stratified by "${info.target}"), or leave ${bad[0]} out`);
}

/** `cv: K`: the model's algorithm and options refit on K folds of its training table. */
export function crossValidateReport(ev: EvaluateInfo, tm: TrainedModel, trainTable: Table, signal?: CancelSignal): EvaluationJson['cv'] | undefined {
  if (!ev.cv || !tm.model) return undefined;
  const info = tm.info;
  const x = featureMatrix(trainTable, tm.model.featureNames);
  const y = targetValues(trainTable, info);
  const rows = usableRows(x, y, tm.model.algorithm === 'gradient_boosting', info.task === 'classification');
  const xs = subsetMatrix(x, rows);
  const target = makeTarget(info, y, rows);
  if (xs.nRows < ev.cv) throw new RunError(`evaluate ${ev.name}: cv: ${ev.cv} needs at least ${ev.cv} training rows, but "${info.input}" has ${xs.nRows}; lower cv`);
  const fold = kFoldIndices(xs.nRows, ev.cv, 42, target.task === 'classification' ? target.y : undefined);
  const per: Record<string, number[]> = {};
  if (!getAlgorithm(tm.model.algorithm)) return undefined;
  const folds = scoreFolds({
    algorithm: tm.model.algorithm, options: tm.options as AlgorithmOptions, x: xs, target, fold, metrics: ev.metrics, seed: 42,
    positiveIndex: info.task === 'classification' ? positiveIndex(info, ev.positive) : 0,
  }, ev.cv, signal);
  // A fold can leave a metric undefined (one class in it); the others still measure it.
  for (const vals of folds) for (const [k, v] of Object.entries(vals)) if (Number.isFinite(v)) (per[k] ??= []).push(v);
  const undefinedEverywhere = ev.metrics.find((k) => !per[k]);
  if (undefinedEverywhere) throw new RunError(`evaluate ${ev.name}: ${undefinedEverywhere} is not defined on any of the ${ev.cv} folds of "${info.input}" (each holds one class); lower cv`);
  const metrics: Record<string, { mean: number; std: number }> = {};
  for (const [k, v] of Object.entries(per)) {
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    metrics[k] = { mean, std: Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length) };
  }
  return { folds: ev.cv, metrics };
}

/** The scores of the raw rows every model scored, in the same order: a paired test needs pairs. */
function pairedRows(scored: Scored[]): Scored[] {
  let size = 0;
  for (const s of scored) for (const r of s.rawRows) if (r >= size) size = r + 1;
  const hits = new Uint8Array(size);
  for (const s of scored) for (const r of s.rawRows) hits[r]++;
  return scored.map((s) => {
    const keep: number[] = [];
    s.rawRows.forEach((r, i) => { if (hits[r] === scored.length) keep.push(i); });
    if (keep.length === s.n) return s;
    const k = s.proba ? s.proba.length / s.n : 0;
    return {
      ...s, n: keep.length, yTrue: Float64Array.from(keep, (i) => s.yTrue[i]), pred: Float64Array.from(keep, (i) => s.pred[i]),
      rawRows: Int32Array.from(keep, (i) => s.rawRows[i]),
      ...(s.proba ? { proba: Float64Array.from({ length: keep.length * k }, (_, j) => s.proba![keep[Math.floor(j / k)] * k + (j % k)]) } : {}),
    };
  });
}

export function comparisonReport(cmp: CompareInfo, models: TrainedModel[], scoredRows: Scored[]): ComparisonJson {
  const scored = pairedRows(scoredRows);
  const info = models[0].info;
  const classification = info.task === 'classification';
  const spec = METRICS[cmp.metric];
  const scores: Record<string, number> = {};
  models.forEach((m, i) => {
    const s = scored[i];
    scores[m.info.name] = computeMetrics([cmp.metric], {
      task: info.task!, yTrue: s.yTrue, yPred: s.pred, ...(s.proba ? { proba: s.proba } : {}),
      ...(classification ? { nClasses: s.labels.length, modelClasses: info.classes?.length ?? 2, positiveIndex: 1 } : {}),
    })[cmp.metric];
  });
  const [a, b] = scored;
  refuseUndefined(scores, a, info, `compare ${cmp.name}`, cmp.on);
  if (a.n === 0) throw new RunError(`compare ${cmp.name}: no row of ${cmp.on} could be scored by both models (every row lacks the target or has a feature one of them cannot take)`);
  let pValue: number;
  if (cmp.test === 'mcnemar') {
    pValue = mcnemar(Uint8Array.from(a.pred, (p, i) => (p === a.yTrue[i] ? 1 : 0)), Uint8Array.from(b.pred, (p, i) => (p === b.yTrue[i] ? 1 : 0))).pValue;
  } else if (cmp.test === 'paired_t') {
    const k = info.classes?.length ?? 0;
    pValue = pairedT(rowLosses(cmp.metric, a, k), rowLosses(cmp.metric, b, k)).pValue;
  } else {
    const metricOn = (s: Scored, rows: Int32Array): number => {
      const k = info.classes?.length ?? 2;
      return computeMetrics([cmp.metric], {
        task: info.task!, yTrue: Float64Array.from(rows, (r) => s.yTrue[r]), yPred: Float64Array.from(rows, (r) => s.pred[r]),
        ...(s.proba ? { proba: Float64Array.from({ length: rows.length * k }, (_, j) => s.proba![rows[Math.floor(j / k)] * k + (j % k)]) } : {}),
        ...(classification ? { nClasses: s.labels.length, modelClasses: k, positiveIndex: 1 } : {}),
      })[cmp.metric];
    };
    pValue = bootstrapPValue((rows) => metricOn(a, rows) - metricOn(b, rows), a.n, 42, 500).pValue;
  }
  const names = models.map((m) => m.info.name);
  const [sa, sb] = names.map((n) => scores[n]);
  const leader = sa === sb ? null : (spec?.higherIsBetter === false ? sa < sb : sa > sb) ? names[0] : names[1];
  const significant = leader !== null && pValue < cmp.alpha;
  return {
    models: names, metric: cmp.metric, test: cmp.test, p_value: pValue, p_value_about: COMPARE_TEST_OUTCOMES[cmp.test][cmp.metric] ?? cmp.metric,
    alpha: cmp.alpha, significant, winner: significant ? leader : null, leader, scores,
  };
}

/**
 * Per-row losses whose mean orders two models on the same rows as `metric` does (the checker
 * admits paired_t only for these metrics): 0/1 error, log loss, squared, absolute or
 * absolute percentage error (scikit-learn's epsilon for a zero target).
 */
function rowLosses(metric: string, s: Scored, k: number): Float64Array {
  switch (metric) {
    case 'accuracy': return Float64Array.from(s.pred, (p, i) => (p === s.yTrue[i] ? 0 : 1));
    case 'log_loss': {
      if (!s.proba) throw new RunError('log_loss needs class probabilities, and this model gives none; compare on accuracy');
      return Float64Array.from(s.yTrue, (y, i) => -Math.log(Math.min(1 - 1e-15, Math.max(1e-15, s.proba![i * k + y]))));
    }
    case 'mae': return Float64Array.from(s.pred, (p, i) => Math.abs(p - s.yTrue[i]));
    case 'mape': return Float64Array.from(s.pred, (p, i) => Math.abs(p - s.yTrue[i]) / Math.max(Math.abs(s.yTrue[i]), Number.EPSILON));
    case 'rmse':
    case 'r2': return Float64Array.from(s.pred, (p, i) => (p - s.yTrue[i]) ** 2);
    default: throw new RunError(`paired_t cannot judge ${metric}; use test: bootstrap`);
  }
}
