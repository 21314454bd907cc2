// Entry point of a training worker thread (dist/ml-worker.js): computes the pieces it is sent
// (thread-pool.ts) and answers on its reply port, then counts the piece done in shared memory so
// the waiting thread wakes.
import { parentPort, type MessagePort } from 'node:worker_threads';
import { CancelledError, type CancelSignal } from '../cancellation';
import { PIECES, type PieceMessage, type PieceReply } from './pieces';

let replies: MessagePort | undefined;
// A piece computed here never fans out again: one level of threads is all the cores there are.
process.env.NARML_THREADS = '1';

parentPort!.on('message', (message: PieceMessage | { replies: MessagePort }) => {
  if ('replies' in message) { replies = message.replies; return; }
  const done = new Int32Array(message.done, 0, 1);
  const cancel = new Int32Array(message.done, 4, 1);
  const signal: CancelSignal = { get aborted() { return Atomics.load(cancel, 0) !== 0; } };
  let reply: PieceReply;
  try {
    // Pieces still queued when the fan-out is cancelled are skipped, not started.
    if (signal.aborted) throw new CancelledError();
    reply = { index: message.index, result: PIECES[message.kind](message.piece as never, signal) };
  } catch (e) {
    reply = { index: message.index, error: e instanceof Error ? e.message : String(e), cancelled: e instanceof CancelledError };
  }
  replies!.postMessage(reply);
  Atomics.add(done, 0, 1);
  Atomics.notify(done, 0);
});
