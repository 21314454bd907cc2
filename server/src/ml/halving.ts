// Successive halving as scikit-learn's HalvingGridSearchCV with resource='n_samples': every
// candidate is cross-validated on few rows, the best 1/factor of them go on to factor times the
// rows, until fewer than `factor` candidates are left or the rows run out.

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
