// The editor side of `with m@production`: the checker's NML132/NML133 against a real run store
// (records written by RunStore, a promotion by the registry API), completion after `@` (stages
// with the version each holds, then the versions) and hover on the reference, and the store
// source seeing a promotion made after it was first read, with no edit of the pipeline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkPipeline } from '../../server/src/checker/check-pipeline';
import { DeclarationReuse } from '../../server/src/checker/check-reuse';
import type { RunJson } from '../../server/src/contracts/cli-json';
import { CsvSchemaCache } from '../../server/src/data/csv-schema-cache';
import { complete } from '../../server/src/lsp/completion';
import { hover } from '../../server/src/lsp/features';
import { promote, StoreRegistrySource } from '../../server/src/store/registry';
import { RunStore } from '../../server/src/store/run-store';
import { root } from '../helpers/cli';

const cache = new CsvSchemaCache();
const PIPELINE = `dataset iris from "${join(root, 'test', 'fixtures', 'data', 'iris.csv')}"
split parts from iris { train: 80%, test: 20%, stratify: species, seed: 1 }
model m from parts.train {
  target: species
  algorithm: logistic_regression
}
predict p with m@REF from parts.test {
  output: "out/p.csv"
}
`;

const IRIS_INPUT = ['sepal_length_cm', 'sepal_width_cm', 'petal_length_cm', 'petal_width_cm'].map((name) => ({ name, type: 'number', nullable: false }));

function runWith(file: string, id: string, started: string, modelHash: string, accuracy: number, input = IRIS_INPUT): RunJson {
  return {
    run: id, status: 'succeeded', file, started, finished: started, computed: ['m'], reused: [], outputs: [], comparisons: {}, predictions: {}, monitors: {},
    models: { m: { algorithm: 'logistic_regression', task: 'classification', target: 'species', version: modelHash.slice(0, 12), modelHash, features: ['sepal_length'], options: { c: 1 }, trainRows: 120, input } },
    evaluations: { m_on_parts_test: { model: 'm', on: 'parts.test', metrics: { accuracy } } },
  };
}

function storeWithTwoVersions(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'narml-refs-')), 'p.narml');
  const store = RunStore.open(file);
  store.finishRun(runWith(file, 'r1', '2026-12-07T01:00:00.000Z', 'a'.repeat(64), 0.9), { artifacts: { m: '1'.repeat(64) } });
  // v2 was trained when the iris file had one more column.
  store.finishRun(runWith(file, 'r2', '2026-12-07T02:00:00.000Z', 'b'.repeat(64), 0.95, [...IRIS_INPUT, { name: 'petal_colour', type: 'category', nullable: false }]), { artifacts: { m: '2'.repeat(64) } });
  return file;
}

function versionCodes(file: string, ref: string, registry = new StoreRegistrySource()): string[] {
  return checkPipeline(PIPELINE.replace('REF', ref), file, cache, { registry }).diagnostics.filter((d) => d.code.startsWith('NML13')).map((d) => `${d.code} ${d.message}`);
}

test('NML132 for a word that is no stage; NML133 for what the store lacks; none once promoted, seen without an edit', () => {
  const file = storeWithTwoVersions();
  const registry = new StoreRegistrySource();
  assert.deepEqual(versionCodes(file, 'v2', registry), []);
  assert.match(versionCodes(file, 'v3', registry)[0], /^NML133 m has no version v3 in the run store \(versions: v1, v2\)/);
  assert.match(versionCodes(file, 'latest', registry)[0], /^NML132 "@latest" is no stage and no version/);
  const reuse = new DeclarationReuse();
  const text = PIPELINE.replace('REF', 'production');
  const before = checkPipeline(text, file, cache, { registry, reuse }).diagnostics.filter((d) => d.code === 'NML133');
  assert.match(before[0].message, /no version of m is in production; promote one: narml promote m v2 --stage production/);
  promote(file, 'm', 'v2', 'production');
  const after = checkPipeline(text, file, cache, { registry, reuse }).diagnostics.filter((d) => d.code === 'NML133');
  assert.deepEqual(after, [], 'the same text, checked again with reuse, sees the promotion');
  const elsewhere = join(mkdtempSync(join(tmpdir(), 'narml-refs-')), 'p.narml');
  assert.match(versionCodes(elsewhere, 'production')[0], /^NML133 no run store beside this pipeline yet/);
});

test('completion after @ offers the stages with their holder, then the versions newest first; hover names the version', () => {
  const file = storeWithTwoVersions();
  promote(file, 'm', 'v1', 'staging');
  const registry = new StoreRegistrySource();
  const text = PIPELINE.replace('REF', 'pro');
  const offset = text.indexOf('m@pro') + 'm@pro'.length;
  const checked = checkPipeline(text, file, cache, { registry });
  const items = complete(checked, offset, registry);
  assert.deepEqual(items.map((i) => i.label), ['production', 'staging', 'archived', 'v1', 'v2']);
  assert.equal(items[0].detail, 'no version in this stage yet');
  assert.match(items[1].detail ?? '', /^now v1: staging · logistic_regression · accuracy 0\.9000 on parts\.test/);
  assert.ok(items[4].sortText! < items[3].sortText!, 'v2 sorts before v1');
  const bare = PIPELINE.replace('m@REF', 'm@');
  assert.deepEqual(complete(checkPipeline(bare, file, cache, { registry }), bare.indexOf('m@') + 2, registry).map((i) => i.label).slice(0, 3), ['production', 'staging', 'archived']);

  const staged = PIPELINE.replace('REF', 'staging');
  const h = hover(checkPipeline(staged, file, cache, { registry }), staged.indexOf('@staging') + 3, () => ({}), registry);
  const value = (h?.contents as { value: string }).value;
  assert.match(value, /`m@staging` is \*\*m v1\*\* \(staging\): logistic_regression, trained by run r1/);
  assert.match(value, /parts\.test: accuracy 0\.9000/);
  const onModel = hover(checkPipeline(staged, file, cache, { registry }), staged.indexOf('model m') + 6, () => ({}), registry);
  assert.match((onModel?.contents as { value: string }).value, /registry: v1 \(staging\), v2 \(`with m@production`/);
});

test('a prediction file is checked against the columns the named version was trained with', () => {
  const file = storeWithTwoVersions();
  const registry = new StoreRegistrySource();
  const iris = join(root, 'test', 'fixtures', 'data', 'iris.csv');
  const drift = (ref: string): string[] => checkPipeline(PIPELINE.replace('REF', ref).replace('from parts.test', `from "${iris}"`), file, cache, { registry })
    .diagnostics.filter((d) => d.code === 'NML203').map((d) => d.message);
  assert.deepEqual(drift('v1'), []);
  assert.match(drift('v2')[0], /no longer matches model "m" v2: it has no column "petal_colour"/);
});
