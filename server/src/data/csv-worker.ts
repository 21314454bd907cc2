// Entry point of a CSV worker thread (dist/csv-worker.js): reads the slices it is sent (csv-parallel.ts).
import { parentPort } from 'node:worker_threads';
import { readSlice, type SliceJob } from './csv-parallel';
import { isPassThroughPart } from './pass-through';

parentPort!.on('message', (job: SliceJob) => {
  const result = readSlice(job);
  const transfer: ArrayBuffer[] = [];
  for (const p of result.parts) {
    if (isPassThroughPart(p)) {
      transfer.push(p.bytes.buffer as ArrayBuffer, p.starts.buffer as ArrayBuffer, p.missing.buffer as ArrayBuffer);
      continue;
    }
    if (p.numbers) transfer.push(p.numbers.buffer as ArrayBuffer);
    if (p.codes) transfer.push(p.codes.buffer as ArrayBuffer);
    transfer.push(p.hashes.buffer as ArrayBuffer);
  }
  parentPort!.postMessage(result, transfer);
});
