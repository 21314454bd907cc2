// Retraining: when a monitor's `retrain:` condition holds (or its schedule fires), the model this
// run trained on the current files is the challenger; it is scored with the production version
// (the champion) on the same holdout and compared with the `compare` machinery. It is promoted
// only when significantly better; otherwise production stays and the record says why. The
// decision is taken during the run; the promotion is made after the run's record is written
// (a registry version is derived from the records), then the monitors' notifications are sent.
import { dirname } from 'node:path';
import { infoOf, type CheckedPipeline, type CompareInfo, type MonitorInfo } from '../checker/checked-model';
import { retrainHoldout } from '../checker/notify-check';
import type { MonitorJson, NotifyEventJson, NotifyOutcomeJson, RetrainJson, RunJson } from '../contracts/cli-json';
import type { CancelSignal } from '../ml/cancellation';
import { computeMetrics } from '../ml/metrics';
import { DEFAULT_COMPARE_ALPHA, DEFAULT_METRICS, METRICS, defaultCompareTest } from '../ml/catalog';
import type { AuditInput } from '../store/audit-log';
import { promote, readRegistry } from '../store/registry';
import { readStoreData, type RunStore } from '../store/run-store';
import { sendNotifications, type NotifyOptions } from '../scheduler/notify';
import { restoreStored, type ModelArtifact } from './model-artifact';
import { RunError, type PipelineData } from './pipeline-data';
import { comparisonReport, scoreOn, type TrainedModel } from './scoring';

/** The production version of a model as the registry names it, with the artifact that holds it. */
export interface ProductionVersion {
  version: string;
  /** The registry's identity of the version: the content hash of its fitted model and steps (`ModelJson.modelHash`). */
  hash: string;
  artifact: string;
  /** The definition hashes of the run that trained it (absent in records older than them). */
  definitions?: Record<string, string>;
}

/** What retraining needs of the model registry. */
export interface ModelStages {
  production(model: string): ProductionVersion | undefined;
  /** The version name of the content hash `hash`, once a run's record holds it. */
  versionOf(model: string, hash: string): string | undefined;
  /** Puts the version with content hash `hash` into production; returns its version name. Throws when refused. */
  promote(model: string, hash: string): string;
}

/** The store's registry (store/registry.ts) for the pipeline `checked` runs. */
export function registryStages(checked: CheckedPipeline, pipelineHash?: string): ModelStages {
  const file = checked.file;
  return {
    production: (model) => {
      const v = readRegistry(file).find(file, model, 'production');
      if (!v) return undefined;
      const definitions = readStoreData(file)?.runs.find((r) => r.run === v.runs[0])?.definitions;
      return { version: v.version, hash: v.hash, artifact: v.artifact, ...(definitions ? { definitions } : {}) };
    },
    versionOf: (model, hash) => readRegistry(file).of(file, model).find((x) => x.hash === hash)?.version,
    promote: (model, hash) => {
      const v = readRegistry(file).of(file, model).find((x) => x.hash === hash);
      if (!v) throw new Error(`the retrained ${model} is not among the registry's versions (its run's record is missing)`);
      return promote(file, model, v.version, 'production', { workspace: checked.workspace, ...(pipelineHash ? { pipelineHash } : {}) }).version.version;
    },
  };
}

const fmt = (v: number | undefined): string => (v === undefined || Number.isNaN(v) ? 'undefined' : Number(v.toPrecision(4)).toString());

/** Scores are keyed by the names the comparison reports; both versions share the model's name. */
const named = (tm: TrainedModel, name: string): TrainedModel => ({ ...tm, info: { ...tm.info, name } });

export interface Challenger {
  model: TrainedModel;
  /** The store artifact of the model this run trained, and its content hash (absent for an ensemble). */
  artifact?: string;
  hash?: string;
  /** The model's definition version in this run (`ModelJson.version`). */
  version: string;
  /** This run's definition hashes so far (`RunJson.definitions`): the holdout's split among them. */
  definitions: Record<string, string>;
}

/**
 * The retraining decision for monitor `m`: challenger against production on the model's holdout.
 * A comparison that cannot be made (a production version trained on columns the holdout no longer
 * has) keeps production and says why; it does not fail the monitor's run.
 */
export async function judgeChallenger(
  checked: CheckedPipeline, m: MonitorInfo, trigger: RetrainJson['trigger'], challenger: Challenger,
  data: PipelineData, stages: ModelStages | undefined, store: RunStore, signal?: CancelSignal,
): Promise<RetrainJson> {
  try {
    return await judge(checked, m, trigger, challenger, data, stages, store, signal);
  } catch (e) {
    if (signal?.aborted) throw e;
    const champion = stages?.production(m.model);
    return {
      model: m.model, trigger, holdout: retrainHoldout(checked.infos, m.model) ?? '', decision: 'kept', challenger: { version: challenger.version },
      ...(champion ? { champion: { version: champion.version } } : {}),
      reason: `the retrained model could not be compared with production: ${e instanceof Error ? e.message : String(e)}; production stays`,
    };
  }
}

async function judge(
  checked: CheckedPipeline, m: MonitorInfo, trigger: RetrainJson['trigger'], challenger: Challenger,
  data: PipelineData, stages: ModelStages | undefined, store: RunStore, signal?: CancelSignal,
): Promise<RetrainJson> {
  const holdout = retrainHoldout(checked.infos, m.model);
  if (!holdout) throw new RunError(`monitor ${m.name}: retraining "${m.model}" needs a holdout; add evaluate ${m.model} on its test part`);
  const base = { model: m.model, trigger, holdout };
  const task = challenger.model.info.task!;
  const metric = DEFAULT_METRICS[task][0];
  const test = defaultCompareTest(metric);
  if (!challenger.artifact || !challenger.hash) {
    return { ...base, decision: 'kept', reason: `${m.model} is an ensemble, which the registry does not version: nothing was promoted`, challenger: { version: challenger.version } };
  }
  const raw = await data.rawRowsKept(holdout);
  const challengerScored = scoreOn(challenger.model, raw, signal);
  const champion = stages?.production(m.model);
  const soloScore = (): number => computeMetrics([metric], {
    task, yTrue: challengerScored.yTrue, yPred: challengerScored.pred, ...(challengerScored.proba ? { proba: challengerScored.proba } : {}),
    ...(task === 'classification' ? { nClasses: challengerScored.labels.length, modelClasses: challenger.model.info.classes?.length ?? 2, positiveIndex: 1 } : {}),
  })[metric];
  function compareInfo(): CompareInfo {
    return { kind: 'compare', name: `retrain ${m.model}`, models: ['challenger', 'champion'], on: holdout!, metric, test, alpha: DEFAULT_COMPARE_ALPHA };
  }
  if (!champion) {
    return {
      ...base, decision: 'promoted', challenger: { version: challenger.version, score: soloScore() },
      reason: `no version of ${m.model} is in production yet: the retrained model becomes production (${metric} ${fmt(soloScore())} on ${holdout})`,
    };
  }
  if (champion.hash === challenger.hash) {
    return {
      ...base, decision: 'kept', challenger: { version: challenger.version }, champion: { version: champion.version },
      reason: `the retrained model is production ${champion.version} itself: the data and the declaration are unchanged since it was trained; nothing to promote`,
    };
  }
  const stored = store.getArtifact<ModelArtifact>(champion.artifact);
  const decl = challenger.model.info;
  const memberInfo = new Map(challenger.model.members?.map((x) => [x.info.name, x.info]));
  const championModel = stored && restoreStored(decl, stored, { artifact: (h) => store.getArtifact<ModelArtifact>(h), info: (name) => memberInfo.get(name) });
  if (!championModel) {
    return {
      ...base, decision: 'kept', challenger: { version: challenger.version }, champion: { version: champion.version },
      reason: `production ${champion.version} of ${m.model} is no longer in the store (deleted), so it cannot be compared; promote a version by hand: narml promote ${m.model} VERSION --stage production`,
    };
  }
  const comparison = comparisonReport(compareInfo(), [named(challenger.model, 'challenger'), named(championModel, 'champion')], [challengerScored, scoreOn(championModel, raw, signal)]);
  const scores = { c: comparison.scores.challenger, p: comparison.scores.champion };
  const direction = METRICS[metric]?.higherIsBetter === false ? 'lower' : 'higher';
  const figures = `${metric} ${fmt(scores.c)} against ${fmt(scores.p)} of production ${champion.version} on ${holdout}, ${test} p = ${fmt(comparison.p_value)}`;
  const promoted = comparison.winner === 'challenger';
  const reason = promoted
    ? `the retrained model is significantly better: ${figures} < ${comparison.alpha}`
    : comparison.leader === 'challenger'
      ? `the retrained model scores ${direction} but not significantly: ${figures} ≥ ${comparison.alpha}; production ${champion.version} stays`
      : `the retrained model is not better: ${figures}; production ${champion.version} stays`;
  return {
    ...base, decision: promoted ? 'promoted' : 'kept', reason: `${reason}${recutNote(checked, holdout, champion, challenger)}`, comparison,
    challenger: { version: challenger.version, score: scores.c }, champion: { version: champion.version, score: scores.p },
  };
}

/**
 * A split part as the holdout is cut again when the split's data or declaration changes (new rows
 * in the training file): production may then have trained on some of its rows, which favours it.
 * The reason says so rather than present a biased comparison as a fair one. A keyed split keeps
 * each row in its part as rows are added, so it is left out (a changed seed or share is missed).
 */
function recutNote(checked: CheckedPipeline, holdout: string, champion: ProductionVersion, challenger: Challenger): string {
  const dot = holdout.indexOf('.');
  if (dot < 0) return '';
  const split = holdout.slice(0, dot);
  if (infoOf(checked, split, 'split')?.key !== undefined) return '';
  const then = champion.definitions?.[split], now = challenger.definitions[split];
  if (then === undefined || now === undefined || then === now) return '';
  return ` (note: ${holdout} was cut again since production ${champion.version} was trained, as the data or declaration of ${split} changed, so it may hold rows production was trained on, which favours production; evaluate ${challenger.model.info.name} on a table no version trains on for a fair judgement)`;
}

export type RetrainAudit = Pick<AuditInput, 'action' | 'outcome' | 'model' | 'version' | 'from' | 'detail'>;

/** The event a monitor's report raises, if any: an alert before drift; a retraining separately. */
function monitorEvents(file: string, name: string, report: MonitorJson, time: string): NotifyEventJson[] {
  const events: NotifyEventJson[] = [];
  const ev = (event: NotifyEventJson['event'], message: string): NotifyEventJson => ({ pipeline: file, monitor: name, event, message, report, time });
  const drifted = [...report.drifted, ...(report.prediction?.drifted ? ['the predictions'] : [])];
  if (report.alert.raised) events.push(ev('alert', `monitor ${name}: ${report.alert.reason}${drifted.length > 0 ? `; drifted: ${drifted.join(', ')}` : ''}`));
  else if (drifted.length > 0) events.push(ev('drift', `monitor ${name}: drift in ${drifted.join(', ')}`));
  if (report.retrain) events.push(ev('retrain', `monitor ${name}: ${report.retrain.model} ${report.retrain.decision === 'promoted' ? 'retrained and promoted to production' : 'retrained; production kept'}: ${report.retrain.reason}`));
  return events;
}

/**
 * After the run's record is written: promotes the challengers judged better, then sends each
 * monitor's notifications. True when the run JSON changed (its record is then written again).
 */
export async function followUpMonitors(
  checked: CheckedPipeline, run: RunJson, stages: ModelStages | undefined, notify: Omit<NotifyOptions, 'cwd'>, audit: (event: RetrainAudit) => void,
): Promise<boolean> {
  let changed = false;
  for (const [name, report] of Object.entries(run.monitors)) {
    const retrain = report.retrain;
    const hash = retrain && (retrain.challenger.hash ?? run.models[retrain.model]?.modelHash);
    // Named as the registry names it now that the run's record holds it (v3), not by its definition hash.
    const registered = retrain && hash ? stages?.versionOf(retrain.model, hash) : undefined;
    if (retrain && registered) retrain.challenger.version = registered;
    if (retrain?.decision === 'promoted') {
      try {
        if (!stages || !hash) throw new Error('the model has no registry version to promote');
        const version = stages.promote(retrain.model, hash);
        retrain.challenger.version = version;
        retrain.reason = `${retrain.reason}; promoted as ${version}`;
      } catch (e) {
        retrain.decision = 'kept';
        retrain.reason = `${retrain.reason}; but the promotion was refused: ${e instanceof Error ? e.message : String(e)}`;
        (run.warnings ??= []).push(`monitor ${name}: ${retrain.reason}`);
      }
    }
    if (retrain) {
      changed = true;
      audit({ action: 'retrain', outcome: retrain.decision, model: retrain.model, version: retrain.challenger.version, ...(retrain.champion ? { from: retrain.champion.version } : {}), detail: retrain.reason });
    }
    const monitor = checked.infos.find((i) => i?.kind === 'monitor' && i.name === name);
    if (monitor?.kind !== 'monitor' || monitor.notify.length === 0) continue;
    const outcomes: NotifyOutcomeJson[] = [];
    for (const event of monitorEvents(checked.file, name, report, new Date().toISOString())) {
      for (const o of await sendNotifications(monitor.notify, event, { ...notify, cwd: dirname(checked.file) })) outcomes.push({ event: event.event, ...o });
    }
    if (outcomes.length > 0) {
      report.notified = outcomes;
      changed = true;
    }
  }
  return changed;
}
