// `narml predict` on the main thread when it is quick. A worker thread exists so that SIGINT is
// seen while synchronous training or scoring runs (run-in-worker.ts); it costs a second Node
// start-up (an isolate, the bundle compiled and run again), which was most of a one-row predict.
// A predict whose models are all stored and whose input files are small has no such long step:
// it is checked and run here, and SIGINT raises the cancel flag that the run reads between
// steps. Otherwise nothing is written and the caller runs the request in the worker thread,
// which checks it again (a small cost beside training); a large input is seen to be large before
// the check here reads it, so it is read once, by the worker.
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { infoOf, type CheckedPipeline } from '../checker/checked-model';
import type { ProgressEvent } from '../contracts/cli-json';
import { expandGlob } from '../data/glob';
import { failedRun, planOf, trainsNothing } from '../runner/run-pipeline';
import type { RunStore } from '../store/run-store';
import type { LoadedBundle } from './bundle-loader';
import type { CliOutput } from './run-command';
import { cancelOnSigint, type RunRequest } from './run-in-worker';
import { checkAndRun, type HereGate, type RequestOutcome } from './run-request';

/**
 * Prediction inputs up to this size are scored on the main thread: a few thousand rows, scored
 * well within the second a cancel may take even by a large forest or kNN.
 */
export const QUICK_INPUT_BYTES = 256 * 1024;

/** Every predict of the plan reads files (not a table of the pipeline) of at most QUICK_INPUT_BYTES in all. */
function smallInputs(checked: CheckedPipeline, names: string[]): boolean {
  for (const name of planOf(checked, names)) {
    const info = infoOf(checked, name, 'predict');
    if (!info) continue;
    if (info.source.kind !== 'file') return false;
    let bytes = 0;
    try {
      for (const f of expandGlob(info.source.path)) bytes += statSync(f).size;
    } catch {
      // Gone since the check: the run reports it, in the worker like any other failure.
      return false;
    }
    if (bytes > QUICK_INPUT_BYTES) return false;
  }
  return true;
}

/** Quick: a predict with small inputs (known before they are read) and no model to train. */
export function quickGate(request: RunRequest): HereGate {
  const reads = (checked: CheckedPipeline): boolean => request.command === 'predict' && smallInputs(checked, request.names);
  return { reads, runs: async (checked: CheckedPipeline, store: RunStore) => reads(checked) && trainsNothing(checked, request.names, store) };
}

/**
 * Runs `request` here when it is quick; `elsewhere` when it must run in the worker thread. Bad
 * usage comes back as an outcome: this module is in another bundle than the CLI's UsageError.
 */
export async function runHere(request: RunRequest, onEvent: (e: ProgressEvent) => void): Promise<RequestOutcome> {
  const started = new Date();
  let printed = false;
  const io: CliOutput = {
    out: (text) => { printed = true; process.stdout.write(text); },
    err: (text) => { process.stderr.write(text); },
  };
  const signal = { aborted: false };
  const stopListening = cancelOnSigint(() => { signal.aborted = true; });
  try {
    const gate = quickGate(request);
    let ranHere = false;
    const outcome = await checkAndRun(request, signal, io, onEvent, { reads: gate.reads, runs: async (checked, store) => (ranHere = await gate.runs(checked, store)) });
    // This process compiled what a quick predict runs: the bundle's code cache is best made by it.
    const bundle = require.cache[__filename] as (NodeJS.Module & LoadedBundle) | undefined;
    if (ranHere && bundle) bundle.preferredCache = true;
    return outcome;
  } catch (e) {
    // As from the worker thread: a tool reading --json output never gets nothing.
    if (request.json && !printed) {
      process.stdout.write(`${JSON.stringify(failedRun(resolve(request.file), started, `internal error: ${e instanceof Error ? e.message : String(e)}`))}\n`);
    }
    throw e;
  } finally {
    stopListening();
  }
}
