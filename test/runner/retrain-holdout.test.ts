// Retraining judged on a split's test part: when the split is cut again (its seed or data changed
// since production was trained), production may have trained on some of the holdout's rows, which
// favours it; the decision's reason says so. A holdout cut as it was for production has no note,
// nor has a keyed split's, whose rows keep their parts as rows are added.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkWithFullSchemas } from '../../server/src/checker/check-files';
import { hasErrors } from '../../server/src/checker/checked-model';
import type { RetrainJson } from '../../server/src/contracts/cli-json';
import { runPipeline } from '../../server/src/runner/run-pipeline';

const pipeline = (seed: number, c: number): string => `dataset flowers from "data/iris.csv"

split parts from flowers {
  train: 70%
  test: 30%
  stratify: species
  seed: ${seed}
}

model m from parts.train {
  target: species
  algorithm: logistic_regression(c: ${c})
}

evaluate m on parts.test {
  metrics: [accuracy]
}

monitor watch for m {
  current: parts.test
  retrain: schedule "0 3 * * 0"
}
`;

async function retrain(dir: string, seed: number, c: number, text = pipeline): Promise<RetrainJson> {
  const checked = await checkWithFullSchemas(text(seed, c), join(dir, 'p.narml'));
  assert.ok(!hasErrors(checked), checked.diagnostics.map((d) => d.message).join('; '));
  const run = await runPipeline(checked, { retrainNow: ['watch'] });
  assert.equal(run.status, 'succeeded', run.error);
  return run.monitors.watch.retrain!;
}

test('a holdout split cut again since production was trained is named in the retraining reason', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'narml-recut-'));
  cpSync(join(__dirname, '..', 'fixtures', 'data', 'iris.csv'), join(dir, 'data', 'iris.csv'));
  const first = await retrain(dir, 1, 1);
  assert.equal(first.decision, 'promoted');
  // Another model on the same cut: compared without a note.
  const sameCut = await retrain(dir, 1, 0.05);
  assert.ok(sameCut.comparison, JSON.stringify(sameCut));
  assert.doesNotMatch(sameCut.reason, /cut again/);
  const production = sameCut.decision === 'promoted' ? 'v2' : 'v1';
  // Another seed: the test part holds rows production trained on.
  const recut = await retrain(dir, 2, 0.05);
  assert.ok(recut.comparison, JSON.stringify(recut));
  assert.equal(recut.champion?.version, production);
  assert.match(recut.reason, new RegExp(`\\(note: parts\\.test was cut again since production ${production} was trained, as the data or declaration of parts changed, so it may hold rows production was trained on, which favours production; evaluate m on a table no version trains on for a fair judgement\\)`));
});

test('a keyed split keeps its rows\' parts as rows are added: no note when only the data grew', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'narml-recut-'));
  mkdirSync(join(dir, 'data'));
  const [header, ...rows] = readFileSync(join(__dirname, '..', 'fixtures', 'data', 'iris.csv'), 'utf8').trim().split('\n');
  const write = (keep: (i: number) => boolean): void => writeFileSync(join(dir, 'data', 'iris.csv'), `id,${header}\n${rows.map((r, i) => `${i},${r}`).filter((_, i) => keep(i)).join('\n')}\n`);
  const keyed = (seed: number, c: number): string => pipeline(seed, c).replace('  stratify: species\n', '  key: id\n').replace('  target: species\n', '  target: species\n  exclude: [id]\n');
  // Every third flower first (all species), then all of them.
  write((i) => i % 3 === 0);
  assert.equal((await retrain(dir, 1, 1, keyed)).decision, 'promoted');
  write(() => true);
  const grown = await retrain(dir, 1, 0.05, keyed);
  assert.ok(grown.comparison, JSON.stringify(grown));
  assert.doesNotMatch(grown.reason, /cut again/);
});
