// The worker thread of `narml run` and `narml predict` (see run-in-worker.ts): checks the
// pipeline, runs it with a cancel signal read from shared memory, and reports by messages.
// Datasets unchanged since a run get their schemas from the store, the files the check reads
// are handed to the run (read once per command), and only the prediction sources of the
// requested declarations are read: a one-row predict reads its row and the stored model.
import { resolve } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import type { CheckedPipeline } from '../checker/checked-model';
import type { CancelSignal } from '../ml/cancellation';
import { planOf } from '../runner/run-pipeline';
import { RunStore } from '../store/run-store';
import { StoredSchemaCache } from '../store/stored-schemas';
import { loadChecked, runAndReport, type CliOutput } from './run-command';
import type { WorkerInput, WorkerMessage } from './run-in-worker';

const input = workerData as WorkerInput;
const post = (m: WorkerMessage): void => parentPort!.postMessage(m);
const io: CliOutput = { out: (text) => post({ type: 'stdout', text }), err: (text) => post({ type: 'stderr', text }) };
const cancelFlag = new Int32Array(input.cancel);
const signal: CancelSignal = { get aborted() { return Atomics.load(cancelFlag, 0) !== 0; } };

/** A predict the run reaches; with an undeclared name the command stops before reading anything more. */
function needsSource(checked: CheckedPipeline, predict: string): boolean {
  if (input.names.length === 0) return true;
  return input.names.every((n) => checked.symbols.has(n)) && planOf(checked, input.names).includes(predict);
}

async function checkAndRun(): Promise<WorkerMessage> {
  const schemas = new StoredSchemaCache(RunStore.lookup(resolve(input.file), input.workspace));
  const checked = await loadChecked(input.file, { json: input.json, workspace: input.workspace, signal, schemas, needsSource }, io);
  if (typeof checked === 'number') return { type: 'exit', code: checked };
  for (const n of input.names) {
    if (!checked.symbols.has(n)) return { type: 'usage', message: `"${n}" is not declared in ${input.file}; declared: ${[...checked.symbols.keys()].join(', ')}` };
    if (input.command === 'predict' && checked.symbols.get(n)!.kind !== 'predict') return { type: 'usage', message: `"${n}" is not a predict declaration of ${input.file}` };
  }
  if (!signal.aborted) await schemas.remember(checked);
  const code = await runAndReport(checked, input.json, { names: input.names, signal, tables: schemas, onEvent: (event) => post({ type: 'event', event }) }, io);
  return { type: 'exit', code };
}

// An unexpected error becomes the worker's 'error' event: the CLI reports it as an internal error.
void checkAndRun().then(post);
