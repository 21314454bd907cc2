// The loop as a user drives it, through the CLI on iris: train and promote (a model fitted on
// labels that went wrong), predict on a schedule, feed drifted rows, fix the training file; the
// scheduled monitor finds the drift, retrains, judges the new model better than production and
// promotes it, and a webhook on 127.0.0.1 receives the drift and the decision; then roll back.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelsJson, NotifyEventJson, RetrainJson } from '../../server/src/contracts/cli-json';
import { readStoreData } from '../../server/src/store/run-store';
import { narmlAsync as narml } from '../helpers/cli';
import { csv, holdout, RETRAIN_HEAD, training } from '../helpers/retrain-iris';
import { ensureBuilt } from '../helpers/ensure-built';
import { webhookReceiver } from '../helpers/webhook-receiver';

before(() => { ensureBuilt(); });

const SPECIES = ['setosa', 'versicolor', 'virginica'];
/** The training rows with labels that went wrong (each row's species moved one on): a model learns them wrong. */
const mislabelled = training.map((r) => r.replace(/[^,]+$/, (s) => SPECIES[(SPECIES.indexOf(s) + 1) % 3]));
/** New rows whose flowers are larger than any seen in training: drift in every column. */
const drifted = holdout.map((r) => r.split(',').map((v, i) => (i < 4 ? String(Number(v) * 1.8 + 2) : v)).join(','));

function pipeline(hook: string): string {
  return `${RETRAIN_HEAD}
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
  const hookServer = await webhookReceiver([{ status: 202 }]);
  const received = (): NotifyEventJson[] => hookServer.requests.map((q) => q.body as NotifyEventJson);
  const hook = hookServer.url;
  try {
    const dir = mkdtempSync(join(tmpdir(), 'narml-loop-'));
    for (const d of ['data', 'incoming']) mkdirSync(join(dir, d));
    const file = join(dir, 'p.narml');
    writeFileSync(file, pipeline(hook));
    writeFileSync(join(dir, 'data', 'holdout.csv'), csv(holdout));
    writeFileSync(join(dir, 'data', 'train.csv'), csv(mislabelled));
    writeFileSync(join(dir, 'incoming', 'day-1.csv'), csv(holdout));

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
    assert.equal(received().length, 0, JSON.stringify(received()));

    // Day 2: drifted rows arrive, and the training file is fixed (the newest data as declared).
    writeFileSync(join(dir, 'incoming', 'day-1.csv'), csv(drifted));
    writeFileSync(join(dir, 'data', 'train.csv'), csv(training));
    const day2 = await narml(['scheduler', 'p.narml', '--once-now'], dir);
    assert.equal(day2.status, 0, day2.stderr);
    assert.match(day2.stderr, / monitor:watch: drift in .*petal_length_cm.*; m promoted: the retrained model is significantly better: accuracy .* against .* of production v1 on holdout, mcnemar p = .* < 0\.05; promoted as v2/);

    // The webhook got the drift and the decision; the command wrote the last one.
    assert.deepEqual(received().map((e) => [e.event, e.monitor, e.pipeline]), [['drift', 'watch', file], ['retrain', 'watch', file]]);
    const decision = (received()[1].report as { retrain: RetrainJson }).retrain;
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
    await hookServer.close();
  }
});
