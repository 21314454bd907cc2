// Turns prepared tables into what algorithms take: a column-major feature matrix and a target
// encoded by the model's classes. Rows with a missing target are left out of training and scoring.
import type { ModelInfo } from '../checker/checked-model';
import { compareLevels } from '../data/column-builder';
import { getColumn, isMissing, type Table } from '../data/table';
import { cellText } from '../transforms/table-ops';
import type { FeatureMatrix, Target } from '../ml/model-types';
import type { FittedStep } from '../transforms/fitted-step';
import { RunError } from './pipeline-data';

/**
 * The model's feature columns in the prepared training table. One-hot outputs are those the
 * fitted steps learned from the training rows: a level the checker saw in the data but the
 * training rows lack (a stray "." or a level only in the test part) has no column, and a level
 * of a derived or cast column the checker could not know has one.
 */
export function fittedFeatures(t: { names: readonly string[] }, model: ModelInfo, fitted: readonly FittedStep[]): { names: string[]; leftOut: string[] } {
  const choice = model.featureChoice;
  if (!choice.listed) {
    const exclude = new Set(choice.exclude);
    return { names: t.names.filter((n) => n !== model.target && !exclude.has(n)), leftOut: [] };
  }
  const present = new Set(t.names);
  const names: string[] = [];
  const leftOut: string[] = [];
  for (const f of model.features) {
    if (present.has(f.name)) names.push(f.name);
    else if (fitted.some((s) => s.kind === 'onehot' && f.name.startsWith(`${s.column}_`))) leftOut.push(f.name);
    else throw new RunError(`model ${model.name}: feature "${f.name}" is not in the prepared table (columns: ${t.names.join(', ')}); list only columns its transforms produce`);
  }
  return { names, leftOut };
}

/**
 * The classes a classifier learns: the target values present in its training rows, sorted
 * (booleans: false, true), as scikit-learn's estimators take them from y. A class that filters
 * or the split left out of the training rows is not a class of the model.
 */
export function trainingClasses(t: Table, model: ModelInfo): string[] {
  const c = getColumn(t, model.target!);
  if (!c) throw new RunError(`the target "${model.target}" is not in the table`);
  if ('codes' in c) {
    const seen = new Uint8Array(c.levels.length);
    for (let i = 0; i < c.codes.length; i++) if (c.codes[i] >= 0) seen[c.codes[i]] = 1;
    return [...new Set(c.levels.filter((_, k) => seen[k]))].sort(compareLevels);
  }
  const seen = new Set<string>();
  for (let i = 0; i < c.values.length; i++) {
    const v = c.values[i];
    if (!Number.isNaN(v)) seen.add(c.type === 'boolean' ? (v ? 'true' : 'false') : String(v));
  }
  return [...seen].sort(compareLevels);
}

export function featureMatrix(t: Table, features: readonly string[], rows?: Int32Array): FeatureMatrix {
  const n = rows ? rows.length : t.rowCount;
  const columns = features.map((name) => {
    const c = getColumn(t, name);
    if (!c) throw new RunError(`feature "${name}" is not in the prepared table (columns: ${t.names.join(', ')})`);
    if (!('values' in c)) throw new RunError(`feature "${name}" is ${c.type}; encode it before the model`);
    if (!rows) return c.values;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = c.values[rows[i]];
    return out;
  });
  return { nRows: n, columns, names: [...features] };
}

/** Target values: class index per row (−1 when missing or unknown) or the number (NaN when missing). */
export function targetValues(t: Table, model: ModelInfo): Float64Array {
  const c = getColumn(t, model.target!);
  if (!c) throw new RunError(`the target "${model.target}" is not in the table`);
  const n = t.rowCount;
  const out = new Float64Array(n);
  if (model.task === 'regression') {
    if (!('values' in c)) throw new RunError(`the target "${model.target}" is not a number`);
    out.set(c.values);
    return out;
  }
  const classes = model.classes ?? [];
  if ('codes' in c) {
    const map = c.levels.map((l) => classes.indexOf(l));
    for (let i = 0; i < n; i++) out[i] = c.codes[i] < 0 ? -1 : map[c.codes[i]];
  } else {
    for (let i = 0; i < n; i++) {
      const v = c.values[i];
      out[i] = Number.isNaN(v) ? -1 : classes.indexOf(c.type === 'boolean' ? (v ? 'true' : 'false') : String(v));
    }
  }
  return out;
}

/**
 * Rows whose target holds a class the model was not trained on (present, not missing): a level
 * that only the scored part holds. They are scored as scikit-learn scores them, as rows of an
 * extra class the model can never predict: `y` is rewritten in place to `classes.length + j`
 * (the j-th such level in sorted order), and the levels are returned with their row count.
 */
export function labelUnseenClasses(t: Table, model: ModelInfo, y: Float64Array): { rows: number; levels: string[] } {
  const c = getColumn(t, model.target!);
  if (!c || model.task !== 'classification') return { rows: 0, levels: [] };
  const unseen: number[] = [];
  const texts: string[] = [];
  for (let i = 0; i < y.length; i++) {
    if (y[i] >= 0 || isMissing(c, i)) continue;
    const text = cellText(c, i);
    if (text === undefined) continue;
    unseen.push(i);
    texts.push(text);
  }
  const levels = [...new Set(texts)].sort(compareLevels);
  const k = model.classes?.length ?? 0;
  const index = new Map(levels.map((l, j) => [l, k + j]));
  unseen.forEach((row, j) => { y[row] = index.get(texts[j])!; });
  return { rows: unseen.length, levels };
}

/** Rows usable for training or scoring: a known target and, unless allowed, no missing feature. */
export function usableRows(x: FeatureMatrix, y: Float64Array, allowMissing: boolean, classification: boolean): Int32Array {
  const keep: number[] = [];
  for (let i = 0; i < x.nRows; i++) {
    if (classification ? y[i] < 0 : Number.isNaN(y[i])) continue;
    if (!allowMissing && x.columns.some((c) => Number.isNaN(c[i]))) continue;
    keep.push(i);
  }
  return Int32Array.from(keep);
}

export { subsetMatrix } from '../ml/subset';

export function makeTarget(model: ModelInfo, y: Float64Array, rows: Int32Array): Target {
  if (model.task === 'regression') return { task: 'regression', y: Float64Array.from(rows, (r) => y[r]) };
  return { task: 'classification', y: Int32Array.from(rows, (r) => y[r]), classes: model.classes ?? [] };
}
