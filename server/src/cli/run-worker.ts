// The worker thread of `narml run` and `narml predict` (see run-in-worker.ts): checks the
// pipeline, runs it with a cancel signal read from shared memory, and reports by messages.
import { parentPort, workerData } from 'node:worker_threads';
import type { CancelSignal } from '../ml/cancellation';
import { checkAndRun, type CliOutput } from './commands-impl';
import type { WorkerInput, WorkerMessage } from './run-in-worker';

const input = workerData as WorkerInput;
const post = (m: WorkerMessage): void => parentPort!.postMessage(m);
const io: CliOutput = { out: (text) => post({ type: 'stdout', text }), err: (text) => post({ type: 'stderr', text }) };
const cancelFlag = new Int32Array(input.cancel);
const signal: CancelSignal = { get aborted() { return Atomics.load(cancelFlag, 0) !== 0; } };

// An unexpected error becomes the worker's 'error' event: the CLI reports it as an internal error.
void checkAndRun(input, signal, io, (event) => post({ type: 'event', event })).then((outcome) => {
  // Without a `runsHere` question nothing is left elsewhere.
  if (outcome.type !== 'elsewhere') post(outcome);
});
