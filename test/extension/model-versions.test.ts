// Runs & Models: the versions `narml models --json` lists, grouped by model, newest first, each
// with its key metric, on the store of real runs of the penguins sample.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelsJson, ModelVersionJson, RegistryChangeJson } from '../../server/src/contracts/cli-json';
import { keyMetric, modelGroups, shortTime, stageBadge } from '../../extension/src/model-versions';
import { registryNotice } from '../../extension/src/notice-text';
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

test('the view shows the stage a promotion gave, and the notices say what moved', () => {
  const dir = sample('penguins');
  const file = join(dir, 'penguins.narml');
  assert.equal(narml(['run', 'penguins.narml', 'species_logistic_on_parts_test'], dir).status, 0);
  writeFileSync(file, readFileSync(file, 'utf8').replace('logistic_regression(c: 1.0)', 'logistic_regression(c: 0.01)'));
  assert.equal(narml(['run', 'penguins.narml', 'species_logistic_on_parts_test'], dir).status, 0);
  const promote = (v: string): RegistryChangeJson => JSON.parse(narml(['promote', 'species_logistic', v, '--file', file, '--json'], dir).stdout);
  assert.equal(registryNotice('promote', promote('v1')), 'NarML: species_logistic v1 is now in production. Predicts written with species_logistic@production use it from their next run.');
  assert.equal(registryNotice('promote', promote('v2')), 'NarML: species_logistic v2 is now in production; v1 archived. Predicts written with species_logistic@production use it from their next run.');
  assert.equal(registryNotice('promote', promote('v2')), 'NarML: species_logistic v2 already is in production.');
  const listed = JSON.parse(narml(['models', '--file', file, '--json'], dir).stdout) as ModelsJson;
  assert.deepEqual(modelGroups(listed.models)[0].versions.map((v) => [v.version, stageBadge(v)]), [['v2', 'production'], ['v1', 'archived']]);
  const back = JSON.parse(narml(['rollback', 'species_logistic', '--file', file, '--json'], dir).stdout) as RegistryChangeJson;
  assert.equal(registryNotice('rollback', back), 'NarML: species_logistic rolled back: v1 is in production again; v2 archived.');
  assert.equal(stageBadge({ ...listed.models[0], stage: undefined, status: 'failed' }), 'from a failed run');
});
