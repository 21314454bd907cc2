// The worker thread of `narml run` and `narml predict` (see run-in-worker.ts): checks the
// pipeline, runs it with a cancel signal read from shared memory, and reports by messages.
import { parentPort, workerData } from 'node:worker_threads';
import type { CancelSignal } from '../ml/cancellation';
import { loadChecked, runAndReport, type CliOutput } from './run-command';
import type { WorkerInput, WorkerMessage } from './run-in-worker';

const input = workerData as WorkerInput;
const post = (m: WorkerMessage): void => parentPort!.postMessage(m);
const io: CliOutput = { out: (text) => post({ type: 'stdout', text }), err: (text) => post({ type: 'stderr', text }) };
const cancelFlag = new Int32Array(input.cancel);
const signal: CancelSignal = { get aborted() { return Atomics.load(cancelFlag, 0) !== 0; } };

async function checkAndRun(): Promise<WorkerMessage> {
  const checked = await loadChecked(input.file, { json: input.json, workspace: input.workspace, signal }, io);
  if (typeof checked === 'number') return { type: 'exit', code: checked };
  for (const n of input.names) {
    if (!checked.symbols.has(n)) return { type: 'usage', message: `"${n}" is not declared in ${input.file}; declared: ${[...checked.symbols.keys()].join(', ')}` };
    if (input.command === 'predict' && checked.symbols.get(n)!.kind !== 'predict') return { type: 'usage', message: `"${n}" is not a predict declaration of ${input.file}` };
  }
  const code = await runAndReport(checked, input.json, { names: input.names, signal, onEvent: (event) => post({ type: 'event', event }) }, io);
  return { type: 'exit', code };
}

// An unexpected error becomes the worker's 'error' event: the CLI reports it as an internal error.
void checkAndRun().then(post);
