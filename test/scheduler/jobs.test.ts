// Scheduled monitors and retrainings beside a scheduled predict: `narml scheduler list` shows the
// three jobs, `pause` keeps one from firing (also in a later scheduler process: the state is in
// the store), `resume` brings it back; a firing that failed after its retries is posted to the
// job's webhook on 127.0.0.1 and the delivery is recorded with the attempt.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NotifyEventJson, ScheduleStatusJson } from '../../server/src/contracts/cli-json';
import { readStoreData } from '../../server/src/store/run-store';
import { narmlAsync as narml, root } from '../helpers/cli';
import { ensureBuilt } from '../helpers/ensure-built';
import { webhookReceiver } from '../helpers/webhook-receiver';

before(() => { ensureBuilt(); });

function pipeline(hook: string): string {
  return `dataset iris from "data/iris.csv"
split parts from iris { train: 75%, test: 25%, stratify: species, seed: 3 }

model m from parts.train {
  target: species
  algorithm: logistic_regression
}

predict nightly with m from "data/iris.csv" {
  output: "out/nightly.csv"
  schedule: "0 2 * * *"
  retries: 1
  notify: webhook "${hook}"
}

monitor watch for m {
  current: nightly
  schedule: "30 2 * * *"
  retrain: schedule "0 4 * * 0"
  notify: webhook "${hook}"
}
`;
}

test('scheduler list, pause and resume; a paused job is skipped by a later scheduler; a failed firing is posted to the webhook', { timeout: 180_000 }, async () => {
  const hookServer = await webhookReceiver([{ status: 200 }]);
  const received = (): NotifyEventJson[] => hookServer.requests.map((q) => q.body as NotifyEventJson);
  const hook = hookServer.url;
  try {
    const dir = mkdtempSync(join(tmpdir(), 'narml-jobs-'));
    mkdirSync(join(dir, 'data'));
    cpSync(join(root, 'test', 'fixtures', 'data', 'iris.csv'), join(dir, 'data', 'iris.csv'));
    const file = join(dir, 'p.narml');
    writeFileSync(file, pipeline(hook));

    const listed = await narml(['scheduler', 'list', '--json'], dir);
    assert.equal(listed.status, 0, listed.stderr);
    const jobs = (JSON.parse(listed.stdout) as { jobs: ScheduleStatusJson[] }).jobs;
    assert.deepEqual(jobs.map((j) => [j.job, j.schedule, j.paused]), [['predict:nightly', '0 2 * * *', false], ['monitor:watch', '30 2 * * *', false], ['retrain:watch', '0 4 * * 0', false]]);
    assert.ok(jobs.every((j) => j.nextFire && Date.parse(j.nextFire) > Date.now() && j.lastFire === undefined));
    assert.equal(new Date(jobs[2].nextFire!).getDay(), 0, 'the retraining fires on a Sunday');

    // "watch" names two jobs: the id is needed.
    const ambiguous = await narml(['scheduler', 'pause', 'watch'], dir);
    assert.equal(ambiguous.status, 2);
    assert.match(ambiguous.stderr, /"watch" names 2 jobs \(monitor:watch in .*, retrain:watch in .*\); name one by its id/);
    const paused = await narml(['scheduler', 'pause', 'retrain:watch', 'p.narml'], dir);
    assert.equal(paused.status, 0, paused.stderr);
    assert.match(paused.stdout, /^retrain:watch paused/);

    // A new scheduler process: the pause holds; the two other jobs fire.
    const once = await narml(['scheduler', 'p.narml', '--once-now'], dir);
    assert.equal(once.status, 0, once.stderr);
    assert.match(once.stderr, /retrain:watch: paused; not fired/);
    assert.match(once.stderr, / nightly: wrote .*nightly\.csv \(attempt 1\)\n.* monitor:watch: no drift, alert not raised \(attempt 1\)/);
    const after = (JSON.parse((await narml(['scheduler', 'list', '--json'], dir)).stdout) as { jobs: ScheduleStatusJson[] }).jobs;
    assert.deepEqual(after.map((j) => [j.job, j.paused, j.lastOutcome ?? null]), [['predict:nightly', false, 'succeeded'], ['monitor:watch', false, 'succeeded'], ['retrain:watch', true, null]]);
    assert.equal(after[2].nextFire, undefined, 'a paused job has no next firing');
    const monitorRun = readStoreData(file)!.runs.find((r) => r.schedule?.job === 'monitor:watch');
    assert.ok(monitorRun?.monitors.watch, 'the monitor job ran the monitor');
    assert.equal(monitorRun.monitors.watch.retrained, false, 'a monitor firing does not retrain: its retrain schedule does');

    const resumed = await narml(['scheduler', 'resume', 'retrain:watch'], dir);
    assert.match(resumed.stdout, /^retrain:watch resumed/);
    const text = (await narml(['scheduler', 'list'], dir)).stdout;
    assert.match(text, /^retrain:watch +"0 4 \* \* 0" +next \d{4}-/m);
    assert.match(text, /^predict:nightly +"0 2 \* \* \*" +next \S+ +last \S+ succeeded/m);

    // The predict's output path is taken by a folder: both attempts fail, then the webhook is told.
    hookServer.requests.length = 0;
    rmSync(join(dir, 'out', 'nightly.csv'));
    mkdirSync(join(dir, 'out', 'nightly.csv'));
    const failing = await narml(['scheduler', 'pause', 'monitor:watch'], dir);
    assert.equal(failing.status, 0);
    await narml(['scheduler', 'pause', 'retrain:watch'], dir);
    const bad = await narml(['scheduler', 'p.narml', '--once-now'], dir);
    assert.equal(bad.status, 1, bad.stderr);
    assert.equal(received().length, 1, JSON.stringify(received()));
    assert.equal(received()[0].event, 'failure');
    assert.equal(received()[0].predict, 'nightly');
    assert.equal(received()[0].pipeline, file);
    assert.match(received()[0].message, /^predict:nightly failed after 2 attempts: .*nightly\.csv/);
    const attempts = readStoreData(file)!.attempts.filter((a) => a.job === 'predict:nightly' && a.status === 'failed');
    assert.equal(attempts.length, 2);
    assert.equal(attempts[0].notified, undefined, 'the first failure is retried, not notified');
    assert.deepEqual(attempts[1].notified, [{ target: `webhook ${hook}`, ok: true, attempts: 1, status: 200 }]);
  } finally {
    await hookServer.close();
  }
});
