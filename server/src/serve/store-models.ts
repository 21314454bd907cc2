// The models `narml serve` answers with: for each model of the checked pipeline, the latest
// version the run store holds (the fitted steps and saved model of the last run that trained
// it), with the raw input schema of the model as the pipeline declares it. Nothing is trained
// and no training data is read: a model that was never run is reported, not fitted.
import type { CheckedPipeline, ModelInfo } from '../checker/checked-model';
import type { ModelArtifact } from '../runner/run-pipeline';
import { readRegistry } from '../store/registry';
import { RunStore } from '../store/run-store';
import { exampleRow } from './openapi';
import { tableFromRows } from './request-rows';
import { loadServedModel, predictRows, SERVED_MODEL_FORMAT, type InputColumn, type ServedModel, type ServedModelData } from './served-model';

/** No model can be served as asked: the message says why and what to run. */
export class NothingToServeError extends Error {}

export function inputColumnsOf(info: ModelInfo): InputColumn[] {
  return info.inputColumns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable, ...(c.type === 'category' && c.levels ? { levels: c.levels } : {}) }));
}

/**
 * Loads the served models of `names` (default every model with a stored version). A requested
 * model that was never trained, an ensemble, or a stored version whose steps do not take the
 * input the pipeline now declares is refused with the command that fixes it.
 */
export function servedModelsFromStore(checked: CheckedPipeline, names: string[]): { models: ServedModel[]; skipped: string[] } {
  const file = checked.file;
  const versions = readRegistry(file).versions.filter((v) => v.file === file);
  const store = RunStore.lookup(file, checked.workspace);
  const declared = checked.infos.filter((i): i is ModelInfo => i?.kind === 'model');
  for (const n of names) {
    if (!declared.some((m) => m.name === n)) throw new NothingToServeError(`"${n}" is not a model of ${file}; its models: ${declared.map((m) => m.name).join(', ') || 'none'}`);
  }
  const models: ServedModel[] = [];
  const skipped: string[] = [];
  for (const info of declared) {
    if (names.length > 0 && !names.includes(info.name)) continue;
    const why = (reason: string): void => {
      if (names.length > 0) throw new NothingToServeError(`model ${info.name}: ${reason}`);
      skipped.push(`${info.name}: ${reason}`);
    };
    if (info.ensemble) { why('an ensemble is not served yet; serve its members'); continue; }
    const latest = versions.filter((v) => v.model === info.name).at(-1);
    if (!latest) { why(`no trained version in ${store.dir}; run it first: narml run ${file} ${info.name}`); continue; }
    const artifact = store.getArtifact<ModelArtifact>(latest.artifact);
    if (!artifact?.saved) { why(`the stored version ${latest.version} (run ${latest.run}) is missing from ${store.dir}/artifacts; run it again: narml run ${file} ${info.name}`); continue; }
    const data: ServedModelData = {
      format: SERVED_MODEL_FORMAT, name: info.name, version: latest.version, file, created: latest.created,
      task: artifact.saved.task, target: latest.target, input: inputColumnsOf(info), steps: artifact.steps, saved: artifact.saved,
    };
    const model = loadServedModel(data);
    // A version trained from an older text may need columns the pipeline no longer declares.
    try {
      predictRows(model, tableFromRows([exampleRow(data.input)], data.input));
    } catch (e) {
      why(`the latest stored version ${latest.version} (run ${latest.run}) does not take the input columns the pipeline now declares (${e instanceof Error ? e.message : String(e)}); train it as it is now: narml run ${file} ${info.name}`);
      continue;
    }
    models.push(model);
  }
  if (models.length === 0) throw new NothingToServeError(`no model of ${file} can be served:\n  ${skipped.join('\n  ') || 'it declares no model'}`);
  return { models, skipped };
}
