// Every algorithm by name, and models rebuilt from their stored parameters.
import { restoreCalibrated } from './calibration';
import { decisionTree, treeEnsembleModel } from './decision-tree';
import { gradientBoosting } from './gradient-boosting';
import { knn, knnModel } from './knn';
import { linearRegression } from './linear-regression';
import { linearModel, logisticRegression } from './logistic-regression';
import type { Algorithm, FittedModel, SavedModel } from './model-types';
import { naiveBayes, naiveBayesModel } from './naive-bayes';
import { randomForest } from './random-forest';

const ALGORITHMS: Record<string, Algorithm> = Object.fromEntries(
  [logisticRegression, linearRegression, decisionTree, randomForest, gradientBoosting, knn, naiveBayes].map((a) => [a.name, a]),
);

export function getAlgorithm(name: string): Algorithm | undefined {
  return ALGORITHMS[name];
}

export function saveModel(m: FittedModel): SavedModel {
  const imp = m.featureImportances?.();
  return { algorithm: m.algorithm, task: m.task, ...(m.classes ? { classes: m.classes } : {}), featureNames: m.featureNames, params: m.params, ...(imp ? { importances: Array.from(imp) } : {}) };
}

/** Rebuilds prediction from stored parameters alone, so a stored model predicts identically. */
export function restoreModel(s: SavedModel): FittedModel {
  const p = s.params;
  let model: FittedModel;
  switch (p.kind) {
    case 'linear': model = linearModel(s.algorithm, p, s.featureNames, s.classes); break;
    case 'tree-ensemble': model = treeEnsembleModel(s.algorithm, p, s.featureNames, s.classes); break;
    case 'knn': model = knnModel(p, s.featureNames, s.classes); break;
    case 'gaussian-nb': model = naiveBayesModel(p, s.featureNames, s.classes ?? []); break;
    case 'calibrated': model = restoreCalibrated({ ...s, params: p }, restoreModel); break;
  }
  const importances = s.importances ? Float64Array.from(s.importances) : undefined;
  return importances ? { ...model, featureImportances: () => importances } : model;
}
