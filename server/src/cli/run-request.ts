// Checking and running one `narml run` or `narml predict` request, wherever it runs: in the run's
// worker thread (run-worker.ts), or on the main thread for a predict that is quick (run-here.ts).
// Datasets unchanged since a run get their schemas from the store, the files the check reads
// are handed to the run (read once per command), and only the prediction sources of the
// requested declarations are read: a one-row predict reads its row and the stored model.
import { resolve } from 'node:path';
import type { CheckedPipeline } from '../checker/checked-model';
import type { ProgressEvent } from '../contracts/cli-json';
import type { CancelSignal } from '../ml/cancellation';
import { planOf } from '../runner/run-pipeline';
import { RunStore } from '../store/run-store';
import { StoredSchemaCache } from '../store/stored-schemas';
import { loadChecked, runAndReport, type CliOutput } from './run-command';
import type { RunRequest } from './run-in-worker';

/** How a request ended: an exit status, bad usage, or (see `HereGate`) left to the worker thread. */
export type RequestOutcome = { type: 'exit'; code: number } | { type: 'usage'; message: string } | { type: 'elsewhere' };

/** Whether a request runs where it is asked (see run-here.ts); false leaves it `elsewhere`, unrun. */
export interface HereGate {
  /**
   * Asked before the prediction sources are read, with the check on the schemas at hand: false
   * leaves the request before it reads them (a large input is read once, where it runs).
   */
  reads(checked: CheckedPipeline): boolean;
  /** Asked after the full check. */
  runs(checked: CheckedPipeline, store: RunStore): Promise<boolean>;
}

/**
 * Checks and runs `request`. With `here`, a request it turns away is not run (nothing is written
 * or printed) and ends `elsewhere`.
 */
export async function checkAndRun(
  request: RunRequest, signal: CancelSignal, io: CliOutput, onEvent: (e: ProgressEvent) => void, here?: HereGate,
): Promise<RequestOutcome> {
  let leaves = false;
  // A predict the run reaches; with an undeclared name the command stops before reading anything more.
  const needsSource = (checked: CheckedPipeline, predict: string): boolean => {
    const reached = request.names.length === 0 || (request.names.every((n) => checked.symbols.has(n)) && planOf(checked, request.names).includes(predict));
    if (reached && here && !leaves && !here.reads(checked)) leaves = true;
    return reached && !leaves;
  };
  // A request turned away stops the check as a cancel does: nothing more is read, nothing printed.
  const checkSignal: CancelSignal = { get aborted() { return leaves || signal.aborted; } };
  const store = RunStore.lookup(resolve(request.file), request.workspace);
  const schemas = new StoredSchemaCache(store);
  const checked = await loadChecked(request.file, { json: request.json, names: request.names, workspace: request.workspace, signal: checkSignal, schemas, needsSource, ...(request.engine ? { engine: request.engine } : {}), ...(request.defaultEngine ? { defaultEngine: request.defaultEngine } : {}) }, io);
  if (leaves) return { type: 'elsewhere' };
  if (typeof checked === 'number') return { type: 'exit', code: checked };
  for (const n of request.names) {
    if (!checked.symbols.has(n)) return { type: 'usage', message: `"${n}" is not declared in ${request.file}; declared: ${[...checked.symbols.keys()].join(', ')}` };
    if (request.command === 'predict' && checked.symbols.get(n)!.kind !== 'predict') return { type: 'usage', message: `"${n}" is not a predict declaration of ${request.file}` };
  }
  if (here && !signal.aborted && !(await here.runs(checked, store))) return { type: 'elsewhere' };
  if (!signal.aborted) await schemas.remember(checked);
  if ((request.engine ?? checked.engine.kind) !== 'memory') schemas.dropTables();
  const code = await runAndReport(checked, request.json, { names: request.names, signal, tables: schemas, editorEvents: request.editor === true, onEvent, ...(request.engine ? { engine: request.engine } : {}) }, io);
  return { type: 'exit', code };
}
