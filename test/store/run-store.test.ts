// The run store: content-addressed artifacts, atomic metadata writes, recovery from a damaged
// db.json, and the latest metrics per evaluation that the editor's hover reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunJson } from '../../server/src/contracts/cli-json';
import { readLatestEvaluations, readStoreData, RunStore, sha256, storeDir } from '../../server/src/store/run-store';
import { writeFileAtomic } from '../../server/src/store/atomic-write';

function pipelineFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'narml-store-')), 'p.narml');
}

function run(file: string, id: string, metrics: Record<string, number>): RunJson {
  return {
    run: id, status: 'succeeded', evaluations: { m_on_t: { model: 'm', on: 't', metrics } }, comparisons: {}, outputs: [], file,
    started: '', finished: '', computed: [], reused: [], models: {}, predictions: {}, monitors: {},
  };
}

test('artifacts are stored once under the hash of their content', async () => {
  const file = pipelineFile();
  const store = await RunStore.open(file);
  const a = store.putArtifact({ weights: [1, 2, 3] });
  assert.equal(a, sha256(JSON.stringify({ weights: [1, 2, 3] })));
  assert.equal(store.putArtifact({ weights: [1, 2, 3] }), a);
  assert.notEqual(store.putArtifact({ weights: [1, 2, 4] }), a);
  assert.deepEqual(store.getArtifact(a), { weights: [1, 2, 3] });
  assert.equal(store.getArtifact('0'.repeat(64)), undefined);
  assert.deepEqual(readdirSync(join(storeDir(file), 'artifacts')).sort(), [`${a}.json`, `${store.putArtifact({ weights: [1, 2, 4] })}.json`].sort());
});

test('metadata writes leave no temporary files and read back; latest evaluation wins', async () => {
  const file = pipelineFile();
  const store = await RunStore.open(file);
  store.data.runs.push(run(file, 'r1', { accuracy: 0.5 }), run('/elsewhere/q.narml', 'r2', { accuracy: 0.1 }), run(file, 'r3', { accuracy: 0.9 }));
  await store.save();
  assert.deepEqual(readdirSync(storeDir(file)).filter((f) => f.endsWith('.tmp')), []);
  assert.deepEqual(readStoreData(file)!.runs.map((r) => r.run), ['r1', 'r2', 'r3']);
  assert.deepEqual(readLatestEvaluations(file).m_on_t.metrics, { accuracy: 0.9 });
  assert.deepEqual(readLatestEvaluations(pipelineFile()), {}, 'no store: nothing, no error');
});

test('a damaged db.json is kept aside and a fresh store starts', async () => {
  const file = pipelineFile();
  await RunStore.open(file);
  writeFileSync(join(storeDir(file), 'db.json'), '{"runs": [');
  assert.deepEqual(readLatestEvaluations(file), {});
  const store = await RunStore.open(file);
  assert.deepEqual(store.data.runs, []);
  const kept = readdirSync(storeDir(file)).filter((f) => f.startsWith('db.damaged-'));
  assert.equal(kept.length, 1);
  assert.equal(readFileSync(join(storeDir(file), kept[0]), 'utf8'), '{"runs": [');
  await store.save();
  assert.deepEqual(readStoreData(file)!.runs, []);
});

test('writeFileAtomic creates folders and replaces the whole file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'narml-atomic-'));
  const path = join(dir, 'a', 'b', 'out.csv');
  writeFileAtomic(path, 'x\n1\n');
  writeFileAtomic(path, 'y\n');
  assert.equal(readFileSync(path, 'utf8'), 'y\n');
  assert.deepEqual(readdirSync(join(dir, 'a', 'b')), ['out.csv']);
  assert.equal(existsSync(join(dir, 'a', 'b', '.out.csv.tmp')), false);
});
