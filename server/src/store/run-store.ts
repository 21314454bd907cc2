// The run store in `.narml/` beside the pipeline. Nothing in it is ever read, changed and
// written back by two processes, so overlapping runs and schedules need no lock:
//   runs/<run>.json           one compact record per run (written at start as `running`, then final)
//   running/<run>.json        the process (pid, host) of a run in progress, removed at its end
//   attempts/<time>-<id>.json one record per scheduled attempt
//   results/<decl-hash>.json  declaration hash → artifact hash of its result (write once)
//   artifacts/<sha256>.json   content-addressed: fitted steps + models, and each run's details
//                             (confusion matrices, plot curves, importances) that records only name
//   file-hashes/<id>.json     a data file's identity (path, size, mtime, inode) → SHA-256 of its bytes
//   model-hashes/<artifact>.json a model artifact → the registry's hash of its fitted model and steps
//   schemas/<key>.json        a dataset's fully read schema, by path, CSV options and content hashes
//   registry/<time>-<id>.json one stage change (promotion, rollback, deletion) of a model version
//   audit.jsonl               the audit log, appended to with O_APPEND (audit-log.ts)
// Every other file is written by writeFileAtomic. Model versions are derived from the run records (registry.ts).
// A `db.json` of the earlier single-file store is migrated on open and read until then.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, type Stats } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import type { EvaluationJson, NotifyOutcomeJson, RunJson } from '../contracts/cli-json';
import type { CsvSchemaResult } from '../data/csv-options';
import { refuseOutside, writeError, writeFileAtomic } from './atomic-write';
import { toJsonText } from './json-text';
import { workspaceOf, type Workspace } from '../workspace/output-paths';

export interface ScheduleAttempt {
  file: string;
  /** The job (`predict:NAME`, `monitor:NAME`, `retrain:NAME`); absent in records older than monitor schedules. */
  job?: string;
  /** The predict or monitor the job runs. */
  predict?: string;
  monitor?: string;
  attempt: number;
  started: string;
  finished: string;
  /** `waiting`: the source glob matched no file yet; nothing ran, nothing is retried. */
  status: 'succeeded' | 'failed' | 'waiting';
  /** The run this attempt recorded (absent when it was waiting). */
  run?: string;
  error?: string;
  output?: string;
  /** The failure's notifications, on the last attempt of a firing that failed. */
  notified?: NotifyOutcomeJson[];
}

/** What the store keeps of a run beyond its JSON result. */
export interface RunExtras {
  /** Model name → artifact hash of its fitted steps and parameters. */
  artifacts?: Record<string, string>;
  /** Output path → the declaration and input hashes it came from. */
  lineage?: Record<string, { declaration: string; inputs: string[] }>;
}

/** A run as stored: the result without its bulky parts, which `details` names as an artifact. */
export interface RunRecord extends RunJson, RunExtras {
  details?: string;
  pid?: number;
  host?: string;
}

interface RunDetails {
  evaluations: Record<string, Pick<EvaluationJson, 'confusion' | 'curves'>>;
  importances: Record<string, Record<string, number>>;
}

export interface StoreData {
  runs: RunRecord[];
  attempts: ScheduleAttempt[];
}

export function storeDir(pipelineFile: string): string {
  return join(dirname(pipelineFile), '.narml');
}

/** SHA-256 of text, bytes, or bytes in chunks (a file written as chunks, hashed as its whole). */
export function sha256(data: string | Uint8Array | readonly Uint8Array[]): string {
  const h = createHash('sha256');
  if (Array.isArray(data)) for (const chunk of data) h.update(chunk);
  else h.update(data as string | Uint8Array);
  return h.digest('hex');
}

/** A new run id: sortable by time, unique among processes starting in the same second. */
export function newRunId(now: Date): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${randomBytes(4).toString('hex')}`;
}

/**
 * A file modified this recently may still change within the same mtime tick (filesystems keep
 * mtime in 1 ns to 2 s steps): its hash is used but not recorded under its identity.
 */
const RACY_MS = 2000;

function identityOf(path: string, st: Stats): string {
  return sha256(`${path}\u0000${st.size}\u0000${st.mtimeMs}\u0000${st.ino}`);
}

/**
 * A file's identity (a hash of path, size, mtime and inode), and whether it is settled: not
 * modified within RACY_MS before `readSince`, so what was read since then is what it holds.
 * Undefined when the file is gone.
 */
export function fileIdentity(path: string, readSince = Date.now()): { id: string; settled: boolean } | undefined {
  let st: Stats;
  try {
    st = statSync(path);
  } catch {
    return undefined;
  }
  return { id: identityOf(path, st), settled: readSince - st.mtimeMs > RACY_MS };
}

async function hashFile(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

export class RunStore {
  private constructor(readonly dir: string, private readonly workspace: Workspace) {}

  /** The store of a pipeline for looking up and recording file hashes and schemas only (no migration, no run bookkeeping). */
  static lookup(pipelineFile: string, workspace: Workspace = workspaceOf(pipelineFile)): RunStore {
    return new RunStore(storeDir(pipelineFile), workspace);
  }

  /**
   * The store of a pipeline (its folders are made by the first write); migrates an old db.json
   * and marks dead runs interrupted. A `.narml` that leads out of the workspace (a planted link) is refused.
   */
  static open(pipelineFile: string, workspace: Workspace = workspaceOf(pipelineFile)): RunStore {
    const store = new RunStore(storeDir(pipelineFile), workspace);
    refuseOutside(join(store.dir, 'db.json'), workspace);
    store.migrateLegacy();
    store.markInterrupted();
    return store;
  }

  /** Stores a JSON artifact under its content hash; returns the hash. */
  putArtifact(value: unknown): string {
    const text = toJsonText(value);
    const hash = sha256(text);
    const path = join(this.dir, 'artifacts', `${hash}.json`);
    if (!existsSync(path)) writeFileAtomic(path, text, this.workspace);
    return hash;
  }

  getArtifact<T>(hash: string): T | undefined {
    return readJson<T>(join(this.dir, 'artifacts', `${hash}.json`));
  }

  /** Artifact hash of the result of a declaration hash, when an earlier run stored one. */
  result(declarationHash: string): string | undefined {
    return readJson<string>(join(this.dir, 'results', `${declarationHash}.json`));
  }

  /** Whether `result(declarationHash)` names an artifact that is still in the store. */
  hasResult(declarationHash: string): boolean {
    const artifact = this.result(declarationHash);
    return artifact !== undefined && existsSync(join(this.dir, 'artifacts', `${artifact}.json`));
  }

  /** The model hash (run-pipeline.ts `modelHash`) recorded for a model artifact. */
  modelHash(artifact: string): string | undefined {
    return readJson<string>(join(this.dir, 'model-hashes', `${artifact}.json`));
  }

  /**
   * Records the model hash of a model artifact: reusing a model then reads 64 bytes instead of
   * serialising and hashing its parameters again (a few milliseconds of a one-row predict). Not
   * fsynced: a record lost in a crash is computed again.
   */
  setModelHash(artifact: string, hash: string): void {
    writeFileAtomic(join(this.dir, 'model-hashes', `${artifact}.json`), JSON.stringify(hash), this.workspace, { durable: false });
  }

  setResult(declarationHash: string, artifact: string): void {
    writeFileAtomic(join(this.dir, 'results', `${declarationHash}.json`), JSON.stringify(artifact), this.workspace);
  }

  /**
   * The SHA-256 recorded for a file as it is now — same path, size, mtime and inode as when it
   * was hashed — without reading it; undefined when the file changed, is gone or was never hashed.
   */
  knownFileHash(path: string): string | undefined {
    const identity = fileIdentity(path);
    return identity && readJson<string>(join(this.dir, 'file-hashes', `${identity.id}.json`));
  }

  /**
   * The SHA-256 of a file's bytes: the recorded one while its identity is unchanged, else read
   * and hashed, and recorded when the file was not modified in the last RACY_MS before reading.
   */
  async fileHash(path: string): Promise<string> {
    const known = this.knownFileHash(path);
    if (known) return known;
    const started = Date.now();
    const before = statSync(path);
    const hash = await hashFile(path);
    const after = statSync(path);
    const id = identityOf(path, after);
    if (id === identityOf(path, before) && started - after.mtimeMs > RACY_MS) writeFileAtomic(join(this.dir, 'file-hashes', `${id}.json`), JSON.stringify(hash), this.workspace);
    return hash;
  }

  /** A dataset's fully read schema recorded under `key` (see `schemaKey`). */
  schema(key: string): CsvSchemaResult | undefined {
    return readJson<CsvSchemaResult>(join(this.dir, 'schemas', `${key}.json`));
  }

  /** Records a schema under `key`, once; `replace`: over what is recorded. */
  putSchema(key: string, result: CsvSchemaResult, replace = false): void {
    const path = join(this.dir, 'schemas', `${key}.json`);
    if (replace || !existsSync(path)) writeFileAtomic(path, toJsonText(result), this.workspace);
  }

  /**
   * Records a run as `running` with this process's id, so a run killed with -9 shows as
   * `interrupted` later. Throws a WriteError when the store cannot be written. Neither file is
   * fsynced: a killed process loses no written page, and after a machine crash a run without a
   * start record is simply not listed, where waiting for the disk twice at every start (four
   * fsyncs) was most of a one-row predict's time beyond Node's start. The final record is durable.
   */
  startRun(run: RunJson): void {
    const owner = { pid: process.pid, host: hostname() };
    writeFileAtomic(join(this.dir, 'running', `${run.run}.json`), JSON.stringify(owner), this.workspace, { durable: false });
    writeFileAtomic(this.runPath(run.run), JSON.stringify({ ...run, status: 'running', ...owner }), this.workspace, { durable: false });
  }

  /** Writes a run's final record (bulky parts to a details artifact) and clears its running mark. */
  finishRun(run: RunJson, extras: RunExtras = {}): void {
    const { record, details } = compact(run);
    if (details) record.details = this.putArtifact(details);
    writeFileAtomic(this.runPath(run.run), JSON.stringify({ ...record, ...extras }), this.workspace);
    removeIfPresent(join(this.dir, 'running', `${run.run}.json`));
  }

  recordAttempt(attempt: ScheduleAttempt, id = `${attempt.started.replace(/[-:.]/g, '')}-${randomBytes(4).toString('hex')}`): void {
    writeFileAtomic(join(this.dir, 'attempts', `${id}.json`), JSON.stringify(attempt), this.workspace);
  }

  private runPath(id: string): string {
    return join(this.dir, 'runs', `${id}.json`);
  }

  private markInterrupted(): void {
    for (const name of jsonFiles(join(this.dir, 'running'))) {
      const owner = readJson<{ pid: number; host: string }>(join(this.dir, 'running', name));
      if (owner && !processGone(owner)) continue;
      const path = join(this.dir, 'runs', name);
      const record = readJson<RunRecord>(path);
      // The final record is written before the mark is removed: only a record still `running` was cut short.
      if (record?.status === 'running') writeFileAtomic(path, JSON.stringify(interrupted(record)), this.workspace);
      removeIfPresent(join(this.dir, 'running', name));
    }
  }

  private migrateLegacy(): void {
    const legacy = join(this.dir, 'db.json');
    if (!existsSync(legacy)) return;
    const data = readLegacy(this.dir);
    if (!data) {
      try {
        renameSync(legacy, join(this.dir, `db.damaged-${Date.now()}.json`));
      } catch (e) {
        throw writeError(legacy, e);
      }
      return;
    }
    for (const run of data.runs) if (!existsSync(this.runPath(run.run))) this.finishRun(run, { artifacts: data.artifacts.get(run.run) });
    // Named by position, so two processes migrating at once write the same files, not two copies.
    data.attempts.forEach((attempt, i) => this.recordAttempt(attempt, `legacy-${String(i).padStart(6, '0')}`));
    for (const [decl, artifact] of Object.entries(data.results)) this.setResult(decl, artifact);
    // Another process may have migrated the same file at the same time; either rename wins.
    try { renameSync(legacy, join(this.dir, 'db.migrated.json')); } catch { /* already moved */ }
  }
}

/** Splits the bulky parts of a run result off its record. */
function compact(run: RunJson): { record: RunRecord; details?: RunDetails } {
  const details: RunDetails = { evaluations: {}, importances: {} };
  const evaluations: Record<string, EvaluationJson> = {};
  for (const [name, e] of Object.entries(run.evaluations)) {
    const { confusion, curves, ...rest } = e;
    evaluations[name] = rest;
    if (confusion || curves) details.evaluations[name] = { ...(confusion ? { confusion } : {}), ...(curves ? { curves } : {}) };
  }
  const models: RunJson['models'] = {};
  for (const [name, m] of Object.entries(run.models)) {
    const { importances, ...rest } = m;
    models[name] = rest;
    if (importances) details.importances[name] = importances;
  }
  const record: RunRecord = { ...run, evaluations, models };
  const empty = Object.keys(details.evaluations).length === 0 && Object.keys(details.importances).length === 0;
  return empty ? { record } : { record, details };
}

/** A run record with its details artifact loaded back in: the full result the run printed. */
export function expandRun(pipelineFile: string, record: RunRecord): RunJson {
  const details = record.details ? readJson<RunDetails>(join(storeDir(pipelineFile), 'artifacts', `${record.details}.json`)) : undefined;
  const { details: _hash, pid: _pid, host: _host, artifacts: _a, lineage: _l, ...run } = record;
  if (!details) return run;
  const evaluations = Object.fromEntries(Object.entries(run.evaluations).map(([n, e]) => [n, { ...e, ...details.evaluations[n] }]));
  const models = Object.fromEntries(Object.entries(run.models).map(([n, m]) => [n, details.importances[n] ? { ...m, importances: details.importances[n] } : m]));
  return { ...run, evaluations, models };
}

function interrupted(record: RunRecord): RunRecord {
  return { ...record, status: 'interrupted', error: record.error ?? 'the run stopped without recording an end (killed, crashed or the machine stopped); run it again' };
}

/** True when the process that owns a running mark is certainly gone (same host, no such pid). */
function processGone(owner: { pid: number; host: string }): boolean {
  if (owner.host !== hostname()) return false;
  if (owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Record files of a store folder; temporary files (`.name.tmp`) are skipped. */
function jsonFiles(dir: string): string[] {
  try {
    return readdirSync(dir).filter((f) => f.endsWith('.json') && !f.startsWith('.'));
  } catch {
    return [];
  }
}

function removeIfPresent(path: string): void {
  try { unlinkSync(path); } catch { /* already gone */ }
}

interface LegacyData {
  runs: RunJson[];
  attempts: ScheduleAttempt[];
  results: Record<string, string>;
  /** Run id → model name → artifact, from the old `models` list. */
  artifacts: Map<string, Record<string, string>>;
}

/** The old single-file store (lowdb's db.json), or undefined when it is damaged. */
function readLegacy(dir: string): LegacyData | undefined {
  const data = readJson<{ runs?: RunJson[]; attempts?: ScheduleAttempt[]; results?: Record<string, string>; models?: { run: string; model: string; artifact: string }[] }>(join(dir, 'db.json'));
  if (!data || typeof data !== 'object') return undefined;
  const artifacts = new Map<string, Record<string, string>>();
  for (const m of data.models ?? []) artifacts.set(m.run, { ...artifacts.get(m.run), [m.model]: m.artifact });
  return { runs: data.runs ?? [], attempts: data.attempts ?? [], results: data.results ?? {}, artifacts };
}

/**
 * Everything recorded beside a pipeline, oldest first, read without writing: runs (a `running`
 * run whose process is gone reads as `interrupted`) and scheduled attempts (model versions are
 * derived from the runs by registry.ts).
 */
export function readStoreData(pipelineFile: string): StoreData | undefined {
  const dir = storeDir(pipelineFile);
  if (!existsSync(dir)) return undefined;
  const byId = new Map<string, RunRecord>();
  const legacy = existsSync(join(dir, 'db.json')) ? readLegacy(dir) : undefined;
  for (const run of legacy?.runs ?? []) byId.set(run.run, { ...run, artifacts: legacy!.artifacts.get(run.run) });
  for (const name of jsonFiles(join(dir, 'runs'))) {
    const record = readJson<RunRecord>(join(dir, 'runs', name));
    if (!record?.run) continue;
    byId.set(record.run, record.status === 'running' && record.pid !== undefined && processGone({ pid: record.pid, host: record.host ?? '' }) ? interrupted(record) : record);
  }
  const runs = [...byId.values()].sort((a, b) => a.started.localeCompare(b.started) || a.run.localeCompare(b.run));
  const attempts = [...(legacy?.attempts ?? []), ...jsonFiles(join(dir, 'attempts')).flatMap((f) => readJson<ScheduleAttempt>(join(dir, 'attempts', f)) ?? [])];
  attempts.sort((a, b) => a.started.localeCompare(b.started));
  return { runs, attempts };
}

/** Latest metrics per evaluation of a pipeline, read synchronously (hover in the editor). */
export function readLatestEvaluations(pipelineFile: string): Record<string, EvaluationJson> {
  const out: Record<string, EvaluationJson> = {};
  for (const run of readStoreData(pipelineFile)?.runs ?? []) if (run.file === pipelineFile) Object.assign(out, run.evaluations);
  return out;
}
