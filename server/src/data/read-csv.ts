// Reads CSV files into columnar tables, streaming: bytes → text chunks → rows → typed columns.
import { createReadStream, statSync } from 'node:fs';
import type { ColumnType } from '../language/schema';
import type { CsvOptions } from './csv-options';
import { ColumnBuilder } from './column-builder';
import { CsvSyntaxError, CsvTokenizer } from './csv-tokenizer';
import { expandGlob, isGlob } from './glob';
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
  rows = 0;
  /** Header of the first file, to check later files of a glob against. */
  private firstFile = '';

  constructor(private readonly options: CsvOptions) {
    this.missing = new Set(options.missing);
  }

  /** Starts a file; returns the sink its tokenizer writes to. */
  file(path: string, maxRows = Infinity): { row(fields: string[], line: number): void; full(): boolean } {
    let headerSeen = !this.options.header;
    return {
      full: () => this.rows >= maxRows,
      row: (fields, line) => {
        if (!headerSeen) {
          headerSeen = true;
          const names = uniqueNames(fields.map((f) => f.trim()));
          if (this.names === undefined) {
            this.names = names;
            this.firstFile = path;
            this.builders = names.map(() => new ColumnBuilder(this.missing));
          } else if (names.join('\u0000') !== this.names.join('\u0000')) {
            throw new CsvError(`${path}: its header (${names.join(', ')}) differs from ${this.firstFile} (${this.names.join(', ')}); files read by one glob must have the same columns`, path, line);
          }
          return;
        }
        if (this.names === undefined) {
          this.names = fields.map((_, i) => `c${i + 1}`);
          this.firstFile = path;
          this.builders = this.names.map(() => new ColumnBuilder(this.missing));
        }
        if (this.rows >= maxRows) return;
        if (fields.length !== this.builders.length) {
          throw new CsvError(
            `${path}:${line}: row has ${fields.length} field${fields.length === 1 ? '' : 's'} but the header has ${this.builders.length}; fix the row, or quote fields that contain the delimiter`,
            path, line,
          );
        }
        for (let c = 0; c < fields.length; c++) this.builders[c].push(fields[c]);
        this.rows++;
      },
    };
  }

  /** Inferred (or declared) type of every column. */
  types(): ColumnType[] {
    return (this.names ?? []).map((name, i) => this.options.columnTypes[name]?.type ?? this.builders[i].inferType(this.rows));
  }

  columnBuilders(): readonly ColumnBuilder[] {
    return this.builders;
  }

  table(): Table {
    const names = this.names ?? [];
    const types = this.types();
    const columns: Column[] = names.map((_, i) => this.builders[i].build(types[i]).column);
    return { names, columns, rowCount: this.rows };
  }
}

function uniqueNames(raw: string[]): string[] {
  const seen = new Map<string, number>();
  return raw.map((n, i) => {
    const base = n === '' ? `c${i + 1}` : n;
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    return count === 0 ? base : `${base}_${count + 1}`;
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
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}

/** Reads a CSV file or glob into a columnar table. Throws CsvError with file and line on bad input. */
export async function readCsv(pattern: string, options: CsvOptions, opts: ReadCsvOptions = {}): Promise<Table> {
  const files = resolveCsvFiles(pattern);
  const total = files.reduce((s, f) => s + statSync(f).size, 0) || 1;
  let done = 0;
  const builder = new CsvTableBuilder(options);
  for (const file of files) {
    const tokenizer = new CsvTokenizer(options.delimiter, builder.file(file));
    const decoder = new TextDecoder(options.encoding === 'latin1' ? 'latin1' : 'utf-8');
    const stream = createReadStream(file, { highWaterMark: 1 << 20 });
    try {
      for await (const chunk of stream) {
        if (opts.signal?.aborted) throw new CsvError('reading was cancelled', file);
        const buf = chunk as Buffer;
        tokenizer.push(decoder.decode(buf, { stream: true }));
        done += buf.length;
        opts.onProgress?.(done / total);
      }
      tokenizer.push(decoder.decode());
      tokenizer.finish();
    } catch (e) {
      stream.destroy();
      if (e instanceof CsvSyntaxError) throw new CsvError(`${file}:${e.message}`, file, e.line);
      if (e instanceof CsvError) throw e;
      throw new CsvError(`cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`, file);
    }
  }
  if (builder.names === undefined) throw new CsvError(`${files[0]} is empty; a CSV needs a header line and rows`, files[0]);
  return builder.table();
}

/** Parses CSV text already in memory (tests, pasted data). */
export function readCsvText(text: string, options: CsvOptions, name = '<text>'): Table {
  const builder = new CsvTableBuilder(options);
  const tokenizer = new CsvTokenizer(options.delimiter, builder.file(name));
  try {
    tokenizer.push(text);
    tokenizer.finish();
  } catch (e) {
    if (e instanceof CsvSyntaxError) throw new CsvError(`${name}:${e.message}`, name, e.line);
    throw e;
  }
  if (builder.names === undefined) throw new CsvError(`${name} is empty; a CSV needs a header line and rows`, name);
  return builder.table();
}
