// `export M to "path"`: writes the model's whole pipeline in the format its extension names, or
// a scoring bundle into a folder (`to "dir/"`).
import type { ExportInfo } from '../checker/checked-model';
import { exportPipelineToOnnx } from '../export/onnx-export';
import { exportPipelineToPython } from '../export/python-export';
import { writeScoringBundle } from '../serve/scoring-bundle';
import { SERVED_MODEL_FORMAT, unionColumns, type ServedModelData } from '../serve/served-model';
import { inputColumnsOf } from '../serve/store-models';
import { saveModel } from '../ml/registry';
import { writeFileAtomic } from '../store/atomic-write';
import type { Workspace } from '../workspace/output-paths';
import { RunError } from './pipeline-data';
import type { TrainedModel } from './scoring';

/** `version`: the model version the run reports, recorded in a scoring bundle. */
export function exportModel(decl: ExportInfo, tm: TrainedModel, workspace: Workspace, version: string): void {
  if (decl.format === 'bundle') {
    writeScoringBundle(decl.path, servedData(decl.model, tm, version), workspace);
    return;
  }
  if (decl.format === 'pmml') throw new RunError(`export ${decl.model} to ${decl.path}: the pmml format is not supported yet; export to a .onnx or .py file`);
  if (!tm.model) throw new RunError(`export ${decl.model}: ensembles cannot be exported to ${decl.format === 'py' ? 'Python' : 'ONNX'} yet`);
  const input = { name: decl.model, inputColumns: tm.info.inputColumns, steps: tm.steps, model: { algorithm: tm.model.algorithm, task: tm.model.task, ...(tm.model.classes ? { classes: tm.model.classes } : {}), featureNames: tm.model.featureNames, params: tm.model.params } };
  writeFileAtomic(decl.path, decl.format === 'py' ? exportPipelineToPython(input) : exportPipelineToOnnx(input), workspace);
}

/** The model as a scoring bundle's model.json holds it: an ensemble with its members as it predicts with them. */
function servedData(name: string, tm: TrainedModel, version: string): ServedModelData {
  const base = { format: SERVED_MODEL_FORMAT, name, version, task: tm.info.task!, target: tm.info.target ?? '', steps: tm.steps } as const;
  const e = tm.info.ensemble;
  if (!e || !tm.members) return { ...base, input: inputColumnsOf(tm.info), saved: saveModel(tm.model!) };
  const members = tm.members.map((m) => ({ name: m.info.name, input: inputColumnsOf(m.info), steps: m.steps, saved: saveModel(m.model!) }));
  return {
    ...base, input: unionColumns([...members.map((m) => m.input), e.passthrough ? inputColumnsOf(tm.info) : []]), ...(tm.final ? { saved: saveModel(tm.final) } : {}),
    ensemble: { method: e.method, soft: e.soft, passthrough: e.passthrough === true, members },
  };
}
