// Stacking and blending: a final model learns from its members' predictions. The members'
// predictions become features as scikit-learn's StackingClassifier/Regressor makes them
// (stack_method="auto" → predict_proba): two classes give the positive class's probability only,
// more classes every class's probability, a regression its prediction. Stacking trains the final
// model on out-of-fold predictions (each row predicted by a copy that did not see it), so the
// final model never learns from predictions on rows the members were fitted to.
import { throwIfCancelled } from './cancellation';
import type { FeatureMatrix, FittedModel, Target, TrainContext } from './model-types';
import { subsetMatrix, subsetTarget } from './subset';

/** What one member predicted for n rows: the value or class, and the probabilities (row-major n × k). */
export interface MemberOutput {
  pred: Float64Array;
  proba?: Float64Array;
}

/** A member of a stacking: its own features for the ensemble's rows, and how to fit a copy of it. */
export interface StackMember {
  name: string;
  x: FeatureMatrix;
  fit(x: FeatureMatrix, target: Target, ctx: TrainContext): FittedModel;
}

/** The final model's feature names: `member` (regression), `member_class` per class (`member_positive` for two). */
export function stackFeatureNames(members: readonly string[], classes?: readonly string[]): string[] {
  if (!classes) return [...members];
  const used = classes.length === 2 ? classes.slice(1) : classes;
  return members.flatMap((m) => used.map((c) => `${m}_${c}`));
}

/** The final model's feature matrix from the members' outputs on the same n rows. */
export function stackFeatures(members: readonly string[], outputs: readonly MemberOutput[], n: number, classes?: readonly string[]): FeatureMatrix {
  const columns: Float64Array[] = [];
  outputs.forEach((o, m) => {
    if (!classes) { columns.push(o.pred); return; }
    if (!o.proba) throw new Error(`member ${members[m]} gives no class probabilities`);
    const k = classes.length;
    for (let c = k === 2 ? 1 : 0; c < k; c++) columns.push(Float64Array.from({ length: n }, (_, i) => o.proba![i * k + c]));
  });
  return { nRows: n, columns, names: stackFeatureNames(members, classes) };
}

/** The final model's features followed by passed-through ones (passthrough: true), on the same rows. */
export function withColumns(meta: FeatureMatrix, own: FeatureMatrix): FeatureMatrix {
  return { nRows: meta.nRows, columns: [...meta.columns, ...own.columns], names: [...meta.names, ...own.names] };
}

/** One fitted member's output on x. */
export function memberOutput(model: FittedModel, x: FeatureMatrix, ctx: TrainContext): MemberOutput {
  const proba = model.predictProba?.(x, ctx.signal);
  return { pred: model.predict(x, ctx.signal), ...(proba ? { proba } : {}) };
}

/**
 * The final model's training features: for each fold f of `fold` (0..k−1), every member is fitted
 * on the other folds and predicts fold f (scikit-learn's cross_val_predict).
 */
export function outOfFoldFeatures(members: readonly StackMember[], target: Target, fold: Int32Array, k: number, ctx: TrainContext): FeatureMatrix {
  const n = target.y.length;
  const classes = target.task === 'classification' ? target.classes : undefined;
  const nc = classes?.length ?? 0;
  const outputs: MemberOutput[] = members.map(() => ({ pred: new Float64Array(n), ...(classes ? { proba: new Float64Array(n * nc) } : {}) }));
  for (let f = 0; f < k; f++) {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < n; i++) (fold[i] === f ? test : train).push(i);
    const tr = Int32Array.from(train);
    const te = Int32Array.from(test);
    members.forEach((m, j) => {
      throwIfCancelled(ctx.signal);
      const copy = m.fit(subsetMatrix(m.x, tr), subsetTarget(target, tr), ctx);
      const out = memberOutput(copy, subsetMatrix(m.x, te), ctx);
      te.forEach((r, i) => {
        outputs[j].pred[r] = out.pred[i];
        for (let c = 0; c < nc; c++) outputs[j].proba![r * nc + c] = out.proba![i * nc + c];
      });
      ctx.onProgress?.((f * members.length + j + 1) / (k * members.length));
    });
  }
  return stackFeatures(members.map((m) => m.name), outputs, n, classes);
}

/**
 * Blending's two parts: the members are fitted on the rows outside the holdout, the final model's
 * features are their predictions on the holdout rows. The members are not refitted on every row:
 * the final model learned how far to trust these fits, not refits.
 */
export function blendMembers(members: readonly StackMember[], target: Target, holdout: Uint8Array, ctx: TrainContext): { fitted: FittedModel[]; features: FeatureMatrix; target: Target } {
  const fitRows: number[] = [];
  const heldRows: number[] = [];
  for (let i = 0; i < holdout.length; i++) (holdout[i] ? heldRows : fitRows).push(i);
  const tr = Int32Array.from(fitRows);
  const te = Int32Array.from(heldRows);
  const fitTarget = subsetTarget(target, tr);
  const fitted = members.map((m) => m.fit(subsetMatrix(m.x, tr), fitTarget, ctx));
  const outputs = fitted.map((model, j) => memberOutput(model, subsetMatrix(members[j].x, te), ctx));
  const classes = target.task === 'classification' ? target.classes : undefined;
  return { fitted, features: stackFeatures(members.map((m) => m.name), outputs, te.length, classes), target: subsetTarget(target, te) };
}
