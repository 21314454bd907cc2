// The experiments view of a run store: one row per run × model, with the options the model
// trained with, its evaluations in that run (confusion matrices loaded from the run's details),
// the hashes of the files its datasets read, and the trials of `tune` and `auto`. The CLI prints
// it (`narml experiments`); the editor's Experiments panel and Runs & Models view read it from there.
import type { ExperimentEvaluation, ExperimentRow, ExperimentsJson, RunJson } from '../contracts/cli-json';
import { METRICS } from '../ml/catalog';
import { expandRun, readStoreData } from './run-store';

/** The rows of one run: a row per model it trained or reused, or one row without a model. */
export function experimentRows(run: RunJson): ExperimentRow[] {
  const finished = run.finished ? Date.parse(run.finished) - Date.parse(run.started) : NaN;
  const base = {
    run: run.run, status: run.status, started: run.started, finished: run.finished,
    durationMs: Number.isFinite(finished) ? finished : null,
    ...(run.pipelineHash ? { pipelineHash: run.pipelineHash } : {}),
    ...(run.error ? { error: run.error } : {}),
  };
  const models = Object.entries(run.models);
  if (models.length === 0) return [{ ...base, model: null, params: {}, reused: false, evaluations: {}, inputs: {} }];
  return models.map(([name, m]) => {
    const evaluations: Record<string, ExperimentEvaluation> = {};
    for (const [evaluation, e] of Object.entries(run.evaluations)) {
      if (e.model !== name) continue;
      evaluations[evaluation] = {
        metrics: e.metrics,
        ...(e.on !== undefined ? { on: e.on } : {}), ...(e.rows !== undefined ? { rows: e.rows } : {}),
        ...(e.threshold !== undefined ? { threshold: e.threshold } : {}), ...(e.confusion ? { confusion: e.confusion } : {}),
      };
    }
    const inputs = Object.fromEntries((m.datasets ?? Object.keys(run.inputs ?? {})).flatMap((d) => (run.inputs?.[d] ? [[d, run.inputs[d]]] : [])));
    return {
      ...base, model: name, algorithm: m.algorithm, version: m.version, task: m.task, target: m.target, trainRows: m.trainRows,
      params: m.options, reused: run.reused.includes(name), evaluations, inputs,
      ...(m.trials ? { trials: m.trials } : {}), ...(m.selection ? { selection: m.selection } : {}),
    };
  });
}

/** Every run recorded for `pipelineFile` (an absolute path), oldest first, as experiment rows. */
export function readExperiments(pipelineFile: string): ExperimentsJson {
  const runs = (readStoreData(pipelineFile)?.runs ?? []).filter((r) => r.file === pipelineFile);
  const rows = runs.flatMap((r) => experimentRows(expandRun(pipelineFile, r)));
  const named = new Set(rows.flatMap((r) => [...Object.values(r.evaluations).flatMap((e) => Object.keys(e.metrics)), ...(r.trials ?? []).map((t) => t.metric)]));
  const metricDirections = Object.fromEntries([...named].map((m) => [m, METRICS[m]?.higherIsBetter === false ? 'lower' : 'higher'] as const));
  return { file: pipelineFile, rows, metricDirections };
}
