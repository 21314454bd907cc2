// Successive halving as scikit-learn's HalvingGridSearchCV with resource='n_samples': every
// candidate is cross-validated on few rows, the best 1/factor of them go on to factor times the
// rows, until fewer than `factor` candidates are left or the rows run out.
import { numpyArgsort, numpyShuffledRange } from './numpy-random';

/** One round: how many training rows its trials are cross-validated on, and how many candidates it scores. */
export interface HalvingRound {
  rows: number;
  candidates: number;
}

/**
 * The rounds of a search over `nCandidates` on `nRows` rows, as scikit-learn plans them
 * (aggressive_elimination=False): `minRows` 0 is min_resources='exhaust' (start from as many rows
 * as lets the last round use nearly all of them, at least `smallest`, scikit-learn's 2 × folds ×
 * classes); rows of round i are factor^i × the first round's, at most nRows; each round keeps
 * ceil(candidates / factor).
 */
export function halvingSchedule(nCandidates: number, nRows: number, factor: number, minRows: number, smallest: number): HalvingRound[] {
  const required = 1 + Math.floor(logBase(nCandidates, factor));
  const first = minRows > 0 ? minRows : Math.max(smallest, Math.floor(nRows / factor ** (required - 1)));
  const possible = 1 + Math.floor(logBase(Math.floor(nRows / first), factor));
  const rounds: HalvingRound[] = [];
  let candidates = nCandidates;
  for (let i = 0; i < Math.min(required, possible); i++) {
    rounds.push({ rows: Math.min(Math.floor(factor ** i * first), nRows), candidates });
    candidates = Math.ceil(candidates / factor);
  }
  return rounds;
}

/** log_base(x) computed as Python's math.log(x, base), floating-point error included (log(243, 3) is 4.999…), as scikit-learn's plan reads it. */
function logBase(x: number, base: number): number {
  return Math.log(x) / Math.log(base);
}

/**
 * A round's folds as scikit-learn's _SubsampleMetaSplitter draws them from the base folds (its cv
 * on every training row): each fold's training rows and scored rows are shuffled by
 * RandomState(seed) (a fresh one per draw, as an integer random_state gives) and cut to
 * int(rows / n × their count), in the shuffled order the model is then fitted in.
 */
export function halvingSplits(fold: Int32Array, folds: number, rows: number, seed: number): { train: Int32Array; test: Int32Array }[] {
  const fraction = rows / fold.length;
  const draw = (from: number[]): Int32Array => {
    const order = numpyShuffledRange(from.length, seed);
    return Int32Array.from(order.subarray(0, Math.floor(fraction * from.length)), (i) => from[i]);
  };
  return Array.from({ length: folds }, (_, f) => {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < fold.length; i++) (fold[i] === f ? test : train).push(i);
    return { train: draw(train), test: draw(test) };
  });
}

/**
 * The positions of the `keep` candidates that go on, in the order the next round tries them, as
 * scikit-learn's _top_k: numpy's argsort of the mean scores (higher is better; an unscored
 * candidate, -Infinity here and NaN there, moved to the front), the last `keep` of it.
 */
export function halvingSurvivors(scores: readonly number[], keep: number): number[] {
  const values = scores.map((s) => (s === -Infinity ? NaN : s));
  const sorted = Array.from(numpyArgsort(values));
  const unscored = values.filter((v) => Number.isNaN(v)).length;
  const rolled = [...sorted.slice(sorted.length - unscored), ...sorted.slice(0, sorted.length - unscored)];
  return rolled.slice(Math.max(0, rolled.length - keep));
}
