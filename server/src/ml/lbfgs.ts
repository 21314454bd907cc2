// Limited-memory BFGS minimisation with a backtracking line search (Armijo). Used by logistic
// regression; stops when the largest gradient component is below `gtol` (as scipy's L-BFGS-B
// `pgtol`, which scikit-learn sets from `tol`) or after `maxIter` iterations; throws
// `CancelledError` between iterations once `signal` is raised.
import { throwIfCancelled, type CancelSignal } from './cancellation';

export interface LbfgsResult {
  x: Float64Array;
  f: number;
  iterations: number;
  converged: boolean;
}

export function lbfgs(
  fg: (x: Float64Array, grad: Float64Array) => number,
  x0: Float64Array,
  opts: { maxIter: number; gtol: number; memory?: number; signal?: CancelSignal; onIteration?: (done: number) => void },
): LbfgsResult {
  const n = x0.length;
  const m = opts.memory ?? 10;
  const x = Float64Array.from(x0);
  const g = new Float64Array(n);
  let f = fg(x, g);
  const s: Float64Array[] = [];
  const y: Float64Array[] = [];
  const rho: number[] = [];
  const d = new Float64Array(n);
  const xNew = new Float64Array(n);
  const gNew = new Float64Array(n);
  const alpha = new Float64Array(m);
  const maxAbs = (v: Float64Array): number => { let a = 0; for (let i = 0; i < v.length; i++) a = Math.max(a, Math.abs(v[i])); return a; };
  let iter = 0;
  for (; iter < opts.maxIter; iter++) {
    if (maxAbs(g) <= opts.gtol) return { x, f, iterations: iter, converged: true };
    throwIfCancelled(opts.signal);
    // Two-loop recursion: d = -H g.
    for (let i = 0; i < n; i++) d[i] = -g[i];
    for (let k = s.length - 1; k >= 0; k--) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += s[k][i] * d[i];
      alpha[k] = rho[k] * dot;
      for (let i = 0; i < n; i++) d[i] -= alpha[k] * y[k][i];
    }
    if (s.length > 0) {
      const last = s.length - 1;
      let sy = 0, yy = 0;
      for (let i = 0; i < n; i++) { sy += s[last][i] * y[last][i]; yy += y[last][i] * y[last][i]; }
      const gamma = sy / yy;
      for (let i = 0; i < n; i++) d[i] *= gamma;
    } else {
      const norm = Math.sqrt(g.reduce((a, v) => a + v * v, 0));
      for (let i = 0; i < n; i++) d[i] /= Math.max(1, norm);
    }
    for (let k = 0; k < s.length; k++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += y[k][i] * d[i];
      const beta = rho[k] * dot;
      for (let i = 0; i < n; i++) d[i] += s[k][i] * (alpha[k] - beta);
    }
    let slope = 0;
    for (let i = 0; i < n; i++) slope += g[i] * d[i];
    if (slope >= 0) {
      // Not a descent direction: restart from steepest descent.
      s.length = 0; y.length = 0; rho.length = 0;
      for (let i = 0; i < n; i++) d[i] = -g[i];
      slope = -g.reduce((a, v) => a + v * v, 0);
    }
    let step = 1;
    let fNew = Infinity;
    for (let tries = 0; tries < 40; tries++) {
      // A line search may evaluate the objective many times, each a pass over every row.
      if (tries > 0) throwIfCancelled(opts.signal);
      for (let i = 0; i < n; i++) xNew[i] = x[i] + step * d[i];
      fNew = fg(xNew, gNew);
      if (Number.isFinite(fNew) && fNew <= f + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(fNew < f) && !(Math.abs(fNew - f) <= 1e-12 * Math.max(1, Math.abs(f)))) return { x, f, iterations: iter, converged: false };
    const sk = new Float64Array(n);
    const yk = new Float64Array(n);
    let sy = 0;
    for (let i = 0; i < n; i++) { sk[i] = xNew[i] - x[i]; yk[i] = gNew[i] - g[i]; sy += sk[i] * yk[i]; }
    const relativeDecrease = (f - fNew) / Math.max(Math.abs(f), Math.abs(fNew), 1);
    x.set(xNew);
    g.set(gNew);
    f = fNew;
    if (sy > 1e-12) {
      s.push(sk); y.push(yk); rho.push(1 / sy);
      if (s.length > m) { s.shift(); y.shift(); rho.shift(); }
    }
    // scipy's factr test: stop when the objective no longer decreases meaningfully.
    if (relativeDecrease <= 2.2e-16 * 1e7) return { x, f, iterations: iter + 1, converged: true };
    opts.onIteration?.(iter + 1);
  }
  return { x, f, iterations: iter, converged: maxAbs(g) <= opts.gtol };
}
