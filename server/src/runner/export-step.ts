// `export M to "path"`: writes the model's whole pipeline in the format its extension names.
import type { ExportInfo } from '../checker/checked-model';
import { exportPipelineToOnnx } from '../export/onnx-export';
import { writeFileAtomic } from '../store/atomic-write';
import type { Workspace } from '../workspace/output-paths';
import { RunError } from './pipeline-data';
import type { TrainedModel } from './scoring';

export function exportModel(decl: ExportInfo, tm: TrainedModel, workspace: Workspace): void {
  if (decl.format !== 'onnx') throw new RunError(`export ${decl.model} to ${decl.path}: the ${decl.format} format is not supported yet; export to a .onnx file`);
  if (!tm.model) throw new RunError(`export ${decl.model}: ensembles cannot be exported to ONNX yet`);
  const bytes = exportPipelineToOnnx({ name: decl.model, inputColumns: tm.info.inputColumns, steps: tm.steps, model: { algorithm: tm.model.algorithm, task: tm.model.task, ...(tm.model.classes ? { classes: tm.model.classes } : {}), featureNames: tm.model.featureNames, params: tm.model.params } });
  writeFileAtomic(decl.path, bytes, workspace);
}
