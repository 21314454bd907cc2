// Starts a worker thread from the script beside the caller: `dist/NAME.js` in the bundle (every
// entry point is bundled into dist/), or the `.ts` source through tsx when running from sources
// (tests, benchmarks), so one path works in both.
import { createRequire } from 'node:module';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** `scriptWithoutExtension`: the worker's path without `.js`/`.ts`, e.g. join(__dirname, 'csv-worker'). */
export function startWorker(scriptWithoutExtension: string, options: WorkerOptions = {}): Worker {
  if (!__filename.endsWith('.ts')) return new Worker(`${scriptWithoutExtension}.js`, options);
  const tsx = createRequire(__filename).resolve('tsx/cjs/api');
  const script = `${scriptWithoutExtension}.ts`;
  return new Worker(`require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(script)});`, { ...options, eval: true });
}
