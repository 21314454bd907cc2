// How a long computation learns that it must stop. Training and prediction are synchronous, so
// an algorithm polls a flag at safe points of its long loops (tree nodes, trees, solver
// iterations, cross-validation folds, prediction trees or rows, ...) and throws
// `CancelledError`; the caller decides what a cancelled step means. An `AbortSignal` is such a flag; so is one backed by shared memory that
// another thread raises while this one computes.

export interface CancelSignal {
  readonly aborted: boolean;
}

export class CancelledError extends Error {
  constructor() {
    super('cancelled');
  }
}

export function throwIfCancelled(signal: CancelSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}
