// Trains the final model of a stacking or blending ensemble. Its training rows are the rows of the
// ensemble's own table that every member can score (each member prepares them with its own fitted
// steps and takes its own features); its features are the members' predictions for those rows:
// out of fold for stacking (the members as trained predict new rows), on a seeded holdout for
// blending (whose members are fitted again without the holdout and kept so).
import type { ModelInfo, OptionValues } from '../checker/checked-model';
import type { Table } from '../data/table';
import type { FittedModel, Target, TrainContext } from '../ml/model-types';
import { ridgeLeaveOneOutAlpha } from '../ml/linear-regression';
import { getAlgorithm } from '../ml/registry';
import { sklearnFolds } from '../ml/sklearn-folds';
import { blendMembers, outOfFoldFeatures, withColumns, type StackMember } from '../ml/stacking';
import type { FittedStep } from '../transforms/fitted-step';
import { applySteps } from '../transforms/fit-steps';
import { featureMatrix, fittedFeatures, makeTarget, subsetMatrix, targetValues, usableRows } from './model-data';
import { RunError } from './pipeline-data';
import type { TrainedModel } from './scoring';
import { splitTable } from './split-table';
import { refitModel } from './train-model';

export interface EnsembleOutcome {
  final: FittedModel;
  /** Blending's members, fitted without the holdout (stacking keeps the members as trained). */
  members: TrainedModel[];
  trainRows: number;
  /** The alpha the leave-one-out search chose for a regression's default final model. */
  finalAlpha?: number;
}

/** The ensemble's own features passed through to the final model: its fitted steps and their columns. */
export interface Passthrough {
  steps: FittedStep[];
  names: string[];
}

/**
 * The members' features (then the passed-through features), and the target, on the raw rows of
 * `raw` that every member (and the final model, for passed-through features) can take.
 */
function commonRows(decl: ModelInfo, members: TrainedModel[], raw: Table, own?: Passthrough): { xs: StackMember['x'][]; target: Target } {
  const sources = [
    ...members.map((m) => ({ steps: m.steps, names: (t: Table) => fittedFeatures(t, m.info, m.steps).names, allowsMissing: m.model!.algorithm === 'gradient_boosting' })),
    ...(own ? [{ steps: own.steps, names: () => own.names, allowsMissing: decl.ensemble!.final === 'gradient_boosting' }] : []),
  ];
  const prepared = sources.map((source) => {
    const { table, rowMap } = applySteps(source.steps, raw, 'train');
    const x = featureMatrix(table, source.names(table));
    const y = targetValues(table, { ...decl, classes: members[0].info.classes });
    const rows = usableRows(x, y, source.allowsMissing, decl.task === 'classification');
    // Raw row → the member's row, for the rows it can train on.
    const at = new Int32Array(raw.rowCount).fill(-1);
    for (const r of rows) at[rowMap[r]] = r;
    return { x, y, at };
  });
  const shared: number[] = [];
  for (let r = 0; r < raw.rowCount; r++) if (prepared.every((p) => p.at[r] >= 0)) shared.push(r);
  if (shared.length === 0) throw new RunError(`model ${decl.name}: no row of "${decl.input}" can be scored by every member (each lacks a feature or the target in some member's rows); give the members the same rows`);
  const xs = prepared.map((p) => subsetMatrix(p.x, Int32Array.from(shared, (r) => p.at[r])));
  const first = prepared[0];
  return { xs, target: makeTarget({ ...decl, classes: members[0].info.classes }, first.y, Int32Array.from(shared, (r) => first.at[r])) };
}

export function trainEnsemble(decl: ModelInfo, members: TrainedModel[], raw: Table, ctx: TrainContext, own?: Passthrough): EnsembleOutcome {
  const ens = decl.ensemble!;
  const { xs, target } = commonRows(decl, members, raw, own);
  const ownX = own ? xs.pop() : undefined;
  const n = target.y.length;
  const stack: StackMember[] = members.map((m, j) => ({
    name: m.info.name, x: xs[j],
    fit: (x, t, c) => refitModel(m.info, m.model!.algorithm, m.options as OptionValues, x, t, c),
  }));
  const finalAlgorithm = getAlgorithm(ens.final!)!;
  let finalAlpha: number | undefined;
  const fitFinal = (meta: StackMember['x'], t: Target, rows?: Int32Array): FittedModel => {
    const x = ownX ? withColumns(meta, rows ? subsetMatrix(ownX, rows) : ownX) : meta;
    if (ens.finalAlphas) finalAlpha = ridgeLeaveOneOutAlpha(x, t, ens.finalAlphas, ctx);
    return finalAlgorithm.fit(x, t, { ...finalAlgorithm.defaults, ...(finalAlpha !== undefined ? { alpha: finalAlpha } : {}) }, ctx);
  };
  if (ens.method === 'stacking') {
    const cv = ens.cv ?? 5;
    if (n < cv) throw new RunError(`model ${decl.name}: stacking(cv: ${cv}) needs at least ${cv} training rows that every member can score, but "${decl.input}" has ${n}; lower cv`);
    const fold = sklearnFolds(n, cv, target.task === 'classification' ? target.y : undefined);
    const final = fitFinal(outOfFoldFeatures(stack, target, fold, cv, ctx), target);
    return { final, members, trainRows: n, ...(finalAlpha !== undefined ? { finalAlpha } : {}) };
  }
  const share = ens.holdout ?? 0.2;
  const stratify = target.task === 'classification' ? { type: 'number' as const, values: Float64Array.from(target.y) } : undefined;
  const parts = splitTable(n, [{ part: 'fit', fraction: 1 - share }, { part: 'holdout', fraction: share }], { seed: ctx.seed, ...(stratify ? { stratify } : {}) });
  if (parts.fit.length === 0 || parts.holdout.length === 0) {
    throw new RunError(`model ${decl.name}: blending(holdout: ${share}) of the ${n} training rows leaves ${parts.fit.length === 0 ? 'no row to fit the members on' : 'no held-out row for the final model'}; train on more rows or change holdout`);
  }
  const holdout = new Uint8Array(n);
  for (const r of parts.holdout) holdout[r] = 1;
  const blend = blendMembers(stack, target, holdout, ctx);
  const final = fitFinal(blend.features, blend.target, parts.holdout);
  return {
    final,
    members: members.map((m, j) => ({ ...m, model: blend.fitted[j] })),
    trainRows: n,
    ...(finalAlpha !== undefined ? { finalAlpha } : {}),
  };
}
