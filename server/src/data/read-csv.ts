// Reads CSV files into columnar tables, streaming: bytes → text chunks → rows → typed columns.
import { createReadStream, statSync } from 'node:fs';
import type { ColumnSchema, ColumnType, TableSchema } from '../language/schema';
import { numberFormatOf, type CsvNote, type CsvOptions } from './csv-options';
import { ColumnBuilder } from './column-builder';
import { CsvDecodeError, CsvDecoder } from './csv-decoder';
import { CsvSyntaxError, CsvTokenizer } from './csv-tokenizer';
import { expandGlob, isGlob } from './glob';
import { numberFormatsThatFit, numberParser } from './parse-values';
import { RowLocator } from './row-locator';
import type { Column, Table } from './table';

export class CsvError extends Error {
  constructor(message: string, readonly file?: string, readonly line?: number) {
    super(message);
  }
}

/** A glob that matches no file (yet): an error for a dataset, a waiting inbox for a predict source. */
export class NoMatchingFileError extends CsvError {}

/** Rows of one or more files with the same header, accumulated column by column. */
export class CsvTableBuilder {
  names: string[] | undefined;
  private builders: ColumnBuilder[] = [];
  private readonly missing: Set<string>;
  private readonly parseNumber: (s: string) => number;
  private readonly locator = new RowLocator();
  private readonly headerNotes: CsvNote[] = [];
  rows = 0;
  /** Header of the first file, to check later files of a glob against. */
  private firstFile = '';

  constructor(private readonly options: CsvOptions) {
    this.missing = new Set(options.missing);
    this.parseNumber = numberParser(numberFormatOf(options));
  }

  private start(names: string[], path: string): void {
    this.names = names;
    this.firstFile = path;
    this.builders = names.map(() => new ColumnBuilder(this.missing, this.parseNumber));
  }

  /** Starts a file; returns the sink its tokenizer writes to. */
  file(path: string, maxRows = Infinity): { row(fields: string[], line: number): void; full(): boolean } {
    let headerSeen = !this.options.header;
    return {
      full: () => this.rows >= maxRows,
      row: (fields, line) => {
        if (!headerSeen) {
          headerSeen = true;
          const written = fields.map((f) => f.trim());
          const excel = written.length === 1 ? /^sep=(.)$/i.exec(written[0]) : null;
          if (excel) {
            throw new CsvError(`${path}:${line}: the first line "${written[0]}" is a spreadsheet's note of the delimiter, not a header; delete that line from the file and add delimiter: ${JSON.stringify(excel[1])} to the dataset`, path, line);
          }
          const other = written.length === 1 ? otherDelimiter(written[0], this.options.delimiter) : undefined;
          if (other !== undefined) {
            throw new CsvError(`${path}:${line}: the header ${JSON.stringify(written[0])} is read as one column, but it holds ${JSON.stringify(other)} between names: the file looks separated by ${other === '\t' ? 'tabs' : JSON.stringify(other)}; add delimiter: ${JSON.stringify(other)} to the dataset`, path, line);
          }
          const names = uniqueNames(written);
          if (this.names === undefined) {
            this.start(names, path);
            names.forEach((name, i) => {
              if (name !== written[i]) this.headerNotes.push({ kind: 'renamed-header', column: name, header: written[i], file: path, line });
            });
          } else if (names.join('\u0000') !== this.names.join('\u0000')) {
            throw new CsvError(`${path}: its header (${names.join(', ')}) differs from ${this.firstFile} (${this.names.join(', ')}); files read by one glob must have the same columns`, path, line);
          }
          return;
        }
        if (this.names === undefined) this.start(fields.map((_, i) => `c${i + 1}`), path);
        if (this.rows >= maxRows) return;
        if (fields.length !== this.builders.length) {
          // A decimal comma in a comma-separated file splits every unquoted number in two.
          const hint = numberFormatOf(this.options).decimal === this.options.delimiter
            ? `; with decimal: "${this.options.delimiter}" the delimiter cannot also be "${this.options.delimiter}" unless numbers are quoted: set delimiter: ";" if the file uses it`
            : '';
          throw new CsvError(
            `${path}:${line}: row has ${fields.length} field${fields.length === 1 ? '' : 's'} but the header has ${this.builders.length}; fix the row, or quote fields that contain the delimiter${hint}`,
            path, line,
          );
        }
        this.locator.record(this.rows, path, line);
        for (let c = 0; c < fields.length; c++) this.builders[c].push(fields[c]);
        this.rows++;
      },
    };
  }

  /** Inferred (or declared) type of every column; `rowsForLimit` sets the category threshold. */
  types(rowsForLimit = this.rows): ColumnType[] {
    return (this.names ?? []).map((name, i) => this.options.columnTypes[name]?.type ?? this.builders[i].inferType(rowsForLimit));
  }

  columnBuilders(): readonly ColumnBuilder[] {
    return this.builders;
  }

  table(types = this.types()): Table {
    const names = this.names ?? [];
    const columns: Column[] = names.map((_, i) => this.builders[i].build(types[i]));
    return { names, columns, rowCount: this.rows };
  }

  /**
   * The schema of the columns as `types`, the same for a sample and a full read (the checker's
   * view of a file must not change when the whole file is read, except for what the sample missed).
   */
  schema(types: ColumnType[], rowCount: number, rowCountExact: boolean): TableSchema {
    const columns: ColumnSchema[] = (this.names ?? []).map((name, i) => {
      const b = this.builders[i];
      const type = types[i];
      const levels = b.levels(type);
      // Cells that do not parse as the column's type are read as missing too; `columns { x: number? }`
      // may declare nullability the data does not show.
      const nullable = this.options.columnTypes[name]?.nullable ?? (b.missing > 0 || b.invalidCells(type) !== undefined);
      const noValueIs = type === 'text' || type === 'category' ? b.typesNoValueIs() : undefined;
      // Only a whole file proves a column empty: a sample may stop before its first value.
      const noValue = rowCountExact && b.length > 0 && b.missing === b.length;
      const onlyValue = rowCountExact && type === 'boolean' ? b.onlyBoolean() : undefined;
      return {
        name, type, nullable, ...(levels ? { levels } : {}), ...(noValueIs ? { noValueIs } : {}),
        ...(noValue ? { noValue: true as const } : {}), ...(onlyValue ? { onlyValue } : {}),
      };
    });
    return { columns, rowCount, rowCountExact };
  }

  /** What the columns as `types` lose or hide: cells read as missing, numbers in an undeclared format, renamed headers. */
  notes(types = this.types()): CsvNote[] {
    const notes = [...this.headerNotes];
    const format = numberFormatOf(this.options);
    (this.names ?? []).forEach((column, i) => {
      const b = this.builders[i];
      const type = types[i];
      const declared = column in this.options.columnTypes;
      const valueType = type === 'number' || type === 'date' || type === 'boolean' ? type : undefined;
      const bad = b.invalidCells(valueType ?? 'number');
      if (!bad) return;
      const at = this.locator.locate(bad.row) ?? { file: this.firstFile, line: 0 };
      const formats = valueType === 'date' || valueType === 'boolean' ? [] : numberFormatsThatFit(b.textsThatAreNotNumbers(), format);
      if (valueType) notes.push({ kind: 'invalid-values', column, type: valueType, count: bad.count, of: bad.of, example: bad.example, file: at.file, line: at.line, declared, formats });
      else if (!declared && formats.length > 0) notes.push({ kind: 'number-format', column, type, example: bad.example, file: at.file, line: at.line, formats });
    });
    return notes;
  }
}

/**
 * The delimiter a header read as one name seems to use instead of the dataset's (";" in a
 * European export, a tab in a .tsv named .csv): the most frequent candidate that splits it into
 * names, if any.
 */
function otherDelimiter(header: string, delimiter: string): string | undefined {
  let best: string | undefined;
  let bestCount = 0;
  for (const candidate of [';', '\t', '|', ',']) {
    if (candidate === delimiter) continue;
    const parts = header.split(candidate);
    if (parts.length > bestCount + 1 && parts.every((p) => p.trim() !== '')) { best = candidate; bestCount = parts.length - 1; }
  }
  return best;
}

/**
 * Distinct column names: a name written once keeps it; a repeated (or empty, then `cN`) one takes
 * the first `name_K` (K = 2, 3, ...) that no other header uses, so `a,a,a_2` reads as a, a_3, a_2.
 */
function uniqueNames(written: string[]): string[] {
  const wanted = written.map((n, i) => (n === '' ? `c${i + 1}` : n));
  const reserved = new Set(wanted);
  const taken = new Set<string>();
  return wanted.map((base) => {
    if (!taken.has(base)) {
      taken.add(base);
      return base;
    }
    let k = 2;
    while (reserved.has(`${base}_${k}`) || taken.has(`${base}_${k}`)) k++;
    taken.add(`${base}_${k}`);
    return `${base}_${k}`;
  });
}

/** Files a dataset path stands for, or a CsvError saying why there are none. */
export function resolveCsvFiles(pattern: string): string[] {
  const files = expandGlob(pattern);
  if (files.length === 0) throw new NoMatchingFileError(`no file matches ${pattern}; check the path (it is relative to the .narml file)`, pattern);
  for (const f of files) {
    let st;
    try {
      st = statSync(f);
    } catch {
      throw new CsvError(isGlob(pattern) ? `cannot read ${f}` : `file not found: ${f}; check the path (it is relative to the .narml file)`, f);
    }
    if (st.isDirectory()) throw new CsvError(`${f} is a folder, not a CSV file; name a file or a glob such as "${f}/*.csv"`, f);
  }
  return files;
}

export interface ReadCsvOptions {
  /** Polled per chunk: an AbortSignal or any flag with `aborted`. */
  signal?: { readonly aborted: boolean };
  onProgress?: (fraction: number) => void;
}

/** Reads a CSV file or glob into a columnar table. Throws CsvError with file and line on bad input. */
export async function readCsv(pattern: string, options: CsvOptions, opts: ReadCsvOptions = {}): Promise<Table> {
  return (await readCsvWithNotes(pattern, options, opts)).table;
}

/** `readCsv`, plus its schema and what the read noticed (cells read as missing, renamed headers...). */
export async function readCsvWithNotes(pattern: string, options: CsvOptions, opts: ReadCsvOptions = {}): Promise<{ table: Table; notes: CsvNote[]; schema: TableSchema }> {
  const files = resolveCsvFiles(pattern);
  const total = files.reduce((s, f) => s + statSync(f).size, 0) || 1;
  let done = 0;
  const builder = new CsvTableBuilder(options);
  for (const file of files) {
    const tokenizer = new CsvTokenizer(options.delimiter, builder.file(file));
    const decoder = new CsvDecoder(options.encoding, () => tokenizer.currentLine);
    const stream = createReadStream(file, { highWaterMark: 1 << 20 });
    try {
      for await (const chunk of stream) {
        if (opts.signal?.aborted) throw new CsvError('reading was cancelled', file);
        const buf = chunk as Buffer;
        tokenizer.push(decoder.decode(buf));
        done += buf.length;
        opts.onProgress?.(done / total);
      }
      tokenizer.push(decoder.decode(new Uint8Array(0), true));
      tokenizer.finish();
    } catch (e) {
      stream.destroy();
      throw asCsvError(e, file);
    }
  }
  if (builder.names === undefined) throw new CsvError(`${files[0]} is empty; a CSV needs a header line and rows`, files[0]);
  const types = builder.types();
  return { table: builder.table(types), notes: builder.notes(types), schema: builder.schema(types, builder.rows, true) };
}

/** A tokenizer's or decoder's error as a CsvError naming the file and line. */
export function asCsvError(e: unknown, file: string): CsvError {
  if (e instanceof CsvSyntaxError) return new CsvError(`${file}:${e.message}`, file, e.line);
  if (e instanceof CsvDecodeError) return new CsvError(`${file}: ${e.message}`, file, e.line);
  if (e instanceof CsvError) return e;
  return new CsvError(`cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`, file);
}

/** Parses CSV text already in memory (tests, pasted data). */
export function readCsvText(text: string, options: CsvOptions, name = '<text>'): Table {
  const builder = new CsvTableBuilder(options);
  const tokenizer = new CsvTokenizer(options.delimiter, builder.file(name));
  try {
    tokenizer.push(text);
    tokenizer.finish();
  } catch (e) {
    throw asCsvError(e, name);
  }
  if (builder.names === undefined) throw new CsvError(`${name} is empty; a CSV needs a header line and rows`, name);
  return builder.table();
}
