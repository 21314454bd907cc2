// Reads CSV files into columnar tables: bytes in blocks → rows (csv-rows.ts) → typed columns,
// in this thread or, for a large file, in parts on worker threads (csv-parallel.ts).
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import type { ColumnSchema, ColumnType, TableSchema } from '../language/schema';
import { numberFormatOf, type CsvNote, type CsvOptions } from './csv-options';
import type { ColumnBuilder, ColumnPart } from './column-builder';
import { BLOCK_BYTES, CsvWorkers, newColumnBuilders, newPassThrough, readSlice, type SliceJob } from './csv-parallel';
import { isPassThroughPart, PassThroughColumn, replay, type PassThroughCells, type PassThroughPart } from './pass-through';
import { badBytes, CsvRowReader, CsvRowScanner, type CsvProblem, type RowsRead } from './csv-rows';
import { expandGlob, isGlob } from './glob';
import { numberFormatsThatFit } from './parse-values';
import { RowLocator } from './row-locator';
import type { Column, DictionaryColumn, Table } from './table';

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
  /** Columns still kept as bytes (pass-through.ts), shared with the reader, which clears an entry when its column stops being plain text. */
  private passThrough: (PassThroughCells | undefined)[] = [];
  private reader: CsvRowReader | undefined;
  private readonly locator = new RowLocator();
  private readonly headerNotes: CsvNote[] = [];
  rows = 0;
  /** Header of the first file, to check later files of a glob against. */
  private firstFile = '';

  /** `keepAsBytes(name)`: the column is only copied to an output, so it is kept as bytes while it can be. */
  constructor(readonly options: CsvOptions, private readonly keepAsBytes: (name: string) => boolean = () => false) {
    if (options.delimiter.length !== 1) throw new CsvError(`the delimiter must be one character, got ${JSON.stringify(options.delimiter)}`);
  }

  private start(names: string[], path: string): void {
    this.names = names;
    this.firstFile = path;
    this.builders = newColumnBuilders(this.options, names.length);
    // A declared type other than text or category prints differently from the cell's bytes.
    const kept = names.flatMap((name, c) => {
      const declared = this.options.columnTypes[name]?.type;
      return this.keepAsBytes(name) && (declared === undefined || declared === 'text' || declared === 'category') ? [c] : [];
    });
    this.passThrough = newPassThrough(this.options, names.length, kept);
    this.reader = new CsvRowReader(this.options, this.builders, this.passThrough);
  }

  /** Starts reading a file's bytes (`CsvFileReader`); `maxRows` bounds the rows of all files together. */
  file(path: string, maxRows = Infinity): CsvFileReader {
    return new CsvFileReader(this, path, maxRows);
  }

  /** A file's first row: its header, or (header: false) a row that only tells how many columns there are. */
  firstRow(fields: string[], path: string, line: number): void {
    if (!this.options.header) {
      if (this.names === undefined) this.start(fields.map((_, i) => `c${i + 1}`), path);
      return;
    }
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
  }

  /** Reads rows of `buf` here (see CsvRowReader.read); the caller adds them with `addRows`. */
  readRows(buf: Buffer, start: number, final: boolean, maxRows: number): RowsRead {
    return this.reader!.read(buf, start, buf.length, final, maxRows);
  }

  /**
   * Counts rows read from `lineBase` (1-based) on, here or (with `parts`, joined onto the columns)
   * elsewhere; throws the CsvError of a problem that stopped them.
   */
  addRows(read: RowsRead, path: string, lineBase: number, parts?: readonly (ColumnPart | PassThroughPart)[]): void {
    if (read.problem) throw this.problemError(read.problem, path, lineBase + read.problem.line);
    if (parts) for (let c = 0; c < parts.length; c++) this.join(c, parts[c]);
    for (let k = 0; k < read.breaks.length; k += 2) this.locator.record(this.rows + read.breaks[k], path, lineBase + read.breaks[k + 1]);
    this.rows += read.rows;
  }

  /** Joins a part read elsewhere onto column c, each side kept as bytes or not. */
  private join(c: number, part: ColumnPart | PassThroughPart): void {
    const kept = this.passThrough[c];
    if (isPassThroughPart(part)) {
      if (kept) kept.append(part);
      else replay(part, this.builders[c]);
      return;
    }
    if (kept) this.stopKeeping(c);
    if (!this.builders[c].append(part)) throw new PartsNotJoinable();
  }

  /** Column c read as any other from here on: its cells so far replayed into its builder. */
  private stopKeeping(c: number): void {
    this.passThrough[c]!.replayInto(this.builders[c]);
    this.passThrough[c] = undefined;
  }

  /** Columns still kept as bytes. */
  get keptColumns(): number[] {
    return this.passThrough.flatMap((k, c) => (k ? [c] : []));
  }

  problemError(p: CsvProblem, path: string, line: number): CsvError {
    switch (p.kind) {
      case 'fields': {
        // A decimal comma in a comma-separated file splits every unquoted number in two.
        const hint = numberFormatOf(this.options).decimal === this.options.delimiter
          ? `; with decimal: "${this.options.delimiter}" the delimiter cannot also be "${this.options.delimiter}" unless numbers are quoted: set delimiter: ";" if the file uses it`
          : '';
        return new CsvError(
          `${path}:${line}: row has ${p.fields} field${p.fields === 1 ? '' : 's'} but the header has ${this.builders.length}; fix the row, or quote fields that contain the delimiter${hint}`,
          path, line,
        );
      }
      case 'after-quote': return new CsvError(`${path}:line ${line}: text after a closing quote; a quote inside a quoted field must be doubled ("")`, path, line);
      case 'unclosed': return new CsvError(`${path}:line ${line}: a quoted field is never closed; add the closing double quote`, path, line);
      case 'nul': return new CsvError(`${path}: line ${line} holds a NUL byte, which text never contains: the file may be UTF-16 or damaged; save it as UTF-8 text, or remove the byte`, path, line);
      case 'utf8': return new CsvError(`${path}: line ${line} is not valid UTF-8 (byte 0x${p.byte.toString(16)}); if the file is Latin-1 or Windows-1252, add encoding: "latin1" to the dataset, or save the file as UTF-8`, path, line);
    }
  }

  /** Inferred (or declared) type of every column; `rowsForLimit` sets the category threshold. */
  types(rowsForLimit = this.rows): ColumnType[] {
    for (const c of this.keptColumns) this.stopKeeping(c);
    return (this.names ?? []).map((_, i) => this.typeOf(i, rowsForLimit));
  }

  private typeOf(i: number, rowsForLimit = this.rows): ColumnType {
    return this.options.columnTypes[this.names![i]]?.type ?? this.builders[i].inferType(rowsForLimit);
  }

  /** The table; a column still kept as bytes becomes a PassThroughColumn, whose codes are made only if read. */
  table(types?: ColumnType[]): Table {
    const names = this.names ?? [];
    if (types) for (const c of this.keptColumns) this.stopKeeping(c);
    const columns: Column[] = names.map((_, i) => {
      const kept = this.passThrough[i];
      if (!kept) return this.builders[i].build(types?.[i] ?? this.typeOf(i));
      const builder = this.builders[i];
      return new PassThroughColumn(kept, () => {
        kept.replayInto(builder);
        // Plain text cells only: the column is text or a category.
        return builder.build(this.typeOf(i)) as DictionaryColumn;
      });
    });
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

/** A CsvTableBuilder's columns cannot take the parts read apart as they are (see ColumnBuilder.append): read here instead. */
class PartsNotJoinable extends Error {}

/** One file's bytes, fed in blocks, into a builder: the header first, then rows. */
export class CsvFileReader {
  /** 1-based line of the first byte not yet read. */
  line = 1;
  started = false;

  constructor(private readonly builder: CsvTableBuilder, readonly path: string, private readonly maxRows: number) {}

  get full(): boolean {
    return this.builder.rows >= this.maxRows;
  }

  get options(): CsvOptions {
    return this.builder.options;
  }

  get columns(): number {
    return this.builder.names?.length ?? 0;
  }

  get keptColumns(): number[] {
    return this.builder.keptColumns;
  }

  /**
   * Reads what `buf` holds (`final`: it ends where the file does); returns the bytes consumed, the
   * rest beginning a row that continues in the bytes that follow. Throws CsvError.
   */
  consume(buf: Buffer, final: boolean): number {
    const pos = this.started ? 0 : this.begin(buf, final);
    if (pos < 0 || this.builder.names === undefined) return Math.max(pos, 0);
    const read = this.builder.readRows(buf, pos, final, this.maxRows - this.builder.rows);
    this.add(read);
    return read.next;
  }

  /** Rows read from where this reader stands (`parts`: read elsewhere, to be joined). */
  add(read: RowsRead, parts?: readonly (ColumnPart | PassThroughPart)[]): void {
    this.builder.addRows(read, this.path, this.line, parts);
    this.line += read.lines;
  }

  /**
   * Reads the byte order mark and the first row (the header, or with header: false only its
   * count of fields); returns the position rows start at, or -1 when `buf` ends before.
   */
  begin(buf: Buffer, final: boolean): number {
    if (buf.length < 3 && !final) return -1;
    if ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff)) {
      throw new CsvError(`${this.path}: the file is UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8 (or CSV UTF-8 in a spreadsheet)`, this.path, 1);
    }
    const options = this.builder.options;
    let pos = options.encoding === 'utf8' && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
    const scanner = new CsvRowScanner(options.delimiter.charCodeAt(0));
    let lines = 0;
    for (;;) {
      if (pos >= buf.length) {
        if (!final) return -1;
        this.started = true;
        this.line += lines;
        return pos;
      }
      const next = scanner.scan(buf, pos, final);
      if (next === -1) return -1;
      const failed = next < 0 ? { kind: scanner.problem!.kind, line: lines + scanner.problem!.line } : undefined;
      const problem = badBytes(buf, 0, failed ? scanner.at : next, options.encoding) ?? failed;
      if (problem) throw this.builder.problemError(problem, this.path, this.line + problem.line);
      if (scanner.blank) { lines += scanner.lines; pos = next; continue; }
      const fields = Array.from({ length: scanner.fields }, (_, k) => {
        const text = buf.toString(options.encoding, scanner.starts[k], scanner.ends[k]);
        return scanner.escaped[k] ? text.replaceAll('""', '"') : text;
      });
      this.builder.firstRow(fields, this.path, this.line + lines);
      this.started = true;
      if (!options.header) {
        this.line += lines;
        return pos;
      }
      this.line += lines + scanner.lines;
      return next;
    }
  }
}

/** A file read in blocks, each starting with the bytes the previous one left unconsumed. */
class BlockReader {
  private offset = 0;
  private rest: Buffer = Buffer.alloc(0);

  constructor(private readonly handle: FileHandle, readonly size: number) {}

  get done(): number {
    return this.offset;
  }

  /** The next block: what is left of the last one, then up to BLOCK_BYTES more of the file. */
  async next(): Promise<{ buf: Buffer; final: boolean }> {
    const want = Math.max(0, Math.min(BLOCK_BYTES, this.size - this.offset));
    const have = this.rest.length;
    const buf = Buffer.allocUnsafe(have + want);
    this.rest.copy(buf, 0);
    let got = 0;
    while (got < want) {
      const { bytesRead } = await this.handle.read(buf, have + got, want - got, this.offset + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    this.offset += got;
    const final = got < want || this.offset >= this.size;
    return { buf: got < want ? buf.subarray(0, have + got) : buf, final };
  }

  /** `buf` (the last block) was consumed up to `used`; the rest comes first in the next block. */
  keep(buf: Buffer, used: number): void {
    this.rest = Buffer.from(buf.subarray(used));
  }
}

/** Smallest file read in slices on worker threads (below, starting the threads costs more than they save). */
const PARALLEL_FROM = 1 << 24;

export interface ReadCsvOptions {
  /** Polled per block: an AbortSignal or any flag with `aborted`. */
  signal?: { readonly aborted: boolean };
  onProgress?: (fraction: number) => void;
  /**
   * Threads that parse a file of at least 16 MiB (default: NARML_CSV_WORKERS, else
   * os.availableParallelism()); 1 reads in this thread.
   */
  workers?: number;
  /** Largest slice of a file one worker reads at a time (default 64 MiB); smaller also lowers the size read in slices. */
  sliceBytes?: number;
}

/** Largest input whose pass-through columns are kept as bytes: their offsets are int32 (a field takes at most twice its cell's bytes and two quotes). */
const PASS_THROUGH_UP_TO = 1 << 29;

/**
 * Reads a CSV file or glob into a columnar table. Throws CsvError with file and line on bad input.
 * `passThrough(name)`: the column is only copied to an output (see pass-through.ts).
 */
export async function readCsv(pattern: string, options: CsvOptions, opts: ReadCsvOptions & { passThrough?: (name: string) => boolean } = {}): Promise<Table> {
  const files = resolveCsvFiles(pattern);
  const sizes = files.map((f) => statSync(f).size);
  const bytes = opts.passThrough && options.encoding === 'utf8' && sizes.reduce((a, b) => a + b, 0) < PASS_THROUGH_UP_TO;
  return (await readIntoBuilder(files, sizes, options, opts, bytes ? opts.passThrough : undefined)).table();
}

/** `readCsv`, plus its schema and what the read noticed (cells read as missing, renamed headers...). */
export async function readCsvWithNotes(pattern: string, options: CsvOptions, opts: ReadCsvOptions = {}): Promise<{ table: Table; notes: CsvNote[]; schema: TableSchema }> {
  const files = resolveCsvFiles(pattern);
  const builder = await readIntoBuilder(files, files.map((f) => statSync(f).size), options, opts);
  const types = builder.types();
  return { table: builder.table(types), notes: builder.notes(types), schema: builder.schema(types, builder.rows, true) };
}

async function readIntoBuilder(files: string[], sizes: number[], options: CsvOptions, opts: ReadCsvOptions, keepAsBytes?: (name: string) => boolean): Promise<CsvTableBuilder> {
  const workers = Math.max(1, Math.floor(opts.workers ?? (Number(process.env.NARML_CSV_WORKERS) || availableParallelism())));
  const sliceBytes = opts.sliceBytes ?? 1 << 26;
  const inSlices = (size: number): boolean => size >= Math.min(PARALLEL_FROM, 2 * sliceBytes);
  let builder = new CsvTableBuilder(options, keepAsBytes);
  if (workers > 1 && sizes.some(inSlices)) {
    const pool = new CsvWorkers(workers);
    try {
      await readFiles(files, sizes, builder, opts, (size) => (inSlices(size) ? { pool, sliceBytes } : undefined));
    } catch (e) {
      if (!(e instanceof PartsNotJoinable)) throw e;
      builder = new CsvTableBuilder(options, keepAsBytes);
      await readFiles(files, sizes, builder, opts, () => undefined);
    } finally {
      void pool.close();
    }
  } else await readFiles(files, sizes, builder, opts, () => undefined);
  if (builder.names === undefined) throw new CsvError(`${files[0]} is empty; a CSV needs a header line and rows`, files[0]);
  return builder;
}

/** Reads every file into `builder`, each in this thread or (when `slices` gives a pool for its size) in slices. */
async function readFiles(
  files: string[], sizes: number[], builder: CsvTableBuilder, opts: ReadCsvOptions,
  slices: (size: number) => { pool: CsvWorkers; sliceBytes: number } | undefined,
): Promise<void> {
  const total = sizes.reduce((s, n) => s + n, 0) || 1;
  let before = 0;
  for (const [k, file] of files.entries()) {
    const handle = await open(file, 'r');
    const blocks = new BlockReader(handle, sizes[k]);
    const reader = builder.file(file);
    const progress = (done: number): void => opts.onProgress?.((before + done) / total);
    try {
      const parallel = slices(sizes[k]);
      if (!parallel || !(await readInSlices(reader, blocks, parallel.pool, parallel.sliceBytes, opts.signal, progress))) {
        for (;;) {
          if (opts.signal?.aborted) throw new CsvError('reading was cancelled', file);
          const { buf, final } = await blocks.next();
          blocks.keep(buf, reader.consume(buf, final));
          progress(blocks.done);
          if (final) break;
        }
      }
    } catch (e) {
      throw e instanceof CsvError || e instanceof PartsNotJoinable ? e : new CsvError(`cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`, file);
    } finally {
      await handle.close();
    }
    before += sizes[k];
  }
}

/**
 * Reads the header here and the rows in slices on the workers, each slice from a line start (the
 * first line end after an even split), joined in order as they arrive. A slice is taken only if
 * it starts where the rows before it ended: a split inside a quoted field shows as a slice whose
 * start the rows before ran past, and that slice is read again from where they ended. False
 * (nothing read) when the first block holds no whole first row: the caller then reads here.
 */
async function readInSlices(
  reader: CsvFileReader, blocks: BlockReader, pool: CsvWorkers, sliceBytes: number,
  signal: ReadCsvOptions['signal'], progress: (done: number) => void,
): Promise<boolean> {
  const { buf, final } = await blocks.next();
  const start = reader.begin(buf, final);
  if (start < 0) return false;
  if (!reader.started || reader.columns === 0) return true;
  const size = blocks.size;
  const count = pool.size * Math.max(1, Math.ceil((size - start) / (pool.size * sliceBytes)));
  const bounds = [start];
  for (let k = 1; k < count; k++) bounds.push(lineStartAfter(reader.path, Math.max(bounds[k - 1], start + Math.floor(((size - start) * k) / count)), size));
  bounds.push(size);
  const jobs: SliceJob[] = [];
  for (let k = 0; k < count; k++) {
    if (bounds[k + 1] > bounds[k]) jobs.push({ file: reader.path, size, start: bounds[k], end: bounds[k + 1], options: reader.options, columns: reader.columns, passThrough: reader.keptColumns });
  }
  const results = pool.run(jobs);
  let pos = start;
  for (const [k, job] of jobs.entries()) {
    let result = await results[k];
    if (signal?.aborted) throw new CsvError('reading was cancelled', reader.path);
    if (result.start !== pos) result = readSlice({ ...job, start: pos });
    reader.add(result.read, result.parts);
    pos = result.next;
    progress(pos);
  }
  return true;
}

/** The offset after the first line end at or after `at` (the file's size if none). */
function lineStartAfter(file: string, at: number, size: number): number {
  const fd = openSync(file, 'r');
  try {
    const window = Buffer.allocUnsafe(1 << 16);
    for (let from = at; from < size; from += window.length) {
      const n = readSync(fd, window, 0, window.length, from);
      const i = window.subarray(0, n).indexOf(10);
      if (i >= 0) return from + i + 1;
      if (n === 0) break;
    }
    return size;
  } finally {
    closeSync(fd);
  }
}

/** Parses CSV text already in memory (tests, pasted data). */
export function readCsvText(text: string, options: CsvOptions, name = '<text>'): Table {
  const builder = new CsvTableBuilder({ ...options, encoding: 'utf8' });
  builder.file(name).consume(Buffer.from(text), true);
  if (builder.names === undefined) throw new CsvError(`${name} is empty; a CSV needs a header line and rows`, name);
  return builder.table();
}
