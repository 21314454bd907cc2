// The leaderboard of a model's tune or auto trials: best first by each trial's metric direction,
// and the options the search varied. One ranking for `narml run`'s text and the editor's panels.
import type { TrialJson } from '../contracts/cli-json';

/** An option value as written in a pipeline: `0.01`, `"sqrt"` without quotes, `[a, b]`. */
export function paramText(v: unknown): string {
  if (v === undefined) return '';
  if (Array.isArray(v)) return `[${v.map(paramText).join(', ')}]`;
  return String(v);
}

export interface Leaderboard {
  entries: { rank: number; trial: TrialJson }[];
  reason?: string;
}

/**
 * Trials best first, each by its metric's direction (unscored last), the chosen one among them.
 * Successive halving's later rounds (more rows) rank above earlier ones: a score on 20 rows is no
 * match for one on 180.
 */
export function leaderboard(trials: TrialJson[], selection?: string): Leaderboard {
  const sign = (t: TrialJson): number => (t.better === 'lower' ? -1 : 1);
  const rowsOf = (t: TrialJson): number => t.rows ?? Number.MAX_SAFE_INTEGER;
  const sorted = [...trials].sort((x, y) => {
    if (rowsOf(x) !== rowsOf(y)) return rowsOf(y) - rowsOf(x);
    if (x.score === null || y.score === null) return x.score === y.score ? 0 : x.score === null ? 1 : -1;
    return sign(y) * y.score - sign(x) * x.score;
  });
  return { entries: sorted.map((trial, i) => ({ rank: i + 1, trial })), ...(selection ? { reason: selection } : {}) };
}

/** The options that differ between trials (what the search varied), for a leaderboard's columns. */
export function variedOptions(trials: TrialJson[]): string[] {
  const keys = [...new Set(trials.flatMap((t) => Object.keys(t.options)))].sort();
  return keys.filter((k) => new Set(trials.map((t) => paramText(t.options[k]))).size > 1);
}

