// The kinds of work a worker thread computes (training; scoring and writing many rows), by name: the same functions the calling
// thread runs for its own share (thread-pool.ts).
import { csvRows } from '../../data/csv-writer';
import type { CancelSignal } from '../cancellation';
import { scoreFold } from '../cross-validation';
import { growForestTrees } from '../random-forest';
import { scoreEnsembleRows } from '../tree-ensemble';

export const PIECES = {
  'forest-trees': growForestTrees,
  'cv-fold': scoreFold,
  'ensemble-rows': scoreEnsembleRows,
  'csv-rows': csvRows,
} satisfies Record<string, (piece: never, signal?: CancelSignal) => unknown>;

export type PieceKind = keyof typeof PIECES;

export interface PieceMessage {
  kind: PieceKind;
  index: number;
  piece: unknown;
  /** Int32 [0]: pieces done; [1]: raised to cancel. */
  done: SharedArrayBuffer;
}

export type PieceReply = { index: number; result: unknown } | { index: number; error: string; cancelled: boolean };
