// A trained model as the store keeps it (one artifact per fitted model and its fitted steps) and
// its restoration: a run reusing its model and a retraining loading the production version both
// rebuild it here, so both predict exactly as the run that trained it.
import type { ModelInfo } from '../checker/checked-model';
import type { SearchBudgetJson, TrialJson } from '../contracts/cli-json';
import type { SavedModel } from '../ml/model-types';
import { restoreModel } from '../ml/registry';
import type { FittedStep } from '../transforms/fitted-step';
import { RunError } from './pipeline-data';
import type { TrainedModel } from './scoring';
import type { TypicalRow } from '../serve/openapi';

export interface ModelArtifact {
  saved?: SavedModel;
  /** Blending's members as it fitted them (without its holdout). */
  members?: SavedModel[];
  /** An ensemble's members as trained on every training row: their artifacts, in the order of `options.of`. */
  memberArtifacts?: string[];
  steps: FittedStep[];
  trainRows: number;
  algorithm: string;
  options: Record<string, unknown>;
  trials: TrialJson[];
  selection?: string;
  /** The searches' time budgets (absent in older artifacts and when no search had one). */
  budgets?: SearchBudgetJson[];
  /** A typical raw training row, for example requests (absent in older artifacts and for ensembles). */
  example?: TypicalRow;
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

/** Where an ensemble's restoration finds its members: their artifacts, and their declarations by name. */
export interface MemberSource {
  artifact(hash: string): ModelArtifact | undefined;
  info(name: string): ModelInfo | undefined;
}

/**
 * The model a stored version holds: a single model as `restoreTrained`, an ensemble with its
 * members restored from their own artifacts (blending's own fits of them from its artifact) and
 * its method as it was trained. Undefined when a part is missing from the store, or for an
 * ensemble stored before its members were recorded with it.
 */
export function restoreStored(info: ModelInfo, artifact: ModelArtifact, from: MemberSource): TrainedModel | undefined {
  if (!artifact.memberArtifacts) return info.ensemble ? undefined : restoreTrained(info, artifact);
  const names = artifact.options.of;
  if (!Array.isArray(names) || names.length !== artifact.memberArtifacts.length) return undefined;
  const members: TrainedModel[] = [];
  for (const [j, hash] of artifact.memberArtifacts.entries()) {
    const memberInfo = from.info(String(names[j]));
    const stored = from.artifact(hash);
    const member = memberInfo && stored && restoreTrained(memberInfo, stored);
    if (!member) return undefined;
    members.push(artifact.members ? { ...member, model: restoreModel(artifact.members[j]) } : member);
  }
  const o = artifact.options;
  const ensemble: NonNullable<ModelInfo['ensemble']> = {
    method: artifact.algorithm as 'voting' | 'stacking' | 'blending', members: names.map(String), soft: o.soft !== false, passthrough: o.passthrough === true,
    ...(typeof o.final === 'string' ? { final: o.final } : {}), ...(typeof o.cv === 'number' ? { cv: o.cv } : {}), ...(typeof o.holdout === 'number' ? { holdout: o.holdout } : {}),
  };
  return {
    info: learnedInfo({ ...info, ensemble }, members[0].info.classes), steps: artifact.steps, members,
    ...(artifact.saved ? { final: restoreModel(artifact.saved) } : {}), trainRows: artifact.trainRows, options: artifact.options,
  };
}

/** The model an artifact holds (undefined for an ensemble's, which keeps no fitted model). */
export function restoreTrained(decl: ModelInfo, artifact: ModelArtifact): TrainedModel | undefined {
  if (!artifact.saved) return undefined;
  const model = restoreModel(artifact.saved);
  return { info: learnedInfo(decl, model.classes), steps: artifact.steps, model, trainRows: artifact.trainRows, options: artifact.options };
}
