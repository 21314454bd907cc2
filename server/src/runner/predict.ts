// `predict`: scores a file, a glob or a table with a trained model and writes every input
// column, then `prediction`, then `probability_<class>` columns, atomically. Row steps are
// skipped so every input row gets an output row; rows the model cannot take (missing features)
// get an empty prediction and are counted.
import { createHash } from 'node:crypto';
import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import { isParquet } from '../engine/duckdb-dialect';
import { writeParquetFromCsv, writeParquetStreamed } from '../engine/parquet-output';
import type { StreamedTable } from '../engine/engine';
import type { PredictInfo } from '../checker/checked-model';
import type { PredictionJson } from '../contracts/cli-json';
import { expandGlob, isGlob } from '../data/glob';
import type { CancelSignal } from '../ml/cancellation';
import { CsvByteWriter, csvField, csvRows, encodedFields, type CsvCells, type CsvRowsPiece } from '../data/csv-writer';
import { sharedFloat64, sharedInt32 } from '../ml/parallel/shared-arrays';
import { computeInParallel, startWorkers, trainingThreads } from '../ml/parallel/thread-pool';
import type { Column, Table } from '../data/table';
import { PassThroughColumn } from '../data/pass-through';
import { writeFileAtomic, writeFileAtomicStreamed } from '../store/atomic-write';
import { sha256 } from '../store/run-store';
import { expandOutputTemplate, type Workspace } from '../workspace/output-paths';
import { cellText } from '../transforms/table-ops';
import { RunError, type PipelineData } from './pipeline-data';
import { ClickHouseEngine } from '../engine/clickhouse-engine';
import { saveModel } from '../ml/registry';
import { predictPrepared, scoresRowByRow, type TrainedModel } from './scoring';

/** A glob that matches no file yet: an inbox waiting for files (NML204), not an error. */
export function isEmptyInbox(pattern: string): boolean {
  return isGlob(pattern) && expandGlob(pattern).length === 0;
}

/** Fewer rows than this are written on the calling thread: starting the fan-out costs more. */
const PARALLEL_FROM_ROWS = 1 << 16;
/** An input this large has more than PARALLEL_FROM_ROWS rows unless they are some 250 bytes long. */
const POOL_FROM_BYTES = 1 << 24;

/** Bytes of the files a predict source names (0 when they cannot be listed: the read reports why). */
function inputBytes(pattern: string): number {
  try {
    return expandGlob(pattern).reduce((sum, f) => sum + statSync(f).size, 0);
  } catch {
    return 0;
  }
}

/** An input column as cells: numbers as they are, other columns as codes into their texts, each text encoded once. */
function inputCells(c: Column, shared: boolean): CsvCells {
  if (c instanceof PassThroughColumn) return { rowFields: c.cells.fields(shared) };
  if ('codes' in c) return { codes: shared ? sharedInt32(c.codes) : c.codes, fields: encodedFields(c.levels, shared) };
  if (c.type === 'number') return { numbers: shared ? sharedFloat64(c.values) : c.values };
  // Dates and booleans: one text per distinct value.
  const codes = new Int32Array(shared ? new SharedArrayBuffer(c.values.length * 4) : new ArrayBuffer(c.values.length * 4));
  const code = new Map<number, number>();
  const texts: string[] = [];
  for (let i = 0; i < c.values.length; i++) {
    const v = c.values[i];
    if (Number.isNaN(v)) { codes[i] = -1; continue; }
    let k = code.get(v);
    if (k === undefined) { k = texts.length; code.set(v, k); texts.push(cellText(c, i)!); }
    codes[i] = k;
  }
  return { codes, fields: encodedFields(texts, shared) };
}

/**
 * The output file, in chunks: every input column, then `prediction`, then one
 * `probability_<class>` per class; a row the model could not take has the last ones empty.
 * Many rows are written on all cores, each thread its range of rows; the bytes are the same.
 */
export function predictionCsv(input: Table, tm: TrainedModel, pred: Float64Array, proba: Float64Array | undefined, usable: Uint8Array, withHeader = true): Uint8Array[] {
  const n = input.rowCount;
  const classes = tm.info.classes;
  const header = [...input.names, 'prediction', ...(classes && proba ? classes.map((c) => `probability_${c}`) : [])];
  const threads = n >= PARALLEL_FROM_ROWS ? trainingThreads() : 1;
  const shared = threads > 1;
  const array = (bytes: number): ArrayBuffer | SharedArrayBuffer => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  const columns = input.columns.map((c) => inputCells(c, shared));
  if (classes) {
    const codes = new Int32Array(array(n * 4));
    for (let i = 0; i < n; i++) codes[i] = usable[i] ? pred[i] : -1;
    columns.push({ codes, fields: encodedFields(classes, shared) });
  } else {
    const numbers = new Float64Array(array(n * 8));
    for (let i = 0; i < n; i++) numbers[i] = usable[i] ? pred[i] : NaN;
    columns.push({ numbers });
  }
  const k = classes?.length ?? 0;
  if (classes && proba) {
    for (let c = 0; c < k; c++) {
      const numbers = new Float64Array(array(n * 8));
      for (let i = 0; i < n; i++) numbers[i] = usable[i] ? proba[i * k + c] : NaN;
      columns.push({ numbers });
    }
  }
  const head = new CsvByteWriter();
  if (withHeader) head.text(`${header.map(csvField).join(',')}\n`);
  const per = Math.ceil(n / threads);
  const pieces: CsvRowsPiece[] = [];
  for (let start = 0; start < n; start += per) pieces.push({ columns, start, end: Math.min(n, start + per), shared });
  return [...head.finish(), ...computeInParallel('csv-rows', pieces, csvRows, undefined, threads).flat()];
}

/** The raw columns a model's steps and features read (an ensemble's: its members' and its own passed-through ones). */
function columnsRead(tm: TrainedModel, into = new Set<string>()): Set<string> {
  if (!tm.members || tm.info.ensemble?.passthrough) for (const c of tm.info.inputColumns) into.add(c.name);
  for (const m of tm.members ?? []) columnsRead(m, into);
  return into;
}

/** Keeps what ground truth needs of the scored rows (runner/actuals.ts); returns the artifact, if any. */
export type KeepPredictions = (input: Table, pred: Float64Array, proba: Float64Array | undefined, usable: Uint8Array) => string | undefined;

export async function predictToFile(decl: PredictInfo, tm: TrainedModel, data: PipelineData, now: Date, workspace: Workspace, signal?: CancelSignal, keep?: KeepPredictions): Promise<PredictionJson> {
  if (!decl.output) throw new Error(`predict ${decl.name} has no output path`);
  let input: Table;
  const output = expandOutputTemplate(decl.output, now);
  if (decl.source.kind === 'file' && isEmptyInbox(decl.source.path)) {
    return { output, rows: 0, emptyPredictions: 0, waiting: `no file matches ${decl.source.path} yet; nothing was written (the scheduler waits for files)` };
  }
  const streamed = keep || !scoresRowByRow(tm) ? undefined : await data.sourceStreamed(decl.source, data.chain(tm.info.input).dataset);
  if (streamed) {
    try {
      return { output, ...await predictStreamed(streamed, tm, output, workspace, signal) };
    } finally {
      await streamed.drop();
    }
  }
  if (decl.source.kind === 'file') {
    // A file this large is scored and written on the pool: its threads load while it is read.
    if (inputBytes(decl.source.path) >= POOL_FROM_BYTES) startWorkers();
    const dataset = data.chain(tm.info.input).dataset;
    const read = columnsRead(tm);
    input = await data.fileTable(decl.source.path, dataset.options, (name) => !read.has(name));
  } else {
    const chain = data.chain(decl.source.name);
    input = await data.rawRowsTable(chain);
  }
  const out = predictPrepared(tm, input, 'predict', signal);
  const csv = predictionCsv(input, tm, out.pred, out.proba, out.usable);
  let hash: string;
  if (isParquet(output)) hash = sha256(await writeParquetFromCsv(csv, output, workspace));
  else {
    const h = createHash('sha256');
    writeFileAtomic(output, csv, workspace, { hash: h });
    hash = h.digest('hex');
  }
  let empty = 0;
  for (let i = 0; i < out.usable.length; i++) if (!out.usable[i]) empty++;
  const stored = keep?.(input, out.pred, out.proba, out.usable);
  return { output, rows: input.rowCount, emptyPredictions: empty, sha256: hash, ...(stored ? { stored } : {}) };
}

/**
 * Predictions of a table an engine streams, scored and written chunk by chunk (CSV appended to
 * the temporary file of an atomic write, or to the CSV DuckDB makes the Parquet file of): the
 * bytes of the whole-table path, with one chunk of rows in memory at a time.
 */
async function predictStreamed(table: StreamedTable, tm: TrainedModel, output: string, workspace: Workspace, signal?: CancelSignal): Promise<Omit<PredictionJson, 'output'>> {
  let rows = 0;
  let empty = 0;
  const hash = createHash('sha256');
  const rowsTo = async (write: (bytes: Uint8Array) => void): Promise<void> => {
    await table.chunks((chunk) => {
      const out = predictPrepared(tm, chunk.table, 'predict', signal);
      for (const bytes of predictionCsv(chunk.table, tm, out.pred, out.proba, out.usable, rows === 0)) write(bytes);
      rows += chunk.table.rowCount;
      for (let i = 0; i < out.usable.length; i++) if (!out.usable[i]) empty++;
    });
  };
  if (isParquet(output)) {
    const sha = await writeParquetStreamed(async (csv) => {
      const fd = openSync(csv, 'w');
      try {
        await rowsTo((bytes) => { for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done); });
      } finally {
        closeSync(fd);
      }
    }, output, workspace);
    return { rows, emptyPredictions: empty, sha256: sha };
  }
  await writeFileAtomicStreamed(output, (write) => rowsTo((bytes) => { hash.update(bytes); write(bytes); }), workspace);
  return { rows, emptyPredictions: empty, sha256: hash.digest('hex') };
}

/** `output: table "db.scores"`: the ClickHouse engine scores the source table in SQL and keeps the result as a table. */
export async function predictToTable(decl: PredictInfo, tm: TrainedModel, data: PipelineData): Promise<PredictionJson> {
  const engine = data.engine;
  if (!(engine instanceof ClickHouseEngine) || decl.source.kind !== 'table' || !decl.outputTable) throw new RunError(`predict ${decl.name}: output: table needs the ClickHouse engine and a table to predict from`);
  if (!tm.model) throw new RunError(`predict ${decl.name}: ${tm.info.name} is an ensemble, which SQL scoring does not cover; write its predictions to a file`);
  const { rows, empty } = await engine.scoreToTable(data.chain(decl.source.name).dataset, tm.steps, saveModel(tm.model), decl.outputTable);
  return { output: `table ${decl.outputTable} at ${engine.url}`, rows, emptyPredictions: empty };
}
