// The run store: content-addressed artifacts, one compact record per run with its bulky parts in
// an artifact, derived model versions, runs of dead processes read as interrupted, the old
// single-file store migrated, and the atomic write helper every output goes through.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunJson } from '../../server/src/contracts/cli-json';
import { expandRun, readLatestEvaluations, readStoreData, RunStore, sha256, storeDir } from '../../server/src/store/run-store';
import { writeFileAtomic, WriteError } from '../../server/src/store/atomic-write';
import { readRegistry } from '../../server/src/store/registry';

function pipelineFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'narml-store-')), 'p.narml');
}

function run(file: string, id: string, metrics: Record<string, number>, started = '2026-01-01T00:00:00.000Z'): RunJson {
  return {
    run: id, status: 'succeeded', evaluations: { m_on_t: { model: 'm', on: 't', metrics } }, comparisons: {}, outputs: [], file,
    started, finished: started, computed: [], reused: [], models: {}, predictions: {}, monitors: {},
  };
}

test('artifacts are stored once under the hash of their content', () => {
  const file = pipelineFile();
  const store = RunStore.open(file);
  const a = store.putArtifact({ weights: [1, 2, 3] });
  assert.equal(a, sha256(JSON.stringify({ weights: [1, 2, 3] })));
  assert.equal(store.putArtifact({ weights: [1, 2, 3] }), a);
  assert.notEqual(store.putArtifact({ weights: [1, 2, 4] }), a);
  assert.deepEqual(store.getArtifact(a), { weights: [1, 2, 3] });
  assert.equal(store.getArtifact('0'.repeat(64)), undefined);
  assert.deepEqual(readdirSync(join(storeDir(file), 'artifacts')).sort(), [`${a}.json`, `${store.putArtifact({ weights: [1, 2, 4] })}.json`].sort());
});

test('each run is one record file; the latest evaluation wins; no temporary files remain', () => {
  const file = pipelineFile();
  const store = RunStore.open(file);
  store.finishRun(run(file, 'r1', { accuracy: 0.5 }, '2026-01-01T00:00:01.000Z'));
  store.finishRun(run('/elsewhere/q.narml', 'r2', { accuracy: 0.1 }, '2026-01-01T00:00:02.000Z'));
  store.finishRun(run(file, 'r3', { accuracy: 0.9 }, '2026-01-01T00:00:03.000Z'));
  assert.deepEqual(readdirSync(join(storeDir(file), 'runs')).sort(), ['r1.json', 'r2.json', 'r3.json']);
  assert.deepEqual(readdirSync(storeDir(file), { recursive: true }).filter((f) => String(f).endsWith('.tmp')), []);
  assert.deepEqual(readStoreData(file)!.runs.map((r) => r.run), ['r1', 'r2', 'r3']);
  assert.deepEqual(readLatestEvaluations(file).m_on_t.metrics, { accuracy: 0.9 });
  assert.deepEqual(readLatestEvaluations(pipelineFile()), {}, 'no store: nothing, no error');
});

test('confusion matrices, ROC curves and importances go to an artifact; the record stays compact', () => {
  const file = pipelineFile();
  const store = RunStore.open(file);
  const n = 5000;
  const full: RunJson = {
    ...run(file, 'big', { accuracy: 0.8 }),
    evaluations: {
      m_on_t: {
        model: 'm', on: 't', metrics: { accuracy: 0.8 },
        confusion: { labels: ['a', 'b'], matrix: [[40, 10], [10, 40]] },
        curves: { roc: [{ label: 'b', auc: 0.8, fpr: Array.from({ length: n }, (_, i) => i / n), tpr: Array.from({ length: n }, (_, i) => Math.sqrt(i / n)) }] },
      },
    },
    models: { m: { algorithm: 'logistic_regression', task: 'classification', target: 'y', version: 'abc', features: ['x'], options: {}, trainRows: 100, importances: { x: 1 } } },
  };
  store.finishRun(full, { artifacts: { m: 'f'.repeat(64) } });
  const recordText = readFileSync(join(storeDir(file), 'runs', 'big.json'), 'utf8');
  assert.ok(recordText.length < 2000, `record is ${recordText.length} bytes`);
  assert.doesNotMatch(recordText, /"curves"|"confusion"|"importances"/);
  const [record] = readStoreData(file)!.runs;
  assert.deepEqual(expandRun(file, record), full, 'history gives back the run as it was printed');
  assert.deepEqual(readRegistry(file).versions.map((m) => [m.model, m.version, m.definition, m.artifact, m.metrics]), [['m', 'v1', 'abc', 'f'.repeat(64), { t: { accuracy: 0.8 } }]]);
});

test('a run whose process died without an end reads as interrupted, and is rewritten so at the next open', () => {
  const file = pipelineFile();
  // A real process that has exited: its pid is free (reuse within this test is not a concern).
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const store = RunStore.open(file);
  store.startRun(run(file, 'alive', {}));
  const record = JSON.parse(readFileSync(join(storeDir(file), 'runs', 'alive.json'), 'utf8'));
  assert.equal(record.status, 'running');
  // Forge a record and mark for the dead process, as a run killed with -9 leaves them.
  writeFileSync(join(storeDir(file), 'runs', 'killed.json'), JSON.stringify({ ...record, run: 'killed', pid: Number(dead.stdout) }));
  writeFileSync(join(storeDir(file), 'running', 'killed.json'), JSON.stringify({ pid: Number(dead.stdout), host: record.host }));
  const status = (): Record<string, string> => Object.fromEntries(readStoreData(file)!.runs.map((r) => [r.run, r.status]));
  assert.deepEqual(status(), { alive: 'running', killed: 'interrupted' });
  RunStore.open(file);
  assert.equal(JSON.parse(readFileSync(join(storeDir(file), 'runs', 'killed.json'), 'utf8')).status, 'interrupted');
  assert.deepEqual(readdirSync(join(storeDir(file), 'running')), ['alive.json'], 'the live run keeps its mark');
});

test('an old single-file db.json is migrated: runs, attempts, reuse index and model versions survive', () => {
  const file = pipelineFile();
  mkdirSync(storeDir(file));
  const old = run(file, 'old1', { accuracy: 0.7 });
  old.models = { m: { algorithm: 'decision_tree', task: 'classification', target: 'y', version: 'v1', features: [], options: {}, trainRows: 9 } };
  const legacy = {
    runs: [old], attempts: [{ file, predict: 'p', attempt: 1, started: 's', finished: 'f', status: 'failed', error: 'boom' }],
    results: { declhash: 'arthash' }, lineage: {},
    models: [{ model: 'm', file, version: 'v1', run: 'old1', created: '', algorithm: 'decision_tree', task: 'classification', target: 'y', options: {}, metrics: {}, artifact: 'arthash' }],
  };
  writeFileSync(join(storeDir(file), 'db.json'), JSON.stringify(legacy));
  assert.deepEqual(readStoreData(file)!.runs.map((r) => r.run), ['old1'], 'readable before migration');
  const store = RunStore.open(file);
  assert.equal(existsSync(join(storeDir(file), 'db.json')), false);
  assert.equal(store.result('declhash'), 'arthash');
  const data = readStoreData(file)!;
  assert.deepEqual(data.runs.map((r) => r.run), ['old1']);
  assert.deepEqual(data.attempts.map((a) => a.error), ['boom']);
  assert.deepEqual(readRegistry(file).versions.map((m) => [m.model, m.artifact, m.metrics]), [['m', 'arthash', { t: { accuracy: 0.7 } }]]);
});

test('a damaged db.json is kept aside and the store goes on', () => {
  const file = pipelineFile();
  mkdirSync(storeDir(file));
  writeFileSync(join(storeDir(file), 'db.json'), '{"runs": [');
  assert.deepEqual(readLatestEvaluations(file), {});
  const store = RunStore.open(file);
  const kept = readdirSync(storeDir(file)).filter((f) => f.startsWith('db.damaged-'));
  assert.equal(kept.length, 1);
  assert.equal(readFileSync(join(storeDir(file), kept[0]), 'utf8'), '{"runs": [');
  store.finishRun(run(file, 'r1', { accuracy: 1 }));
  assert.deepEqual(readStoreData(file)!.runs.map((r) => r.run), ['r1']);
});

test('writeFileAtomic creates folders and replaces the whole file, durable or not', () => {
  const dir = mkdtempSync(join(tmpdir(), 'narml-atomic-'));
  const path = join(dir, 'a', 'b', 'out.csv');
  writeFileAtomic(path, 'x\n1\n');
  writeFileAtomic(path, 'y\n');
  assert.equal(readFileSync(path, 'utf8'), 'y\n');
  assert.deepEqual(readdirSync(join(dir, 'a', 'b')), ['out.csv']);
  writeFileAtomic(join(dir, 'c', 'mark.json'), '{"pid":1}', undefined, { durable: false });
  writeFileAtomic(path, 'z\n', undefined, { durable: false });
  assert.equal(readFileSync(join(dir, 'c', 'mark.json'), 'utf8'), '{"pid":1}');
  assert.equal(readFileSync(path, 'utf8'), 'z\n');
  assert.deepEqual(readdirSync(join(dir, 'a', 'b')), ['out.csv'], 'no temporary file left');
});

test('a run killed with -9 right after its start (records written without fsync) reads as interrupted', () => {
  const file = pipelineFile();
  const storeModule = join(__dirname, '..', '..', 'server', 'src', 'store', 'run-store.ts');
  const started = JSON.stringify(run(file, 'killed', {}));
  const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', `require(${JSON.stringify(storeModule)}).RunStore.open(${JSON.stringify(file)}).startRun(${started}); process.kill(process.pid, 'SIGKILL');`], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(child.signal, 'SIGKILL', child.stderr);
  assert.deepEqual(readdirSync(join(storeDir(file), 'running')), ['killed.json']);
  assert.deepEqual(readStoreData(file)!.runs.map((r) => [r.run, r.status]), [['killed', 'interrupted']]);
  RunStore.open(file);
  assert.equal(JSON.parse(readFileSync(join(storeDir(file), 'runs', 'killed.json'), 'utf8')).status, 'interrupted');
  assert.deepEqual(readdirSync(join(storeDir(file), 'running')), []);
});

test('writeFileAtomic refuses a folder as the target and leaves no temporary file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'narml-atomic-'));
  mkdirSync(join(dir, 'out.csv'));
  assert.throws(() => writeFileAtomic(join(dir, 'out.csv'), 'x\n'), (e: unknown) => e instanceof WriteError && /out\.csv: it is a folder/.test(e.message));
  assert.deepEqual(readdirSync(dir), ['out.csv']);
  assert.deepEqual(readdirSync(join(dir, 'out.csv')), []);
  // A file where a folder of the path should be.
  writeFileSync(join(dir, 'plain'), 'x');
  assert.throws(() => writeFileAtomic(join(dir, 'plain', 'out.csv'), 'x\n'), (e: unknown) => e instanceof WriteError && /not a folder/.test(e.message));
});

test('file hashes are recorded by identity: an unchanged file is not read again, a changed one is, a file modified just now is not recorded', async () => {
  const file = pipelineFile();
  const data = join(file, '..', 'data.csv');
  writeFileSync(data, 'a,b\n1,2\n');
  const store = RunStore.open(file);
  const fresh = await store.fileHash(data);
  assert.equal(fresh, sha256('a,b\n1,2\n'));
  assert.equal(store.knownFileHash(data), undefined, 'modified within the last 2 s: the same mtime may still hold other bytes');

  const past = new Date(Date.now() - 60_000);
  utimesSync(data, past, past);
  assert.equal(await store.fileHash(data), fresh);
  assert.equal(store.knownFileHash(data), fresh, 'recorded under the file identity');
  assert.equal(await RunStore.lookup(file).fileHash(data), fresh, 'another process finds it');

  writeFileSync(data, 'a,b\n1,3\n');
  utimesSync(data, new Date(Date.now() - 30_000), new Date(Date.now() - 30_000));
  assert.equal(store.knownFileHash(data), undefined, 'same size, other mtime: unknown');
  assert.equal(await store.fileHash(data), sha256('a,b\n1,3\n'), 'read and hashed again');
  unlinkSync(data);
  assert.equal(store.knownFileHash(data), undefined, 'a file that is gone has no hash');
});
