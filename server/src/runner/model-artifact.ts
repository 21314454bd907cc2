// A trained model as the store keeps it (one artifact per fitted model and its fitted steps) and
// its restoration: a run reusing its model and a retraining loading the production version both
// rebuild it here, so both predict exactly as the run that trained it.
import type { ModelInfo } from '../checker/checked-model';
import type { TrialJson } from '../contracts/cli-json';
import type { SavedModel } from '../ml/model-types';
import { restoreModel } from '../ml/registry';
import type { FittedStep } from '../transforms/fitted-step';
import { RunError } from './pipeline-data';
import type { TrainedModel } from './scoring';

export interface ModelArtifact {
  saved?: SavedModel;
  /** Blending's members as it fitted them (without its holdout). */
  members?: SavedModel[];
  steps: FittedStep[];
  trainRows: number;
  algorithm: string;
  options: Record<string, unknown>;
  trials: TrialJson[];
  selection?: string;
}

/**
 * The model as trained: the checker's info with the classes learned from the training rows.
 * A classifier needs two of them; one class would score every row right and report roc_auc 0.
 */
export function learnedInfo(decl: ModelInfo, classes: string[] | undefined): ModelInfo {
  if (decl.task !== 'classification' || !classes) return decl;
  if (classes.length < 2) {
    throw new RunError(`model ${decl.name}: the target "${decl.target}" has ${classes.length === 0 ? 'no value' : `only the class "${classes[0]}"`} in the training rows of "${decl.input}"; a classifier needs at least two classes: check the filters and the split before it`);
  }
  return { ...decl, classes };
}

/** The model an artifact holds (undefined for an ensemble's, which keeps no fitted model). */
export function restoreTrained(decl: ModelInfo, artifact: ModelArtifact): TrainedModel | undefined {
  if (!artifact.saved) return undefined;
  const model = restoreModel(artifact.saved);
  return { info: learnedInfo(decl, model.classes), steps: artifact.steps, model, trainRows: artifact.trainRows, options: artifact.options };
}
