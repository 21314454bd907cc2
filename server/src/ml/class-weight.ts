// Class weights as scikit-learn's class_weight: "balanced" gives class c the weight
// n_samples / (n_classes * count_c) (compute_class_weight), a map gives each named class its
// weight (1 for a class it does not name). A row weighs what its class weighs; the algorithms
// take these row weights into their losses, impurities and leaf values.
import type { AlgorithmOptions, Target } from './model-types';

/** `class_weight` as the runner passes it in an algorithm's options: "balanced" or class → weight. */
export type ClassWeightOption = 'balanced' | Readonly<Record<string, number>>;

/** Per-class weights of a classification target (by class index), or undefined when the options give no class weight. */
export function classWeights(options: AlgorithmOptions, target: Target): Float64Array | undefined {
  const option = options.class_weight as ClassWeightOption | undefined;
  if (option === undefined || target.task !== 'classification') return undefined;
  const K = target.classes.length;
  const y = target.y;
  const perClass = new Float64Array(K).fill(1);
  if (option === 'balanced') {
    const counts = new Float64Array(K);
    for (let i = 0; i < y.length; i++) counts[y[i]]++;
    // Only the classes present count, as compute_class_weight over the classes of y.
    const present = counts.filter((c) => c > 0).length;
    for (let k = 0; k < K; k++) perClass[k] = counts[k] > 0 ? y.length / (present * counts[k]) : 1;
  } else {
    for (let k = 0; k < K; k++) perClass[k] = option[target.classes[k]] ?? 1;
  }
  return perClass;
}

/** Per-row weights: each row weighs what its class weighs (`perClass`, by default `classWeights` of the target). */
export function classRowWeights(options: AlgorithmOptions, target: Target, perClass = classWeights(options, target)): Float64Array | undefined {
  if (!perClass || target.task !== 'classification') return undefined;
  return Float64Array.from(target.y, (c) => perClass[c]);
}
