// The embedded DuckDB engine: a dataset is loaded once into a DuckDB table (CSV through read_csv
// with the dataset's options and the checked schema's types, Parquet through read_parquet), its
// rows numbered in file order; steps run as SQL (sql-steps.ts) with parameters from SQL
// aggregates over the training rows; splits select the memory engine's rows (the same seeded
// shuffle over the rows that reach the split). Tables reach the runner as typed-array columns,
// filled chunk by chunk from DuckDB's vectors. @duckdb/node-api is loaded only when this engine
// is used (docs/decisions/0011-duckdb-engine.md).
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Step } from '../language/ast';
import type { ColumnType } from '../language/schema';
import type { DatasetInfo, SplitInfo } from '../checker/checked-model';
import { compareLevels } from '../data/column-builder';
import type { CsvOptions } from '../data/csv-options';
import { readCsv, resolveCsvFiles } from '../data/read-csv';
import type { Column, Table } from '../data/table';
import type { AppliedSteps, LossSink } from '../transforms/fit-steps';
import type { FittedStep } from '../transforms/fitted-step';
import { splitTable } from '../runner/split-table';
import { DUCKDB, DUCKDB_MACROS, isParquet } from './duckdb-dialect';
import { chunkRows, type EngineContext, type StreamedTable, type StreamingEngine } from './engine';
import { EngineError } from './engine-error';
import { keyedPartSql } from './keyed-split';
import { applySqlSteps, fitSqlSteps, ROW, type Relation, type SqlColumn, type SqlSession } from './sql-steps';

type Api = typeof import('@duckdb/node-api');
type Connection = Awaited<ReturnType<Awaited<ReturnType<Api['DuckDBInstance']['create']>>['connect']>>;

export interface DuckDbOptions {
  /** DuckDB's memory_limit, e.g. '1GB'; past it DuckDB spills to `tempDirectory`. */
  memoryLimit?: string;
  tempDirectory?: string;
  threads?: number;
}

export class DuckDbEngine implements StreamingEngine, SqlSession {
  readonly name = 'duckdb' as const;
  readonly dialect = DUCKDB;
  private connection: Promise<{ api: Api; con: Connection; close: () => void }> | undefined;
  private readonly loaded = new Map<string, Promise<{ table: string; relation: Relation; rowCount: number }>>();
  private readonly raw = new Map<string, Promise<Table>>();
  /** Row sets this engine handed out, as SQL predicates on __row (a split part's rows). */
  private readonly rowSets = new WeakMap<Int32Array, string>();
  private names = 0;

  constructor(private readonly context: EngineContext = {}, private readonly options: DuckDbOptions = {}) {}

  private connect(): Promise<{ api: Api; con: Connection; close: () => void }> {
    this.connection ??= (async () => {
      let api: Api;
      try {
        // require, not import(): the CLI's bundles run as vm scripts, which have no dynamic import.
        api = require('@duckdb/node-api') as Api;
      } catch (e) {
        throw new EngineError(`the duckdb engine needs the @duckdb/node-api package, which cannot be loaded here (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); in VS Code, install NarML's package for this platform (narml-${process.platform}-${process.arch}.vsix carries it; the generic one does not), else npm install @duckdb/node-api beside NarML; or run on the memory engine (--engine memory; it reads CSV, not Parquet)`);
      }
      const temp = this.options.tempDirectory ?? join(tmpdir(), `narml-duckdb-${process.pid}`);
      mkdirSync(temp, { recursive: true });
      // No extension is ever fetched from the network: the bundled parquet and icu are enough.
      const instance = await api.DuckDBInstance.create(':memory:', {
        threads: String(this.options.threads ?? 2),
        autoinstall_known_extensions: 'false',
        autoload_known_extensions: 'false',
        temp_directory: temp,
        preserve_insertion_order: 'true',
        // DuckDB's own buffers stay small beside the runner's typed arrays; past it, it spills to `temp`.
        memory_limit: this.options.memoryLimit ?? '512MB',
      });
      const con = await instance.connect();
      await con.run("SET TimeZone = 'UTC'");
      for (const m of DUCKDB_MACROS) await con.run(m);
      return { api, con, close: () => { con.closeSync(); instance.closeSync(); } };
    })();
    return this.connection;
  }

  private fresh(prefix: string): string {
    return `nml_${prefix}_${++this.names}`;
  }

  async rows(sql: string): Promise<(number | string | null)[][]> {
    const { con } = await this.connect();
    const reader = await con.runAndReadAll(sql);
    return reader.getRows().map((row) => row.map((v) => (v === null || typeof v === 'number' || typeof v === 'string' ? v : typeof v === 'bigint' ? Number(v) : String(v))));
  }

  private async run(sql: string): Promise<void> {
    const { con } = await this.connect();
    try {
      await con.run(sql);
    } catch (e) {
      throw new EngineError(`DuckDB refused a query: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    }
  }

  /** The dataset as a DuckDB table `__row, columns…` in file order, typed by the checked schema. */
  private load(dataset: DatasetInfo): Promise<{ table: string; relation: Relation; rowCount: number }> {
    let l = this.loaded.get(dataset.name);
    if (!l) {
      l = (async () => {
        const schema = dataset.schema;
        if (!schema) throw new EngineError(`dataset "${dataset.name}": its columns are not known (check the pipeline first)`);
        const table = this.fresh('ds');
        const columns: SqlColumn[] = schema.columns.map((c) => ({ name: c.name, type: c.type }));
        const q = DUCKDB.ident;
        this.context.onRead?.(dataset.name, 0);
        if (isParquet(dataset.path)) {
          await this.run(`CREATE TABLE ${table} AS SELECT ${columns.map((c) => `${parquetValue(c)} AS ${q(c.name)}`).join(', ')} FROM read_parquet(${fileList(dataset.path)})`);
        } else {
          const source = readCsvSql(dataset.path, dataset.options, columns.map((c) => c.name));
          await this.run(`CREATE TABLE ${table} AS SELECT ${columns.map((c) => `${csvValue(c)} AS ${q(c.name)}`).join(', ')} FROM ${source}`);
        }
        this.context.onRead?.(dataset.name, 1);
        const rowCount = Number((await this.rows(`SELECT count(*) FROM ${table}`))[0][0]);
        // rowid is the insertion order, which preserve_insertion_order keeps as the file's order.
        const relation = { sql: `SELECT CAST(rowid AS INTEGER) AS ${ROW}, ${columns.map((c) => q(c.name)).join(', ')} FROM ${table}`, columns };
        return { table, relation, rowCount };
      })();
      this.loaded.set(dataset.name, l);
    }
    return l;
  }

  /** The dataset's relation restricted to raw rows `rows` (all of them, or a set this engine handed out). */
  private async rowsOf(dataset: DatasetInfo, rows: Int32Array): Promise<Relation> {
    const { relation, rowCount } = await this.load(dataset);
    if (rows.length === rowCount) return relation;
    let predicate = this.rowSets.get(rows);
    if (!predicate) {
      const name = this.fresh('rows');
      await this.upload(name, rows, new Uint8Array(rows.length));
      predicate = `${ROW} IN (SELECT ${ROW} FROM ${name})`;
      this.rowSets.set(rows, predicate);
    }
    return { sql: `SELECT * FROM (${relation.sql}) AS r WHERE ${predicate}`, columns: relation.columns };
  }

  /** A temporary table (__row, part) of the given rows. */
  private async upload(name: string, rows: Int32Array, parts: Uint8Array): Promise<void> {
    const { con } = await this.connect();
    await this.run(`CREATE TEMP TABLE ${name} (${ROW} INTEGER, part UTINYINT)`);
    const appender = await con.createAppender(name, 'main', 'temp');
    for (let i = 0; i < rows.length; i++) {
      appender.appendInteger(rows[i]);
      appender.appendUTinyInt(parts[i]);
      appender.endRow();
    }
    appender.closeSync();
  }

  readDataset(dataset: DatasetInfo): Promise<Table> {
    let t = this.raw.get(dataset.name);
    if (!t) {
      t = this.load(dataset).then(({ relation }) => this.materialise(relation)).then((r) => r.table);
      this.raw.set(dataset.name, t);
    }
    return t;
  }

  async rowCount(dataset: DatasetInfo): Promise<number> {
    return (await this.load(dataset)).rowCount;
  }

  /** Only those rows leave DuckDB: the whole dataset is never materialised to score a part of it. */
  async readRows(dataset: DatasetInfo, rows: Int32Array): Promise<Table> {
    if (rows.length === (await this.load(dataset)).rowCount) return this.readDataset(dataset);
    return (await this.materialise(await this.rowsOf(dataset, rows))).table;
  }

  readFile(pattern: string, options: CsvOptions, passThrough?: (name: string) => boolean): Promise<Table> {
    // A CSV to predict on is read as the memory engine reads it: its types are inferred from the
    // file, which only the CSV reader does; a Parquet file carries its own types.
    if (isParquet(pattern)) return this.readParquet(pattern);
    const read = this.context.tablesRead?.table(pattern, options);
    return read ? Promise.resolve(read) : readCsv(pattern, options, { signal: this.context.signal, passThrough });
  }

  /** A Parquet file as a table: DOUBLE/INTEGER/BOOLEAN/DATE/TIMESTAMP columns as numbers, dates and booleans, strings as text. */
  async readParquet(pattern: string): Promise<Table> {
    return (await this.materialise(await this.parquetRelation(pattern))).table;
  }

  private async parquetRelation(pattern: string): Promise<Relation> {
    const source = `read_parquet(${fileList(pattern)})`;
    const described = await this.rows(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM ${source})`);
    const columns: SqlColumn[] = described.map(([name, type]) => ({ name: String(name), type: columnTypeOfParquet(String(type)) }));
    const q = DUCKDB.ident;
    return { sql: `SELECT CAST(row_number() OVER () - 1 AS INTEGER) AS ${ROW}, ${columns.map((c) => `${parquetValue(c)} AS ${q(c.name)}`).join(', ')} FROM ${source}`, columns };
  }

  async splitRows(dataset: DatasetInfo, pre: Step[], split: SplitInfo, _onLoss?: LossSink): Promise<Record<string, Int32Array>> {
    const { relation } = await this.load(dataset);
    const reached = (await fitSqlSteps(pre, relation, this)).result;
    if (split.stratify && !reached.columns.some((c) => c.name === split.stratify)) throw new EngineError(`split "${split.name}": column "${split.stratify}" is missing`);
    if (split.key) return this.keyedSplitRows(reached, split as SplitInfo & { key: string });
    // The memory engine's shuffle over the rows that reach the split, in raw row order.
    const kept: Relation = { sql: reached.sql, columns: reached.columns.filter((c) => c.name === split.stratify) };
    const { table, rowMap } = await this.materialise(kept);
    const stratify = split.stratify ? table.columns[0] : undefined;
    const parts = splitTable(table.rowCount, split.parts, { seed: split.seed, ...(stratify ? { stratify } : {}) });
    const out: Record<string, Int32Array> = {};
    const partOf = new Uint8Array(table.rowCount);
    split.parts.forEach((p, k) => {
      for (const r of parts[p.part]) partOf[r] = k;
    });
    const name = this.fresh('split');
    await this.upload(name, rowMap, partOf);
    split.parts.forEach((p, k) => {
      const rows = Int32Array.from(parts[p.part], (r) => rowMap[r]);
      this.rowSets.set(rows, `${ROW} IN (SELECT ${ROW} FROM ${name} WHERE part = ${k})`);
      out[p.part] = rows;
    });
    return out;
  }

  /** A keyed split computed in SQL: each row's part from the hash of its key (keyed-split.ts). */
  private async keyedSplitRows(reached: Relation, split: SplitInfo & { key: string }): Promise<Record<string, Int32Array>> {
    const key = reached.columns.find((c) => c.name === split.key);
    if (!key) throw new EngineError(`split "${split.name}": key column "${split.key}" is missing`);
    const x = DUCKDB.ident(key.name);
    if (key.type === 'number') {
      const bad = await this.rows(`SELECT ${x} FROM (${reached.sql}) AS s WHERE ${x} <> trunc(${x}) OR abs(${x}) > 9007199254740991 LIMIT 1`);
      if (bad.length) throw new EngineError(`split "${split.name}": key "${split.key}" holds ${bad[0][0]}, which is not a whole number; a key must be whole numbers, text or categories`);
    }
    const name = this.fresh('split');
    await this.run(`CREATE TEMP TABLE ${name} AS SELECT ${ROW}, ${keyedPartSql(x, key.type, split.seed, split.parts, DUCKDB)} AS part FROM (${reached.sql}) AS s`);
    const out: Record<string, Int32Array> = {};
    for (const [k, p] of split.parts.entries()) {
      const { rowMap } = await this.materialise({ sql: `SELECT ${ROW} FROM ${name} WHERE part = ${k}`, columns: [] });
      this.rowSets.set(rowMap, `${ROW} IN (SELECT ${ROW} FROM ${name} WHERE part = ${k})`);
      out[p.part] = rowMap;
    }
    return out;
  }

  async fitSteps(dataset: DatasetInfo, steps: Step[], rows: Int32Array, _onLoss?: LossSink): Promise<{ fitted: FittedStep[]; result: AppliedSteps }> {
    const { fitted, result } = await fitSqlSteps(steps, await this.rowsOf(dataset, rows), this);
    return { fitted, result: await this.materialiseRows(result) };
  }

  async applySteps(dataset: DatasetInfo, fitted: FittedStep[], rows: Int32Array, _onLoss?: LossSink): Promise<AppliedSteps> {
    return this.materialiseRows(applySqlSteps(fitted, await this.rowsOf(dataset, rows), DUCKDB));
  }

  /** A relation materialised, its rows remembered as a row set (scored later by readRows without an upload). */
  private async materialiseRows(relation: Relation): Promise<AppliedSteps> {
    const out = await this.materialise(relation);
    this.rowSets.set(out.rowMap, `${ROW} IN (SELECT ${ROW} FROM (${relation.sql}) AS kept)`);
    return out;
  }

  /**
   * A relation as a columnar table in raw row order, with each row's raw row. Categories get
   * their levels sorted as the CSV reader sorts them, text its levels in order of appearance;
   * codes come from an ENUM of those levels, so no string is made per cell.
   */
  async materialise(relation: Relation): Promise<AppliedSteps> {
    const temp = this.fresh('m');
    await this.run(`CREATE TEMP TABLE ${temp} AS SELECT * FROM (${relation.sql}) AS m ORDER BY ${ROW}`);
    try {
      let whole: AppliedSteps | undefined;
      await this.scan(temp, relation.columns, Infinity, (chunk) => { whole = chunk; });
      return whole!;
    } finally {
      await this.run(`DROP TABLE IF EXISTS ${temp}`);
    }
  }

  /**
   * The rows of `temp` (a table, or a parenthesised query, of `__row`, columns… stored in raw
   * row order) in tables of at most `chunk` rows (one table, maybe empty, when it is Infinity).
   * Levels are the whole table's. Rows are read in storage order, which preserve_insertion_order
   * keeps, instead of sorting again: a scan checks that `__row` ascends.
   */
  private async scan(temp: string, columns: readonly SqlColumn[], chunk: number, onChunk: (t: AppliedSteps) => void | Promise<void>): Promise<void> {
    const { con } = await this.connect();
    const q = DUCKDB.ident;
    const n = Number((await this.rows(`SELECT count(*) FROM ${temp}`))[0][0]);
    const select: string[] = [ROW];
    const levelsOf: (string[] | undefined)[] = [];
    for (const c of columns) {
      const x = q(c.name);
      if (c.type === 'category' || c.type === 'text') {
        const levels = (await this.rows(`SELECT ${x} FROM ${temp} WHERE ${x} IS NOT NULL GROUP BY ${x} ORDER BY min(${ROW})`)).map((r) => String(r[0]));
        if (c.type === 'category') levels.sort(compareLevels);
        levelsOf.push(levels);
        if (levels.length === 0) { select.push('CAST(-1 AS INTEGER)'); continue; }
        const type = this.fresh('levels');
        await this.run(`CREATE TYPE ${type} AS ENUM (${levels.map(DUCKDB.string).join(', ')})`);
        select.push(`coalesce(CAST(enum_code(CAST(${x} AS ${type})) AS INTEGER), -1)`);
      } else {
        levelsOf.push(undefined);
        select.push(`coalesce(CAST(${x} AS DOUBLE), CAST('NaN' AS DOUBLE))`);
      }
    }
    const names = columns.map((c) => c.name);
    const size = Math.min(n, chunk);
    const rowMap = new Int32Array(size);
    const arrays = columns.map((c) => (c.type === 'category' || c.type === 'text' ? new Int32Array(size) : new Float64Array(size)));
    let at = 0;
    const emit = async (): Promise<void> => {
      const cols: Column[] = columns.map((c, j) => (c.type === 'category' || c.type === 'text'
        ? { type: c.type, codes: (arrays[j] as Int32Array).subarray(0, at), levels: levelsOf[j]! }
        : { type: c.type, values: (arrays[j] as Float64Array).subarray(0, at) }));
      await onChunk({ table: { names, columns: cols, rowCount: at }, rowMap: rowMap.subarray(0, at) });
      // The next chunk fills the same buffers (a chunk is the consumer's until onChunk returns):
      // at 10M rows new buffers per chunk were garbage V8 collected late, and predict grew to 3.2 GB.
      at = 0;
    };
    const result = await con.stream(`SELECT ${select.join(', ')} FROM ${temp}`);
    let emitted = false;
    let last = -1;
    for (;;) {
      if (this.context.signal?.aborted) throw new EngineError('cancelled');
      const got = await result.fetchChunk();
      if (!got || got.rowCount === 0) break;
      const m = got.rowCount;
      // A DuckDB vector (2,048 rows) may straddle two of our chunks.
      for (let from = 0; from < m;) {
        const take = Math.min(m - from, size - at);
        const rowsVector = got.getColumnVector(0);
        for (let i = 0; i < take; i++) {
          const row = rowsVector.getItem(from + i) as number;
          if (row <= last) throw outOfOrder();
          rowMap[at + i] = last = row;
        }
        arrays.forEach((out, j) => {
          const v = got.getColumnVector(j + 1);
          for (let i = 0; i < take; i++) out[at + i] = v.getItem(from + i) as number;
        });
        at += take;
        from += take;
        if (at === size) { await emit(); emitted = true; }
      }
    }
    if (at > 0 || !emitted) await emit();
  }

  /** The number column `name` of table `temp`, whole, in raw row order (NaN where missing). */
  private async numbers(temp: string, name: string, n: number, into?: Float64Array): Promise<Float64Array> {
    const { con } = await this.connect();
    const out = into && into.length === n ? into : new Float64Array(n);
    const result = await con.stream(`SELECT ${ROW}, coalesce(CAST(${DUCKDB.ident(name)} AS DOUBLE), CAST('NaN' AS DOUBLE)) FROM ${temp}`);
    let at = 0;
    let last = -1;
    for (;;) {
      if (this.context.signal?.aborted) throw new EngineError('cancelled');
      const got = await result.fetchChunk();
      if (!got || got.rowCount === 0) break;
      const rows = got.getColumnVector(0);
      const v = got.getColumnVector(1);
      for (let i = 0; i < got.rowCount; i++) {
        const row = rows.getItem(i) as number;
        if (row <= last) throw outOfOrder();
        last = row;
        out[at + i] = v.getItem(i) as number;
      }
      at += got.rowCount;
    }
    if (at !== n) throw new EngineError(`DuckDB returned ${at} of the ${n} rows of a column`);
    return out;
  }

  /**
   * A relation kept as a temporary table in raw row order (DuckDB spills it past its memory
   * limit), handed out in pieces. `stored`: the relation reads a loaded table as it is stored
   * (its rows in order), so it is read in place rather than copied.
   */
  private async keep(relation: Relation, stored = false): Promise<StreamedTable> {
    const temp = stored ? `(${relation.sql})` : this.fresh('k');
    if (!stored) await this.run(`CREATE TEMP TABLE ${temp} AS SELECT * FROM (${relation.sql}) AS k ORDER BY ${ROW}`);
    const rowCount = Number((await this.rows(`SELECT count(*) FROM ${temp} AS k`))[0][0]);
    const q = DUCKDB.ident;
    return {
      columns: relation.columns,
      rowCount,
      select: (names) => {
        const columns = names.map((n) => relation.columns.find((c) => c.name === n)!);
        return this.materialise({ sql: `SELECT ${ROW}, ${names.map(q).join(', ')} FROM ${temp}`, columns });
      },
      numbers: (name, into) => this.numbers(temp, name, rowCount, into),
      chunks: (onChunk) => this.scan(temp, relation.columns, chunkRows(), onChunk),
      drop: () => (stored ? Promise.resolve() : this.run(`DROP TABLE IF EXISTS ${temp}`)),
    };
  }

  async fitStepsStreamed(dataset: DatasetInfo, steps: Step[], rows: Int32Array, _onLoss?: LossSink): Promise<{ fitted: FittedStep[]; result: StreamedTable }> {
    const { fitted, result } = await fitSqlSteps(steps, await this.rowsOf(dataset, rows), this);
    return { fitted, result: await this.keep(result) };
  }

  async rowsStreamed(dataset: DatasetInfo, rows: Int32Array): Promise<StreamedTable> {
    const { rowCount } = await this.load(dataset);
    return rows.length === rowCount ? this.wholeStreamed(dataset) : this.keep(await this.rowsOf(dataset, rows));
  }

  private async wholeStreamed(dataset: DatasetInfo): Promise<StreamedTable> {
    return this.keep((await this.load(dataset)).relation, true);
  }

  async fileStreamed(pattern: string, options: CsvOptions, like: DatasetInfo): Promise<StreamedTable | undefined> {
    if (isParquet(pattern)) return this.keep(await this.parquetRelation(pattern));
    if (!like.schema) return undefined;
    const same = like.path === pattern && JSON.stringify(like.options) === JSON.stringify(options);
    if (same) return this.wholeStreamed(like);
    // Another file: its columns typed as the dataset's, when it has only columns of the dataset
    // (the checker holds a prediction source's columns to the model's input types); else the
    // CSV reader types it.
    let header: (number | string | null)[][];
    try {
      header = await this.rows(`SELECT column_name FROM (DESCRIBE SELECT * FROM read_csv(${fileList(pattern)}, delim = ${DUCKDB.string(options.delimiter)}, header = ${options.header}, all_varchar = true))`);
    } catch {
      // An empty, missing or malformed file: the CSV reader says what is wrong with it, by line.
      return undefined;
    }
    const columns = header.map(([name]) => like.schema!.columns.find((c) => c.name === String(name)));
    if (!options.header || columns.some((c) => !c)) return undefined;
    const file: DatasetInfo = { ...like, name: `file ${pattern}`, path: pattern, options, schema: { columns: columns as NonNullable<typeof columns[number]>[] } };
    return this.wholeStreamed(file);
  }

  async close(): Promise<void> {
    const c = this.connection;
    this.connection = undefined;
    // A connection that failed (the package not installed) has nothing to close; its error was reported where it was asked for.
    if (c) (await c.catch(() => undefined))?.close();
  }
}

function outOfOrder(): EngineError {
  return new EngineError('DuckDB returned a table\'s rows out of their order (preserve_insertion_order did not hold); run with --engine memory and report this');
}

/** One file or the sorted matches of a glob, as a DuckDB list of paths. */
function fileList(pattern: string): string {
  const files = isParquet(pattern) && !/[*?[]/.test(pattern) ? [pattern] : resolveCsvFiles(pattern);
  return `[${files.map(DUCKDB.string).join(', ')}]`;
}

/** read_csv of every cell as text, with the dataset's delimiter, header and missing values. */
function readCsvSql(pattern: string, options: CsvOptions, names: string[]): string {
  const columns = `{${names.map((n) => `${DUCKDB.string(n)}: 'VARCHAR'`).join(', ')}}`;
  return `read_csv(${fileList(pattern)}, delim = ${DUCKDB.string(options.delimiter)}, quote = '"', escape = '"', header = ${options.header}, `
    + `columns = ${columns}, nullstr = [${options.missing.map(DUCKDB.string).join(', ')}], auto_detect = false`
    + `${options.encoding === 'latin1' ? ", encoding = 'latin-1'" : ''})`;
}

/** A CSV cell's text as the CSV reader types it (data/parse-values.ts). */
function csvValue(c: SqlColumn): string {
  const x = DUCKDB.ident(c.name);
  switch (c.type) {
    case 'number': return `nml_number(${x})`;
    case 'boolean': return `nml_boolean(${x})`;
    case 'date': return `nml_date(${x})`;
    default: return x;
  }
}

/** A Parquet column's value as the engine holds it: the checker's schema is read through the same expressions (parquet-schema.ts). */
export function parquetValue(c: SqlColumn): string {
  const x = DUCKDB.ident(c.name);
  switch (c.type) {
    case 'number': return `nml_finite(CAST(${x} AS DOUBLE))`;
    case 'boolean': return `CAST(CAST(${x} AS BOOLEAN) AS DOUBLE)`;
    case 'date': return `epoch(CAST(${x} AS TIMESTAMPTZ)) / 86400`;
    default: return `CAST(${x} AS VARCHAR)`;
  }
}

export function columnTypeOfParquet(type: string): ColumnType {
  if (/^(DOUBLE|FLOAT|REAL|DECIMAL|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)/.test(type)) return 'number';
  if (type === 'BOOLEAN') return 'boolean';
  if (/^(DATE|TIMESTAMP)/.test(type)) return 'date';
  return 'text';
}
