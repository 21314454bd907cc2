// How a dataset's CSV is read (spec §3 dataset body). Shared by schema inference (checker)
// and the full reader (runner), so both see the same columns and types.
import type { ColumnType, TableSchema } from '../language/schema';

export const DEFAULT_MISSING: readonly string[] = ['', 'NA', 'N/A', 'null', 'NaN'];

export interface CsvOptions {
  delimiter: string;
  header: boolean;
  encoding: 'utf8' | 'latin1';
  missing: readonly string[];
  /** `columns { name: TYPE }` overrides for the named columns only. */
  columnTypes: Readonly<Record<string, { type: ColumnType; nullable?: boolean }>>;
}

export const DEFAULT_CSV_OPTIONS: CsvOptions = { delimiter: ',', header: true, encoding: 'utf8', missing: DEFAULT_MISSING, columnTypes: {} };

export type CsvSchemaResult =
  | {
      ok: true;
      schema: TableSchema;
      /** Absolute paths of the files read (one, or the matches of a glob, sorted). */
      files: string[];
      /** True once the whole file(s) were read; false while the schema comes from a sample. */
      complete: boolean;
    }
  | {
      ok: false;
      error: string;
      /** True when the path is a glob that matches no file (yet). */
      noMatch?: boolean;
    };

/**
 * Where the checker gets dataset schemas from. The language server keeps one cache for the
 * whole session (a keystroke never re-reads a file); the CLI and tests make their own.
 */
export interface SchemaSource {
  /** `pattern` is an absolute path or glob. Must be fast when the file is unchanged (cached by path, size, mtime). */
  schema(pattern: string, options: CsvOptions): CsvSchemaResult;
}
