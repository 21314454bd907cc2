// A large CSV file parsed in slices on worker threads. Each worker reads its slice of the file
// itself, in blocks, into fresh column builders (the same CsvRowReader as a read in one thread),
// and sends back its columns (their buffers transferred, not copied); the main thread joins the
// slices in file order (read-csv.ts readInSlices, ColumnBuilder.append), so the table, its notes
// and its errors are those of a read in one thread. A slice is only synchronised once, at its end.
import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../workers/start-worker';
import { ColumnBuilder, type ColumnPart } from './column-builder';
import { numberFormatOf, type CsvOptions } from './csv-options';
import { CsvRowReader, type RowsRead } from './csv-rows';
import { numberParser } from './parse-values';
import { PassThroughCells, type PassThroughPart } from './pass-through';

/** Bytes a slice is read in; a row longer than a block makes the next one longer. */
export const BLOCK_BYTES = 1 << 22;

export interface SliceJob {
  file: string;
  size: number;
  /** Rows starting in [start, end) of the file are read (the last may end after `end`). */
  start: number;
  end: number;
  options: CsvOptions;
  columns: number;
  /** Columns kept as bytes while their cells are plain text (pass-through.ts). */
  passThrough: number[];
}

export interface SliceResult {
  start: number;
  /** Offset after the last row read. */
  next: number;
  read: RowsRead;
  parts: (ColumnPart | PassThroughPart)[];
}

export function newColumnBuilders(options: CsvOptions, count: number): ColumnBuilder[] {
  const missing = new Set(options.missing);
  const parse = numberParser(numberFormatOf(options));
  return Array.from({ length: count }, () => new ColumnBuilder(missing, parse));
}

/** Cells kept as bytes for the columns `indexes` (of `count`), the other entries undefined. */
export function newPassThrough(options: CsvOptions, count: number, indexes: readonly number[]): (PassThroughCells | undefined)[] {
  const markers = options.missing.map((m) => Buffer.from(m, 'utf8'));
  const { decimal, thousands } = numberFormatOf(options);
  const numberBytes = [...Buffer.from(decimal + thousands, 'utf8')];
  const kept: (PassThroughCells | undefined)[] = Array.from({ length: count }, () => undefined);
  for (const c of indexes) kept[c] = new PassThroughCells(markers, numberBytes);
  return kept;
}

/** Reads one slice of a file (in a worker, or here when a slice's start proved to be inside a row). */
export function readSlice(job: SliceJob): SliceResult {
  const builders = newColumnBuilders(job.options, job.columns);
  const passThrough = newPassThrough(job.options, job.columns, job.passThrough);
  const reader = new CsvRowReader(job.options, builders, passThrough);
  const total: RowsRead = { next: 0, incomplete: false, rows: 0, lines: 0, breaks: [] };
  const fd = openSync(job.file, 'r');
  let pos = job.start;
  let carry = Buffer.alloc(0);
  try {
    while (pos < job.end) {
      const want = Math.max(0, Math.min(BLOCK_BYTES, job.size - pos - carry.length));
      const buf = Buffer.allocUnsafe(carry.length + want);
      carry.copy(buf);
      let got = 0;
      while (got < want) {
        const n = readSync(fd, buf, carry.length + got, want - got, pos + carry.length + got);
        if (n === 0) break;
        got += n;
      }
      const block = buf.subarray(0, carry.length + got);
      const final = pos + block.length >= job.size || got < want;
      const read = reader.read(block, 0, Math.min(block.length, job.end - pos), final);
      for (let k = 0; k < read.breaks.length; k += 2) total.breaks.push(total.rows + read.breaks[k], total.lines + read.breaks[k + 1]);
      if (read.problem) {
        total.problem = { ...read.problem, line: total.lines + read.problem.line };
        break;
      }
      total.rows += read.rows;
      total.lines += read.lines;
      pos += read.next;
      if (final) break;
      carry = Buffer.from(block.subarray(read.next));
    }
  } finally {
    closeSync(fd);
  }
  total.next = pos;
  return { start: job.start, next: pos, read: total, parts: builders.map((b, c) => passThrough[c]?.part() ?? b.part()) };
}

/** Worker threads for one read; slices are handed out in order as workers become free. */
export class CsvWorkers {
  private readonly workers: Worker[];

  constructor(readonly size: number) {
    this.workers = Array.from({ length: size }, () => startWorker(join(__dirname, 'csv-worker')));
  }

  /** One promise per job, in the jobs' order (each settles as soon as its slice is read). */
  run(jobs: SliceJob[]): Promise<SliceResult>[] {
    const settle: { resolve: (r: SliceResult) => void; reject: (e: Error) => void }[] = [];
    const results = jobs.map(() => new Promise<SliceResult>((resolve, reject) => { settle.push({ resolve, reject }); }));
    // The caller stops at the first failure; the slices after it must not be unhandled rejections.
    for (const r of results) r.catch(() => undefined);
    let next = 0;
    for (const w of this.workers) {
      void (async (): Promise<void> => {
        while (next < jobs.length) {
          const k = next++;
          try {
            settle[k].resolve(await this.one(w, jobs[k]));
          } catch (e) {
            settle[k].reject(e as Error);
          }
        }
      })();
    }
    return results;
  }

  private one(w: Worker, job: SliceJob): Promise<SliceResult> {
    return new Promise<SliceResult>((resolve, reject) => {
      const cleanup = (): void => {
        w.off('message', onMessage);
        w.off('error', onError);
        w.off('exit', onExit);
      };
      const onMessage = (r: SliceResult): void => { cleanup(); resolve(r); };
      const onError = (e: Error): void => { cleanup(); reject(e); };
      const onExit = (code: number): void => { cleanup(); reject(new Error(`a CSV worker stopped (exit code ${code})`)); };
      w.on('message', onMessage);
      w.on('error', onError);
      w.on('exit', onExit);
      w.postMessage(job);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
