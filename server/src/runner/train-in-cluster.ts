// Models the ClickHouse engine trains inside the cluster: gradient boosting on a table dataset
// whose steps SQL fits (clickhouse-fit.ts) and whose split is random or keyed on the table, trained by
// histograms aggregated on the server (clickhouse-boosting.ts). The rows stay there: what comes
// back is row counts, the split's parts (positions), fitted parameters, levels, histograms and a
// typical row's medians and modes. Anything else is trained in this process on rows read out of
// the cluster, and the reason is returned for the run to say so.
import type { ModelInfo } from '../checker/checked-model';
import { compareLevels } from '../data/column-builder';
import type { ClickHouseEngine } from '../engine/clickhouse-engine';
import type { CancelSignal } from '../ml/cancellation';
import type { FittedModel } from '../ml/model-types';
import { typicalSample, type TypicalRow } from '../serve/openapi';
import { isRowStep, type FittedStep } from '../transforms/fitted-step';
import { learnedInfo } from './model-artifact';
import { fittedFeatures } from './model-data';
import type { Chain, PipelineData } from './pipeline-data';
import type { Scored, TrainedModel } from './scoring';
import { saveModel } from '../ml/registry';

export interface ClusterTrained {
  fitted: FittedStep[];
  /** The raw training rows (positions), before rows without a target were left out. */
  trainRows: Int32Array;
  learned: ModelInfo;
  model: FittedModel;
  /** Rows the model was trained on. */
  used: number;
  example: TypicalRow;
  /** As the memory path words them: features left out, rows skipped. */
  warnings: string[];
}

/** Why `decl` is not trained in the cluster, or undefined when it can be. */
export function clusterRefusal(decl: ModelInfo, chain: Chain): string | undefined {
  const algorithm = decl.algorithm?.name;
  if (algorithm !== 'gradient_boosting') return `${algorithm} is trained in this process (in the cluster: gradient_boosting)`;
  const extra = decl.tune ? 'tune' : decl.select ? 'select' : decl.resample ? 'resample' : decl.calibrate ? 'calibrate' : decl.classWeight ? 'class_weight'
    : Number(decl.algorithm?.options.early_stopping ?? 0) > 0 ? 'early_stopping' : undefined;
  if (extra) return `gradient_boosting with ${extra} is trained in this process (in the cluster: without tune, select, resample, calibrate, class_weight and early_stopping)`;
  return rowsRefusal(chain);
}

/**
 * Trains `decl` in the cluster, or returns why it cannot be (the caller then trains in this
 * process and says what left the cluster).
 */
export async function trainInCluster(engine: ClickHouseEngine, data: PipelineData, decl: ModelInfo, chain: Chain, ctx: { signal?: CancelSignal; onProgress?: (f: number) => void }): Promise<ClusterTrained | string> {
  const refused = clusterRefusal(decl, chain);
  if (refused) return refused;
  const trainChain: Chain = chain.split ? { ...chain, split: { info: chain.split.info, part: 'train' } } : chain;
  const trainRows = await data.rawRows(trainChain);
  const prepared = await engine.fitInCluster(chain.dataset, [...chain.pre, ...chain.post], trainRows);
  if (!prepared) return 'a step before it is fitted in this process (in the cluster: drop, keep, rename, impute mean/median/constant, one-hot encode, standard/minmax scale, clip to fixed bounds)';
  const { fitted, columns } = prepared;
  const target = columns.get(decl.target!);
  if (!target) return `its target "${decl.target}" is not a column after the steps`;
  const features = fittedFeatures({ names: [...columns.keys()] }, decl, fitted);
  const exprs = features.names.map((name) => ({ name, sql: columns.get(name)! }));
  if (exprs.length === 0) return 'no feature is left after the steps';
  const text = exprs.find((e) => !e.sql.numeric);
  if (text) return `feature "${text.name}" is not a number`;
  if (decl.task === 'classification' && target.numeric) return `its target "${decl.target}" holds numbers or booleans (in the cluster: a category or text target)`;
  if (decl.task === 'regression' && !target.numeric) return `its target "${decl.target}" is not a number`;
  const classes = decl.task === 'classification' ? (await engine.levelsInCluster(chain.dataset, target, trainRows)).filter((l) => l !== null).sort(compareLevels) : undefined;
  const learned = learnedInfo(decl, classes);
  const { model, trainRows: used } = await engine.boostInCluster(chain.dataset, trainRows, {
    features: exprs.map((e) => ({ name: e.name, sql: e.sql.sql })),
    target: { sql: target.sql, task: decl.task!, ...(classes ? { classes } : {}) },
    options: { ...decl.algorithm!.options }, ...ctx,
  });
  const example = await engine.typicalRowInCluster(chain.dataset, typicalSample(trainRows), decl.inputColumns);
  const warnings = [
    ...(features.leftOut.length > 0 ? [`${features.leftOut.join(', ')} left out of the features: those levels do not occur in the training rows`] : []),
    ...(used < trainRows.length ? [`${trainRows.length - used} training rows skipped (missing target or features)`] : []),
  ];
  return { fitted, trainRows, learned, model, used, example, warnings };
}

/** Why the rows a table keeps cannot be chosen in the cluster, or undefined when they can. */
function rowsRefusal(chain: Chain): string | undefined {
  const rowStep = [...chain.pre, ...chain.post].find(isRowStep);
  if (rowStep) return `the step "${rowStep.kind}" runs in this process (in the cluster: steps that keep every row)`;
  if (chain.split?.info.key && chain.pre.length > 0) return `the steps before the keyed split "${chain.split.info.name}" run in this process (in the cluster: a keyed split straight on the table)`;
  if (chain.split?.info.stratify) return `the stratified split "${chain.split.info.name}" is decided in this process (in the cluster: random or keyed splits)`;
  return undefined;
}

/**
 * Scores `tm` on the rows table `on` keeps, in SQL (clickhouse-scoring.ts): back come only each
 * row's target, prediction and probabilities, as scoreOn would compute them. Or why it cannot.
 */
export async function scoreInCluster(engine: ClickHouseEngine, data: PipelineData, tm: TrainedModel, on: string): Promise<Scored | string> {
  if (!tm.model || tm.members) return 'an ensemble is scored in this process';
  const chain = data.chain(on);
  const refused = rowsRefusal(chain);
  if (refused) return refused;
  const rows = await data.rawRows(chain);
  const s = await engine.scoreInCluster(chain.dataset, tm.steps, saveModel(tm.model), rows, tm.info.target!);
  if (typeof s === 'string') return s;
  const classification = tm.info.task === 'classification';
  const k = tm.info.classes?.length ?? 0;
  const keep: number[] = [];
  let missingFeatures = 0;
  let unseenRows = 0;
  for (let i = 0; i < s.y.length; i++) {
    if (!(classification ? s.y[i] >= 0 : !Number.isNaN(s.y[i]))) continue;
    if (classification && s.y[i] >= k) unseenRows++;
    if (s.usable[i]) keep.push(i);
    else missingFeatures++;
  }
  const proba = s.proba && Float64Array.from({ length: keep.length * k }, (_, j) => s.proba![keep[Math.floor(j / k)] * k + (j % k)]);
  return {
    yTrue: Float64Array.from(keep, (r) => s.y[r]), pred: Float64Array.from(keep, (r) => s.pred[r]), ...(proba ? { proba } : {}), n: keep.length,
    unseen: { rows: unseenRows, levels: s.unseen }, labels: s.labels, missingFeatures, rawRows: Int32Array.from(keep, (r) => rows[r]),
  };
}
