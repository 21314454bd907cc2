// Iris cut for retraining tests: every third row held out (50 rows, every species), the other
// 100 to train on, labels that went wrong, and the pipeline head that trains on one and
// evaluates on the other (the holdout a retraining judges on).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const iris = readFileSync(join(__dirname, '..', 'fixtures', 'data', 'iris.csv'), 'utf8').trim().split('\n');
export const header = iris[0];
const rows = iris.slice(1);
export const holdout = rows.filter((_, i) => i % 3 === 0);
export const training = rows.filter((_, i) => i % 3 !== 0);
const SPECIES = ['setosa', 'versicolor', 'virginica'];

/** The training rows with their species drawn at random (seeded): a model learns nothing true from them. */
export function shuffledLabels(seed: number): string[] {
  let s = seed;
  return training.map((r) => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return r.replace(/[^,]+$/, SPECIES[s % 3]);
  });
}

/** A CSV file's text from rows. */
export const csv = (lines: string[]): string => `${header}\n${lines.join('\n')}\n`;

/** `m` trained on data/train.csv and evaluated on data/holdout.csv; add a monitor after it. */
export const RETRAIN_HEAD = `dataset train from "data/train.csv"
dataset holdout from "data/holdout.csv"

model m from train {
  target: species
  algorithm: logistic_regression
}

evaluate m on holdout {
  metrics: [accuracy]
}
`;
