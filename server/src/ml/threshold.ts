// `threshold: tune(M)`: the probability threshold for the positive class that maximises metric M.
import { computeMetrics } from './metrics';

export function tuneThreshold(metric: string, yTrue01: Int32Array, probaPositive: Float64Array, higherIsBetter: boolean): { threshold: number; value: number } {
  const candidates = [...new Set(probaPositive)].sort((a, b) => a - b);
  let best = { threshold: 0.5, value: higherIsBetter ? -Infinity : Infinity };
  const pred = new Int32Array(yTrue01.length);
  for (const t of candidates) {
    for (let i = 0; i < pred.length; i++) pred[i] = probaPositive[i] >= t ? 1 : 0;
    const v = computeMetrics([metric], { task: 'classification', yTrue: yTrue01, yPred: pred, nClasses: 2, positiveIndex: 1 })[metric];
    if (v === undefined) continue;
    if (higherIsBetter ? v > best.value : v < best.value) best = { threshold: t, value: v };
  }
  return best;
}
