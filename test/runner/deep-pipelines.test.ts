// Pipelines that are deep rather than big check clean, so they must run: a derive of 20,000
// terms (the model artifact holds its syntax tree; it is stored and reused on the next run),
// and a chain of 20,000 transforms (the runner traced it recursively).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt } from '../helpers/ensure-built';
import { narml, root } from '../helpers/cli';

/** A fresh folder holding iris.csv. */
function irisFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'narml-deep-'));
  copyFileSync(join(root, 'test', 'fixtures', 'data', 'iris.csv'), join(dir, 'iris.csv'));
  return dir;
}

test('a 20,000-term derive checks clean, runs, and is reused', () => {
  ensureBuilt();
  const dir = irisFolder();
  try {
    writeFileSync(join(dir, 'deep.narml'), [
      'dataset iris from "iris.csv"',
      'transform t from iris {',
      // sepal_length_cm + 0.0001 * 20,000 - 2: the column unchanged, through a 20,000-term chain.
      `  derive s = sepal_length_cm${' + 0.0001'.repeat(19_998)} - 2`,
      '}',
      'split parts from t { train: 80%, test: 20%, seed: 1, stratify: species }',
      'model m from parts.train { target: species, features: [s, petal_length_cm], algorithm: knn }',
      'evaluate m on parts.test { metrics: [accuracy] }',
      '',
    ].join('\n'));
    assert.equal(narml(['check', 'deep.narml'], dir).status, 0);
    const first = narml(['run', 'deep.narml', '--json'], dir);
    assert.equal(first.status, 0, first.stderr);
    const run = JSON.parse(first.stdout);
    assert.equal(run.status, 'succeeded');
    assert.ok(run.evaluations.m_on_parts_test.metrics.accuracy > 0.8, JSON.stringify(run.evaluations));
    const again = narml(['run', 'deep.narml', '--json'], dir);
    assert.equal(again.status, 0, again.stderr);
    const second = JSON.parse(again.stdout);
    assert.ok(second.reused.includes('m'), 'the stored model is read back');
    assert.deepEqual(second.evaluations, run.evaluations, 'and scores the same');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a chain of 20,000 transforms checks clean and runs', () => {
  ensureBuilt();
  const dir = irisFolder();
  try {
    const lines = ['dataset iris from "iris.csv"', 'transform t0 from iris { drop sepal_width_cm }'];
    for (let i = 1; i < 20_000; i++) lines.push(`transform t${i} from t${i - 1} { }`);
    lines.push('split parts from t19999 { train: 80%, test: 20%, seed: 1, stratify: species }', 'model m from parts.train { target: species, algorithm: knn }', 'evaluate m on parts.test { metrics: [accuracy] }', '');
    writeFileSync(join(dir, 'chain.narml'), lines.join('\n'));
    assert.equal(narml(['check', 'chain.narml'], dir).status, 0);
    const r = narml(['run', 'chain.narml', '--json'], dir);
    assert.equal(r.status, 0, r.stderr.slice(-500));
    const run = JSON.parse(r.stdout);
    assert.deepEqual(run.models.m.features, ['sepal_length_cm', 'petal_length_cm', 'petal_width_cm'], 'the first transform\'s drop reached the model');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
