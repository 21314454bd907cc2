// `narml run` and `narml predict` execute the pipeline in a worker thread. Training and
// prediction are synchronous, so a run on the main thread would not see SIGINT until it
// finished; here the main thread stays free, and on SIGINT raises a flag in shared memory that
// the worker's algorithms poll (see ml/cancellation.ts). The run then ends as `cancelled`.
import type { EngineName } from '../engine/engine';
import { join, resolve } from 'node:path';
import type { DefaultEngineName, ProgressEvent } from '../contracts/cli-json';
import { UsageError } from './command';
import type { Workspace } from '../workspace/output-paths';
import { workerThreads } from '../workers/start-worker';

export interface RunRequest {
  /** `predict`: `names` is one predict declaration. */
  command: 'run' | 'predict';
  file: string;
  names: string[];
  /** Print the result (or the refusal) as JSON on stdout. */
  json: boolean;
  /** Where outputs may be written (from --workspace and --allow-outside-workspace). */
  workspace: Workspace;
  /** An editor reads the progress (`--progress json`): `notify: vscode` events reach it. */
  editor?: boolean;
  /** `--engine`: where datasets are read and steps run. */
  engine?: EngineName;
  /** `--default-engine`: the same, for a pipeline without an `engine:` statement. */
  defaultEngine?: DefaultEngineName;
}

/** What the worker receives: the request and the cancel flag (an Int32Array's buffer; 1 = cancel). */
export interface WorkerInput extends RunRequest {
  cancel: SharedArrayBuffer;
}

/** Everything the worker says goes through messages, in order, so nothing waits on its stdio. */
export type WorkerMessage =
  | { type: 'stdout' | 'stderr'; text: string }
  | { type: 'event'; event: ProgressEvent }
  | { type: 'usage'; message: string }
  | { type: 'exit'; code: number };

/**
 * Calls `cancel` on the first SIGINT; a second one gets Node's default handling and ends the
 * process at once. Returns the function that stops listening.
 */
export function cancelOnSigint(cancel: () => void): () => void {
  const onSigint = (): void => {
    process.stderr.write('\ncancelling...\n');
    cancel();
  };
  process.once('SIGINT', onSigint);
  return () => { process.removeListener('SIGINT', onSigint); };
}

/** Runs the request in a worker thread, relaying its output; resolves to the exit status. */
export function runInWorker(request: RunRequest, onEvent: (e: ProgressEvent) => void): Promise<number> {
  const cancel = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
  const input: WorkerInput = { ...request, cancel };
  const worker = new (workerThreads().Worker)(join(__dirname, 'run-worker.js'), { workerData: input });
  const stopListening = cancelOnSigint(() => Atomics.store(new Int32Array(cancel), 0, 1));
  const started = new Date();
  return new Promise((done, reject) => {
    let settled = false;
    let printed = false;
    // A worker that dies without a result still answers --json: a tool reading stdout never gets nothing.
    // The runner is loaded only on this rare path: the main thread stays light for a one-row predict.
    const fail = (e: Error): void => settle(() => {
      if (!request.json || printed) { reject(e); return; }
      void import('./commands-impl').then(({ failedRun }) => {
        process.stdout.write(`${JSON.stringify(failedRun(resolve(request.file), started, `internal error: ${e.message}`))}\n`);
        reject(e);
      }, reject);
    });
    const settle = (f: () => void): void => {
      if (settled) return;
      settled = true;
      stopListening();
      f();
      // The worker has recorded the run before its last message; nothing of it is still needed.
      void worker.terminate();
    };
    worker.on('message', (m: WorkerMessage) => {
      switch (m.type) {
        case 'stdout': printed = true; process.stdout.write(m.text); break;
        case 'stderr': process.stderr.write(m.text); break;
        case 'event': onEvent(m.event); break;
        case 'usage': settle(() => reject(new UsageError(m.message))); break;
        case 'exit': settle(() => done(m.code)); break;
      }
    });
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the run's worker thread stopped (exit ${code}) before reporting a result`)));
  });
}
