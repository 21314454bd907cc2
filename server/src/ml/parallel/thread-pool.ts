// Independent pieces of one training (a forest's trees, cross-validation folds) computed on all
// cores. Algorithms are synchronous (`Algorithm.fit` returns a model), so the fan-out is too: the
// calling thread hands pieces to long-lived worker threads, computes the first piece itself, then
// sleeps on a shared counter (Atomics.wait) and takes the answers with receiveMessageOnPort — no
// event loop turn is needed, and results come back in piece order whatever thread computed them,
// so a result never depends on the number of threads. Inputs travel as SharedArrayBuffer-backed
// typed arrays (see shared-arrays.ts): structured cloning shares such memory instead of copying.
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { MessagePort, Worker } from 'node:worker_threads';
import { CancelledError, type CancelSignal } from '../cancellation';
import { startWorker, workerThreads } from '../../workers/start-worker';
import type { PieceKind, PieceMessage, PieceReply } from './pieces';

/** Threads used for training: NARML_THREADS when set (1 = no worker threads), else every core. */
export function trainingThreads(): number {
  const set = Number(process.env.NARML_THREADS);
  return Number.isInteger(set) && set >= 1 ? set : availableParallelism();
}

interface PoolWorker {
  worker: Worker;
  replies: MessagePort;
}

const workers: PoolWorker[] = [];
/**
 * Set while this thread fans out. A piece computed here that would fan out again (a forest
 * inside a cross-validation fold) runs on this thread instead: the workers are busy with the outer
 * pieces, and their reply ports belong to the outer call.
 */
let fanningOut = false;

function worker(k: number): PoolWorker {
  while (workers.length <= k) {
    const w = startWorker(join(__dirname, 'ml-worker'));
    // Idle workers must not keep a finished process alive.
    w.unref();
    const { port1, port2 } = new (workerThreads().MessageChannel)();
    w.postMessage({ replies: port2 }, [port2]);
    workers.push({ worker: w, replies: port1 });
  }
  return workers[k];
}

/**
 * Starts the workers a fan-out on `threads` threads will use, so that a caller sure to fan out
 * soon (a large prediction) has them loaded by then, while it does other work.
 */
export function startWorkers(threads = trainingThreads()): void {
  if (threads > 1) worker(threads - 2);
}

/**
 * Computes `pieces` on up to `threads` threads and returns their results in order. `here`
 * computes one piece on this thread (the same function the workers run). A worker's error is
 * rethrown here; when `signal` is raised, the workers are told through shared memory and
 * CancelledError is thrown once they have stopped.
 */
export function computeInParallel<P, R>(kind: PieceKind, pieces: P[], here: (piece: P, signal?: CancelSignal) => R, signal?: CancelSignal, threads = trainingThreads()): R[] {
  const remote = Math.min(threads, pieces.length) - 1;
  if (remote <= 0 || fanningOut) return pieces.map((p) => here(p, signal));
  fanningOut = true;
  try {
    return fanOut(kind, pieces, here, remote, signal);
  } finally {
    fanningOut = false;
  }
}

function fanOut<P, R>(kind: PieceKind, pieces: P[], here: (piece: P, signal?: CancelSignal) => R, remote: number, signal?: CancelSignal): R[] {
  const done = new Int32Array(new SharedArrayBuffer(8));
  const cancel = new Int32Array(done.buffer, 4, 1);
  // Pieces 1.. go round the workers; piece 0, then every (remote+1)-th, is computed here.
  const owner = pieces.map((_, i) => i % (remote + 1));
  pieces.forEach((piece, i) => {
    if (owner[i] === 0) return;
    const message: PieceMessage = { kind, index: i, piece, done: done.buffer as SharedArrayBuffer };
    worker(owner[i] - 1).worker.postMessage(message);
  });
  const results = new Array<R>(pieces.length);
  const workerSignal: CancelSignal = { get aborted() { return Atomics.load(cancel, 0) !== 0; } };
  let failure: unknown;
  for (let i = 0; i < pieces.length; i++) {
    if (owner[i] !== 0) continue;
    try {
      results[i] = here(pieces[i], signal ?? workerSignal);
    } catch (e) {
      failure = e;
      Atomics.store(cancel, 0, 1);
      break;
    }
  }
  const expected = pieces.filter((_, i) => owner[i] !== 0).length;
  for (;;) {
    const seen = Atomics.load(done, 0);
    if (seen >= expected) break;
    if (signal?.aborted) Atomics.store(cancel, 0, 1);
    Atomics.wait(done, 0, seen, 50);
  }
  const { receiveMessageOnPort } = workerThreads();
  for (let k = 0; k < remote; k++) {
    const { replies } = worker(k);
    for (let got = receiveMessageOnPort(replies); got; got = receiveMessageOnPort(replies)) {
      const reply = got.message as PieceReply;
      if ('error' in reply) failure ??= reply.cancelled ? new CancelledError() : new Error(reply.error);
      else results[reply.index] = reply.result as R;
    }
  }
  if (signal?.aborted) throw new CancelledError();
  if (failure !== undefined) throw failure;
  return results;
}
