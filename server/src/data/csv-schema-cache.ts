// The checker's view of dataset files: schemas inferred from a bounded sample, cached by file
// identity (path, size, mtime) so a keystroke costs a stat, never a read; refined from the whole
// file in the background (exact row count, levels, nullability, type corrections). A command
// that goes on to use the data (`run`, `predict`) keeps the tables its refinement read, so each
// file is read once per command. A Parquet file's schema is `pending` until `refine` reads it,
// with its first rows as the sample, through DuckDB (parquet-schema.ts), the way every caller
// already refines.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type { Table } from './table';
import type { CsvOptions, CsvSchemaResult, SchemaSource } from './csv-options';
import { ClickHouseSchemas, type TableSchemaResult } from '../engine/clickhouse-schema';
import { isParquet } from '../engine/duckdb-dialect';
import { readParquetSchema } from '../engine/parquet-schema';
import { CsvError, CsvTableBuilder, NoMatchingFileError, readCsvWithNotes, resolveCsvFiles, type ReadCsvOptions } from './read-csv';

const SAMPLE_BYTES = 1 << 20;
const SAMPLE_ROWS = 5000;

interface Entry {
  stamp: string;
  result: CsvSchemaResult;
  sample?: Table;
  /** The whole file(s) as `refine` read them, with `keepTables`. */
  table?: Table;
}

export class CsvSchemaCache implements SchemaSource {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners: ((files: string[]) => void)[] = [];

  /** `keepTables`: keep what `refine` reads for `table` (the editor's long-lived cache does not). */
  constructor(private readonly options: { keepTables?: boolean } = {}) {}

  /** The schemas of ClickHouse tables (`dataset … from table`), loaded by the caller as CSVs are refined. */
  readonly tables = new ClickHouseSchemas();

  engineTable(url: string, table: string): TableSchemaResult | undefined {
    return this.tables.get(url, table);
  }

  schema(pattern: string, options: CsvOptions): CsvSchemaResult {
    const key = cacheKey(pattern, options);
    let stamp: string;
    let files: string[];
    try {
      files = resolveCsvFiles(pattern);
      stamp = fileStamp(files);
    } catch (e) {
      return { ok: false, error: message(e), ...(e instanceof NoMatchingFileError ? { noMatch: true } : {}) };
    }
    const hit = this.entries.get(key);
    if (hit && hit.stamp === stamp) return hit.result;
    if (isParquet(pattern)) return { ok: false, error: `the schema of ${pattern} is still being read`, pending: true };
    const entry = sampleSchema(files, options, stamp);
    this.entries.set(key, entry);
    return entry.result;
  }

  /** The answer cached for the files as they are now, without reading them; undefined when there is none. */
  protected cached(pattern: string, options: CsvOptions): CsvSchemaResult | undefined {
    const entry = this.entries.get(cacheKey(pattern, options));
    if (!entry) return undefined;
    try {
      return fileStamp(resolveCsvFiles(pattern)) === entry.stamp ? entry.result : undefined;
    } catch {
      return undefined;
    }
  }

  /** Rows sampled for the schema (for checks that look at values, e.g. target leakage). */
  sample(pattern: string, options: CsvOptions): Table | undefined {
    this.schema(pattern, options);
    return this.entries.get(cacheKey(pattern, options))?.sample;
  }

  /** Reads the whole file(s) and replaces the sampled schema. Resolves true if the schema changed. */
  async refine(pattern: string, options: CsvOptions, signal?: ReadCsvOptions['signal']): Promise<boolean> {
    const before = this.schema(pattern, options);
    if (before.ok && before.complete) return false;
    const key = cacheKey(pattern, options);
    let files: string[];
    let stamp: string;
    try {
      files = resolveCsvFiles(pattern);
      stamp = fileStamp(files);
    } catch {
      return false;
    }
    if (isParquet(pattern)) {
      if (this.entries.get(key)?.stamp === stamp) return false;
      const { result, sample } = await readParquetSchema(files, { sampleRows: SAMPLE_ROWS, columnTypes: options.columnTypes });
      this.entries.set(key, { stamp, result, sample });
      for (const l of this.listeners) l(files);
      return true;
    }
    let result: CsvSchemaResult;
    let sample: Table | undefined;
    let whole: Table | undefined;
    try {
      const { table, notes, schema } = await readCsvWithNotes(pattern, options, { signal });
      result = { ok: true, schema, files, complete: true, notes };
      sample = table.rowCount <= SAMPLE_ROWS ? table : undefined;
      if (this.options.keepTables) whole = table;
    } catch (e) {
      if (signal?.aborted) return false;
      result = { ok: false, error: message(e) };
    }
    const current = this.entries.get(key);
    sample ??= current?.sample;
    this.entries.set(key, { stamp, result, sample, table: whole });
    const changed = JSON.stringify(result) !== JSON.stringify({ ...before, complete: true });
    if (changed) for (const l of this.listeners) l(files);
    return changed;
  }

  /**
   * Lets go of the whole tables `refine` kept: a run on an engine that reads the files itself
   * (DuckDB) would otherwise hold a copy of every dataset for its whole length.
   */
  dropTables(): void {
    for (const entry of this.entries.values()) entry.table = undefined;
  }

  /**
   * The whole table (with `keepTables`): as `refine` read it, or the sample when that held every
   * row; undefined once its files changed.
   */
  table(pattern: string, options: CsvOptions): Table | undefined {
    if (!this.options.keepTables) return undefined;
    const entry = this.entries.get(cacheKey(pattern, options));
    // The sample stands for the whole table only when it holds every row of the file.
    const whole = entry?.table ?? (entry?.result.ok && entry.result.complete && entry.sample?.rowCount === entry.result.schema.rowCount ? entry.sample : undefined);
    if (!entry || !whole) return undefined;
    try {
      if (fileStamp(resolveCsvFiles(pattern)) === entry.stamp) return whole;
    } catch {
      // Gone since it was read: the caller reads it again and reports what it finds.
    }
    return undefined;
  }

  /** Forget a file (it changed on disk); dependants re-read it on their next check. */
  invalidate(path: string): void {
    for (const [key, entry] of this.entries) {
      if (entry.result.ok ? entry.result.files.includes(path) : true) this.entries.delete(key);
      else if (key.startsWith(`${path}\u0000`)) this.entries.delete(key);
    }
    for (const l of this.listeners) l([path]);
  }

  onDidChange(listener: (files: string[]) => void): void {
    this.listeners.push(listener);
  }

  /** Every file some cached schema was read from. */
  knownFiles(): string[] {
    const out = new Set<string>();
    for (const e of this.entries.values()) if (e.result.ok) for (const f of e.result.files) out.add(f);
    return [...out];
  }
}

/** A Parquet file's schema depends on no CSV option, only on the `columns { }` overrides. */
function cacheKey(pattern: string, options: CsvOptions): string {
  return `${pattern}\u0000${isParquet(pattern) ? `parquet${JSON.stringify(options.columnTypes)}` : JSON.stringify(options)}`;
}

function fileStamp(files: string[]): string {
  return files.map((f) => {
    const st = statSync(f);
    return `${f}:${st.size}:${st.mtimeMs}`;
  }).join('|');
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function sampleSchema(files: string[], options: CsvOptions, stamp: string): Entry {
  const builder = new CsvTableBuilder(options);
  let bytesRead = 0;
  let totalBytes = 0;
  let complete = true;
  let currentFile = files[0];
  try {
    for (const file of files) {
      currentFile = file;
      const size = statSync(file).size;
      totalBytes += size;
      if (builder.names !== undefined && builder.rows >= SAMPLE_ROWS) { complete = false; continue; }
      const budget = Math.min(size, SAMPLE_BYTES);
      const buf = Buffer.alloc(budget);
      const fd = openSync(file, 'r');
      let n = 0;
      try {
        n = readSync(fd, buf, 0, budget, 0);
      } finally {
        closeSync(fd);
      }
      bytesRead += n;
      // A sample that stops inside a row (or a character) is not an error: that row is left out.
      const reader = builder.file(file, SAMPLE_ROWS);
      reader.consume(buf.subarray(0, n), n === size);
      if (n < size) complete = false;
      // Stopped at the row budget: there may be more rows than the sample holds.
      if (reader.full) complete = false;
    }
  } catch (e) {
    return { stamp, result: { ok: false, error: e instanceof CsvError ? e.message : `cannot read ${currentFile}: ${message(e)}` } };
  }
  if (builder.names === undefined) return { stamp, result: { ok: false, error: `${files[0]} is empty; a CSV needs a header line and rows` } };
  const estimatedRows = complete ? builder.rows : Math.round(builder.rows * (totalBytes / Math.max(1, bytesRead)));
  const types = builder.types(estimatedRows);
  const schema = builder.schema(types, estimatedRows, complete);
  let sample: Table | undefined;
  try {
    sample = builder.table(types);
  } catch {
    sample = undefined;
  }
  return { stamp, result: { ok: true, schema, files, complete, notes: builder.notes(types) }, sample };
}
