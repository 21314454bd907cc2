// A small workspace for store, output and scheduler tests: Fisher's iris (test/fixtures/data)
// with a split, a decision tree, an evaluation and predictions, so that one run takes well under
// a second and many can overlap on two cores.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './cli';

export interface IrisPredict {
  name: string;
  source: string;
  output: string;
  schedule?: string;
  retries?: number;
}

/** Text of an iris pipeline; `seed` varies the split (so pipelines differ), `predicts` are appended. */
export function irisPipeline(seed: number, predicts: IrisPredict[] = [], extra = ''): string {
  const lines = [
    'dataset iris from "data/iris.csv"',
    `split parts from iris { train: 80%, test: 20%, stratify: species, seed: ${seed} }`,
    'model tree from parts.train {\n  target: species\n  algorithm: decision_tree(max_depth: 3)\n}',
    'evaluate tree on parts.test {\n  metrics: [accuracy, f1]\n}',
    ...predicts.map((p) => `predict ${p.name} with tree from "${p.source}" {\n  output: "${p.output}"${p.schedule ? `\n  schedule: "${p.schedule}"` : ''}${p.retries !== undefined ? `\n  retries: ${p.retries}` : ''}\n}`),
    extra,
  ];
  return `${lines.join('\n\n')}\n`;
}

/** Copies iris.csv into DIR/data and writes DIR/NAME.narml; returns the pipeline's path. */
export function irisWorkspace(dir: string, name: string, text: string): string {
  mkdirSync(join(dir, 'data'), { recursive: true });
  copyFileSync(join(root, 'test', 'fixtures', 'data', 'iris.csv'), join(dir, 'data', 'iris.csv'));
  const file = join(dir, `${name}.narml`);
  writeFileSync(file, text);
  return file;
}

/** An input file of iris measurements without the species, `rows` long (repeating the data set). */
export function irisInput(path: string, rows: number): void {
  const lines = ['sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm'];
  for (let i = 0; i < rows; i++) lines.push(`${(4.3 + (i % 36) / 10).toFixed(1)},${(2 + (i % 24) / 10).toFixed(1)},${(1 + (i % 59) / 10).toFixed(1)},${(0.1 + (i % 25) / 10).toFixed(1)}`);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, `${lines.join('\n')}\n`);
}
