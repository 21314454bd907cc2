// Generators of very large pipelines over test/fixtures/data/iris.csv, shared by the checker's
// and the language server's tests. The CSV path is relative to a pipeline file one folder below test/ (test/checker, test/lsp).

const IRIS = 'dataset iris from "../fixtures/data/iris.csv"';

/** `derive s = 1 + 1 + … + last` with `terms` terms (`last` defaults to 1). */
export function flatSum(terms: number, last = '1'): string {
  const sum = `${'1 + '.repeat(terms - 1)}${last}`;
  return `${IRIS}\ntransform t from iris {\n  derive s = ${sum}\n}\nmodel m from t { target: species, algorithm: knn }\n`;
}

/** t0 reads iris, each t(i) reads t(i-1), and a model trains on the last one. */
export function lineageChain(length: number): string {
  const lines = [IRIS, 'transform t0 from iris { drop sepal_width_cm }'];
  for (let i = 1; i < length; i++) lines.push(`transform t${i} from t${i - 1} { }`);
  lines.push(`model m from t${length - 1} { target: species, algorithm: knn }`, '');
  return lines.join('\n');
}

/** Each t(i) reads t(i+1) and the last reads t0; a model trains on iris and another on t0. */
export function lineageCycle(length: number): string {
  const lines = [IRIS];
  for (let i = 0; i < length; i++) lines.push(`transform t${i} from t${(i + 1) % length} { }`);
  lines.push('model m from iris { target: species, algorithm: knn }', 'model n from t0 { target: species, algorithm: knn }', '');
  return lines.join('\n');
}
