// The models `narml serve` answers with: for each model of the checked pipeline, the versions the
// registry derives from the run store (the fitted steps and saved model of each), with the raw
// input schema of the model as the pipeline declares it. Nothing is trained
// and no training data is read: a model that was never run is reported, not fitted.
import type { CheckedPipeline, ModelInfo } from '../checker/checked-model';
import type { ModelArtifact } from '../runner/model-artifact';
import type { ModelVersionJson } from '../contracts/cli-json';
import type { Task } from '../language/schema';
import { readRegistry, RegistryError, STAGES } from '../store/registry';
import { RunStore } from '../store/run-store';
import { exampleRow } from './openapi';
import { tableFromRows } from './request-rows';
import { loadServedModel, predictRows, SERVED_MODEL_FORMAT, type InputColumn, type ServedMemberData, type ServedModel, type ServedModelData, unionColumns } from './served-model';

/** No model can be served as asked: the message says why and what to run. */
export class NothingToServeError extends Error {}

export function inputColumnsOf(info: ModelInfo): InputColumn[] {
  return info.inputColumns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable, ...(c.type === 'category' && c.levels ? { levels: c.levels } : {}) }));
}

/** `NAME` or `NAME@REF` (a version `v3` or a stage), as `narml serve` and the URLs take them. */
function splitRef(name: string): { model: string; ref?: string } {
  const at = name.indexOf('@');
  return at < 0 ? { model: name } : { model: name.slice(0, at), ref: name.slice(at + 1) };
}

/**
 * Loads the served models of `names` (`NAME`, or `NAME@REF` for one version; default every model
 * with a stored version). Every registry version of a model is served at `/predict/NAME@vN`, a
 * staged one also at `/predict/NAME@STAGE`, and the latest at `/predict/NAME`. A requested model
 * that was never trained, or a stored version whose steps do not take the input the
 * pipeline now declares is refused (named) or skipped (every model) with the command that fixes it.
 */
export function servedModelsFromStore(checked: CheckedPipeline, names: string[]): { models: ServedModel[]; skipped: string[] } {
  const file = checked.file;
  const registry = readRegistry(file);
  const store = RunStore.lookup(file, checked.workspace);
  const declared = checked.infos.filter((i): i is ModelInfo => i?.kind === 'model');
  const wanted = names.map(splitRef);
  for (const { model } of wanted) {
    if (!declared.some((m) => m.name === model)) throw new NothingToServeError(`"${model}" is not a model of ${file}; its models: ${declared.map((m) => m.name).join(', ') || 'none'}`);
  }
  const models: ServedModel[] = [];
  const skipped: string[] = [];
  for (const info of declared) {
    const asked = wanted.find((w) => w.model === info.name);
    if (wanted.length > 0 && !asked) continue;
    const why = (reason: string): void => {
      if (asked) throw new NothingToServeError(`model ${info.name}: ${reason}`);
      skipped.push(`${info.name}: ${reason}`);
    };
    const versions = registry.of(file, info.name);
    if (versions.length === 0) { why(`no trained version in ${store.dir}; run it first: narml run ${file} ${info.name}`); continue; }
    let chosen = versions;
    if (asked?.ref) {
      try {
        chosen = [registry.resolve(file, info.name, asked.ref)];
      } catch (e) {
        if (e instanceof RegistryError) throw new NothingToServeError(e.message);
        throw e;
      }
    }
    const latest = chosen[chosen.length - 1];
    for (const v of chosen) {
      const refs = [`${info.name}@${v.version}`];
      if (v === latest) refs.unshift(info.name);
      for (const stage of STAGES) if (registry.find(file, info.name, stage) === v) refs.push(`${info.name}@${stage}`);
      if (asked?.ref && !refs.includes(`${info.name}@${asked.ref}`)) refs.push(`${info.name}@${asked.ref}`);
      const problem = loadVersion(v, info, store, refs, models, (name) => declared.find((m) => m.name === name));
      if (problem) why(`${v.version}${v === latest ? ' (the latest)' : ''} ${problem}; train it as the pipeline is now: narml run ${file} ${info.name}`);
    }
  }
  if (models.length === 0) throw new NothingToServeError(`no model of ${file} can be served:\n  ${skipped.join('\n  ') || 'it declares no model'}`);
  return { models, skipped };
}

/** Loads one version into `into`; says why not when it cannot be served. */
function loadVersion(v: ModelVersionJson, info: ModelInfo, store: RunStore, refs: string[], into: ServedModel[], declared: (name: string) => ModelInfo | undefined): string | undefined {
  const artifact = store.getArtifact<ModelArtifact>(v.artifact);
  const missing = `(run ${v.run}) is missing from ${store.dir}/artifacts`;
  if (!artifact) return missing;
  const base: Omit<ServedModelData, 'input' | 'steps' | 'saved' | 'ensemble'> = {
    format: SERVED_MODEL_FORMAT, name: info.name, version: v.version, definition: v.definition, ...(v.stage ? { stage: v.stage } : {}), file: v.file, created: v.created, task: v.task as Task, target: v.target,
    ...(artifact.example ? { example: artifact.example } : {}),
  };
  let data: ServedModelData;
  if (artifact.memberArtifacts) {
    const names = (artifact.options.of as unknown[]).map(String);
    const members: ServedMemberData[] = [];
    for (const [j, name] of names.entries()) {
      const memberInfo = declared(name);
      const stored = store.getArtifact<ModelArtifact>(artifact.memberArtifacts[j]);
      if (!memberInfo) return `(run ${v.run}) has the member ${name}, which the pipeline no longer declares`;
      if (!stored?.saved) return `(run ${v.run}): its member ${name} ${missing.slice(missing.indexOf(') ') + 2)}`;
      members.push({ name, input: inputColumnsOf(memberInfo), steps: stored.steps, saved: artifact.members?.[j] ?? stored.saved });
    }
    const passthrough = artifact.options.passthrough === true;
    data = {
      ...base, input: unionColumns([...members.map((m) => m.input), passthrough ? inputColumnsOf(info) : []]), steps: artifact.steps, ...(artifact.saved ? { saved: artifact.saved } : {}),
      ensemble: { method: artifact.algorithm as 'voting' | 'stacking' | 'blending', soft: artifact.options.soft !== false, passthrough, members },
    };
  } else {
    if (!artifact.saved) return missing;
    data = { ...base, input: inputColumnsOf(info), steps: artifact.steps, saved: artifact.saved };
  }
  const model = loadServedModel(data, refs);
  // A version trained from an older text may need columns the pipeline no longer declares.
  try {
    predictRows(model, tableFromRows([exampleRow(data.input, data.example)], data.input));
  } catch (e) {
    return `(run ${v.run}) does not take the input columns the pipeline now declares (${e instanceof Error ? e.message : String(e)})`;
  }
  into.push(model);
  return undefined;
}
