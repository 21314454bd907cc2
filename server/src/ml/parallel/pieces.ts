// The kinds of work a training worker thread computes, by name: the same functions the calling
// thread runs for its own share (thread-pool.ts).
import type { CancelSignal } from '../cancellation';
import { scoreFold } from '../cross-validation';
import { growForestTrees } from '../random-forest';

export const PIECES = {
  'forest-trees': growForestTrees,
  'cv-fold': scoreFold,
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
