// Paired significance tests for A/B comparisons of two models on the same rows.
import { createRng } from './random';

export interface TestResult {
  pValue: number;
  statistic: number;
}

function logGamma(x: number): number {
  const c = [76.18009172947146, -86.50532032941677, 24.01409824083091, -1.231739572450155, 0.1208650973866179e-2, -0.5395239384953e-5];
  let y = x;
  const tmp = x + 5.5 - (x + 0.5) * Math.log(x + 5.5);
  let ser = 1.000000000190015;
  for (const v of c) ser += v / ++y;
  return -tmp + Math.log((2.5066282746310005 * ser) / x);
}

/** Regularised incomplete beta I_x(a, b) by continued fractions. */
function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const bt = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  const cf = (xx: number, aa: number, bb: number): number => {
    let c = 1, d = 1 - ((aa + bb) * xx) / (aa + 1);
    if (Math.abs(d) < 1e-300) d = 1e-300;
    d = 1 / d;
    let h = d;
    for (let m = 1; m <= 300; m++) {
      const m2 = 2 * m;
      let aa2 = (m * (bb - m) * xx) / ((aa + m2 - 1) * (aa + m2));
      d = 1 + aa2 * d; if (Math.abs(d) < 1e-300) d = 1e-300;
      c = 1 + aa2 / c; if (Math.abs(c) < 1e-300) c = 1e-300;
      d = 1 / d; h *= d * c;
      aa2 = (-(aa + m) * (aa + bb + m) * xx) / ((aa + m2) * (aa + m2 + 1));
      d = 1 + aa2 * d; if (Math.abs(d) < 1e-300) d = 1e-300;
      c = 1 + aa2 / c; if (Math.abs(c) < 1e-300) c = 1e-300;
      d = 1 / d;
      const del = d * c;
      h *= del;
      if (Math.abs(del - 1) < 3e-16) break;
    }
    return h;
  };
  return x < (a + 1) / (a + b + 2) ? (bt * cf(x, a, b)) / a : 1 - (bt * cf(1 - x, b, a)) / b;
}

/** Two-sided p-value of Student's t with `df` degrees of freedom. */
export function studentTwoSided(t: number, df: number): number {
  return incompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/** Chi-square with one degree of freedom: P(X > x). */
function chiSquare1(x: number): number {
  return 1 - regularisedGammaP(0.5, x / 2);
}

function regularisedGammaP(a: number, x: number): number {
  if (x <= 0) return 0;
  if (x < a + 1) {
    let sum = 1 / a, term = sum;
    for (let n = 1; n < 500; n++) { term *= x / (a + n); sum += term; if (Math.abs(term) < Math.abs(sum) * 1e-15) break; }
    return sum * Math.exp(-x + a * Math.log(x) - logGamma(a));
  }
  let b = x + 1 - a, c = 1e300, d = 1 / b, h = d;
  for (let i = 1; i < 500; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b; if (Math.abs(d) < 1e-300) d = 1e-300;
    c = b + an / c; if (Math.abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return 1 - Math.exp(-x + a * Math.log(x) - logGamma(a)) * h;
}

/**
 * McNemar's test on paired right/wrong outcomes: exact binomial when there are fewer than 25
 * discordant pairs, else chi-square with continuity correction (as statsmodels' defaults).
 */
export function mcnemar(correctA: Uint8Array, correctB: Uint8Array): TestResult {
  let b = 0, c = 0;
  for (let i = 0; i < correctA.length; i++) {
    if (correctA[i] && !correctB[i]) b++;
    else if (!correctA[i] && correctB[i]) c++;
  }
  const n = b + c;
  if (n === 0) return { pValue: 1, statistic: 0 };
  if (n < 25) {
    const k = Math.min(b, c);
    let tail = 0;
    for (let i = 0; i <= k; i++) tail += Math.exp(logGamma(n + 1) - logGamma(i + 1) - logGamma(n - i + 1) - n * Math.LN2);
    return { pValue: Math.min(1, 2 * tail), statistic: k };
  }
  const stat = (Math.abs(b - c) - 1) ** 2 / n;
  return { pValue: chiSquare1(stat), statistic: stat };
}

/** Paired t-test on per-row losses (two-sided). */
export function pairedT(a: Float64Array, b: Float64Array): TestResult {
  const n = a.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += a[i] - b[i];
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (a[i] - b[i] - mean) ** 2;
  const sd = Math.sqrt(ss / (n - 1));
  if (n < 2 || sd === 0) return { pValue: mean === 0 ? 1 : 0, statistic: mean === 0 ? 0 : Infinity };
  const t = mean / (sd / Math.sqrt(n));
  return { pValue: studentTwoSided(t, n - 1), statistic: t };
}

/**
 * Paired bootstrap: resamples rows, recomputes the score difference, and reports the two-sided
 * share of resamples whose difference falls on the other side of zero.
 */
export function bootstrapPValue(score: (rows: Int32Array) => number, n: number, seed: number, iterations = 1000): TestResult {
  const rng = createRng(seed);
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const observed = score(all);
  let opposite = 0;
  const rows = new Int32Array(n);
  for (let it = 0; it < iterations; it++) {
    for (let i = 0; i < n; i++) rows[i] = rng.int(n);
    const d = score(rows);
    if (observed >= 0 ? d <= 0 : d >= 0) opposite++;
  }
  return { pValue: Math.min(1, (2 * (opposite + 1)) / (iterations + 1)), statistic: observed };
}
