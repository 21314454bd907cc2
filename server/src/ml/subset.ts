// The rows of a feature matrix or target picked by index (a cross-validation fold, a split part).
import type { FeatureMatrix, Target } from './model-types';

export function subsetMatrix(x: FeatureMatrix, rows: Int32Array): FeatureMatrix {
  return { nRows: rows.length, names: x.names, columns: x.columns.map((c) => Float64Array.from(rows, (r) => c[r])) };
}

export function subsetTarget(t: Target, rows: Int32Array): Target {
  return t.task === 'classification'
    ? { task: 'classification', y: Int32Array.from(rows, (r) => t.y[r]), classes: t.classes }
    : { task: 'regression', y: Float64Array.from(rows, (r) => t.y[r]) };
}
