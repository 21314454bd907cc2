// The ClickHouse engine (`engine: clickhouse("http://…", cluster: "…")`): datasets are tables of
// the cluster, read through the table the pipeline names (a Distributed table spans the shards).
// What runs where, honestly: the checker's schema, the reuse checksum, the statistics that fit
// impute/encode/scale/clip steps (SQL aggregates over the training rows) and the predictions
// written back as a table (`output: table`, scored in SQL) are computed by the cluster; the rows
// themselves are read into this process once (one RowBinary query, ordered by every column) for
// splits, applying steps, training and evaluation, which run as in the memory engine, whose
// code this engine reuses for them.
import type { DatasetInfo, SplitInfo } from '../checker/checked-model';
import type { Table } from '../data/table';
import { ClickHouseError, connectionFor, type ClickHouseConnection } from './clickhouse-http';
import { readClickHouseTable } from './clickhouse-read';
import { scoreToTable, scoringQuery } from './clickhouse-scoring';
import type { SavedModel } from '../ml/model-types';
import type { FittedStep } from '../transforms/fitted-step';
import type { Step } from '../language/ast';
import { applySteps, type AppliedSteps, type LossSink } from '../transforms/fit-steps';
import { selectRows } from '../transforms/table-ops';
import { fitStepsInSql, keyedPartsInSql } from './clickhouse-fit';
import { cumulativeShares, rowsOfParts } from './keyed-split';
import { EngineError } from './engine-error';
import type { EngineContext, EngineName } from './engine';
import { MemoryEngine } from './memory-engine';

export class ClickHouseEngine extends MemoryEngine {
  override readonly name: EngineName = 'clickhouse';
  private readonly tables = new Map<string, Promise<Table>>();

  constructor(readonly url: string, private readonly cancel: EngineContext = {}) {
    super(cancel);
  }

  /** A connection to this engine's server that the run's cancellation stops (its query killed there). */
  private connection(url = this.url): ClickHouseConnection {
    return connectionFor(url, process.env, this.cancel.signal);
  }

  override readDataset(dataset: DatasetInfo): Promise<Table> {
    if (!dataset.table) return super.readDataset(dataset);
    let t = this.tables.get(dataset.name);
    if (!t) {
      t = readTable(dataset, this.connection(dataset.table.url));
      this.tables.set(dataset.name, t);
    }
    return t;
  }

  /**
   * A keyed split straight on the table (no steps before it) is decided by the server, with the
   * same hash as every engine (keyed-split.ts): one byte per row, the part, leaves the cluster.
   */
  override async splitRows(dataset: DatasetInfo, pre: Step[], split: SplitInfo, onLoss?: LossSink): Promise<Record<string, Int32Array>> {
    const { name, columnTypes } = dataset.table ?? {};
    if (!split.key || pre.length > 0 || !name || !dataset.schema || !columnTypes) return super.splitRows(dataset, pre, split, onLoss);
    let part: Uint8Array | undefined;
    try {
      part = await keyedPartsInSql(this.connection(), name, dataset.schema.columns, columnTypes, split.key, split.seed, cumulativeShares(split.parts));
    } catch (e) {
      if (e instanceof ClickHouseError) throw new EngineError(`split "${split.name}" on the server: ${e.message}`);
      throw e;
    }
    return part ? rowsOfParts(split.parts, part) : super.splitRows(dataset, pre, split, onLoss);
  }

  /**
   * Learns the steps' parameters by SQL aggregates over the training rows on the server when they
   * are all such (clickhouse-fit.ts), else as the memory engine does; either way the rows they
   * produce are computed here from the rows read, for training.
   */
  override async fitSteps(dataset: DatasetInfo, steps: Step[], rows: Int32Array, onLoss?: LossSink): Promise<{ fitted: FittedStep[]; result: AppliedSteps }> {
    const { name, columnTypes } = dataset.table ?? {};
    if (!name || !dataset.schema || !columnTypes) return super.fitSteps(dataset, steps, rows, onLoss);
    const raw = await this.readDataset(dataset);
    let fitted: FittedStep[] | undefined;
    try {
      fitted = await fitStepsInSql(this.connection(), name, dataset.schema.columns, columnTypes, steps, rows, raw.rowCount);
    } catch (e) {
      if (e instanceof ClickHouseError) throw new EngineError(`fitting the steps of dataset "${dataset.name}" on the server: ${e.message}`);
      throw e;
    }
    if (!fitted) return super.fitSteps(dataset, steps, rows, onLoss);
    const out = applySteps(fitted, selectRows(raw, rows), 'train', undefined, onLoss);
    return { fitted, result: { table: out.table, rowMap: Int32Array.from(out.rowMap, (r) => rows[r]) } };
  }

  /**
   * Scores every row of `dataset`'s table in SQL with the fitted `steps` and `saved` model and
   * writes the result as the table `output` of this engine's server (clickhouse-scoring.ts).
   */
  async scoreToTable(dataset: DatasetInfo, steps: readonly FittedStep[], saved: SavedModel, output: string): Promise<{ rows: number; empty: number }> {
    const { name, columnTypes } = dataset.table ?? {};
    if (!name || !dataset.schema || !columnTypes) throw new EngineError(`dataset "${dataset.name}" is no table of the ClickHouse engine; output: table scores only such tables`);
    try {
      return await scoreToTable(this.connection(), output, scoringQuery(name, dataset.schema.columns, columnTypes, steps, saved));
    } catch (e) {
      if (e instanceof ClickHouseError) throw new EngineError(`writing predictions to table ${output}: ${e.message}`);
      throw e;
    }
  }

  override async close(): Promise<void> {
    this.tables.clear();
    await super.close();
  }
}

async function readTable(dataset: DatasetInfo, conn: ClickHouseConnection): Promise<Table> {
  const { name, columnTypes } = dataset.table!;
  if (!dataset.schema || !columnTypes) throw new EngineError(`dataset "${dataset.name}": the schema of table ${name} was not read; check the pipeline first`);
  try {
    return await readClickHouseTable(conn, name, dataset.schema, columnTypes);
  } catch (e) {
    if (e instanceof ClickHouseError) throw new EngineError(`dataset "${dataset.name}": ${e.message}`);
    throw e;
  }
}
