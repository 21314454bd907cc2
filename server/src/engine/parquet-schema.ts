// The checker's schema of a Parquet file (or glob), read through DuckDB: the column types from
// its Parquet schema, typed as the DuckDB engine will type them when it loads the dataset
// (duckdb-engine.ts, parquetValue), the exact row count, nullability, and the levels of string
// columns (category by the CSV reader's rule, categoryLimit, so a file has the same schema as
// the CSV it was written from). One scan for the statistics, two more per string column (its
// first value, its levels); DuckDB is loaded only when a .parquet path is checked. With it, the
// first rows as the engine will load them: the value sample of the checks that look at values
// (target leakage), as a CSV's schema comes with its sample.
import { categoryLimit, compareLevels } from '../data/column-builder';
import type { CsvOptions, CsvSchemaResult } from '../data/csv-options';
import type { Table } from '../data/table';
import type { ColumnSchema } from '../language/schema';
import { DUCKDB } from './duckdb-dialect';
import { columnTypeOfParquet, DuckDbEngine, parquetValue } from './duckdb-engine';
import { EngineError } from './engine-error';
import { ROW } from './sql-steps';

const CAST_TARGETS = ['number', 'date', 'boolean'] as const;

/** DuckDB types a column cannot be read as: nested values have no NarML type. */
const NESTED = /(\[\]|\[\d+\])$|^(STRUCT|MAP|UNION)\(/;

/**
 * `columns { }` overrides a Parquet file takes: those that only say how NarML holds strings the
 * file already has (category with its levels, or text), or that a column may be missing. A file's
 * numbers, booleans and dates are its own: any other override keeps the file's type, and the
 * checker reports it (dataset-check.ts).
 */
function parquetOverride(stored: ColumnSchema['type'], wanted: ColumnSchema['type']): boolean {
  const strings = (t: ColumnSchema['type']): boolean => t === 'text' || t === 'category';
  return stored === wanted || (strings(stored) && strings(wanted));
}

export async function readParquetSchema(files: string[], { sampleRows, columnTypes }: { sampleRows: number; columnTypes: CsvOptions['columnTypes'] }): Promise<{ result: CsvSchemaResult; sample?: Table }> {
  const engine = new DuckDbEngine();
  const source = `read_parquet([${files.map(DUCKDB.string).join(', ')}])`;
  try {
    let described: (number | string | null)[][];
    try {
      described = await engine.rows(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM ${source})`);
    } catch (e) {
      if (e instanceof EngineError) return { result: { ok: false, error: e.message } };
      return { result: { ok: false, error: `cannot read ${files.length === 1 ? files[0] : `the ${files.length} files of this glob`} as Parquet (${firstLine(e)}); write it with a Parquet writer (DuckDB's COPY … (FORMAT parquet), pandas' to_parquet) or read a CSV` } };
    }
    const nested = described.filter(([, type]) => NESTED.test(String(type)));
    if (nested.length > 0) {
      return { result: { ok: false, error: `${files[0]} has columns of types NarML cannot read: ${nested.map(([n, t]) => `${n} (${t})`).join(', ')}; write the file without them (numbers, strings, booleans, dates and timestamps are read)` } };
    }
    const columns = described.map(([name, type]) => ({ name: String(name), type: columnTypeOfParquet(String(type)) }));
    // One scan: the row count, each column's present values (as the engine reads them: a NaN is
    // missing), the distinct strings and which of them parse as a number, a date or a boolean
    // (the CSV reader's parsers, for the cast checks), and the booleans seen.
    const stats = columns.map((c) => {
      const v = parquetValue(c);
      if (c.type === 'text') return [`count(${v})`, `count(DISTINCT ${v})`, ...CAST_TARGETS.map((t) => `count(nml_${t}(${v}))`)];
      if (c.type === 'boolean') return [`count(${v})`, `count(DISTINCT ${v}) * 2 + coalesce(max(${v}), 0)`];
      return [`count(${v})`];
    });
    const [row] = await engine.rows(`SELECT count(*), ${stats.flat().join(', ')} FROM ${source}`);
    const rowCount = Number(row[0]);
    const limit = categoryLimit(rowCount);
    const out: ColumnSchema[] = [];
    let at = 1;
    for (const c of columns) {
      const [present, distinct, ...parsed] = row.slice(at, (at += stats[out.length].length)).map(Number);
      const override = columnTypes[c.name];
      const column: ColumnSchema = { name: c.name, type: c.type, nullable: present < rowCount || override?.nullable === true };
      if (rowCount > 0 && present === 0) column.noValue = true;
      if (c.type === 'boolean') {
        column.levels = ['false', 'true'];
        if (distinct >> 1 === 1) column.onlyValue = distinct & 1 ? 'true' : 'false';
      }
      if (c.type === 'text' && present > 0) {
        const types = CAST_TARGETS.filter((_, k) => parsed[k] === 0);
        const [[first]] = await engine.rows(`SELECT v FROM (SELECT ${parquetValue(c)} AS v FROM ${source}) AS s WHERE v IS NOT NULL LIMIT 1`);
        // The example goes into a one-line message: a long text is cut.
        if (types.length > 0) column.noValueIs = { types, example: String(first).length > 40 ? `${String(first).slice(0, 40)}…` : String(first) };
      }
      const category = override && parquetOverride(c.type, override.type) ? override.type === 'category' : distinct <= limit;
      if (c.type === 'text' && category) {
        column.type = 'category';
        column.levels = (await engine.rows(`SELECT DISTINCT v FROM (SELECT ${parquetValue(c)} AS v FROM ${source}) AS s WHERE v IS NOT NULL`)).map((r) => String(r[0])).sort(compareLevels);
      }
      out.push(column);
    }
    const q = DUCKDB.ident;
    const { table: sample } = await engine.materialise({
      sql: `SELECT CAST(row_number() OVER () - 1 AS INTEGER) AS ${ROW}, ${out.map((c) => `${parquetValue(c)} AS ${q(c.name)}`).join(', ')} FROM (SELECT * FROM ${source} LIMIT ${sampleRows}) AS s`,
      columns: out.map((c) => ({ name: c.name, type: c.type })),
    });
    return { result: { ok: true, schema: { columns: out, rowCount, rowCountExact: true }, files, complete: true, notes: [] }, sample };
  } catch (e) {
    return { result: { ok: false, error: e instanceof EngineError ? e.message : `cannot read ${files[0]} as Parquet: ${firstLine(e)}` } };
  } finally {
    await engine.close();
  }
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}
