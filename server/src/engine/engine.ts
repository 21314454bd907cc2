// The engine: what stands between a checked pipeline and its data. The runner asks an engine to
// read datasets and prediction files, to decide split membership, and to fit and apply transform
// steps; it never reads a file or touches a step itself. The in-memory engine (memory-engine.ts)
// is the reference: every other engine must give the same rows, the same fitted parameters and
// the same tables for the same pipeline.
//
// Rows are always named by their position in the dataset's file order (the "raw row"), so the
// tables one engine returns can be scored, joined and compared with another's.
import type { Step } from '../language/ast';
import type { DatasetInfo, SplitInfo } from '../checker/checked-model';
import type { CsvOptions } from '../data/csv-options';
import type { Table } from '../data/table';
import type { AppliedSteps, LossSink } from '../transforms/fit-steps';
import type { FittedStep } from '../transforms/fitted-step';
import type { ColumnType } from '../language/schema';

export const ENGINE_NAMES = ['memory', 'duckdb', 'clickhouse'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

export function isEngineName(s: string): s is EngineName {
  return (ENGINE_NAMES as readonly string[]).includes(s);
}

export interface Engine {
  readonly name: EngineName;
  /** A dataset's rows in file order, its columns typed as the checker typed them. Read once per engine. */
  readDataset(dataset: DatasetInfo): Promise<Table>;
  /** How many rows a dataset has. */
  rowCount(dataset: DatasetInfo): Promise<number>;
  /** The raw rows `rows` (ascending) of a dataset, its columns as `readDataset` gives them: what a model's own steps are replayed on. */
  readRows(dataset: DatasetInfo, rows: Int32Array): Promise<Table>;
  /**
   * A file to predict on, read with `options` (a dataset's options: same columns, same types);
   * `passThrough(name)`: the column is only copied to the output (a CSV keeps it as bytes, data/pass-through.ts).
   */
  readFile(pattern: string, options: CsvOptions, passThrough?: (name: string) => boolean): Promise<Table>;
  /**
   * The raw rows of each part of `split`, ascending. `pre` are the steps between the dataset and
   * the split: membership is decided on the rows that reach it, those steps fitted on all rows.
   */
  splitRows(dataset: DatasetInfo, pre: Step[], split: SplitInfo, onLoss?: LossSink): Promise<Record<string, Int32Array>>;
  /**
   * Learns `steps` on the raw rows `rows` of `dataset` (each step on what the previous one left)
   * and returns the fitted steps with the table they produce on those rows.
   */
  fitSteps(dataset: DatasetInfo, steps: Step[], rows: Int32Array, onLoss?: LossSink): Promise<{ fitted: FittedStep[]; result: AppliedSteps }>;
  /** Replays fitted steps unchanged on the raw rows `rows` of `dataset` (row steps too: mode 'train'). */
  applySteps(dataset: DatasetInfo, fitted: FittedStep[], rows: Int32Array, onLoss?: LossSink): Promise<AppliedSteps>;
  /** Frees what the engine holds (a database connection); the engine is not used afterwards. */
  close(): Promise<void>;
}

/**
 * A table an engine keeps on its side and hands out in pieces, so that the process never holds
 * all of it: a model's training table column by column, a scored table chunk by chunk. Rows come
 * in raw row order, as the engine's whole tables give them.
 */
export interface StreamedTable {
  readonly columns: readonly { name: string; type: ColumnType }[];
  readonly rowCount: number;
  /** Some columns whole (a model's target), with each row's raw row. */
  select(names: string[]): Promise<AppliedSteps>;
  /** A number column whole, NaN where missing; into `into` when given (a buffer reused column after column). */
  numbers(name: string, into?: Float64Array): Promise<Float64Array>;
  /**
   * Every row in tables of at most `chunkRows()` rows, in order; a category or text column has
   * the whole table's levels in every chunk, so chunks can be scored and written alike. A chunk's
   * arrays are the engine's buffers, refilled once `onChunk` has returned: copy what must outlive it.
   */
  chunks(onChunk: (chunk: AppliedSteps) => void | Promise<void>): Promise<void>;
  /** Frees what the engine keeps for the table. */
  drop(): Promise<void>;
}

/** An engine that can stream tables (DuckDB): the runner then never materialises a large table. */
export interface StreamingEngine extends Engine {
  /** `fitSteps` with the result left in the engine. */
  fitStepsStreamed(dataset: DatasetInfo, steps: Step[], rows: Int32Array, onLoss?: LossSink): Promise<{ fitted: FittedStep[]; result: StreamedTable }>;
  /** The raw rows `rows` of a dataset, left in the engine. */
  rowsStreamed(dataset: DatasetInfo, rows: Int32Array): Promise<StreamedTable>;
  /**
   * A file to predict on (as `readFile` reads it) left in the engine; undefined when only the
   * CSV reader can type it. `like`: the dataset the model was trained on.
   */
  fileStreamed(pattern: string, options: CsvOptions, like: DatasetInfo): Promise<StreamedTable | undefined>;
}

export function isStreaming(engine: Engine): engine is StreamingEngine {
  return 'fitStepsStreamed' in engine;
}

/**
 * Rows per chunk of a streamed table: enough that a chunk's fixed costs (a query's vector
 * fetches, a scoring fan-out) vanish, few enough that a chunk of 40 Float64 columns stays a few
 * tens of MB. NARML_CHUNK_ROWS sets it (tests force chunk boundaries inside every part with it).
 */
export function chunkRows(): number {
  const n = Number(process.env.NARML_CHUNK_ROWS);
  return Number.isInteger(n) && n > 0 ? n : 1 << 17;
}

/** What an engine needs from the command that runs it. */
export interface EngineContext {
  signal?: import('../ml/cancellation').CancelSignal;
  /** Told how far the reading of a dataset has come (0..1). */
  onRead?: (dataset: string, fraction: number) => void;
  /** Whole files the command's check has already read. */
  tablesRead?: TablesRead;
}

/** Whole files a command has already read (the check's CsvSchemaCache with `keepTables`). */
export interface TablesRead {
  table(pattern: string, options: CsvOptions): Table | undefined;
}
