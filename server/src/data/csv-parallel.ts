// Parts of a CSV file parsed in worker threads. The main thread reads a block of the file into a
// SharedArrayBuffer, each worker reads the rows of one part of it into fresh column builders
// (the same CsvRowReader as a read in one thread), and the main thread joins the parts in file
// order (read-csv.ts readParts, ColumnBuilder.append), so the table, its notes and its errors
// are those of a read in one thread.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ColumnBuilder, type ColumnPart } from './column-builder';
import { numberFormatOf, type CsvOptions } from './csv-options';
import { CsvRowReader, type RowsRead } from './csv-rows';
import { numberParser } from './parse-values';

export interface PartJob {
  buf: SharedArrayBuffer;
  /** Rows starting in [start, end) are read. */
  start: number;
  end: number;
  /** The block ends where the file does. */
  final: boolean;
  options: CsvOptions;
  columns: number;
}

export interface PartResult {
  read: RowsRead;
  parts: ColumnPart[];
}

export function newColumnBuilders(options: CsvOptions, count: number): ColumnBuilder[] {
  const missing = new Set(options.missing);
  const parse = numberParser(numberFormatOf(options));
  return Array.from({ length: count }, () => new ColumnBuilder(missing, parse));
}

/** Reads one part (in a worker, or here when a part has to be read again). */
export function readPart(job: PartJob): PartResult {
  const builders = newColumnBuilders(job.options, job.columns);
  const read = new CsvRowReader(job.options, builders).read(Buffer.from(job.buf), job.start, job.end, job.final);
  return { read, parts: builders.map((b) => b.part()) };
}

/** The worker script: dist/csv-worker.js in the bundle; from sources (tests, benchmarks), the .ts through tsx. */
function startWorker(): Worker {
  if (!__filename.endsWith('.ts')) return new Worker(join(__dirname, 'csv-worker.js'));
  const tsx = createRequire(__filename).resolve('tsx/cjs/api');
  const script = join(__dirname, 'csv-worker.ts');
  return new Worker(`require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(script)});`, { eval: true });
}

/** A few worker threads for one read; `run` gives each at most one part. */
export class CsvWorkers {
  private readonly workers: Worker[];

  constructor(readonly size: number) {
    this.workers = Array.from({ length: size }, startWorker);
    // An idle worker must not keep the process alive (a read that threw leaves them idle until closed).
    for (const w of this.workers) w.unref();
  }

  run(jobs: PartJob[]): Promise<PartResult[]> {
    return Promise.all(jobs.map((job, k) => new Promise<PartResult>((resolve, reject) => {
      const w = this.workers[k];
      const cleanup = (): void => {
        w.off('message', onMessage);
        w.off('error', onError);
        w.off('exit', onExit);
      };
      const onMessage = (r: PartResult): void => { cleanup(); resolve(r); };
      const onError = (e: Error): void => { cleanup(); reject(e); };
      const onExit = (code: number): void => { cleanup(); reject(new Error(`a CSV worker stopped (exit code ${code})`)); };
      w.on('message', onMessage);
      w.on('error', onError);
      w.on('exit', onExit);
      w.postMessage(job);
    })));
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
