// The ClickHouse engine (`engine: clickhouse("http://…", cluster: "…")`): datasets are tables of
// the cluster, read through the table the pipeline names (a Distributed table spans the shards).
// What runs where, honestly: the checker's schema, the reuse checksum, row counts, splits that
// need no column (random) or only a key (keyed), the statistics that fit impute/encode/scale/clip
// steps (SQL aggregates over the training rows), gradient boosting's training (boostInCluster:
// histograms by GROUP BY) and the predictions written back as a table (`output: table`, scored in
// SQL) are computed by the cluster. Anything else reads the rows into this process once (one
// RowBinary query, ordered by every column) and runs as in the memory engine, whose code this
// engine reuses; the runner says so when it happens (runner/train-in-cluster.ts).
import type { DatasetInfo, SplitInfo } from '../checker/checked-model';
import type { Table } from '../data/table';
import { ClickHouseError, connectionFor, queryFloat64, queryRows, sqlName, sqlString, type ClickHouseConnection } from './clickhouse-http';
import { readClickHouseTable } from './clickhouse-read';
import { applyToExprs, rawExprs, scoredSelect, scoreToTable, scoringQuery, type Expr } from './clickhouse-scoring';
import { boostInCluster, type ClusterBoosting } from './clickhouse-boosting';
import { splitTableName } from './clickhouse-schema';
import { splitTable } from '../runner/split-table';
import type { FittedModel, SavedModel } from '../ml/model-types';
import type { ColumnType } from '../language/schema';
import { compareLevels } from '../data/column-builder';
import { formatDate } from '../transforms/table-ops';
import { isRowStep, type FittedStep } from '../transforms/fitted-step';
import type { Step } from '../language/ast';
import { applySteps, type AppliedSteps, type LossSink } from '../transforms/fit-steps';
import { selectRows } from '../transforms/table-ops';
import { fitStepsInSql, keyedPartsInSql, withTrainingRows } from './clickhouse-fit';
import { cumulativeShares, rowsOfParts } from './keyed-split';
import { EngineError } from './engine-error';
import type { EngineContext, EngineName } from './engine';
import { MemoryEngine } from './memory-engine';

export class ClickHouseEngine extends MemoryEngine {
  override readonly name: EngineName = 'clickhouse';
  private readonly tables = new Map<string, Promise<Table>>();
  private readonly counts = new Map<string, Promise<number>>();
  /** Tables whose rows were read into this process, by dataset name. */
  readonly readOut = new Map<string, string>();

  constructor(readonly url: string, private readonly cancel: EngineContext = {}) {
    super(cancel);
  }

  /** A connection to this engine's server that the run's cancellation stops (its query killed there). */
  private connection(url = this.url): ClickHouseConnection {
    return connectionFor(url, process.env, this.cancel.signal);
  }

  override readDataset(dataset: DatasetInfo): Promise<Table> {
    if (!dataset.table) return super.readDataset(dataset);
    this.readOut.set(dataset.name, dataset.table.name);
    let t = this.tables.get(dataset.name);
    if (!t) {
      t = readTable(dataset, this.connection(dataset.table.url));
      this.tables.set(dataset.name, t);
    }
    return t;
  }

  /** A table's row count from the server (a count, not a read). */
  override rowCount(dataset: DatasetInfo): Promise<number> {
    if (!dataset.table || this.tables.has(dataset.name)) return super.rowCount(dataset);
    let c = this.counts.get(dataset.name);
    if (!c) {
      const name = dataset.table.name;
      c = this.guard(`counting the rows of table ${name}`, async () => Number((await queryRows(this.connection(dataset.table!.url), `SELECT count() FROM ${qualifiedName(name)}`))[0][0]));
      this.counts.set(dataset.name, c);
    }
    return c;
  }

  /**
   * A split needs no row when steps before it keep every row: a random one only the row count
   * (the memory engine's shuffle of positions), and one keyed straight on the table the key's
   * hash, computed by the server with the same hash as every engine (keyed-split.ts): one byte
   * per row, the part, leaves the cluster. A stratified split reads the rows.
   */
  override async splitRows(dataset: DatasetInfo, pre: Step[], split: SplitInfo, onLoss?: LossSink): Promise<Record<string, Int32Array>> {
    const { name, columnTypes } = dataset.table ?? {};
    if (!name || !dataset.schema || !columnTypes || split.stratify || pre.some(isRowStep)) return super.splitRows(dataset, pre, split, onLoss);
    if (!split.key) return splitTable(await this.rowCount(dataset), split.parts, { seed: split.seed });
    if (pre.length > 0) return super.splitRows(dataset, pre, split, onLoss);
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

  /**
   * The steps fitted by SQL aggregates over the raw rows `rows` of a table dataset, and the columns
   * they leave as SQL; undefined when a step is not one SQL fits (the caller then reads the rows).
   */
  async fitInCluster(dataset: DatasetInfo, steps: Step[], rows: Int32Array): Promise<{ fitted: FittedStep[]; columns: Map<string, Expr> } | undefined> {
    const { name, columnTypes } = dataset.table ?? {};
    if (!name || !dataset.schema || !columnTypes) return undefined;
    const total = await this.rowCount(dataset);
    const fitted = await this.guard(`fitting the steps of dataset "${dataset.name}" on the server`, () => fitStepsInSql(this.connection(), name, dataset.schema!.columns, columnTypes, steps, rows, total));
    return fitted && { fitted, columns: applyToExprs(fitted, rawExprs(dataset.schema.columns, columnTypes)) };
  }

  /** The values of `column` (text) present in the rows `rows` of a table dataset: a classifier's classes. */
  async levelsInCluster(dataset: DatasetInfo, column: Expr, rows: Int32Array): Promise<string[]> {
    const { name } = dataset.table!;
    const total = await this.rowCount(dataset);
    return this.guard(`reading the classes of dataset "${dataset.name}" on the server`, () => withTrainingRows(this.connection(), name, dataset.schema!.columns, rows, total, async (source) => {
      const [[levels]] = await queryRows(this.connection(), `SELECT groupUniqArray(${column.sql}) FROM ${source}`);
      return levels as string[];
    }));
  }

  /** Gradient boosting trained by the cluster on the rows `rows` of a table dataset (clickhouse-boosting.ts). */
  async boostInCluster(dataset: DatasetInfo, rows: Int32Array, spec: Omit<ClusterBoosting, 'source' | 'database'>): Promise<{ model: FittedModel; trainRows: number }> {
    const { name } = dataset.table!;
    const total = await this.rowCount(dataset);
    const conn = this.connection();
    return this.guard(`training on table ${name} in the cluster`, () => withTrainingRows(conn, name, dataset.schema!.columns, rows, total, (source) =>
      boostInCluster(conn, { ...spec, source, database: sqlName(splitTableName(name)![0]) })));
  }

  /**
   * serve/openapi.ts's typicalRow of the raw rows `sample`, computed by the server: numbers and
   * dates their lower median, categories and text the most frequent value (ties: the first in
   * level order), booleans true when most are; a column every row misses is left out.
   */
  async typicalRowInCluster(dataset: DatasetInfo, sample: Int32Array, input: readonly { name: string; type: ColumnType }[]): Promise<Record<string, string | number | boolean>> {
    const { name, columnTypes } = dataset.table!;
    const total = await this.rowCount(dataset);
    const exprs = rawExprs(dataset.schema!.columns, columnTypes!);
    const conn = this.connection();
    const row: Record<string, string | number | boolean> = {};
    await this.guard(`reading a typical row of table ${name}`, () => withTrainingRows(conn, name, dataset.schema!.columns, sample, total, async (source) => {
      const used = input.filter((c) => exprs.has(c.name));
      const numeric = used.filter((c) => c.type === 'number' || c.type === 'date' || c.type === 'boolean');
      if (numeric.length > 0) {
        const [values] = await queryRows(conn, `SELECT ${numeric.map((c) => {
          const x = exprs.get(c.name)!.sql;
          return c.type === 'boolean'
            ? `countIf(${x} = 1) * 2 > countIf(NOT isNaN(${x})), countIf(NOT isNaN(${x}))`
            : `toString(arrayElement(arraySort(groupArrayIf(${x}, NOT isNaN(${x}))), toUInt64(intDiv(countIf(NOT isNaN(${x})) - 1, 2)) + 1)), countIf(NOT isNaN(${x}))`;
        }).join(', ')} FROM ${source}`);
        numeric.forEach((c, i) => {
          if (Number(values[2 * i + 1]) === 0) return;
          const v = values[2 * i];
          row[c.name] = c.type === 'boolean' ? v === 1 : c.type === 'date' ? formatDate(Number(v)) : Number(v);
        });
      }
      for (const c of used.filter((u) => u.type === 'category' || u.type === 'text')) {
        const counts = await queryRows(conn, `SELECT ${exprs.get(c.name)!.sql} AS v, count() FROM ${source} WHERE v IS NOT NULL GROUP BY v`);
        const best = counts.map(([v, n]) => [String(v), Number(n)] as const).sort((a, b) => b[1] - a[1] || compareLevels(a[0], b[0]))[0];
        if (best) row[c.name] = best[0];
      }
    }));
    return row;
  }

  /**
   * Scores the raw rows `rows` of a table dataset in SQL with fitted `steps` and `saved`. The
   * query is compiled first (what SQL scoring does not cover is returned as the reason); per row in
   * `rows`' order comes back only the target (the class's position in `labels`: the model's
   * classes, then levels it never saw; -1 missing), whether the model could score it, its
   * prediction (a class's position) and its probabilities.
   */
  async scoreInCluster(dataset: DatasetInfo, steps: readonly FittedStep[], saved: SavedModel, rows: Int32Array, target: string): Promise<{ y: Float64Array; usable: Float64Array; pred: Float64Array; proba?: Float64Array; labels: string[]; unseen: string[] } | string> {
    const { name, columnTypes } = dataset.table!;
    let cols: Map<string, Expr>;
    try {
      cols = applyToExprs(steps, rawExprs(dataset.schema!.columns, columnTypes!));
    } catch (e) {
      if (e instanceof EngineError) return e.message;
      throw e;
    }
    const t = cols.get(target);
    if (!t) return `the target "${target}" is not a column after the model's steps`;
    const classes = saved.classes;
    const select = (labels: string[]): ((from: string) => string) => {
      const y = classes ? `if(isNull(${t.sql}), toFloat64(-1), toFloat64(indexOf([${labels.map(sqlString).join(', ')}], assumeNotNull(${t.sql})) - 1))` : t.sql;
      return (from) => `${scoredSelect(from, [['toFloat64(__narml_row)', '__narml_r'], [y, '__narml_y']], cols, saved, ({ usable, prediction, index, probabilities }) => [
        `toFloat64(${usable})`, `if(${usable}, ${index ?? prediction}, nan)`, ...(probabilities ?? []).map((p) => `if(${usable}, ${p}, nan)`),
      ])} ORDER BY __narml_r`;
    };
    // Compiled before any query: what SQL scoring does not cover is said here, not found half way.
    try {
      select(classes ?? [])('t');
    } catch (e) {
      if (e instanceof EngineError) return e.message;
      throw e;
    }
    const total = await this.rowCount(dataset);
    const conn = this.connection();
    return this.guard(`scoring table ${name} in the cluster`, () => withTrainingRows(conn, name, dataset.schema!.columns, rows, total, async (source) => {
      const unseen = classes ? ((await queryRows(conn, `SELECT groupUniqArray(v) FROM (SELECT ${t.sql} AS v FROM ${source}) WHERE v NOT IN (${classes.map(sqlString).join(', ')})`))[0][0] as string[]).sort(compareLevels) : [];
      const labels = [...(classes ?? []), ...unseen];
      const k = classes?.length ?? 0;
      const width = 4 + k;
      const flat = await queryFloat64(conn, select(labels)(source));
      const n = flat.length / width;
      const y = new Float64Array(n), usable = new Float64Array(n), pred = new Float64Array(n);
      const proba = classes ? new Float64Array(n * k) : undefined;
      for (let i = 0; i < n; i++) {
        y[i] = flat[i * width + 1]; usable[i] = flat[i * width + 2]; pred[i] = flat[i * width + 3];
        for (let c = 0; c < k; c++) proba![i * k + c] = flat[i * width + 4 + c];
      }
      return { y, usable, pred, ...(proba ? { proba } : {}), labels, unseen };
    }, true));
  }

  /** Runs `work`, a ClickHouse failure becoming an EngineError that says what was being done. */
  private async guard<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (e) {
      if (e instanceof ClickHouseError) throw new EngineError(`${what}: ${e.message}`);
      throw e;
    }
  }

  override async close(): Promise<void> {
    this.tables.clear();
    this.counts.clear();
    await super.close();
  }
}

function qualifiedName(table: string): string {
  const parts = splitTableName(table);
  if (!parts) throw new EngineError(`"${table}" is not a table name`);
  return `${sqlName(parts[0])}.${sqlName(parts[1])}`;
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
