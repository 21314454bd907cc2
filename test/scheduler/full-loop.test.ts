// The loop as a user drives it, through the CLI on iris: train and promote (a model fitted on
// labels that went wrong), predict on a schedule, feed drifted rows, fix the training file; the
// scheduled monitor finds the drift, retrains, judges the new model better than production and
// promotes it, and a webhook on 127.0.0.1 receives the drift and the decision; then roll back.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelsJson, NotifyEventJson, RetrainJson } from '../../server/src/contracts/cli-json';
import { readStoreData } from '../../server/src/store/run-store';
import { cli, root } from '../helpers/cli';
import { ensureBuilt } from '../helpers/ensure-built';

before(() => { ensureBuilt(); });

function narml(args: string[], cwd: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const iris = readFileSync(join(root, 'test', 'fixtures', 'data', 'iris.csv'), 'utf8').trim().split('\n');
const header = iris[0];
const rows = iris.slice(1);
const holdout = rows.filter((_, i) => i % 3 === 0);
const training = rows.filter((_, i) => i % 3 !== 0);
const species = ['setosa', 'versicolor', 'virginica'];
/** The training rows with labels that went wrong (each row's species moved one on): a model learns them wrong. */
const mislabelled = training.map((r) => r.replace(/[^,]+$/, (s) => species[(species.indexOf(s) + 1) % 3]));
/** New rows whose flowers are larger than any seen in training: drift in every column. */
const drifted = holdout.map((r) => r.split(',').map((v, i) => (i < 4 ? String(Number(v) * 1.8 + 2) : v)).join(','));

function pipeline(hook: string): string {
  return `dataset train from "data/train.csv"
dataset holdout from "data/holdout.csv"

model m from train {
  target: species
  algorithm: logistic_regression
}

evaluate m on holdout {
  metrics: [accuracy]
}

predict nightly with m from "incoming/*.csv" {
  output: "out/nightly.csv"
  schedule: "0 2 * * *"
}

monitor watch for m {
  baseline: train
  current: nightly
  drift: psi(threshold: 1)
  retrain: on_drift
  schedule: "30 2 * * *"
  notify: [webhook "${hook}", command "cat > last-alert.json"]
}
`;
}

test('train, promote, predict on a schedule, drift, retrain and promote a better model, notify, roll back', { timeout: 240_000 }, async () => {
  const received: NotifyEventJson[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => { received.push(JSON.parse(body)); res.writeHead(202); res.end(); });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const dir = mkdtempSync(join(tmpdir(), 'narml-loop-'));
    for (const d of ['data', 'incoming']) mkdirSync(join(dir, d));
    const file = join(dir, 'p.narml');
    writeFileSync(file, pipeline(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`));
    writeFileSync(join(dir, 'data', 'holdout.csv'), `${header}\n${holdout.join('\n')}\n`);
    writeFileSync(join(dir, 'data', 'train.csv'), `${header}\n${mislabelled.join('\n')}\n`);
    writeFileSync(join(dir, 'incoming', 'day-1.csv'), `${header}\n${holdout.join('\n')}\n`);

    // Train and promote by hand.
    const checked = await narml(['check', 'p.narml'], dir);
    assert.equal(checked.status, 0, checked.stdout + checked.stderr);
    const first = await narml(['run', 'p.narml', 'm', 'nightly'], dir);
    assert.equal(first.status, 0, first.stderr);
    assert.equal((await narml(['promote', 'm', 'v1', '--file', 'p.narml'], dir)).status, 0);

    // Day 1 on the schedule: rows like the training ones (PSI of 50 against 100 rows of one
    // distribution stays well below 1), no drift, nothing to tell.
    const day1 = await narml(['scheduler', 'p.narml', '--once-now'], dir);
    assert.equal(day1.status, 0, day1.stderr);
    assert.match(day1.stderr, / nightly: wrote .*nightly\.csv/);
    assert.match(day1.stderr, / monitor:watch: no drift, alert not raised/);
    assert.equal(received.length, 0, JSON.stringify(received));

    // Day 2: drifted rows arrive, and the training file is fixed (the newest data as declared).
    writeFileSync(join(dir, 'incoming', 'day-1.csv'), `${header}\n${drifted.join('\n')}\n`);
    writeFileSync(join(dir, 'data', 'train.csv'), `${header}\n${training.join('\n')}\n`);
    const day2 = await narml(['scheduler', 'p.narml', '--once-now'], dir);
    assert.equal(day2.status, 0, day2.stderr);
    assert.match(day2.stderr, / monitor:watch: drift in .*petal_length_cm.*; m promoted: the retrained model is significantly better: accuracy .* against .* of production v1 on holdout, mcnemar p = .* < 0\.05; promoted as v2/);

    // The webhook got the drift and the decision; the command wrote the last one.
    assert.deepEqual(received.map((e) => [e.event, e.monitor, e.pipeline]), [['drift', 'watch', file], ['retrain', 'watch', file]]);
    const decision = (received[1].report as { retrain: RetrainJson }).retrain;
    assert.deepEqual([decision.decision, decision.champion?.version, decision.challenger.version, decision.comparison?.winner], ['promoted', 'v1', 'v2', 'challenger']);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'last-alert.json'), 'utf8')).event, 'retrain');
    const record = readStoreData(file)!.runs.filter((r) => r.schedule?.job === 'monitor:watch').pop()!;
    assert.deepEqual(record.monitors.watch.notified?.map((n) => [n.event, n.target.split(' ')[0], n.ok]), [['drift', 'webhook', true], ['drift', 'command', true], ['retrain', 'webhook', true], ['retrain', 'command', true]]);
    assert.equal(record.monitors.watch.retrain?.decision, 'promoted', 'the record holds the decision');

    const models = JSON.parse((await narml(['models', 'm', '--file', 'p.narml', '--json'], dir)).stdout) as ModelsJson;
    assert.deepEqual(models.models.map((v) => [v.version, v.stage ?? null]), [['v1', 'archived'], ['v2', 'production']]);

    // Roll back: production is v1 again, and the audit log holds the whole story.
    assert.equal((await narml(['rollback', 'm', '--file', 'p.narml'], dir)).status, 0);
    const after = JSON.parse((await narml(['models', 'm', '--file', 'p.narml', '--json'], dir)).stdout) as ModelsJson;
    assert.deepEqual(after.models.map((v) => [v.version, v.stage ?? null]), [['v1', 'production'], ['v2', 'archived']]);
    const audit = JSON.parse((await narml(['audit', 'p.narml', '--json'], dir)).stdout) as { events: { action: string; outcome: string; version?: string }[] };
    assert.deepEqual(audit.events.filter((e) => e.action !== 'run').map((e) => [e.action, e.outcome, e.version ?? null]), [
      ['promote', 'ok', 'v1'], ['promote', 'ok', 'v2'], ['retrain', 'promoted', 'v2'], ['rollback', 'ok', 'v1'],
    ]);
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
});
