// The ClickHouse engine (`engine: clickhouse("http://…", cluster: "…")`): datasets are tables of
// the cluster, read through the table the pipeline names (a Distributed table spans the shards).
// What runs where, honestly: the checker's schema, the reuse checksum and the predictions written
// back as a table (`output: table`, scored in SQL) are computed by the cluster; the rows
// themselves are read into this process once (one RowBinary query, ordered by every column) for
// splits, steps, training and evaluation, which run as in the memory engine, whose code this
// engine reuses for them.
import type { DatasetInfo } from '../checker/checked-model';
import type { Table } from '../data/table';
import { ClickHouseError, connectionFor } from './clickhouse-http';
import { readClickHouseTable } from './clickhouse-read';
import { scoreToTable, scoringQuery } from './clickhouse-scoring';
import type { SavedModel } from '../ml/model-types';
import type { FittedStep } from '../transforms/fitted-step';
import { EngineError } from './engine-error';
import type { EngineContext, EngineName } from './engine';
import { MemoryEngine } from './memory-engine';

export class ClickHouseEngine extends MemoryEngine {
  override readonly name: EngineName = 'clickhouse';
  private readonly tables = new Map<string, Promise<Table>>();

  constructor(readonly url: string, context: EngineContext = {}) {
    super(context);
  }

  override readDataset(dataset: DatasetInfo): Promise<Table> {
    if (!dataset.table) return super.readDataset(dataset);
    let t = this.tables.get(dataset.name);
    if (!t) {
      t = readTable(dataset);
      this.tables.set(dataset.name, t);
    }
    return t;
  }

  /**
   * Scores every row of `dataset`'s table in SQL with the fitted `steps` and `saved` model and
   * writes the result as the table `output` of this engine's server (clickhouse-scoring.ts).
   */
  async scoreToTable(dataset: DatasetInfo, steps: readonly FittedStep[], saved: SavedModel, output: string): Promise<{ rows: number; empty: number }> {
    const { name, columnTypes } = dataset.table ?? {};
    if (!name || !dataset.schema || !columnTypes) throw new EngineError(`dataset "${dataset.name}" is no table of the ClickHouse engine; output: table scores only such tables`);
    try {
      return await scoreToTable(connectionFor(this.url), output, scoringQuery(name, dataset.schema.columns, columnTypes, steps, saved));
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

async function readTable(dataset: DatasetInfo): Promise<Table> {
  const { url, name, columnTypes } = dataset.table!;
  if (!dataset.schema || !columnTypes) throw new EngineError(`dataset "${dataset.name}": the schema of table ${name} was not read; check the pipeline first`);
  try {
    return await readClickHouseTable(connectionFor(url), name, dataset.schema, columnTypes);
  } catch (e) {
    if (e instanceof ClickHouseError) throw new EngineError(`dataset "${dataset.name}": ${e.message}`);
    throw e;
  }
}
