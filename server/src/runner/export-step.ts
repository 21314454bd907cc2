// `export M to "path"`: writes the model's whole pipeline in the format its extension names, or
// a scoring bundle into a folder (`to "dir/"`).
import type { ExportInfo } from '../checker/checked-model';
import { exportPipelineToOnnx, type OnnxEnsembleInput, type OnnxExportInput } from '../export/onnx-export';
import type { FittedModel, SavedModel } from '../ml/model-types';
import { exportPipelineToPmml } from '../export/pmml-export';
import { exportPipelineToPython } from '../export/python-export';
import { writeScoringBundle } from '../serve/scoring-bundle';
import { SERVED_MODEL_FORMAT, unionColumns, type ServedModelData } from '../serve/served-model';
import { inputColumnsOf } from '../serve/store-models';
import { saveModel } from '../ml/registry';
import { stepsFor } from '../transforms/needed-steps';
import { writeFileAtomic } from '../store/atomic-write';
import type { Workspace } from '../workspace/output-paths';
import { RunError } from './pipeline-data';
import type { TrainedModel } from './scoring';

/** What a scoring bundle records of the model: its registry version (else its definition hash), definition hash and typical row. */
export type BundleLabel = Pick<ServedModelData, 'version' | 'definition' | 'example'>;

export function exportModel(decl: ExportInfo, tm: TrainedModel, workspace: Workspace, label: BundleLabel): void {
  if (decl.format === 'bundle') {
    writeScoringBundle(decl.path, servedData(decl.model, tm, label), workspace);
    return;
  }
  const part = exportedPart(decl.model, tm);
  writeFileAtomic(decl.path, decl.format === 'onnx' ? exportPipelineToOnnx(part) : decl.format === 'py' ? exportPipelineToPython(part) : exportPipelineToPmml(part), workspace);
}

/** A fitted model's parameters as the exporters read them (no importances: nothing exported shows them). */
const exportedModel = (m: FittedModel): SavedModel => ({ algorithm: m.algorithm, task: m.task, ...(m.classes ? { classes: m.classes } : {}), featureNames: m.featureNames, params: m.params });

/** A trained model, or an ensemble with every member's steps and fitted model, for the exporters. */
export function exportedPart(name: string, tm: TrainedModel): OnnxExportInput | OnnxEnsembleInput {
  if (tm.model) return { name, inputColumns: tm.info.inputColumns, steps: stepsFor(tm.steps, tm.model.featureNames), model: exportedModel(tm.model) };
  const ens = tm.info.ensemble;
  if (!ens || !tm.members) throw new RunError(`export ${name}: the model has neither a fitted model nor members`);
  const members = tm.members.map((m) => exportedPart(m.info.name, m));
  const combine = tm.final
    ? { method: ens.method as 'stacking' | 'blending', steps: stepsFor(tm.steps, tm.final.featureNames), final: exportedModel(tm.final) }
    : { method: 'voting' as const, soft: ens.soft };
  // The ensemble's own columns are inputs only when passed through: the members read the rest.
  return { name, inputColumns: ens.passthrough ? tm.info.inputColumns : [], task: tm.info.task!, ...(tm.info.classes ? { classes: tm.info.classes } : {}), members, combine };
}

/** The model as a scoring bundle's model.json holds it: an ensemble with its members as it predicts with them. */
function servedData(name: string, tm: TrainedModel, label: BundleLabel): ServedModelData {
  const base = { format: SERVED_MODEL_FORMAT, name, ...label, task: tm.info.task!, target: tm.info.target ?? '', steps: tm.steps } as const;
  const e = tm.info.ensemble;
  if (!e || !tm.members) return { ...base, input: inputColumnsOf(tm.info), saved: saveModel(tm.model!) };
  const members = tm.members.map((m) => ({ name: m.info.name, input: inputColumnsOf(m.info), steps: m.steps, saved: saveModel(m.model!) }));
  return {
    ...base, input: unionColumns([...members.map((m) => m.input), e.passthrough ? inputColumnsOf(tm.info) : []]), ...(tm.final ? { saved: saveModel(tm.final) } : {}),
    ensemble: { method: e.method, soft: e.soft, passthrough: e.passthrough === true, members },
  };
}
