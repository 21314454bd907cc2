// The model registry of a run store (docs/decisions/0008). Versions are derived from the run
// records, never stored: a version is one fitted model + steps (their content hash, recorded by
// the run as `modelHash`), numbered v1, v2, … per pipeline and model in the order runs first
// produced it, so numbers are stable and never reused. Stages are a replay, in order, of small
// event files `registry/<time>-<random>.json`, one per promotion, rollback or deletion, each
// written once by writeFileAtomic: like the runs, nothing is read, changed and written back,
// so concurrent promotions need no lock. Every change is also appended to the audit log.
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { RegistrySource, VersionFacts } from '../checker/version-refs';
import type { InputFileJson, ModelDiffJson, ModelVersionJson, RunJson, StageName } from '../contracts/cli-json';
import { workspaceOf, type Workspace } from '../workspace/output-paths';
import { writeFileAtomic } from './atomic-write';
import { appendAudit, type AuditInput } from './audit-log';
import { readStoreData, sha256, storeDir, type RunRecord } from './run-store';

export const STAGES: readonly StageName[] = ['staging', 'production', 'archived'];

export function isStage(s: string): s is StageName {
  return (STAGES as readonly string[]).includes(s);
}

/** One stage change, as its event file holds it. */
export interface RegistryEvent {
  time: string;
  action: 'promote' | 'rollback' | 'delete';
  file: string;
  model: string;
  /** The version's content hash (what the event is about) and its number then, for people. */
  hash: string;
  version: string;
  /** promote: the stage it enters. */
  stage?: StageName;
  /** rollback: the version that leaves production (content hash). */
  from?: string;
}

/** A refused registry action (unknown model or version, a failed run's model, nothing to roll back to): the message says what to do. */
export class RegistryError extends Error {}

/** The versions of every model of every pipeline of one store, with their stages now. */
export class Registry {
  constructor(
    readonly dir: string,
    /** Every version not deleted, per pipeline and model in number order. */
    readonly versions: ModelVersionJson[],
    /** Per `file\0model`, the content hashes that held production, oldest first (what rollback walks back). */
    private readonly history: Map<string, string[]>,
    /** Content hash → index of the last event that changed its stage. */
    private readonly order: Map<string, number>,
  ) {}

  /** The versions of one model of one pipeline, v1 first. */
  of(file: string, model: string): ModelVersionJson[] {
    return this.versions.filter((v) => v.file === file && v.model === model);
  }

  /** The pipelines of this store that have a model named `model`. */
  filesOf(model: string): string[] {
    return [...new Set(this.versions.filter((v) => v.model === model).map((v) => v.file))];
  }

  /**
   * The version `ref` names: `v3`, `3`, its content hash, or a stage (`archived`: the version archived last).
   * Throws a RegistryError that says what exists instead.
   */
  resolve(file: string, model: string, ref: string): ModelVersionJson {
    const found = this.find(file, model, ref);
    if (found) return found;
    const versions = this.of(file, model);
    if (versions.length === 0) throw new RegistryError(`no version of ${model} is recorded for ${file}; run the pipeline first (narml run ${file})`);
    const listed = versions.map((v) => `${v.version}${v.stage ? ` (${v.stage})` : ''}`).join(', ');
    if (isStage(ref)) throw new RegistryError(`no version of ${model} is in ${ref}; promote one: narml promote ${model} ${versions[versions.length - 1].version} --stage ${ref} (versions: ${listed})`);
    throw new RegistryError(`${model} has no version "${ref}"; its versions: ${listed}`);
  }

  /** The version `ref` names, or undefined (see resolve). */
  find(file: string, model: string, ref: string): ModelVersionJson | undefined {
    const versions = this.of(file, model);
    if (isStage(ref)) {
      const inStage = versions.filter((v) => v.stage === ref);
      return ref === 'archived' ? inStage.sort((a, b) => this.stagedAt(b) - this.stagedAt(a))[0] : inStage[0];
    }
    // A content hash names exactly the model a run trained (`ModelJson.modelHash`), whatever ran since.
    if (/^[0-9a-f]{64}$/.test(ref)) return versions.find((v) => v.hash === ref);
    const m = /^v?(\d+)$/.exec(ref);
    return m ? versions.find((v) => v.version === `v${Number(m[1])}`) : undefined;
  }

  /** The version rollback would bring back to production: the one in production before the current one's last promotion. */
  previousProduction(file: string, model: string): ModelVersionJson | undefined {
    const current = this.find(file, model, 'production');
    const history = this.history.get(`${file}\0${model}`) ?? [];
    const live = new Map(this.of(file, model).map((v) => [v.hash, v]));
    for (let i = history.length - 1; i >= 0; i--) if (history[i] !== current?.hash && live.has(history[i])) return live.get(history[i]);
    return undefined;
  }

  private stagedAt(v: ModelVersionJson): number {
    return this.order.get(v.hash) ?? -1;
  }
}

/** Reads the registry of the store beside `pipelineFile` (every pipeline in that folder). Empty when there is no store. */
export function readRegistry(pipelineFile: string): Registry {
  const dir = storeDir(pipelineFile);
  const runs = readStoreData(pipelineFile)?.runs ?? [];
  const versions = deriveVersions(runs);
  const events = readEvents(dir);
  const history = new Map<string, string[]>();
  const order = new Map<string, number>();
  const byKey = new Map<string, ModelVersionJson>(versions.map((v) => [`${v.file}\0${v.model}\0${v.hash}`, v]));
  const deletedAt = new Map<ModelVersionJson, string>();
  events.forEach((e, i) => {
    const key = `${e.file}\0${e.model}`;
    const v = byKey.get(`${key}\0${e.hash}`);
    if (!v) return;
    const same = versions.filter((x) => x.file === e.file && x.model === e.model);
    const hist = history.get(key) ?? [];
    history.set(key, hist);
    order.set(v.hash, i);
    if (e.action === 'promote' && e.stage) {
      // One version per model in production and in staging: the one there is archived.
      if (e.stage !== 'archived') for (const other of same) if (other !== v && other.stage === e.stage) { other.stage = 'archived'; order.set(other.hash, i); }
      if (e.stage === 'production' && hist[hist.length - 1] !== v.hash) hist.push(v.hash);
      v.stage = e.stage;
    } else if (e.action === 'rollback') {
      const from = same.find((x) => x.hash === e.from);
      if (from) { from.stage = 'archived'; order.set(from.hash, i); }
      for (const other of same) if (other !== v && other.stage === 'production') other.stage = 'archived';
      v.stage = 'production';
      const at = hist.lastIndexOf(v.hash);
      hist.splice(at < 0 ? hist.length : at + 1);
      if (at < 0) hist.push(v.hash);
    } else if (e.action === 'delete') {
      delete v.stage;
      history.set(key, hist.filter((h) => h !== v.hash));
      deletedAt.set(v, e.time);
    }
  });
  // A version deleted and produced again by a later run is back, under its old number.
  const lastRun = new Map(runs.map((r) => [r.run, r.started]));
  const live = versions.filter((v) => {
    const at = deletedAt.get(v);
    return !at || (lastRun.get(v.runs[v.runs.length - 1]) ?? '') > at;
  });
  return new Registry(dir, live, history, order);
}

/** Versions of the runs' models: numbered per pipeline and model by first appearance, metrics from the latest run that evaluated each. */
/**
 * The version a model of a run in progress gets once the run's record is written: the records
 * before it and its own (a model already produced keeps its number; a new one takes the next).
 * A run started earlier that records a new model after this one's export shifts the number.
 */
export function versionOfRun(run: RunRecord, model: string): string | undefined {
  const runs = (readStoreData(run.file)?.runs ?? []).filter((r) => r.run !== run.run);
  const hash = run.models[model]?.modelHash ?? run.artifacts?.[model];
  return deriveVersions([...runs, run]).find((v) => v.file === run.file && v.model === model && v.hash === hash)?.version;
}

function deriveVersions(runs: RunRecord[]): ModelVersionJson[] {
  const versions = new Map<string, ModelVersionJson>();
  const counts = new Map<string, number>();
  for (const run of runs) {
    const hashOf = new Map<string, string>();
    for (const [name, m] of Object.entries(run.models)) {
      const artifact = run.artifacts?.[name];
      if (!artifact) continue;
      const hash = m.modelHash ?? artifact;
      hashOf.set(name, hash);
      const key = `${run.file}\0${name}\0${hash}`;
      const known = versions.get(key);
      if (known) {
        known.runs.push(run.run);
        known.artifact = artifact;
        if (known.status !== 'succeeded') known.status = run.status;
        continue;
      }
      const n = (counts.get(`${run.file}\0${name}`) ?? 0) + 1;
      counts.set(`${run.file}\0${name}`, n);
      versions.set(key, {
        model: name, file: run.file, version: `v${n}`, hash, definition: m.version, run: run.run, runs: [run.run], created: run.started,
        status: run.status, algorithm: m.algorithm, task: m.task, target: m.target, options: m.options, features: m.features, ...(m.input ? { input: m.input } : {}),
        trainRows: m.trainRows, metrics: {}, inputs: inputsOf(run, m.datasets), artifact, ...(m.withActuals ? { withActuals: m.withActuals } : {}),
        ...(run.pipelineHash ? { pipelineHash: run.pipelineHash } : {}),
      });
    }
    for (const e of Object.values(run.evaluations)) {
      const hash = hashOf.get(e.model);
      const entry = hash ? versions.get(`${run.file}\0${e.model}\0${hash}`) : undefined;
      if (entry && e.on) entry.metrics[e.on] = e.metrics;
    }
  }
  return [...versions.values()];
}

function inputsOf(run: RunJson, datasets: string[] | undefined): Record<string, InputFileJson[]> {
  return Object.fromEntries((datasets ?? Object.keys(run.inputs ?? {})).flatMap((d) => (run.inputs?.[d] ? [[d, run.inputs[d]]] : [])));
}

function readEvents(dir: string): RegistryEvent[] {
  let names: string[];
  try {
    names = readdirSync(join(dir, 'registry')).filter((f) => f.endsWith('.json') && !f.startsWith('.')).sort();
  } catch {
    return [];
  }
  return names.flatMap((n) => {
    try {
      const e = JSON.parse(readFileSync(join(dir, 'registry', n), 'utf8')) as RegistryEvent;
      return e && typeof e.hash === 'string' && typeof e.model === 'string' ? [e] : [];
    } catch {
      return [];
    }
  });
}

/** Event files sort by name in time order; the random part keeps two events of one millisecond apart. */
function writeEvent(dir: string, event: RegistryEvent, workspace?: Workspace): void {
  const id = `${event.time.replace(/[-:.]/g, '')}-${randomBytes(4).toString('hex')}`;
  writeFileAtomic(join(dir, 'registry', `${id}.json`), JSON.stringify(event), workspace);
}

/** What a registry change did; `auditError` when the change was made but the audit log could not be written. */
export interface RegistryChange {
  model: string;
  file: string;
  version: ModelVersionJson;
  stage?: StageName;
  /** The version that left the stage (archived), if any. */
  from?: ModelVersionJson;
  /** False when the version already was where it was asked to go: nothing was written. */
  changed: boolean;
  auditError?: string;
}

export interface RegistryOptions {
  /** Where the store may be written (default: the pipeline's folder, as for a run): a `.narml` linked out of it is refused. */
  workspace?: Workspace;
  /** The pipeline hash to record in the audit event. */
  pipelineHash?: string;
}

/** The pipeline's workspace, and the hash of its text as it is now for the audit event (none when it cannot be read). */
function withDefaults(pipelineFile: string, opts: RegistryOptions): RegistryOptions {
  let pipelineHash = opts.pipelineHash;
  if (!pipelineHash) try { pipelineHash = sha256(readFileSync(pipelineFile)); } catch { /* a pipeline gone since its runs: the event has no hash */ }
  return { workspace: opts.workspace ?? workspaceOf(pipelineFile), ...(pipelineHash ? { pipelineHash } : {}) };
}

/**
 * Puts a version (`v3`, `3` or a stage name) of `model` into `stage`. The version in production
 * (or staging) before is archived. Refuses a version no succeeded run produced. The refusal is
 * audited too (best effort) and thrown as a RegistryError.
 */
export function promote(pipelineFile: string, model: string, ref: string, stage: StageName, opts: RegistryOptions = {}): RegistryChange {
  const registry = readRegistry(pipelineFile);
  opts = withDefaults(pipelineFile, opts);
  return audited(registry.dir, { action: 'promote', file: pipelineFile, model, stage }, opts, () => {
    const v = registry.resolve(pipelineFile, model, ref);
    if (v.status !== 'succeeded') throw new RegistryError(`${model} ${v.version} comes only from runs that did not succeed (run ${v.runs[v.runs.length - 1]}: ${v.status}); fix the pipeline and run it again, then promote the version that run produces`);
    const from = stage === 'archived' ? undefined : registry.find(pipelineFile, model, stage);
    if (v.stage === stage) return { model, file: pipelineFile, version: v, stage, changed: false };
    writeEvent(registry.dir, { time: new Date().toISOString(), action: 'promote', file: pipelineFile, model, hash: v.hash, version: v.version, stage }, opts.workspace);
    return { model, file: pipelineFile, version: v, stage, ...(from && from !== v ? { from } : {}), changed: true };
  });
}

/**
 * Production goes back to the version that held it before the current one's last promotion;
 * the current one is archived (it was found wanting; staging is for candidates).
 */
export function rollback(pipelineFile: string, model: string, opts: RegistryOptions = {}): RegistryChange {
  const registry = readRegistry(pipelineFile);
  opts = withDefaults(pipelineFile, opts);
  return audited(registry.dir, { action: 'rollback', file: pipelineFile, model, stage: 'production' as const }, opts, () => {
    if (registry.of(pipelineFile, model).length === 0) registry.resolve(pipelineFile, model, 'production');
    const current = registry.find(pipelineFile, model, 'production');
    if (!current) throw new RegistryError(`no version of ${model} is in production, so there is nothing to roll back; promote one: narml promote ${model} VERSION --stage production`);
    const previous = registry.previousProduction(pipelineFile, model);
    if (!previous) throw new RegistryError(`no version of ${model} was in production before ${current.version}, so there is none to roll back to (a rollback does not return to a version it replaced); to change production, promote one: narml promote ${model} VERSION --stage production`);
    writeEvent(registry.dir, { time: new Date().toISOString(), action: 'rollback', file: pipelineFile, model, hash: previous.hash, version: previous.version, from: current.hash }, opts.workspace);
    return { model, file: pipelineFile, version: previous, stage: 'production', from: current, changed: true };
  });
}

/**
 * Deletes a version: it leaves every list and stage, and its stored model files are removed
 * (a later run that retrains the same model brings it back under its number). The version in
 * production is refused: roll back or promote another first.
 */
export function deleteVersion(pipelineFile: string, model: string, ref: string, opts: RegistryOptions = {}): RegistryChange {
  const registry = readRegistry(pipelineFile);
  opts = withDefaults(pipelineFile, opts);
  return audited(registry.dir, { action: 'delete', file: pipelineFile, model }, opts, () => {
    const v = registry.resolve(pipelineFile, model, ref);
    if (v.stage === 'production') throw new RegistryError(`${model} ${v.version} is in production and is not deleted; roll back (narml rollback ${model}) or promote another version first`);
    writeEvent(registry.dir, { time: new Date().toISOString(), action: 'delete', file: pipelineFile, model, hash: v.hash, version: v.version }, opts.workspace);
    // The runs keep naming the artifacts; a run that needs the model again retrains it (a missing artifact is not reused).
    for (const run of readStoreData(pipelineFile)?.runs ?? []) {
      const artifact = run.file === pipelineFile && v.runs.includes(run.run) ? run.artifacts?.[model] : undefined;
      if (artifact) try { unlinkSync(join(registry.dir, 'artifacts', `${artifact}.json`)); } catch { /* already gone */ }
    }
    return { model, file: pipelineFile, version: v, changed: true };
  });
}

/** Runs a registry change and appends its audit event: `ok`, or `refused` with the reason (then rethrown). */
function audited(dir: string, base: Omit<AuditInput, 'outcome'> & { action: 'promote' | 'rollback' | 'delete' }, opts: RegistryOptions, change: () => RegistryChange): RegistryChange {
  const extra = opts.pipelineHash ? { pipelineHash: opts.pipelineHash } : {};
  let result: RegistryChange;
  try {
    result = change();
  } catch (e) {
    // A refusal is audited only in a store that exists: asking about a folder never run in must not make one.
    if (existsSync(dir)) try { appendAudit(dir, { ...base, ...extra, outcome: 'refused', detail: e instanceof Error ? e.message : String(e) }, opts.workspace); } catch { /* the refusal itself is what the caller reports */ }
    throw e;
  }
  if (!result.changed) return result;
  try {
    appendAudit(dir, {
      ...base, ...extra, outcome: 'ok', version: result.version.version, run: result.version.run,
      ...(result.from ? { from: result.from.version } : {}),
    }, opts.workspace);
  } catch (e) {
    result.auditError = e instanceof Error ? e.message : String(e);
  }
  return result;
}

/** What differs between two versions of one model: options, metrics per evaluated table, input files, features, pipeline. */
export function diffVersions(a: ModelVersionJson, b: ModelVersionJson): ModelDiffJson {
  const options: ModelDiffJson['options'] = {};
  for (const k of new Set([...Object.keys(a.options), ...Object.keys(b.options)])) {
    if (JSON.stringify(a.options[k]) !== JSON.stringify(b.options[k])) options[k] = [a.options[k] ?? null, b.options[k] ?? null];
  }
  const metrics: ModelDiffJson['metrics'] = {};
  for (const on of new Set([...Object.keys(a.metrics), ...Object.keys(b.metrics)])) {
    const ma = a.metrics[on] ?? {};
    const mb = b.metrics[on] ?? {};
    metrics[on] = Object.fromEntries([...new Set([...Object.keys(ma), ...Object.keys(mb)])].map((m) => {
      const x = ma[m] ?? null;
      const y = mb[m] ?? null;
      return [m, [x, y, x !== null && y !== null ? y - x : null]];
    }));
  }
  const inputs: ModelDiffJson['inputs'] = {};
  for (const d of new Set([...Object.keys(a.inputs), ...Object.keys(b.inputs)])) {
    const fa = new Map((a.inputs[d] ?? []).map((f) => [f.file, f.sha256]));
    const fb = new Map((b.inputs[d] ?? []).map((f) => [f.file, f.sha256]));
    const changed = [...new Set([...fa.keys(), ...fb.keys()])].filter((f) => fa.get(f) !== fb.get(f)).map((file) => ({ file, a: fa.get(file) ?? null, b: fb.get(file) ?? null }));
    if (changed.length > 0) inputs[d] = changed;
  }
  return {
    model: a.model, file: a.file, a, b, options, metrics, inputs,
    features: { added: b.features.filter((f) => !a.features.includes(f)), removed: a.features.filter((f) => !b.features.includes(f)) },
    pipelineHash: [a.pipelineHash ?? null, b.pipelineHash ?? null], algorithm: [a.algorithm, b.algorithm], trainRows: [a.trainRows, b.trainRows],
  };
}

/**
 * The checker's view of the registries (`with churn@production`), read again only when a run or
 * a stage change was recorded: keyed by the modification times of the store's `runs/` and
 * `registry/` folders (adding or renaming a file in a folder changes its mtime), so a keystroke
 * costs two stats.
 */
export class StoreRegistrySource implements RegistrySource {
  private readonly cache = new Map<string, { key: string; registry: Registry }>();

  versions(file: string, model: string): VersionFacts[] | undefined {
    return this.registry(file)?.of(file, model);
  }

  named(file: string, model: string, ref: string): VersionFacts | undefined {
    return this.registry(file)?.find(file, model, ref);
  }

  private registry(file: string): Registry | undefined {
    const dir = storeDir(file);
    if (!existsSync(dir)) return undefined;
    const key = ['runs', 'registry'].map((f) => { try { return statSync(join(dir, f)).mtimeMs; } catch { return 0; } }).join('|');
    let hit = this.cache.get(dir);
    if (hit?.key !== key) {
      hit = { key, registry: readRegistry(file) };
      this.cache.set(dir, hit);
    }
    return hit.registry;
  }
}
