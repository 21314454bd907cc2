// Drift statistics between a baseline sample and a current sample of one column.
//
// Binned methods (PSI, KL, JS) share one binning: 10 bins whose 9 inner edges are baseline
// quantiles (the value at index floor(k/10 * (n-1)) of the sorted baseline, k = 1..9), a value
// equal to an edge falling in the lower bin; category columns use their levels as bins, matched
// by text, so a level unseen in the baseline is a bin of its own. A bin's share is floored at
// EMPTY_SHARE, so an empty bin (or a new level) weighs instead of dividing by zero. PSI uses
// the floored shares as they are; KL and JS renormalise them to sum to 1, as
// scipy.stats.entropy and scipy.spatial.distance.jensenshannon do.
// KS and Wasserstein work on the raw numbers (scipy.stats.ks_2samp statistic and
// scipy.stats.wasserstein_distance semantics).

/** Share given to an empty bin or a level absent on one side. */
export const EMPTY_SHARE = 1e-4;

export type DriftMethod = 'psi' | 'ks' | 'kl' | 'js' | 'wasserstein';

/** Floored shares of the baseline and current samples over the baseline-quantile bins. */
export function numericShares(base: Float64Array, cur: Float64Array): [number[], number[]] {
  const sorted = Float64Array.from(base).sort();
  const edges = Array.from({ length: 9 }, (_, i) => sorted[Math.floor(((i + 1) / 10) * (sorted.length - 1))]);
  const hist = (v: Float64Array): number[] => {
    const h = new Array<number>(10).fill(0);
    for (const x of v) { let b = 0; while (b < 9 && x > edges[b]) b++; h[b]++; }
    return h.map((c) => Math.max(c / v.length, EMPTY_SHARE));
  };
  return [hist(base), hist(cur)];
}

/** A category column as level texts and codes (-1 for a missing value). */
export interface Levels { levels: readonly string[]; codes: ArrayLike<number> }

/** Floored shares of the baseline and current samples over the union of their levels. */
export function levelShares(base: Levels, cur: Levels): [number[], number[]] {
  const shares = (c: Levels): Map<string, number> => {
    const counts = new Float64Array(c.levels.length);
    let n = 0;
    for (let i = 0; i < c.codes.length; i++) if (c.codes[i] >= 0) { counts[c.codes[i]]++; n++; }
    const out = new Map<string, number>();
    c.levels.forEach((l, k) => out.set(l, (out.get(l) ?? 0) + (n > 0 ? counts[k] / n : 0)));
    return out;
  };
  const p = shares(base), q = shares(cur);
  const all = [...new Set([...p.keys(), ...q.keys()])];
  return [all.map((l) => Math.max(p.get(l) ?? 0, EMPTY_SHARE)), all.map((l) => Math.max(q.get(l) ?? 0, EMPTY_SHARE))];
}

function normalised(p: number[]): number[] {
  const s = p.reduce((a, b) => a + b, 0);
  return p.map((x) => x / s);
}

/** Population stability index: sum of (q - p) ln(q / p) over the floored shares. */
export function psiOfShares(p: number[], q: number[]): number {
  return p.reduce((s, pi, i) => s + (q[i] - pi) * Math.log(q[i] / pi), 0);
}

/** KL divergence of the current distribution from the baseline, KL(current || baseline), in nats. */
export function klOfShares(p: number[], q: number[]): number {
  const pn = normalised(p), qn = normalised(q);
  return qn.reduce((s, qi, i) => s + qi * Math.log(qi / pn[i]), 0);
}

/** Jensen-Shannon distance (the square root of the divergence, natural log): between 0 and sqrt(ln 2). */
export function jsOfShares(p: number[], q: number[]): number {
  const pn = normalised(p), qn = normalised(q);
  let d = 0;
  for (let i = 0; i < pn.length; i++) {
    const m = (pn[i] + qn[i]) / 2;
    d += (pn[i] * Math.log(pn[i] / m) + qn[i] * Math.log(qn[i] / m)) / 2;
  }
  return Math.sqrt(Math.max(d, 0));
}

/** Largest gap between the two empirical distribution functions. */
export function ks(base: Float64Array, cur: Float64Array): number {
  const a = Float64Array.from(base).sort(), b = Float64Array.from(cur).sort();
  let i = 0, j = 0, d = 0;
  while (i < a.length && j < b.length) {
    const x = Math.min(a[i], b[j]);
    while (i < a.length && a[i] <= x) i++;
    while (j < b.length && b[j] <= x) j++;
    d = Math.max(d, Math.abs(i / a.length - j / b.length));
  }
  return d;
}

/** First Wasserstein distance: the area between the two empirical distribution functions. */
export function wasserstein(base: Float64Array, cur: Float64Array): number {
  const a = Float64Array.from(base).sort(), b = Float64Array.from(cur).sort();
  let i = 0, j = 0, area = 0;
  let x = Math.min(a[0], b[0]);
  while (i < a.length || j < b.length) {
    const next = Math.min(i < a.length ? a[i] : Infinity, j < b.length ? b[j] : Infinity);
    area += Math.abs(i / a.length - j / b.length) * (next - x);
    while (i < a.length && a[i] <= next) i++;
    while (j < b.length && b[j] <= next) j++;
    x = next;
  }
  return area;
}

/** Drift of a numeric column by `method`; 0 when a side is empty (nothing to compare). */
export function numericDrift(method: DriftMethod, base: Float64Array, cur: Float64Array): number {
  if (base.length === 0 || cur.length === 0) return 0;
  switch (method) {
    case 'ks': return ks(base, cur);
    case 'wasserstein': return wasserstein(base, cur);
    default: return ofShares(method, ...numericShares(base, cur));
  }
}

/**
 * Drift of a category column by `method` over its level frequencies; undefined for KS and
 * Wasserstein, which need ordered numbers.
 */
export function categoryDrift(method: DriftMethod, base: Levels, cur: Levels): number | undefined {
  if (method === 'ks' || method === 'wasserstein') return undefined;
  return ofShares(method, ...levelShares(base, cur));
}

function ofShares(method: 'psi' | 'kl' | 'js', p: number[], q: number[]): number {
  return method === 'kl' ? klOfShares(p, q) : method === 'js' ? jsOfShares(p, q) : psiOfShares(p, q);
}
