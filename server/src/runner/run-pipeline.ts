// Runs a checked pipeline: the requested declarations and what they depend on, in lineage
// order. Trained models and evaluation reports are stored by content hash and reused when the
// declaration's definition and its input files are unchanged.
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CheckedPipeline, DeclarationInfo, ModelInfo, MonitorInfo, PredictInfo } from '../checker/checked-model';
import { diagnosticJson, type Diagnostic } from '../checker/diagnostic';
import type { NotifyEventJson, ComparisonJson, EvaluationJson, ModelJson, WithActualsJson, ModelVersionJson, MonitorJson, PredictionJson, ProgressEvent, RegistryUse, RunJson, SearchBudgetJson, TrialJson } from '../contracts/cli-json';
import type { LoadedBundle } from '../cli/bundle-loader';
import type { CancelSignal } from '../ml/cancellation';
import type { Table } from '../data/table';
import type { FeatureMatrix, Target } from '../ml/model-types';
import { restoreModel, saveModel } from '../ml/registry';
import { appendAudit, prefetchGitAuthor, type AuditInput } from '../store/audit-log';
import { toJsonText } from '../store/json-text';
import { readRegistry, versionOfRun } from '../store/registry';
import { typicalRow, typicalSample } from '../serve/openapi';
import { newRunId, RunStore, sha256, type RunExtras } from '../store/run-store';
import { definitionHash } from './definition-hash';
import { exportModel } from './export-step';
import { makeTarget, featureMatrix, fittedFeatures, targetValues, trainingClasses, usableRows, subsetMatrix } from './model-data';
import { learnedInfo, restoreStored, restoreTrained, type ModelArtifact } from './model-artifact';
import { monitorReport } from './monitor';
import { followUpMonitors, judgeChallenger, registryStages, type Challenger, type ModelStages } from './retrain';
import type { NotifyOptions } from '../scheduler/notify';
import { engineFor } from '../engine/engine-for';
import { isStreaming, type Engine, type EngineName } from '../engine/engine';
import { PipelineData, RunError, type Chain, type TablesRead } from './pipeline-data';
import { predictToFile, predictToTable, type KeepPredictions } from './predict';
import { labelledRows, storePredictions, unseenClassesText, watchingMonitors } from './actuals';
import { LabelledRowsEngine } from './labelled-rows-engine';
import { comparisonReport, crossValidateReport, evaluationReport, scoreOn, scoreStreamed, scoresRowByRow, unscoredWarnings, type Scored, type TrainedModel } from './scoring';
import { trainEnsemble, type Passthrough } from './train-ensemble';
import { resampleWarnings, trainBinned, trainModel, type TrainOutcome } from './train-model';
import { scoreInCluster, trainInCluster } from './train-in-cluster';
import { ClickHouseEngine } from '../engine/clickhouse-engine';
import type { FittedStep } from '../transforms/fitted-step';

export interface RunOptions {
  names?: string[];
  /** Cancels the run (status `cancelled`): polled between declarations and inside training, tuning, cross-validation and prediction. */
  signal?: CancelSignal;
  onEvent?: (e: ProgressEvent) => void;
  /** Date used for `{date}` in output paths (default today). */
  now?: Date;
  /** The scheduled predict and attempt that started this run, recorded with it. */
  schedule?: RunJson['schedule'];
  /** Files the check already read in full: the run uses them instead of reading them again. */
  tables?: TablesRead;
  /** Monitors whose `retrain: schedule` fired: they retrain whatever the drift. */
  retrainNow?: string[];
  /** The model registry retraining reads production from and promotes into (default: the store's). */
  stages?: ModelStages;
  /** An editor reads `onEvent`: `notify: vscode` is delivered as a `notify` event. */
  editorEvents?: boolean;
  /** Where datasets are read and steps run (default memory). */
  engine?: EngineName;
  /** Webhook timing, shortened by tests. */
  notify?: Pick<NotifyOptions, 'baseDelayMs' | 'attempts' | 'timeoutMs'>;
}

/** Names to run: the requested ones and, transitively, what they read. */
export function planOf(checked: CheckedPipeline, names?: string[]): string[] {
  const wanted = new Set<string>();
  // A predict or monitor of a stored version (`with churn@production`) does not need the model
  // trained, unless the monitor retrains it: the model trained now is its challenger.
  const needs = (n: string, d: string): boolean => {
    const info = checked.infos[checked.symbols.get(n)!.declarationIndex];
    if (info?.kind === 'monitor' && info.retrain !== 'never') return true;
    return !((info?.kind === 'predict' || info?.kind === 'monitor') && info.version && info.model === d);
  };
  const visit = (n: string): void => {
    if (wanted.has(n)) return;
    const s = checked.symbols.get(n);
    if (!s) throw new RunError(`"${n}" is not declared in this file; declared: ${[...checked.symbols.keys()].join(', ')}`);
    wanted.add(n);
    for (const d of s.dependsOn) if (checked.symbols.has(d) && needs(n, d)) visit(d);
  };
  for (const n of names && names.length > 0 ? names : [...checked.symbols.keys()]) visit(n);
  return checked.order.filter((n) => wanted.has(n));
}

/**
 * Check errors that stop running `names`: those inside a declaration of their plan and those
 * outside every declaration. An error elsewhere in the file does not stop another schedule.
 */
export function planErrors(checked: CheckedPipeline, names: string[]): Diagnostic[] {
  const declarations = checked.document.declarations;
  const inPlan = new Set(planOf(checked, names).map((n) => checked.symbols.get(n)!.declarationIndex));
  return checked.diagnostics.filter((d) => {
    if (d.severity !== 'error') return false;
    const at = d.range.start.offset;
    const i = declarations.findIndex((x) => x.range.start.offset <= at && at <= x.range.end.offset);
    return i < 0 || inPlan.has(i);
  });
}

/** The result of a run that could not start (check errors, unwritable store), as `--json` prints it. */
export function failedRun(file: string, started: Date, error: string, diagnostics: Diagnostic[] = []): RunJson {
  return {
    run: newRunId(started), status: 'failed', evaluations: {}, comparisons: {}, outputs: [], file, started: started.toISOString(),
    finished: new Date().toISOString(), computed: [], reused: [], models: {}, predictions: {}, monitors: {}, error,
    ...(diagnostics.length > 0 ? { diagnostics: diagnostics.map(diagnosticJson) } : {}),
  };
}

/**
 * The bytes of the program that runs (the bundle, or this module under tests): a model trained by
 * other code (an older NarML that read or trained differently) is retrained, never reused with
 * the figures of that code. A bundle's hash is the one its loader computed for the code cache.
 */
const codeVersion = ((): string => {
  const loaded = (require.cache[__filename] as LoadedBundle | undefined)?.sha256;
  if (loaded) return loaded;
  try {
    return sha256(readFileSync(__filename));
  } catch {
    return '';
  }
})();

/** The key a declaration's result is stored and reused under: its definition, computed by this program. */
function reuseKey(definition: string): string {
  return sha256(`${codeVersion}|${definition}`);
}

/**
 * True when running `names` would train no model: every model of the plan has a result stored by
 * this program for its definition as it is now (input files hashed by identity, as a run does).
 * False too when a definition cannot be computed (a file gone): the run itself reports that.
 */
export async function trainsNothing(checked: CheckedPipeline, names: string[], store: RunStore): Promise<boolean> {
  const definitions = new Map<string, string>();
  for (const name of planOf(checked, names)) {
    try {
      definitions.set(name, (await definitionHash(checked, name, definitions, (f) => store.fileHash(f))).definition);
    } catch {
      return false;
    }
    const decl = checked.infos[checked.symbols.get(name)!.declarationIndex];
    // A voting ensemble is made from its members, never trained or stored itself.
    if (decl?.kind === 'model' && decl.ensemble?.method !== 'voting' && !store.hasResult(reuseKey(definitions.get(name)!))) return false;
  }
  return true;
}

/** What a model's search recorded (tune, auto). */
type Search = { trials?: TrialJson[]; selection?: string; budgets?: SearchBudgetJson[] };

export async function runPipeline(checked: CheckedPipeline, opts: RunOptions = {}): Promise<RunJson> {
  const now = opts.now ?? new Date();
  const emit = opts.onEvent ?? (() => undefined);
  const plan = planOf(checked, opts.names);
  const store = RunStore.open(checked.file, checked.workspace);
  // The audit line at the end names the git author: git starts now, beside the run's work.
  prefetchGitAuthor(dirname(checked.file), store.dir);
  const warnings: string[] = [];
  const checkWarnings = checked.diagnostics.filter((d) => d.severity !== 'error');
  const run: RunJson = {
    run: newRunId(now), status: 'succeeded', evaluations: {}, comparisons: {}, outputs: [], file: checked.file,
    started: now.toISOString(), finished: '', computed: [], reused: [], definitions: {}, models: {}, predictions: {}, monitors: {},
    ...(opts.schedule ? { schedule: opts.schedule } : {}),
    pipelineHash: sha256(checked.text), inputs: {},
    warnings,
    ...(checkWarnings.length > 0 ? { diagnostics: checkWarnings.map(diagnosticJson) } : {}),
  };
  const warn = (message: string): void => {
    warnings.push(message);
    emit({ type: 'log', level: 'warning', message });
  };
  // Recorded before any work: a store that cannot be written stops the run here (WriteError).
  store.startRun(run);
  const extras: Required<RunExtras> = { artifacts: {}, lineage: {} };
  const stages = opts.stages ?? registryStages(checked, run.pipelineHash);
  const engine = engineFor(checked, { signal: opts.signal, onRead: (dataset, f) => emit({ type: 'stage', stage: 'read', declaration: dataset, fraction: f }), tablesRead: opts.tables }, opts.engine);
  const data = new PipelineData(checked, engine);
  // Definition hashes (text, what is read, input files) as recorded; reuse keys also hold the program.
  const definitions = new Map<string, string>();
  const hashes = new Map<string, string>();
  const trained = new Map<string, TrainedModel>();
  /** Registry versions restored in this run, by `model@ref`: a stage is resolved once per run. */
  const stored = new Map<string, { tm: TrainedModel; registry: RegistryUse }>();
  const info = (name: string): DeclarationInfo | undefined => checked.infos[checked.symbols.get(name)!.declarationIndex];
  /** Appends to the store's audit log; a log that cannot be written is a warning, never the run's failure. */
  const audit = (event: Omit<AuditInput, 'file' | 'run' | 'pipelineHash'>): void => {
    try {
      appendAudit(store.dir, { ...event, file: checked.file, run: run.run, pipelineHash: run.pipelineHash }, checked.workspace);
    } catch (e) {
      warn(`the audit log could not be written: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  // The declaration being computed, for saying where a cancelled run stopped.
  let current = '';
  try {
    for (const name of plan) {
      if (opts.signal?.aborted) throw new RunError('cancelled');
      current = name;
      const decl = info(name);
      if (!decl) throw new RunError(`"${name}" could not be checked; fix its errors first`);
      // Files hashed by identity (RunStore.fileHash): an unchanged training file is not read to find it unchanged.
      const { definition, files } = await definitionHash(checked, name, definitions, (f) => store.fileHash(f));
      if (decl.kind === 'dataset') run.inputs![name] = files;
      definitions.set(name, definition);
      const hash = reuseKey(definition);
      hashes.set(name, hash);
      switch (decl.kind) {
        case 'dataset':
        case 'transform':
        case 'split':
          break;
        case 'model':
          trained.set(name, await trainOrReuse(decl, hash));
          break;
        case 'evaluate': {
          const tm = trained.get(decl.model)!;
          emit({ type: 'stage', stage: 'evaluate', declaration: name, fraction: 0 });
          const [scored] = await scoredOn([tm], decl.on);
          for (const w of unscoredWarnings(`evaluate ${name}`, decl.on, scored, tm)) warn(w);
          let cv: EvaluationJson['cv'];
          if (decl.cv && tm.model) {
            const trainChain = data.chain(tm.info.input);
            cv = crossValidateReport(decl, tm, (await data.fitChain(trainChain)).train.table, opts.signal);
          }
          const report = evaluationReport(decl, tm, scored, cv);
          run.evaluations[name] = report;
          run.computed.push(name);
          emit({ type: 'stage', stage: 'evaluate', declaration: name, fraction: 1 });
          break;
        }
        case 'compare': {
          const models = decl.models.map((m) => trained.get(m)!);
          const scored = await scoredOn(models, decl.on);
          for (const w of new Set(scored.flatMap((s, i) => unscoredWarnings(`compare ${name}`, decl.on, s, models[i])))) warn(w);
          const report: ComparisonJson = comparisonReport(decl, models, scored);
          run.comparisons[name] = report;
          run.computed.push(name);
          break;
        }
        case 'predict': {
          emit({ type: 'stage', stage: 'predict', declaration: name, fraction: 0 });
          const { tm, registry } = modelOf(decl);
          // Only a watched predict keeps its rows (which needs them all at once: not streamed).
          const keep: KeepPredictions | undefined = watchingMonitors(checked, name).length > 0
            ? (input, pred, proba, usable) => storePredictions(store, checked, name, now, tm, input, pred, proba, usable, registry?.version) : undefined;
          const written = decl.outputTable ? await predictToTable(decl, tm, data) : await predictToFile(decl, tm, data, now, checked.workspace, opts.signal, keep);
          const result: PredictionJson = { ...written, ...(registry ? { registry } : {}) };
          run.predictions[name] = result;
          if (result.waiting) {
            emit({ type: 'log', level: 'warning', message: `predict ${name}: ${result.waiting}` });
          } else if (!decl.outputTable) {
            run.outputs.push(result.output);
            extras.lineage[result.output] = { declaration: name, inputs: [hash] };
          }
          run.computed.push(name);
          emit({ type: 'stage', stage: 'predict', declaration: name, fraction: 1 });
          break;
        }
        case 'monitor': {
          const { tm, registry } = modelOf(decl);
          const report: MonitorJson = { ...(registry ? { registry } : {}), ...await monitorReport(decl, tm, data, run, checked, store, registry?.version) };
          const unseen = report.actuals?.unseenClasses;
          if (unseen) warn(`monitor ${name}: ${unseenClassesText(unseen.model, unseen.classes)}`);
          const trigger = opts.retrainNow?.includes(name) ? 'schedule' : report.retrained && decl.retrain !== 'schedule' && decl.retrain !== 'never' ? decl.retrain : undefined;
          report.retrained = trigger !== undefined;
          if (trigger) {
            // The challenger is the model as this run trained it, whatever version the monitor watches
            // (with_actuals: trained again with the labelled predictions added to its training rows).
            const m = run.models[decl.model];
            const plain = { model: trained.get(decl.model)!, version: m.version, definitions: run.definitions ?? {}, ...(extras.artifacts[decl.model] && m.modelHash ? { artifact: extras.artifacts[decl.model], hash: m.modelHash } : {}) };
            const withActuals = decl.retrainWithActuals ? await retrainWithActuals(name, decl, plain.model) : undefined;
            const challenger = withActuals?.challenger ?? plain;
            report.retrain = await judgeChallenger(checked, decl, trigger, challenger, data, stages, store, opts.signal);
            if (challenger.hash) report.retrain.challenger.hash = challenger.hash;
            if (withActuals) {
              report.retrain.withActuals = withActuals.summary;
              report.retrain.reason += withActuals.challenger
                ? ` (retrained with ${withActuals.summary.rows} labelled predictions of actuals added to its training rows${withActuals.summary.withoutInputs > 0 ? `; ${withActuals.summary.withoutInputs} labelled predictions made before with_actuals was declared have no kept input and were left out` : ''})`
                : ` (with_actuals: no labelled prediction has a kept input yet${withActuals.summary.withoutInputs > 0 ? ` (${withActuals.summary.withoutInputs} were predicted before with_actuals was declared)` : ''}, so the model was retrained on its training rows alone)`;
            }
          }
          run.monitors[name] = report;
          run.computed.push(name);
          break;
        }
        case 'export': {
          emit({ type: 'stage', stage: 'export', declaration: name, fraction: 0 });
          const tm = trained.get(decl.model)!;
          const definition = run.models[decl.model]?.version ?? '';
          const example = extras.artifacts[decl.model] ? store.getArtifact<ModelArtifact>(extras.artifacts[decl.model])?.example : undefined;
          const version = versionOfRun({ ...run, ...extras }, decl.model) ?? definition;
          exportModel(decl, tm, checked.workspace, { version, definition, ...(example ? { example } : {}) });
          audit({ action: 'export', outcome: 'ok', model: decl.model, target: decl.path });
          run.outputs.push(decl.path);
          extras.lineage[decl.path] = { declaration: name, inputs: [hashes.get(decl.model) ?? ''] };
          run.computed.push(name);
          emit({ type: 'stage', stage: 'export', declaration: name, fraction: 1 });
          break;
        }
      }
      run.definitions![name] = definition;
    }
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (opts.signal?.aborted) {
      run.status = 'cancelled';
      run.error = current ? `cancelled during ${current}: it and the declarations after it were not finished; run again to finish them (models already trained are reused)` : 'cancelled before it started';
    } else {
      run.status = 'failed';
      run.error = message;
      if (current) run.failedIn = { name: current, definition: definitions.get(current) ?? '' };
    }
  }
  run.read = data.datasetsRead();
  if (engine instanceof ClickHouseEngine) {
    for (const [dataset, table] of engine.readOut) warn(`dataset ${dataset}: the rows of table ${table} left the ClickHouse cluster: this run read them into this process (see the warnings above, or a predict to a file, cross-validation, a monitor)`);
  }
  await engine.close();
  for (const loss of data.valueLosses()) {
    warn(`${loss.step}: ${loss.count} of ${loss.of} values ${loss.reason} and are missing; ${loss.fix}`);
  }
  run.finished = new Date().toISOString();
  try {
    store.finishRun(run, extras);
  } catch (e) {
    // A run whose record is lost must not pass for a success.
    if (run.status === 'succeeded') run.status = 'failed';
    run.error = `${run.error ? `${run.error}; ` : ''}the run's record could not be saved: ${e instanceof Error ? e.message : String(e)}`;
  }
  // Promotions need the run's record (registry versions come from the records); the record is
  // written again with their outcome and the notifications'.
  if (run.status === 'succeeded' && await followUpMonitors(checked, run, stages, { ...opts.notify, ...(opts.editorEvents ? { toEditor: (event: NotifyEventJson) => emit({ type: 'notify', event }) } : {}) }, audit)) {
    try {
      store.finishRun(run, extras);
    } catch (e) {
      warn(`the retraining and notification outcomes could not be added to the run's record: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  audit({ action: 'run', outcome: run.status, ...(run.error ? { detail: run.error } : {}) });
  emit({ type: 'done', status: run.status, run: run.run });
  return run;

  /** The model a predict or monitor uses: the one this run trained, or the registry version it names (`@production`, `@v3`), restored from the store. */
  function modelOf(decl: PredictInfo | MonitorInfo): { tm: TrainedModel; registry?: RegistryUse } {
    if (!decl.version) return { tm: trained.get(decl.model)! };
    const key = `${decl.model}@${decl.version}`;
    let found = stored.get(key);
    if (!found) {
      let v: ModelVersionJson;
      try {
        v = readRegistry(checked.file).resolve(checked.file, decl.model, decl.version);
      } catch (e) {
        throw new RunError(`${decl.kind} ${decl.name}: ${e instanceof Error ? e.message : String(e)}`);
      }
      const artifact = store.getArtifact<ModelArtifact>(v.artifact);
      const modelInfo = (name: string) => checked.infos.find((i): i is ModelInfo => i?.kind === 'model' && i.name === name);
      const restored = artifact && restoreStored(modelInfo(decl.model)!, artifact, { artifact: (h) => store.getArtifact<ModelArtifact>(h), info: modelInfo });
      if (!restored) throw new RunError(`${decl.kind} ${decl.name}: the stored model of ${decl.model} ${v.version} (run ${v.run}) is missing from ${store.dir}/artifacts; run the pipeline again to train it, or use another version`);
      found = {
        tm: restored,
        registry: { model: decl.model, ref: decl.version, version: v.version, run: v.run },
      };
      stored.set(key, found);
      emit({ type: 'log', level: 'info', message: `${decl.kind} ${decl.name}: ${decl.model}@${decl.version} is ${v.version} (trained by run ${v.run})` });
    }
    return found;
  }

  async function trainOrReuse(decl: ModelInfo, hash: string): Promise<TrainedModel> {
    if (decl.ensemble) {
      const members = decl.ensemble.members.map((m) => trained.get(m));
      if (members.some((m) => !m)) throw new RunError(`ensemble ${decl.name}: a member model did not train`);
      const classes = members[0]!.info.classes;
      const differs = members.find((m) => (m!.info.classes ?? []).join('\u0000') !== (classes ?? []).join('\u0000'));
      if (differs) throw new RunError(`ensemble ${decl.name}: member "${differs.info.name}" learned the classes ${differs.info.classes?.join(', ')} but "${members[0]!.info.name}" learned ${classes?.join(', ')}; train the members on the same rows`);
      if (decl.ensemble.method !== 'voting') return trainOrReuseEnsemble(learnedInfo(decl, classes), members as TrainedModel[], hash);
      run.computed.push(decl.name);
      const tm: TrainedModel = { info: learnedInfo(decl, classes), steps: [], members: members as TrainedModel[], trainRows: 0, options: {} };
      const options = { of: decl.ensemble.members, soft: decl.ensemble.soft };
      run.models[decl.name] = { algorithm: 'voting', task: decl.task!, target: decl.target!, version: hash.slice(0, 12), features: [], options, trainRows: 0, datasets: datasetsOf(checked, decl.name) };
      // Trained from nothing, but stored as a version like any model: its members' versions and how it combines them.
      const own: ModelArtifact = { steps: [], trainRows: 0, algorithm: 'voting', options, trials: [], ...memberArtifactsOf(decl.ensemble.members) };
      if (own.memberArtifacts) recordEnsembleVersion(decl.name, store.putArtifact(own), own, tm);
      return tm;
    }
    let artifactHash = store.result(hash);
    const artifact = artifactHash ? store.getArtifact<ModelArtifact>(artifactHash) : undefined;
    let tm: TrainedModel;
    let search: Search = {};
    const restored = artifact && restoreTrained(decl, artifact);
    if (artifact && restored) {
      tm = restored;
      search = { trials: artifact.trials, selection: artifact.selection, budgets: artifact.budgets };
      run.reused.push(decl.name);
      emit({ type: 'stage', stage: 'train (reused)', declaration: decl.name, fraction: 1 });
    } else {
      const fresh = await trainFresh(decl, data);
      artifactHash = store.putArtifact(fresh.artifact);
      // Indexed at once, so a run killed later still reuses this model next time.
      store.setResult(hash, artifactHash);
      ({ tm, search } = fresh);
      run.computed.push(decl.name);
    }
    run.models[decl.name] = modelJsonOf(decl, tm, hash, search, artifactHash);
    if (artifactHash) extras.artifacts[decl.name] = artifactHash;
    return tm;
  }

  /**
   * Monitor `name` retrains `with_actuals`: the model is trained again on its training rows and
   * the labelled predictions (`labelledRows`), which join its split's train part only, so it is
   * judged on the holdout production was judged on. It is recorded as a run of its own (its
   * model, and its evaluations on the run's evaluated tables), so the registry numbers it as any
   * model; the reuse index is left alone (the declaration alone does not produce it).
   * No labelled prediction with a kept input: no challenger (the plain one is judged).
   */
  async function retrainWithActuals(name: string, decl: MonitorInfo, plain: TrainedModel): Promise<{ summary: WithActualsJson; challenger?: Challenger }> {
    const modelDecl = info(decl.model) as ModelInfo;
    const dataset = data.chain(modelDecl.input).dataset;
    const labelled = await labelledRows(decl, plain, checked, store, run, (path, options) => data.fileTable(path, options), dataset.options, await data.rawTable(dataset));
    const summary: WithActualsJson = { monitor: name, rows: labelled.table.rowCount, withoutInputs: labelled.withoutInputs, files: labelled.files };
    if (labelled.table.rowCount === 0) return { summary };
    if (labelled.missingColumns.length > 0) warn(`monitor ${name}: the kept inputs of the labelled predictions lack ${labelled.missingColumns.join(', ')} of dataset ${dataset.name} (or hold another type there): missing in those rows for the retraining`);
    const started = new Date();
    const fresh = await trainFresh(modelDecl, new PipelineData(checked, new LabelledRowsEngine(engine, dataset.name, labelled.table)));
    const artifact = store.putArtifact(fresh.artifact);
    const model: ModelJson = { ...modelJsonOf(modelDecl, fresh.tm, sha256(`${hashes.get(decl.model)}|${artifact}`), fresh.search, artifact), withActuals: summary };
    const evaluations: Record<string, EvaluationJson> = {};
    for (const ev of checked.infos) {
      if (ev?.kind === 'evaluate' && ev.model === decl.model) evaluations[ev.name] = evaluationReport(ev, fresh.tm, scoreOn(fresh.tm, await data.rawRowsKept(ev.on), opts.signal), undefined);
    }
    const record: RunJson = {
      run: newRunId(started), status: 'succeeded', evaluations, comparisons: {}, outputs: [], file: checked.file, started: started.toISOString(), finished: new Date().toISOString(),
      computed: [decl.model, ...Object.keys(evaluations)], reused: [], definitions: { ...run.definitions }, models: { [decl.model]: model }, predictions: {}, monitors: {},
      retrainOf: { run: run.run, monitor: name }, ...(run.pipelineHash ? { pipelineHash: run.pipelineHash } : {}), inputs: { ...run.inputs },
    };
    store.startRun(record);
    store.finishRun(record, { artifacts: { [decl.model]: artifact }, lineage: {} });
    audit({ action: 'run', outcome: 'succeeded', model: decl.model, detail: `monitor ${name} retrained ${decl.model} with ${summary.rows} labelled predictions: run ${record.run}` });
    return { summary, challenger: { model: fresh.tm, artifact, hash: model.modelHash, version: model.version, definitions: run.definitions ?? {} } };
  }

  /** Trains a model on the rows `source` gives its table: the run's data, or with labelled predictions appended (retraining with_actuals). */
  async function trainFresh(decl: ModelInfo, source: PipelineData): Promise<{ tm: TrainedModel; artifact: ModelArtifact; search: Search }> {
    emit({ type: 'stage', stage: 'train', declaration: decl.name, fraction: 0 });
    const chain = source.chain(decl.input);
    const inCluster = source.engine instanceof ClickHouseEngine && chain.dataset.table
      ? await trainInCluster(source.engine, source, decl, chain, { signal: opts.signal, onProgress: (f) => emit({ type: 'stage', stage: 'train', declaration: decl.name, fraction: f }) })
      : undefined;
    if (typeof inCluster === 'string') warn(`model ${decl.name}: its training rows were read out of the ClickHouse cluster into this process: ${inCluster}`);
    else for (const w of inCluster?.warnings ?? []) warn(`model ${decl.name}: ${w}`);
    const { fitted, learned, outcome, trainRows, rawTrainRows } = inCluster && typeof inCluster !== 'string'
      ? { ...inCluster, trainRows: inCluster.used, rawTrainRows: inCluster.trainRows, outcome: { model: inCluster.model, algorithm: 'gradient_boosting', options: { ...decl.algorithm!.options }, trials: [], budgets: [] } }
      : streamsTraining(decl, source.engine) ? await trainStreamedModel(decl, chain, source) : await trainMaterialised(decl, chain, source);
    const saved = saveModel(outcome.model);
    // A typical raw training row (example requests); a sample of the rows is enough for a median.
    const example = inCluster && typeof inCluster !== 'string' ? inCluster.example : typicalRow(await source.engine.readRows(chain.dataset, typicalSample(rawTrainRows)), decl.inputColumns);
    const artifact: ModelArtifact = {
      saved, steps: fitted, trainRows, algorithm: outcome.algorithm, options: outcome.options, trials: outcome.trials, example,
      ...(outcome.selection ? { selection: outcome.selection } : {}),
      ...(outcome.budgets.length > 0 ? { budgets: outcome.budgets } : {}),
    };
    return { tm: { info: learned, steps: fitted, model: outcome.model, trainRows, options: outcome.options }, artifact, search: { trials: outcome.trials, selection: outcome.selection, budgets: outcome.budgets } };
  }

  /** The run JSON's account of a trained model. */
  function modelJsonOf(decl: ModelInfo, tm: TrainedModel, hash: string, search: Search, artifactHash: string | undefined): ModelJson {
    const imp = tm.model!.featureImportances?.();
    let versionHash = artifactHash ? store.modelHash(artifactHash) : undefined;
    if (!versionHash) {
      versionHash = modelHash(tm);
      if (artifactHash) store.setModelHash(artifactHash, versionHash);
    }
    return {
      algorithm: tm.model!.algorithm, task: decl.task!, target: decl.target!, version: hash.slice(0, 12), modelHash: versionHash, features: tm.model!.featureNames,
      options: { ...tm.options, ...(decl.calibrate ? { calibrate: `${decl.calibrate.name}(cv: ${String(decl.calibrate.options.cv)})` } : {}) },
      trainRows: tm.trainRows, datasets: datasetsOf(checked, decl.name),
      input: decl.inputColumns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable })),
      ...(search.trials && search.trials.length > 0 ? { trials: search.trials } : {}),
      ...(search.selection ? { selection: search.selection } : {}),
      ...(search.budgets && search.budgets.length > 0 ? { budgets: search.budgets } : {}),
      ...(tm.model!.params.kind === 'tree-ensemble' && tm.model!.params.earlyStopping ? { earlyStopping: tm.model!.params.earlyStopping } : {}),
      ...(imp ? { importances: Object.fromEntries(tm.model!.featureNames.map((f, i) => [f, imp[i]])) } : {}),
    };
  }

  /** Models scored on the rows table `on` keeps: chunk by chunk when the engine streams and every model scores row by row. */
  async function scoredOn(models: TrainedModel[], on: string): Promise<Scored[]> {
    if (data.engine instanceof ClickHouseEngine && data.chain(on).dataset.table) {
      const inCluster: Scored[] = [];
      for (const m of models) {
        const s = await scoreInCluster(data.engine, data, m, on);
        if (typeof s === 'string') {
          warn(`scoring ${m.info.name} on ${on}: the rows were read out of the ClickHouse cluster into this process: ${s}`);
          break;
        }
        inCluster.push(s);
      }
      if (inCluster.length === models.length) return inCluster;
    }
    if (!isStreaming(data.engine) || !models.every(scoresRowByRow)) {
      const raw = await data.rawRowsKept(on);
      return models.map((m) => scoreOn(m, raw, opts.signal));
    }
    const table = await data.rawRowsKeptStreamed(on);
    try {
      const out: Scored[] = [];
      for (const m of models) out.push(await scoreStreamed(m, table, opts.signal));
      return out;
    } finally {
      await table.drop();
    }
  }

  /** A model trained on its training table as the engine materialises it (features as Float64 columns). */
  async function trainMaterialised(decl: ModelInfo, chain: Chain, source: PipelineData): Promise<Trained> {
    const fitted = await source.fitChain(chain);
    const table = fitted.train.table;
    const features = modelFeatures(decl, table, fitted.fitted);
    const learned = learnedInfo(decl, decl.task === 'classification' ? trainingClasses(table, decl) : undefined);
    const x = featureMatrix(table, features);
    const y = targetValues(table, learned);
    const allowsMissing = decl.algorithm?.name === 'gradient_boosting' || decl.algorithm?.name === 'auto';
    const rows = usableRows(x, y, allowsMissing, decl.task === 'classification');
    if (rows.length === 0) throw new RunError(`model ${decl.name}: no training rows left (every row lacks the target or has missing features)`);
    if (rows.length < x.nRows) warn(`model ${decl.name}: ${x.nRows - rows.length} training rows skipped (missing target or features)`);
    const target = makeTarget(learned, y, rows);
    for (const w of resampleWarnings(learned, target)) warn(`model ${decl.name}: ${w}`);
    const validation = earlyStops(decl) ? await source.validationPart(chain, fitted.fitted) : undefined;
    const outcome = trainModel(learned, subsetMatrix(x, rows), target, {
      seed: 42, signal: opts.signal, ...(validation ? { validation: scoredRows(validation, features, learned) } : {}),
      onProgress: (f) => emit({ type: 'stage', stage: 'train', declaration: decl.name, fraction: f }),
    });
    return { fitted: fitted.fitted, learned, outcome, trainRows: rows.length, rawTrainRows: fitted.trainRows };
  }

  /**
   * A model trained on the training table a streaming engine keeps: the target read whole, each
   * feature read, binned and released in turn (train-model.ts's trainBinned), so the Float64
   * table is never held. The same model as trainMaterialised's.
   */
  async function trainStreamedModel(decl: ModelInfo, chain: Chain, source: PipelineData): Promise<Trained> {
    const fitted = await source.fitChainStreamed(chain);
    const table = fitted.train;
    try {
      const features = modelFeatures(decl, { names: table.columns.map((c) => c.name), rowCount: table.rowCount }, fitted.fitted);
      const targetTable = (await table.select([decl.target!])).table;
      const learned = learnedInfo(decl, decl.task === 'classification' ? trainingClasses(targetTable, decl) : undefined);
      const y = targetValues(targetTable, learned);
      // Boosting takes missing features: only a missing target leaves a row out.
      const rows = usableRows({ nRows: y.length, columns: [], names: [] }, y, true, decl.task === 'classification');
      if (rows.length === 0) throw new RunError(`model ${decl.name}: no training rows left (every row lacks the target)`);
      if (rows.length < y.length) warn(`model ${decl.name}: ${y.length - rows.length} training rows skipped (missing target or features)`);
      const target = makeTarget(learned, y, rows);
      const outcome = await trainBinned(learned, table, features, rows, target, {
        seed: 42, signal: opts.signal, onProgress: (f) => emit({ type: 'stage', stage: 'train', declaration: decl.name, fraction: f }),
      });
      return { fitted: fitted.fitted, learned, outcome, trainRows: rows.length, rawTrainRows: fitted.trainRows };
    } finally {
      await table.drop();
    }
  }

  /** The feature columns a model takes from its prepared training table (its names and row count). */
  function modelFeatures(decl: ModelInfo, table: { names: readonly string[]; rowCount: number }, fitted: FittedStep[]): string[] {
    if (table.rowCount === 0) throw new RunError(`model ${decl.name}: "${decl.input}" has no rows after its transforms; loosen the filters (or drop_missing) before it`);
    const features = fittedFeatures(table, decl, fitted);
    if (features.leftOut.length > 0) {
      warn(`model ${decl.name}: ${features.leftOut.join(', ')} left out of the features: those levels do not occur in the training rows`);
    }
    if (features.names.length === 0) throw new RunError(`model ${decl.name}: no feature column is left after the transforms fitted on "${decl.input}"; list features that occur in the training rows`);
    return features.names;
  }

  /** A stacking or blending: its final model (and blending's own member fits) trained or reused from the store. */
  async function trainOrReuseEnsemble(decl: ModelInfo, members: TrainedModel[], hash: string): Promise<TrainedModel> {
    const ens = decl.ensemble!;
    // The alpha a regression's default final model chose (RidgeCV) is recorded with the options.
    let options: Record<string, unknown> = { of: ens.members, final: ens.final!, ...(ens.method === 'stacking' ? { cv: ens.cv! } : { holdout: ens.holdout! }), passthrough: ens.passthrough === true };
    let artifactHash = store.result(hash);
    const artifact = artifactHash ? store.getArtifact<ModelArtifact>(artifactHash) : undefined;
    let tm: TrainedModel;
    if (artifact?.saved) {
      const fitted = artifact.members?.map(restoreModel);
      if (typeof artifact.options.final_alpha === 'number') options = { ...options, final_alpha: artifact.options.final_alpha };
      tm = { info: decl, steps: artifact.steps, members: fitted ? members.map((m, j) => ({ ...m, model: fitted[j] })) : members, final: restoreModel(artifact.saved), trainRows: artifact.trainRows, options };
      run.reused.push(decl.name);
      emit({ type: 'stage', stage: 'train (reused)', declaration: decl.name, fraction: 1 });
    } else {
      emit({ type: 'stage', stage: 'train', declaration: decl.name, fraction: 0 });
      // Passed-through features come from the ensemble's own table, through its own fitted steps.
      let own: Passthrough | undefined;
      if (ens.passthrough) {
        const fitted = await data.fitChain(data.chain(decl.input));
        own = { steps: fitted.fitted, names: fittedFeatures(fitted.train.table, decl, fitted.fitted).names };
      }
      const outcome = trainEnsemble(decl, members, await data.rawRowsKept(decl.input), {
        seed: 42, signal: opts.signal,
        onProgress: (f) => emit({ type: 'stage', stage: 'train', declaration: decl.name, fraction: f }),
      }, own);
      if (outcome.finalAlpha !== undefined) options = { ...options, final_alpha: outcome.finalAlpha };
      const art: ModelArtifact = {
        saved: saveModel(outcome.final), steps: own?.steps ?? [], trainRows: outcome.trainRows, algorithm: ens.method, options, trials: [],
        ...(ens.method === 'blending' ? { members: outcome.members.map((m) => saveModel(m.model!)) } : {}),
        ...memberArtifactsOf(decl.ensemble!.members),
      };
      artifactHash = store.putArtifact(art);
      store.setResult(hash, artifactHash);
      tm = { info: decl, steps: own?.steps ?? [], members: outcome.members, final: outcome.final, trainRows: outcome.trainRows, options };
      run.computed.push(decl.name);
    }
    run.models[decl.name] = {
      algorithm: ens.method, task: decl.task!, target: decl.target!, version: hash.slice(0, 12), features: tm.final!.featureNames,
      options, trainRows: tm.trainRows, datasets: datasetsOf(checked, decl.name),
    };
    // An ensemble stored before ensembles were versions names no members: no version until retrained.
    const stored = artifact?.saved ? artifact : store.getArtifact<ModelArtifact>(artifactHash!);
    if (stored?.memberArtifacts) recordEnsembleVersion(decl.name, artifactHash!, stored, tm);
    return tm;
  }

  /** The artifacts of an ensemble's members, which this run trained or reused before it (none when one has no artifact). */
  function memberArtifactsOf(members: string[]): { memberArtifacts?: string[] } {
    const artifacts = members.map((m) => extras.artifacts[m]);
    return artifacts.every((a) => a) ? { memberArtifacts: artifacts } : {};
  }

  /**
   * Makes a trained ensemble a registry version: its artifact (naming its members' artifacts), and
   * a content hash over its own fitted parts and its members' hashes.
   */
  function recordEnsembleVersion(name: string, artifactHash: string, artifact: ModelArtifact, tm: TrainedModel): void {
    const memberHashes = tm.members!.map((m) => run.models[m.info.name]?.modelHash);
    if (memberHashes.some((h) => !h)) return;
    extras.artifacts[name] = artifactHash;
    const { trials: _timings, memberArtifacts: _stored, ...parts } = artifact;
    run.models[name] = { ...run.models[name], modelHash: sha256(toJsonText({ ...parts, memberHashes })), input: ensembleInput(tm) };
  }
}

/** A model trained: its fitted steps and classes, the outcome, its usable training rows and the raw rows of its training table. */
interface Trained { fitted: FittedStep[]; learned: ModelInfo; outcome: TrainOutcome; trainRows: number; rawTrainRows: Int32Array }

/**
 * Whether a model is trained from a table the engine streams: a plain gradient boosting (its
 * features binned column by column) on a streaming engine. Searches, feature selection,
 * resampling, calibration and early stopping need the Float64 rows and take the materialised path.
 */
function streamsTraining(decl: ModelInfo, engine: Engine): boolean {
  return isStreaming(engine) && decl.algorithm?.name === 'gradient_boosting' && !decl.tune && !decl.select && !decl.resample && !decl.calibrate && !earlyStops(decl);
}

/** Gradient boosting with early_stopping (or tuning it): it scores a split's validation part when there is one. */
function earlyStops(decl: ModelInfo): boolean {
  return decl.algorithm?.name === 'gradient_boosting' && (Number(decl.algorithm.options.early_stopping) > 0 || decl.tune?.space.early_stopping?.some((v) => Number(v) > 0) === true);
}

/** A prepared table's rows with a known target, as features and target (missing features kept: only boosting scores them). */
function scoredRows(table: Table, names: string[], learned: ModelInfo): { x: FeatureMatrix; target: Target } {
  const x = featureMatrix(table, names);
  const y = targetValues(table, learned);
  const rows = usableRows(x, y, true, learned.task === 'classification');
  return { x: subsetMatrix(x, rows), target: makeTarget(learned, y, rows) };
}

/**
 * The registry's identity of a trained model: the hash of its fitted parameters and steps only
 * (not the trials' timings the artifact also holds), so retraining to the same model gives the same hash.
 */
function modelHash(tm: TrainedModel): string {
  return sha256(toJsonText({ saved: saveModel(tm.model!), steps: tm.steps }));
}

/** The raw columns an ensemble's members read (and its own passed-through features), each once. */
function ensembleInput(tm: TrainedModel): ModelJson['input'] {
  const columns = new Map<string, NonNullable<ModelJson['input']>[number]>();
  const own = tm.info.ensemble?.passthrough ? tm.info.inputColumns : [];
  for (const c of [...tm.members!.flatMap((m) => m.info.inputColumns), ...own]) {
    if (!columns.has(c.name)) columns.set(c.name, { name: c.name, type: c.type, nullable: c.nullable });
  }
  return [...columns.values()];
}

/** The datasets a declaration reads, directly or through the tables it depends on, in file order. */
function datasetsOf(checked: CheckedPipeline, name: string): string[] {
  const seen = new Set<string>();
  const stack = [name];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    stack.push(...(checked.symbols.get(n)?.dependsOn ?? []));
  }
  return checked.order.filter((n) => seen.has(n) && checked.symbols.get(n)?.kind === 'dataset');
}
