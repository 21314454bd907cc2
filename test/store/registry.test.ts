// The model registry and audit log through the built CLI on the penguins sample (real data):
// versions numbered in run order by the fitted model's content hash, promote/rollback/diff round
// trips, refusals with their reasons, deletion, and the audit log after the whole sequence.
// Plus the audit log's own guarantees: concurrent appends from many processes, a torn line.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditJson, ModelDiffJson, ModelsJson, RunJson } from '../../server/src/contracts/cli-json';
import { WriteError } from '../../server/src/store/atomic-write';
import { appendAudit, auditPath, readAudit } from '../../server/src/store/audit-log';
import { promote, readRegistry } from '../../server/src/store/registry';
import { RunStore } from '../../server/src/store/run-store';
import { ensureBuilt } from '../helpers/ensure-built';
import { narml, root, sample } from '../helpers/cli';

before(() => { ensureBuilt(); });

const EVAL = 'species_logistic_on_parts_test';

function ok(args: string[], dir: string): string {
  const r = narml(args, dir);
  assert.equal(r.status, 0, `narml ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function versions(dir: string): ModelsJson['models'] {
  return (JSON.parse(ok(['models', 'species_logistic', '--json'], dir)) as ModelsJson).models;
}

test('train twice, promote, rollback, diff, delete: stages round trip and the audit log records each step', () => {
  const dir = sample('penguins');
  const file = join(dir, 'penguins.narml');
  const first = JSON.parse(ok(['run', 'penguins.narml', EVAL, '--json'], dir));
  const text = readFileSync(file, 'utf8');
  writeFileSync(file, text.replace('logistic_regression(c: 1.0)', 'logistic_regression(c: 0.01)'));
  const second = JSON.parse(ok(['run', 'penguins.narml', EVAL, '--json'], dir));
  // Back to the first text: the same fitted model again, so the same version (v1), not a v3.
  writeFileSync(file, text);
  const third = JSON.parse(ok(['run', 'penguins.narml', EVAL, '--json'], dir));
  assert.equal(third.models.species_logistic.modelHash, first.models.species_logistic.modelHash);
  let vs = versions(dir);
  assert.deepEqual(vs.map((v) => [v.version, v.run, v.runs.length, v.stage]), [['v1', first.run, 2, undefined], ['v2', second.run, 1, undefined]]);
  assert.deepEqual(vs[1].options.c, 0.01);
  assert.deepEqual(vs[0].metrics['parts.test'], third.evaluations[EVAL].metrics);

  assert.match(ok(['promote', 'species_logistic', 'v1'], dir), /species_logistic v1 is now in production/);
  assert.match(ok(['promote', 'species_logistic', '2', '--stage', 'staging'], dir), /v2 is now in staging/);
  assert.deepEqual(versions(dir).map((v) => v.stage), ['production', 'staging']);
  // Promote what is in staging by its stage name: v1 leaves production for the archive.
  const promoted = JSON.parse(ok(['promote', 'species_logistic', 'staging', '--stage', 'production', '--json'], dir));
  assert.deepEqual([promoted.version, promoted.stage, promoted.from], ['v2', 'production', 'v1']);
  assert.deepEqual(versions(dir).map((v) => v.stage), ['archived', 'production']);
  assert.match(ok(['promote', 'species_logistic', 'v2'], dir), /already is in production; nothing changed/);

  const back = JSON.parse(ok(['rollback', 'species_logistic', '--json'], dir));
  assert.deepEqual([back.version, back.from], ['v1', 'v2']);
  assert.deepEqual(versions(dir).map((v) => v.stage), ['production', 'archived']);
  const again = narml(['rollback', 'species_logistic'], dir);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /no version of species_logistic was in production before v1, so there is none to roll back to \(a rollback does not return to a version it replaced\)/);

  const diff = JSON.parse(ok(['diff', 'species_logistic', 'v1', 'v2', '--json'], dir)) as ModelDiffJson;
  assert.deepEqual(diff.options, { c: [1, 0.01] });
  const acc = diff.metrics['parts.test'].accuracy;
  assert.equal(acc[0], first.evaluations[EVAL].metrics.accuracy);
  assert.equal(acc[1], second.evaluations[EVAL].metrics.accuracy);
  assert.equal(acc[2], acc[1]! - acc[0]!);
  assert.deepEqual(diff.inputs, {}, 'both trained on the same file bytes');
  assert.notEqual(diff.pipelineHash[0], diff.pipelineHash[1]);
  assert.match(ok(['diff', 'species_logistic', 'v1', 'v2'], dir), /option c: 1 → 0\.0100/);

  const unknown = narml(['promote', 'species_logistic', 'v9'], dir);
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /species_logistic has no version "v9"; its versions: v1 \(production\), v2 \(archived\)/);
  const noModel = narml(['promote', 'churn', 'v1'], dir);
  assert.equal(noModel.status, 2);
  assert.match(noModel.stderr, /no model named churn .*models: species_logistic/);
  const prodDelete = narml(['models', 'delete', 'species_logistic', 'v1'], dir);
  assert.equal(prodDelete.status, 1);
  assert.match(prodDelete.stderr, /v1 is in production and is not deleted; roll back/);
  const v2 = versions(dir)[1];
  assert.match(ok(['models', 'delete', 'species_logistic', 'v2'], dir), /v2 deleted/);
  assert.deepEqual(versions(dir).map((v) => v.version), ['v1'], 'numbers are kept: v1 stays v1');
  assert.equal(existsSync(join(dir, '.narml', 'artifacts', `${v2.artifact}.json`)), false, 'its model file is gone');

  const audit = JSON.parse(ok(['audit', '--json'], dir)) as AuditJson;
  assert.equal(audit.damaged, 0);
  assert.deepEqual(audit.events.map((e) => [e.action, e.outcome, e.version ?? e.run, e.stage ?? null, e.from ?? null]), [
    ['run', 'succeeded', first.run, null, null],
    ['run', 'succeeded', second.run, null, null],
    ['run', 'succeeded', third.run, null, null],
    ['promote', 'ok', 'v1', 'production', null],
    ['promote', 'ok', 'v2', 'staging', null],
    ['promote', 'ok', 'v2', 'production', 'v1'],
    ['rollback', 'ok', 'v1', 'production', 'v2'],
    ['rollback', 'refused', undefined, 'production', null],
    ['promote', 'refused', undefined, 'production', null],
    ['delete', 'refused', undefined, null, null],
    ['delete', 'ok', 'v2', null, null],
  ].map(([a, o, v, s, f]) => [a, o, v ?? undefined, s, f]));
  assert.ok(audit.events.every((e) => e.file === file && !Number.isNaN(Date.parse(e.time))));
  assert.equal(audit.events[0].pipelineHash, first.pipelineHash);
  assert.equal(audit.events[3].pipelineHash, third.pipelineHash, 'a promotion records the pipeline text as it is then');
  assert.match(audit.events[9].detail ?? '', /in production and is not deleted/);
  assert.match(ok(['audit', 'penguins.narml', '--model', 'species_logistic'], dir), /rollback +ok +species_logistic v1 → production \(from v2\)/);
});

test('a model that only a failed run produced cannot be promoted; the refusal says why', () => {
  const dir = sample('penguins');
  const file = join(dir, 'penguins.narml');
  // The model trains, then the run fails writing the predictions: a file stands where their folder should be.
  writeFileSync(join(dir, 'out'), 'a file where the prediction expects a folder');
  const r = narml(['run', 'penguins.narml', 'field_survey', '--json'], dir);
  assert.equal(r.status, 1, r.stderr);
  assert.equal(JSON.parse(r.stdout).status, 'failed');
  const [v] = (JSON.parse(ok(['models', 'species_forest', '--json'], dir)) as ModelsJson).models;
  assert.equal(v.status, 'failed');
  const refused = narml(['promote', 'species_forest', 'v1'], dir);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /species_forest v1 comes only from runs that did not succeed .*fix the pipeline and run it again/);
  assert.equal(readRegistry(file).find(file, 'species_forest', 'production'), undefined);
});

test('concurrent appends from many processes: every line whole, none lost', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'narml-audit-')), '.narml');
  const script = `const { appendAudit } = require(${JSON.stringify(join(root, 'server/src/store/audit-log.ts'))});
    for (let i = 0; i < 50; i++) appendAudit(process.argv[1], { action: 'run', outcome: 'succeeded', run: process.pid + '-' + i, detail: 'x'.repeat(300) });`;
  const procs = Array.from({ length: 8 }, () => new Promise<number | null>((done) => {
    const p = spawn(process.execPath, ['--import', 'tsx', '-e', script, dir], { stdio: 'inherit' });
    p.on('exit', done);
  }));
  assert.deepEqual(await Promise.all(procs), Array(8).fill(0));
  const log = readAudit(dir);
  assert.equal(log.damaged, 0);
  assert.equal(log.events.length, 400);
  assert.equal(new Set(log.events.map((e) => e.run)).size, 400);
});

test('a torn last line is skipped and counted; the next event starts on its own line', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'narml-audit-')), '.narml');
  appendAudit(dir, { action: 'promote', outcome: 'ok', model: 'm', version: 'v1', stage: 'production' });
  appendFileSync(auditPath(dir), '{"time":"2026-12-07T00:00:00Z","action":"ru');
  appendAudit(dir, { action: 'rollback', outcome: 'ok', model: 'm', version: 'v1' });
  const log = readAudit(dir);
  assert.deepEqual(log.events.map((e) => e.action), ['promote', 'rollback']);
  assert.equal(log.damaged, 1);
  assert.deepEqual(readAudit(join(dir, 'none')), { events: [], damaged: 0 }, 'no log: no events, no error');
});

test('diff names the input file whose bytes changed between two versions, and its training rows', () => {
  const dir = sample('penguins');
  const data = join(dir, 'data', 'penguins.csv');
  ok(['run', 'penguins.narml', EVAL], dir);
  const lines = readFileSync(data, 'utf8').trimEnd().split('\n');
  // Twenty penguins fewer: another file, another fitted model.
  writeFileSync(data, `${lines.slice(0, -20).join('\n')}\n`);
  ok(['run', 'penguins.narml', EVAL], dir);
  const d = JSON.parse(ok(['diff', 'species_logistic', 'v1', 'v2', '--json'], dir)) as ModelDiffJson;
  assert.deepEqual(Object.keys(d.inputs), ['penguins']);
  const [changed] = d.inputs.penguins;
  assert.equal(changed.file, data);
  assert.notEqual(changed.a, changed.b);
  assert.equal(changed.b, d.b.inputs.penguins[0].sha256);
  assert.deepEqual(d.options, {}, 'same options');
  assert.equal(d.pipelineHash[0], d.pipelineHash[1], 'same pipeline text');
  assert.ok(d.trainRows[1] < d.trainRows[0], `fewer training rows: ${d.trainRows.join(' → ')}`);
  assert.match(ok(['diff', 'species_logistic', 'v1', 'v2'], dir), new RegExp(`input penguins ${data.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ${changed.a!.slice(0, 12)} → ${changed.b!.slice(0, 12)}[\\s\\S]*pipeline text: unchanged`));
});

test('a promotion into a .narml that links out of the pipeline folder is refused, as a run would be', () => {
  const inside = mkdtempSync(join(tmpdir(), 'narml-ws-'));
  const outside = mkdtempSync(join(tmpdir(), 'narml-out-'));
  const file = join(inside, 'p.narml');
  const run: RunJson = {
    run: 'r1', status: 'succeeded', file, started: '2026-12-07T01:00:00.000Z', finished: '2026-12-07T01:00:01.000Z', computed: ['m'], reused: [], outputs: [],
    comparisons: {}, predictions: {}, monitors: {}, evaluations: {},
    models: { m: { algorithm: 'knn', task: 'regression', target: 'y', version: 'abc', modelHash: 'c'.repeat(64), features: ['x'], options: {}, trainRows: 10 } },
  };
  RunStore.open(join(outside, 'p.narml')).finishRun(run, { artifacts: { m: 'd'.repeat(64) } });
  symlinkSync(join(outside, '.narml'), join(inside, '.narml'));
  assert.equal(readRegistry(file).of(file, 'm')[0].version, 'v1', 'readable through the link');
  assert.throws(() => promote(file, 'm', 'v1', 'production'), (e: Error) => e instanceof WriteError && e.code === 'EOUTSIDE');
  assert.equal(readRegistry(file).find(file, 'm', 'production'), undefined);
});
