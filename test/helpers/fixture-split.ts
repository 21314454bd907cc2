// A scikit-learn data set from test/fixtures/data split as the reference scripts split it (row
// index % 4 == 0 is test), optionally standardised with the training rows' mean and standard
// deviation (StandardScaler).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCsvText } from '../../server/src/data/read-csv';
import { DEFAULT_CSV_OPTIONS } from '../../server/src/data/csv-options';
import type { FeatureMatrix, Target } from '../../server/src/ml/model-types';

export interface Data { train: FeatureMatrix; test: FeatureMatrix; yTrain: Target; yTest: Target }

/** `exclude`: columns left out of the features (seattle-weather's date, which the reference scripts drop). */
export function loadFixtureSplit(name: string, target: string, scaled: boolean, exclude: readonly string[] = []): Data {
  const t = readCsvText(readFileSync(join(__dirname, '..', 'fixtures', 'data', `${name}.csv`), 'utf8'), DEFAULT_CSV_OPTIONS, name);
  const features = t.names.filter((n) => n !== target && !exclude.includes(n));
  const n = t.rowCount;
  const testRows = Array.from({ length: n }, (_, i) => i).filter((i) => i % 4 === 0);
  const trainRows = Array.from({ length: n }, (_, i) => i).filter((i) => i % 4 !== 0);
  const cols = features.map((f) => { const c = t.columns[t.names.indexOf(f)]; if (!('values' in c)) throw new Error(f); return c.values; });
  const scaledCols = cols.map((c) => {
    if (!scaled) return c;
    const m = trainRows.reduce((s, i) => s + c[i], 0) / trainRows.length;
    const sd = Math.sqrt(trainRows.reduce((s, i) => s + (c[i] - m) ** 2, 0) / trainRows.length) || 1;
    return Float64Array.from(c, (v) => (v - m) / sd);
  });
  const matrix = (rows: number[]): FeatureMatrix => ({ nRows: rows.length, names: features, columns: scaledCols.map((c) => Float64Array.from(rows, (i) => c[i])) });
  const y = t.columns[t.names.indexOf(target)];
  const targetOf = (rows: number[]): Target => 'codes' in y
    ? { task: 'classification', classes: y.levels, y: Int32Array.from(rows, (i) => y.codes[i]) }
    : { task: 'regression', y: Float64Array.from(rows, (i) => y.values[i]) };
  return { train: matrix(trainRows), test: matrix(testRows), yTrain: targetOf(trainRows), yTest: targetOf(testRows) };
}

