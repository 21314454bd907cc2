// The run store in `.narml/` beside the pipeline: run metadata in lowdb (`db.json`, written
// atomically by lowdb's steno writer), artifacts (fitted steps + models, evaluation reports) as
// JSON files named by their content hash. Large data never goes into the metadata.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { EvaluationJson, RunJson } from '../contracts/cli-json';
import { writeFileAtomic } from './atomic-write';

export interface ModelVersion {
  model: string;
  file: string;
  version: string;
  run: string;
  created: string;
  algorithm: string;
  task: string;
  target: string;
  options: Record<string, unknown>;
  metrics: Record<string, Record<string, number>>;
  artifact: string;
}

export interface ScheduleAttempt {
  file: string;
  predict: string;
  attempt: number;
  started: string;
  finished: string;
  status: 'succeeded' | 'failed';
  error?: string;
  output?: string;
}

export interface StoreData {
  runs: RunJson[];
  models: ModelVersion[];
  attempts: ScheduleAttempt[];
  /** Declaration hash → artifact hash of its result. */
  results: Record<string, string>;
  /** Output path → lineage: run, declaration and input hashes it came from. */
  lineage: Record<string, { run: string; declaration: string; inputs: string[] }>;
}

const EMPTY: StoreData = { runs: [], models: [], attempts: [], results: {}, lineage: {} };

export function storeDir(pipelineFile: string): string {
  return join(dirname(pipelineFile), '.narml');
}

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

interface LowDb { data: StoreData; read(): Promise<void>; write(): Promise<void> }

export class RunStore {
  private constructor(readonly dir: string, private readonly db: LowDb) {}

  static async open(pipelineFile: string): Promise<RunStore> {
    const dir = storeDir(pipelineFile);
    const { Low } = await import('lowdb');
    const { JSONFile } = await import('lowdb/node');
    writeFileAtomicIfMissing(join(dir, 'db.json'), JSON.stringify(EMPTY));
    const db = new Low<StoreData>(new JSONFile<StoreData>(join(dir, 'db.json')), structuredClone(EMPTY));
    try {
      await db.read();
    } catch {
      // A foreign or damaged file: keep it aside and start a fresh store rather than fail the run.
      writeFileAtomic(join(dir, `db.damaged-${Date.now()}.json`), readFileSync(join(dir, 'db.json')));
      db.data = structuredClone(EMPTY);
    }
    db.data = { ...structuredClone(EMPTY), ...(db.data ?? {}) };
    return new RunStore(dir, db as unknown as LowDb);
  }

  get data(): StoreData {
    return this.db.data;
  }

  async save(): Promise<void> {
    await this.db.write();
  }

  /** Stores a JSON artifact under its content hash; returns the hash. */
  putArtifact(value: unknown): string {
    const text = JSON.stringify(value);
    const hash = sha256(text);
    const path = join(this.dir, 'artifacts', `${hash}.json`);
    if (!existsSync(path)) writeFileAtomic(path, text);
    return hash;
  }

  getArtifact<T>(hash: string): T | undefined {
    const path = join(this.dir, 'artifacts', `${hash}.json`);
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as T;
    } catch {
      return undefined;
    }
  }
}

function writeFileAtomicIfMissing(path: string, text: string): void {
  if (!existsSync(path)) writeFileAtomic(path, text);
}

/** Latest metrics per evaluation of a pipeline, read synchronously (hover in the editor). */
export function readLatestEvaluations(pipelineFile: string): Record<string, EvaluationJson> {
  try {
    const data = JSON.parse(readFileSync(join(storeDir(pipelineFile), 'db.json'), 'utf8')) as StoreData;
    const out: Record<string, EvaluationJson> = {};
    for (const run of data.runs) if (run.file === pipelineFile) Object.assign(out, run.evaluations);
    return out;
  } catch {
    return {};
  }
}

export function readStoreData(pipelineFile: string): StoreData | undefined {
  try {
    return JSON.parse(readFileSync(join(storeDir(pipelineFile), 'db.json'), 'utf8')) as StoreData;
  } catch {
    return undefined;
  }
}
