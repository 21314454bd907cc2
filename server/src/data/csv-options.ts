// How a dataset's CSV is read (spec §3 dataset body). Shared by schema inference (checker)
// and the full reader (runner), so both see the same columns and types.
import type { ColumnType, TableSchema } from '../language/schema';
import { PLAIN_NUMBERS, type NumberFormat } from './parse-values';

export const DEFAULT_MISSING: readonly string[] = ['', 'NA', 'N/A', 'null', 'NaN'];

export interface CsvOptions {
  delimiter: string;
  header: boolean;
  encoding: 'utf8' | 'latin1';
  missing: readonly string[];
  /** `decimal: ","` and `thousands: ","`; absent: numbers are written 1234.5. */
  numberFormat?: NumberFormat;
  /** `columns { name: TYPE }` overrides for the named columns only. */
  columnTypes: Readonly<Record<string, { type: ColumnType; nullable?: boolean }>>;
}

export const DEFAULT_CSV_OPTIONS: CsvOptions = { delimiter: ',', header: true, encoding: 'utf8', missing: DEFAULT_MISSING, columnTypes: {} };

export function numberFormatOf(options: CsvOptions): NumberFormat {
  return options.numberFormat ?? PLAIN_NUMBERS;
}

/**
 * What reading noticed that the user should hear about (checker warnings NML105–NML107):
 * - `invalid-values`: cells of a number/date/boolean column that are not such values; they are
 *   read as missing. `formats` lists number formats in which they would parse.
 * - `number-format`: a column read as text or category although its values are numbers in
 *   one of `formats` (the dataset does not declare that format).
 * - `renamed-header`: a duplicate or empty header name, read as `column`.
 */
export type CsvNote =
  | { kind: 'invalid-values'; column: string; type: 'number' | 'date' | 'boolean'; count: number; of: number; example: string; file: string; line: number; declared: boolean; formats: NumberFormat[] }
  | { kind: 'number-format'; column: string; type: ColumnType; example: string; file: string; line: number; formats: NumberFormat[] }
  | { kind: 'renamed-header'; column: string; header: string; file: string; line: number };

export type CsvSchemaResult =
  | {
      ok: true;
      schema: TableSchema;
      /** Absolute paths of the files read (one, or the matches of a glob, sorted). */
      files: string[];
      /** True once the whole file(s) were read; false while the schema comes from a sample. */
      complete: boolean;
      /** Counted over what was read: the sample, or the whole file(s) once complete. */
      notes: CsvNote[];
    }
  | {
      ok: false;
      error: string;
      /** True when the path is a glob that matches no file (yet). */
      noMatch?: boolean;
      /** A Parquet file whose schema `refine` has not read yet: nothing is known, nothing is wrong. */
      pending?: boolean;
    };

/**
 * Where the checker gets dataset schemas from. The language server keeps one cache for the
 * whole session (a keystroke never re-reads a file); the CLI and tests make their own.
 */
export interface SchemaSource {
  /** `pattern` is an absolute path or glob. Must be fast when the file is unchanged (cached by path, size, mtime). */
  schema(pattern: string, options: CsvOptions): CsvSchemaResult;
}
