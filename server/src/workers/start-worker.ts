// Starts a worker thread from the script beside the caller: `dist/NAME.js` in the bundle (every
// entry point is bundled into dist/), or the `.ts` source through tsx when running from sources
// (tests, benchmarks), so one path works in both.
import { createRequire } from 'node:module';
import type { Worker, WorkerOptions } from 'node:worker_threads';

/**
 * node:worker_threads, loaded when a thread is first needed: the modules that start threads are
 * in every CLI bundle, and loading it at their top cost every command's start (a one-row predict
 * starts none) a few ms.
 */
export function workerThreads(): typeof import('node:worker_threads') {
  return require('node:worker_threads') as typeof import('node:worker_threads');
}

/** `scriptWithoutExtension`: the worker's path without `.js`/`.ts`, e.g. join(__dirname, 'csv-worker'). */
export function startWorker(scriptWithoutExtension: string, options: WorkerOptions = {}): Worker {
  const { Worker } = workerThreads();
  if (!__filename.endsWith('.ts')) return new Worker(`${scriptWithoutExtension}.js`, options);
  const tsx = createRequire(__filename).resolve('tsx/cjs/api');
  const script = `${scriptWithoutExtension}.ts`;
  return new Worker(`require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(script)});`, { ...options, eval: true });
}
