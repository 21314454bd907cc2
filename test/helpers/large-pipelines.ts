// Generators of very large pipelines (over test/fixtures/data/iris.csv, whose path is relative
// to a pipeline file one folder below test/) and of a very wide CSV, shared by the checker's
// and the language server's tests and the benchmarks.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

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

/**
 * Writes `wide.csv` into `dir`: a yes/no `label` and `columns - 1` numeric columns c1, c2, …
 * over `rows` rows, with a pipeline text that reads it, transforms columns across its width,
 * trains on every column and evaluates.
 */
export function writeWideCsv(dir: string, columns: number, rows: number): { csv: string; pipeline: string } {
  const lines = [Array.from({ length: columns }, (_, j) => (j === 0 ? 'label' : `c${j}`)).join(',')];
  for (let i = 0; i < rows; i++) {
    lines.push(Array.from({ length: columns }, (_, j) => (j === 0 ? (i % 2 ? 'yes' : 'no') : String(((i * 31 + j * 17) % 97) / 8))).join(','));
  }
  const csv = join(dir, 'wide.csv');
  writeFileSync(csv, `${lines.join('\n')}\n`);
  const last = columns - 1;
  const pipeline = [
    'dataset wide from "wide.csv"',
    'transform t from wide {',
    `  drop c1, c${last}`,
    `  scale c2, c${last - 1} with standard`,
    `  derive gap = c3 - c${last - 2}`,
    `  filter c${Math.floor(last / 2)} > 1`,
    '}',
    'split parts from t { train: 80%, test: 20%, seed: 1 }',
    'model m from parts.train {',
    '  target: label',
    '  algorithm: logistic_regression',
    '}',
    'evaluate m on parts.test { metrics: [accuracy] }',
    '',
  ].join('\n');
  return { csv, pipeline };
}

/** s0 splits a transform of iris, each s(i) splits s(i-1).train, and a model trains on the last training part. */
export function splitChain(length: number): string {
  const lines = [IRIS, 'transform t from iris { drop sepal_width_cm }', 'split s0 from t { train: 99%, test: 1% }'];
  for (let i = 1; i < length; i++) lines.push(`split s${i} from s${i - 1}.train { train: 99%, test: 1% }`);
  lines.push(`model m from s${length - 1}.train { target: species, algorithm: logistic_regression }`, '');
  return lines.join('\n');
}

/**
 * The language-server benchmark's pipeline (bench/lsp.bench.ts): `lines` lines of groups of a
 * transform, split, model, evaluate, a second transform, model and export over the samples'
 * penguins and cars CSVs (absolute paths, so the file may live anywhere).
 */
export function samplesPipeline(lines: number): string {
  const data = join(__dirname, '..', '..', 'samples');
  const out: string[] = [
    `dataset penguins from "${data}/penguins/data/penguins.csv" { missing: ["", "NA", "."] }`,
    `dataset cars from "${data}/cars/data/cars.csv"`,
    '',
  ];
  let i = 0;
  while (out.length < lines) {
    out.push(
      `transform t${i} from penguins {`,
      '  rename `Body Mass (g)` to mass',
      '  impute mass, `Flipper Length (mm)` with median',
      '  impute Sex with mode',
      '  encode Island, Sex as onehot',
      `  derive ratio${i} = mass / \`Flipper Length (mm)\``,
      '  drop `Beak Length (mm)`, `Beak Depth (mm)`',
      '}',
      `split p${i} from t${i} { train: 80%, test: 20%, stratify: Species, seed: ${i} }`,
      `model m${i} from p${i}.train {`,
      '  target: Species',
      `  algorithm: random_forest(trees: ${10 + (i % 50)})`,
      '}',
      `evaluate m${i} on p${i}.test { metrics: [accuracy, f1] }`,
      `transform c${i} from cars { drop Name, Year, Origin`, '  drop_missing', '}',
      `model r${i} from c${i} { target: Miles_per_Gallon, algorithm: gradient_boosting }`,
      `export r${i} to "models/r${i}.onnx"`,
      '',
    );
    i++;
  }
  return out.slice(0, lines).join('\n');
}
