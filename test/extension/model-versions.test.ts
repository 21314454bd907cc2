// Runs & Models: the versions `narml models --json` lists, grouped by model, newest first, each
// with its key metric, on the store of real runs of the penguins sample.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelsJson, ModelVersionJson } from '../../server/src/contracts/cli-json';
import { keyMetric, modelGroups, shortTime } from '../../extension/src/model-versions';
import { ensureBuilt } from '../helpers/ensure-built';
import { narml, sample } from '../helpers/cli';

before(() => { ensureBuilt(); });

test('models → versions newest first, each with its key metric and the run that trained it', () => {
  const dir = sample('penguins');
  const evaluation = 'species_logistic_on_parts_test';
  const first = JSON.parse(narml(['run', 'penguins.narml', evaluation, '--json'], dir).stdout);
  const file = join(dir, 'penguins.narml');
  writeFileSync(file, readFileSync(file, 'utf8').replace('logistic_regression(c: 1.0)', 'logistic_regression(c: 0.01)'));
  const second = JSON.parse(narml(['run', 'penguins.narml', evaluation, '--json'], dir).stdout);
  const listed = JSON.parse(narml(['models', '--file', file, '--json'], dir).stdout) as ModelsJson;
  const groups = modelGroups(listed.models);
  assert.deepEqual(groups.map((g) => g.model), ['species_logistic']);
  assert.deepEqual(groups[0].versions.map((v) => [v.run, v.version]), [
    [second.run, 'v2'], [first.run, 'v1'],
  ]);
  const accuracy = second.evaluations[evaluation].metrics.accuracy as number;
  assert.equal(keyMetric(groups[0].versions[0]), `accuracy ${Number(accuracy.toPrecision(4))} on parts.test`);
  assert.match(shortTime(groups[0].versions[0].created), /^\d{4}-\d\d-\d\d \d\d:\d\d$/);
});

test('a version never evaluated has no key metric; residue near 0 prints as 0', () => {
  const v: ModelVersionJson = {
    model: 'm', file: '/p.narml', version: 'v1', hash: 'h', definition: 'abc', run: 'r', runs: ['r'], created: '2026-12-07T03:00:00.000Z', status: 'succeeded',
    algorithm: 'knn', task: 'regression', target: 'y', options: {}, features: ['x'], trainRows: 10, metrics: {}, inputs: {}, artifact: 'x',
  };
  assert.equal(keyMetric(v), undefined);
  assert.equal(keyMetric({ ...v, metrics: { test: { mae: 1.2e-16, r2: 1 } } }), 'mae 0 on test');
});
