// Trains one model declaration on its prepared training rows: feature selection, resampling,
// tuning (grid/random with k-fold CV), AutoML over candidates, then the final fit.
import type { ModelInfo, OptionValues } from '../checker/checked-model';
import type { SearchBudgetJson, TrialJson } from '../contracts/cli-json';
import { ALGORITHMS, METRICS, autoCandidates } from '../ml/catalog';
import { fitCalibrated, type CalibrationMethod } from '../ml/calibration';
import { kFoldIndices, scoreFolds, type FoldPiece } from '../ml/cross-validation';
import { selectFeatures } from '../ml/feature-selection';
import { CancelledError, type CancelSignal } from '../ml/cancellation';
import type { AlgorithmOptions, FeatureMatrix, FittedModel, Target, TrainContext } from '../ml/model-types';
import { createRng } from '../ml/random';
import { getAlgorithm } from '../ml/registry';
import { resample } from '../ml/resample';
import { RunError } from './pipeline-data';
import { SearchBudget } from './search-budget';
import { halvingSchedule, halvingSurvivors, halvingSplits } from '../ml/halving';
import { sklearnFolds } from '../ml/sklearn-folds';
import { addBinnedFeature, binFeature, binningScratch, type BinnedFeatures } from '../ml/histogram-binning';
import { boostBinned } from '../ml/gradient-boosting';
import type { StreamedTable } from '../engine/engine';

export interface TrainOutcome {
  model: FittedModel;
  /** The algorithm and options finally used (after tuning or AutoML). */
  algorithm: string;
  options: OptionValues;
  /** What tuning or AutoML tried, with cross-validated scores; the chosen trial is marked. */
  trials: TrialJson[];
  /** Why the chosen trial won, when there were trials. */
  selection?: string;
  /** The searches' time budgets, when they had one. */
  budgets: SearchBudgetJson[];
}

function fitOnce(algorithm: string, options: OptionValues, x: FeatureMatrix, target: Target, ctx: TrainContext): FittedModel {
  const algo = getAlgorithm(algorithm);
  if (!algo) throw new RunError(`algorithm ${algorithm} is not available`);
  return algo.fit(x, target, options as AlgorithmOptions, ctx);
}

/**
 * K-fold cross-validation of one configuration: `rank` is the mean score with error metrics
 * negated (higher is better, -Infinity when no fold could be scored), `folds` the metric per fold.
 */
function crossValidate(algorithm: string, options: OptionValues, x: FeatureMatrix, target: Target, folds: number, metric: string, seed: number, calibrate: FoldPiece['calibrate'], signal?: CancelSignal, splits?: FoldPiece['split'][]): { rank: number; folds: (number | null)[] } {
  if (x.nRows < folds) throw new RunError(`cross-validation with ${folds} folds needs at least ${folds} training rows, but there are ${x.nRows}; lower the model's cv or train on more rows`);
  const fold = splits ? new Int32Array(0) : kFoldIndices(x.nRows, folds, seed, target.task === 'classification' ? target.y : undefined);
  const spec = METRICS[metric];
  const scores = scoreFolds({ algorithm, options: options as AlgorithmOptions, x, target, fold, metrics: [metric], seed, positiveIndex: 1, ...(calibrate ? { calibrate } : {}) }, folds, signal, splits);
  let total = 0;
  let measured = 0;
  const perFold: (number | null)[] = [];
  for (const score of scores) {
    const m = score[metric];
    // A fold with one class leaves roc_auc undefined: the other folds still score the configuration.
    perFold.push(Number.isFinite(m) ? m : null);
    if (!Number.isFinite(m)) continue;
    total += spec?.higherIsBetter === false ? -m : m;
    measured++;
  }
  return { rank: measured > 0 ? total / measured : -Infinity, folds: perFold };
}

/** A trial as reported: the mean in the metric's own sign (an error metric is not shown negated). */
function trialOf(search: TrialJson['search'], algorithm: string, options: OptionValues, metric: string, cv: { rank: number; folds: (number | null)[] }, started: number): TrialJson {
  const lower = METRICS[metric]?.higherIsBetter === false;
  const score = Number.isFinite(cv.rank) ? (lower ? -cv.rank : cv.rank) : null;
  return { search, algorithm, options, metric, better: lower ? 'lower' : 'higher', score, folds: cv.folds, ms: Date.now() - started };
}

/** The reason a search chose its trial, e.g. "highest mean f1 over 3-fold cross-validation (0.91) of 3 candidates". */
function selectionReason(search: TrialJson['search'], chosen: TrialJson, label: string, tried: number, folds: number, stoppedBy?: string, halved?: string): string {
  const what = search === 'auto' ? `${tried} candidate algorithm${tried === 1 ? '' : 's'}` : halved ?? `${tried} option combination${tried === 1 ? '' : 's'}`;
  const why = chosen.score === null
    ? `no fold of any of the ${what} could be scored on ${chosen.metric}, so the first was kept`
    : `${chosen.better === 'lower' ? 'lowest' : 'highest'} mean ${chosen.metric} (${chosen.score.toPrecision(4)}) over ${folds}-fold cross-validation on the training rows among ${what}`;
  return `${search} chose ${label}: ${why}${stoppedBy ? `; ${stoppedBy}` : ''}`;
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
  // Tuning and AutoML score the calibrated model, the one the run keeps.
  const calibrate = calibrationOf(info);
  const trials: TrialJson[] = [];
  const budgets: SearchBudgetJson[] = [];
  let selection: string | undefined;
  let algorithm = info.algorithm.name;
  const classWeight: OptionValues = info.classWeight && target.task === 'classification' ? { class_weight: info.classWeight } : {};
  let options = fitOptions(info, target);
  if (algorithm === 'auto') {
    const metric = String(info.algorithm.options.metric ?? (target.task === 'classification' ? 'f1' : 'r2'));
    const maxTrials = Number(info.algorithm.options.trials ?? 10);
    const hasMissing = train.columns.some((c) => c.some((v) => Number.isNaN(v)));
    const candidates = autoCandidates(info.algorithm.options, info.task).filter((a) => !hasMissing || a.allowsMissing);
    if (candidates.length === 0) throw new RunError(`auto has no candidate algorithm for this ${target.task}${hasMissing ? ' with missing values (only gradient_boosting takes them)' : ''}`);
    const planned = candidates.slice(0, maxTrials);
    const budget = new SearchBudget('auto', Number(info.algorithm.options.budget ?? 60_000));
    const tried: { options: OptionValues; rank: number }[] = [];
    for (const cand of planned) {
      if (!budget.allows()) break;
      const opts = { ...Object.fromEntries(Object.entries(cand.options).map(([k, o]) => [k, 'default' in o ? o.default : 0])), ...(cand.classWeight ? classWeight : {}) } as OptionValues;
      const trialStarted = Date.now();
      const cv = crossValidate(cand.name, opts, train, trainTarget, 3, metric, ctx.seed, calibrate, ctx.signal);
      trials.push(trialOf('auto', cand.name, opts, metric, cv, trialStarted));
      budget.ranTrial(trials[trials.length - 1].ms);
      tried.push({ options: opts, rank: cv.rank });
      ctx.onProgress?.(Math.min(0.9, trials.length / Math.min(candidates.length, maxTrials)));
    }
    const bestAt = tried.reduce((a, t, i) => (t.rank > tried[a].rank ? i : a), 0);
    const best = trials[bestAt];
    best.chosen = true;
    selection = selectionReason('auto', best, best.algorithm, trials.length, 3, budget.stoppedBy(planned.length, 'candidates'));
    budgets.push(budget.record(planned.length)!);
    algorithm = best.algorithm;
    options = tried[bestAt].options;
  }
  if (info.tune) {
    const halving = info.tune.method.name === 'halving';
    // Halving tries the combinations in scikit-learn's ParameterGrid order (options sorted by name,
    // the last varying fastest): which of equal scores go on depends on it.
    const space = Object.entries(info.tune.space).filter(([, v]) => v.length > 0).sort(([a], [b]) => (halving ? (a < b ? -1 : a > b ? 1 : 0) : 0));
    let combos: OptionValues[] = [{}];
    for (const [key, values] of space) combos = combos.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
    // random, and halving of `trials` random combinations, draw them alike.
    const want = Number(info.tune.method.options.trials ?? (halving ? 0 : 10));
    if (info.tune.method.name === 'random' || (halving && want > 0)) {
      const rng = createRng(ctx.seed);
      for (let i = combos.length - 1; i > 0; i--) { const j = rng.int(i + 1); [combos[i], combos[j]] = [combos[j], combos[i]]; }
      combos = combos.slice(0, want);
    }
    const metric = String(info.tune.method.options.metric ?? (target.task === 'classification' ? 'accuracy' : 'r2'));
    const budgetMs = info.tune.method.options.budget;
    const budget = new SearchBudget('tune', budgetMs === undefined ? undefined : Number(budgetMs));
    const factor = Number(info.tune.method.options.factor ?? 3);
    // grid and random: one round of every combination on every row.
    const rounds = halving
      ? halvingSchedule(combos.length, train.nRows, factor, Number(info.tune.method.options.min_rows ?? 0), 2 * info.tune.cv * (trainTarget.task === 'classification' ? trainTarget.classes.length : 1))
      : [{ rows: train.nRows, candidates: combos.length }];
    if (halving && rounds.length === 0) throw new RunError(`model ${info.name}: tune: halving(min_rows: ${String(info.tune.method.options.min_rows)}) starts from more rows than the ${train.nRows} training rows; lower min_rows, or 0 to choose it as scikit-learn does`);
    const planned = rounds.reduce((s, r) => s + r.candidates, 0);
    let best: { trial: TrialJson; options: OptionValues; rank: number } | undefined;
    let ran = 0;
    let candidates = combos;
    // Halving's folds are scikit-learn's default folds of every training row, subsampled per round.
    const baseFolds = halving ? sklearnFolds(train.nRows, info.tune.cv, trainTarget.task === 'classification' ? trainTarget.y : undefined) : undefined;
    search: for (const [round, { rows }] of rounds.entries()) {
      const splits = baseFolds ? halvingSplits(baseFolds, info.tune.cv, rows, ctx.seed) : undefined;
      // Only this round's scores count: a later round's candidates were scored on more rows.
      best = undefined;
      const scored: { options: OptionValues; combo: OptionValues; rank: number }[] = [];
      for (const combo of candidates) {
        if (!budget.allows()) break search;
        const opts = { ...options, ...combo };
        const trialStarted = Date.now();
        const cv = crossValidate(algorithm, opts, train, trainTarget, info.tune.cv, metric, ctx.seed, calibrate, ctx.signal, splits);
        const trial = { ...trialOf('tune', algorithm, opts, metric, cv, trialStarted), ...(halving ? { round, rows } : {}) };
        trials.push(trial);
        budget.ranTrial(trial.ms);
        ran++;
        // As scikit-learn's mean, a fold that could not be scored leaves halving's candidate unscored.
        const rank = halving && cv.folds.includes(null) ? -Infinity : cv.rank;
        scored.push({ options: opts, combo, rank });
        if (!best || rank > best.rank) best = { trial, options: opts, rank };
        ctx.onProgress?.(0.9 * (ran / planned));
      }
      candidates = halvingSurvivors(scored.map((s) => s.rank), Math.ceil(scored.length / factor)).map((i) => scored[i].combo);
    }
    const record = budget.record(planned);
    if (record) budgets.push(record);
    if (best) {
      // After auto, the tuned configuration is the one used: only it stays marked.
      for (const t of trials) delete t.chosen;
      best.trial.chosen = true;
      const last = trials.filter((t) => t.round === best!.trial.round).length;
      const halved = halving ? `the ${last} combination${last === 1 ? '' : 's'} of round ${best.trial.round! + 1} of successive halving (factor ${factor}; ${rounds.map((r) => `${r.candidates} on ${r.rows}`).join(', then ')} sampled rows)` : undefined;
      selection = selectionReason('tune', best.trial, space.map(([key]) => `${key}: ${String(best!.trial.options[key])}`).join(', '), ran, info.tune.cv, budget.stoppedBy(planned, halving ? 'trials' : 'option combinations'), halved);
      options = best.options;
    }
  }
  let model: FittedModel;
  // Tuning's folds hold out their own rows for early stopping; the final fit (each calibrated copy
  // too) scores the split's validation part when there is one.
  const fitCtx: TrainContext = { ...ctx, ...validationOf(ctx.validation, features.names) };
  if (calibrate && target.task === 'classification') {
    // Each calibrated copy is resampled from its own folds' rows: the rows it is calibrated on keep
    // the classes' real shares, which the probabilities are calibrated to.
    const fitCopy = (x: FeatureMatrix, t: Target, c: TrainContext): FittedModel => {
      if (!info.resample || t.task !== 'classification') return fitOnce(algorithm, options, x, t, c);
      const r = resample(info.resample.name, info.resample.options, x, t.y, c.seed, c.signal);
      return fitOnce(algorithm, options, r.x, { task: 'classification', y: r.y, classes: t.classes }, c);
    };
    try {
      model = fitCalibrated(calibrate.method, calibrate.cv, features, target, fitCtx, fitCopy);
    } catch (e) {
      if (e instanceof CancelledError) throw e;
      throw new RunError(`model ${info.name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  } else model = fitOnce(algorithm, options, train, trainTarget, fitCtx);
  return { model, algorithm, options, trials, budgets, ...(selection ? { selection } : {}) };
}

/** The declared options, class_weight among them: it travels in the options, so every fit (folds, calibrated copies, trials) weighs the classes alike. */
function fitOptions(info: ModelInfo, target: Target): OptionValues {
  const algorithm = info.algorithm!.name;
  const classWeight: OptionValues = info.classWeight && target.task === 'classification' ? { class_weight: info.classWeight } : {};
  return { ...info.algorithm!.options, ...(ALGORITHMS[algorithm]?.classWeight ? classWeight : {}) };
}

/**
 * A plain gradient boosting (no search, selection, resampling, calibration or early stopping)
 * on a table an engine streams: each feature is read whole, cut to the usable rows `rows`, binned
 * and dropped before the next is read, so the process holds one Float64 column and the bins,
 * never the Float64 table. The bins are binFeatures' on the same columns: the model is the one
 * trainModel fits on the materialised table.
 */
export async function trainBinned(info: ModelInfo, table: StreamedTable, features: string[], rows: Int32Array, target: Target, ctx: TrainContext): Promise<TrainOutcome> {
  const data = await binnedColumns(table, features, rows);
  const options = fitOptions(info, target);
  return { model: boostBinned(data, features, target, options as AlgorithmOptions, ctx), algorithm: info.algorithm!.name, options, trials: [], budgets: [] };
}

/** The features' bins on the usable rows `rows`, one column read at a time (its buffers gone when this returns, before boosting). */
async function binnedColumns(table: StreamedTable, features: string[], rows: Int32Array): Promise<BinnedFeatures> {
  const data: BinnedFeatures = { nRows: rows.length, bins: [], thresholds: [], nBins: [], hasMissing: [] };
  const all = rows.length === table.rowCount;
  // One column's buffers, reused by every feature: only the bins accumulate.
  const values = new Float64Array(table.rowCount);
  const usable = all ? values : new Float64Array(rows.length);
  const scratch = binningScratch(rows.length);
  for (const name of features) {
    const column = table.columns.find((c) => c.name === name);
    if (!column) throw new RunError(`feature "${name}" is not in the prepared table (columns: ${table.columns.map((c) => c.name).join(', ')})`);
    if (column.type === 'category' || column.type === 'text') throw new RunError(`feature "${name}" is ${column.type}; encode it before the model`);
    await table.numbers(name, values);
    if (!all) for (let i = 0; i < rows.length; i++) usable[i] = values[rows[i]];
    addBinnedFeature(data, binFeature(usable, scratch));
  }
  return data;
}

/** The validation rows with the features the model kept (after `select`), or nothing. */
function validationOf(validation: TrainContext['validation'], names: string[]): Pick<TrainContext, 'validation'> {
  if (!validation) return {};
  const x = validation.x;
  return { validation: { target: validation.target, x: { nRows: x.nRows, names, columns: names.map((n) => x.columns[x.names.indexOf(n)]) } } };
}

function calibrationOf(info: ModelInfo): FoldPiece['calibrate'] {
  return info.calibrate ? { method: info.calibrate.name as CalibrationMethod, cv: Number(info.calibrate.options.cv ?? 5) } : undefined;
}

/**
 * The model of `info` trained again on other rows with the algorithm and options it ended with
 * (no new search): its feature selection, resampling and calibration are redone on those rows.
 * Stacking and blending fit their members' copies this way.
 */
export function refitModel(info: ModelInfo, algorithm: string, options: OptionValues, x: FeatureMatrix, target: Target, ctx: TrainContext): FittedModel {
  return trainModel({ ...info, algorithm: { name: algorithm, options }, tune: undefined }, x, target, ctx).model;
}
