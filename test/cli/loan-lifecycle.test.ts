// The whole model lifecycle driven through the CLI as a user would, on loans that NarML's samples
// do not use (test/fixtures/loan-lifecycle, written by test/cli/reference/loan_lifecycle.py from
// scikit-learn's make_classification): a pipeline written from docs/language.md is trained and
// promoted, served, and predicts on a schedule over three days while the true outcomes arrive a
// day late. The training extract has a bug (online outcomes inverted), so once online applications
// arrive on day 2 the model degrades: its window's accuracy (checked here against a join of the
// prediction file and the labels) raises the alert, a webhook on 127.0.0.1 and a command receive
// it, and the monitor retrains `with_actuals`: on the labelled predictions as well as the training
// file, which is unchanged (without them the retrained model is production itself). The retrained
// version is judged better on the audit holdout and promoted; the server answers with it as
// `narml predict` does; `narml diff` and the audit log tell the story; rollback restores v1.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelsJson, NotifyEventJson, RetrainJson, RunJson } from '../../server/src/contracts/cli-json';
import { readStoreData } from '../../server/src/store/run-store';
import { narmlAsync as narml } from '../helpers/cli';
import { ensureBuilt } from '../helpers/ensure-built';
import { csvAsRows, post, predictionCells, sameAsPredict, startServer } from '../helpers/serving';
import { webhookReceiver } from '../helpers/webhook-receiver';

before(() => { ensureBuilt(); });

const fixture = join(__dirname, '..', 'fixtures', 'loan-lifecycle');

const pipeline = (hook: string): string => `# Which loans will default?
dataset loans from "data/loans.csv" {
  columns { loan_id: text }
}

dataset audit from "data/audit.csv" {
  columns { loan_id: text }
}

transform prepared from loans {
  drop loan_id
  impute income, utilisation with median
  impute region with mode
  encode region, channel as onehot
}

split parts from prepared { train: 80%, test: 20%, stratify: outcome, seed: 7 }

model risk from parts.train {
  target: outcome
  algorithm: random_forest(trees: 60)
}

evaluate risk on audit {
  metrics: [accuracy, f1, roc_auc]
}

predict daily with risk@production from "inbox/*.csv" {
  output: "out/scores.csv"
  schedule: "0 6 * * *"
}

monitor watch for risk@production {
  baseline: parts.train
  current: daily
  drift: [psi(threshold: 0.2), wasserstein(threshold: 5000)]
  actuals: "arrived/*.csv" on loan_id
  time: applied
  window: 1d
  min_rows: 50
  alert: accuracy < 0.75
  retrain: on_alert(with_actuals: true)
  schedule: "30 6 * * *"
  notify: [webhook "${hook}", command "cat > last-alert.json"]
}
`;

/** loan_id → outcome of a CSV of the fixture (no quoted fields). */
function outcomes(path: string, column: string): Map<string, string> {
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split('\n').map((l) => l.split(','));
  const id = header.indexOf('loan_id'), at = header.indexOf(column);
  return new Map(lines.map((cells) => [cells[id], cells[at]]));
}

/** The share of `predicted` loans whose label agrees: the window's accuracy as a user would compute it. */
function accuracy(predicted: Map<string, string>, labels: Map<string, string>): number {
  let right = 0;
  for (const [id, p] of predicted) if (labels.get(id) === p) right++;
  return right / predicted.size;
}

test('a loan model\'s lifecycle: train, promote, serve, scheduled predictions, late labels, alert, retrain with the labels, promotion, rollback', { timeout: 300_000 }, async () => {
  const hookServer = await webhookReceiver([{ status: 200 }]);
  const received = (): NotifyEventJson[] => hookServer.requests.map((q) => q.body as NotifyEventJson);
  try {
    const dir = mkdtempSync(join(tmpdir(), 'narml-loans-'));
    cpSync(join(fixture, 'data'), join(dir, 'data'), { recursive: true });
    for (const d of ['inbox', 'arrived']) mkdirSync(join(dir, d));
    const file = join(dir, 'loans.narml');
    writeFileSync(file, pipeline(hookServer.url));

    // Before any version exists, @production is an error that says what to run.
    const unchecked = await narml(['check', 'loans.narml'], dir);
    assert.equal(unchecked.status, 1);
    assert.match(unchecked.stdout + unchecked.stderr, /NML133 .*train it first \(narml run .*loans\.narml risk\), then promote a version: narml promote risk v1 --stage production/);
    const trained = await narml(['run', 'loans.narml', 'risk', 'risk_on_audit', '--json'], dir);
    assert.equal(trained.status, 0, trained.stderr);
    const v1Audit = (JSON.parse(trained.stdout) as RunJson).evaluations.risk_on_audit.metrics.accuracy;
    assert.equal((await narml(['promote', 'risk', 'v1', '--file', 'loans.narml'], dir)).status, 0);
    assert.equal((await narml(['check', 'loans.narml'], dir)).status, 0);

    // Served: the example row of /models is a typical training row, and it scores.
    const served = await startServer([join(__dirname, '..', '..', 'bin', 'narml.js'), 'serve', 'loans.narml', '--port', '0', '--json'], dir);
    try {
      assert.deepEqual(served.first.models.map((m) => [m.name, m.version]), [['risk', 'v1']]);
      const listing = await (await fetch(`${served.first.url}/models`)).json() as { models: { example: Record<string, unknown> }[] };
      const example = listing.models[0].example;
      const incomes = [...outcomes(join(fixture, 'data', 'loans.csv'), 'income').values()].map(Number);
      assert.ok(incomes.includes(example.income as number) && example.income !== 0, `a training income, not 0: ${example.income}`);
      const scored = await post(`${served.first.url}/predict/risk@production`, example);
      assert.equal(scored.status, 200, JSON.stringify(scored.json));
      assert.equal(scored.json.version, 'v1');
    } finally {
      assert.equal(await served.stop('SIGTERM'), 0, served.stderr());
    }

    const labels = (day: number) => outcomes(join(fixture, 'labels', `day${day}.csv`), 'outcome');
    const predicted: Map<string, string>[] = [];
    /** Day n: that day's applications in the inbox, the previous day's outcomes arrived; the scheduler fires every job once. */
    const day = async (n: number): Promise<string> => {
      rmSync(join(dir, 'inbox'), { recursive: true, force: true });
      mkdirSync(join(dir, 'inbox'));
      cpSync(join(fixture, 'incoming', `day${n}.csv`), join(dir, 'inbox', `day${n}.csv`));
      if (n > 1) cpSync(join(fixture, 'labels', `day${n - 1}.csv`), join(dir, 'arrived', `day${n - 1}.csv`));
      const fired = await narml(['scheduler', 'loans.narml', '--once-now'], dir);
      assert.equal(fired.status, 0, fired.stderr);
      assert.match(fired.stderr, / daily: wrote .*out\/scores\.csv/);
      predicted.push(outcomes(join(dir, 'out', 'scores.csv'), 'prediction'));
      return fired.stderr;
    };
    const watch = (): RunJson['monitors'][string] => readStoreData(file)!.runs.filter((r) => r.schedule?.job === 'monitor:watch').pop()!.monitors.watch;

    // Day 1: branch applications only (the channel drifts: a drift event), no outcome yet: nothing to judge.
    assert.match(await day(1), / monitor:watch: drift in channel, alert not raised/);
    assert.equal(watch().alert.judged, false);
    assert.deepEqual(received().map((e) => [e.event, e.message]), [['drift', 'monitor watch: drift in channel']]);
    // Day 2: day 1's outcomes arrive; the model does well on them.
    assert.match(await day(2), / monitor:watch: .*alert not raised/);
    const w1 = watch().actuals!.windows[0];
    assert.deepEqual([w1.start, w1.rows], ['2026-12-01T00:00:00.000Z', 300]);
    assert.ok(Math.abs(w1.metrics.accuracy - accuracy(predicted[0], labels(1))) < 1e-12, `${w1.metrics.accuracy} vs ${accuracy(predicted[0], labels(1))}`);
    assert.ok(w1.metrics.accuracy >= 0.75);
    assert.equal(received().length, 1, 'day 2: no drift, no alert, nothing sent');

    // Day 3: day 2's outcomes (60% online) arrive: accuracy falls below 0.75; day 3's applications drift.
    const third = await day(3);
    const report = watch();
    const w2 = report.actuals!.windows[1];
    assert.ok(Math.abs(w2.metrics.accuracy - accuracy(predicted[1], labels(2))) < 1e-12);
    assert.ok(w2.metrics.accuracy < 0.75, `day 2's accuracy ${w2.metrics.accuracy}`);
    assert.equal(report.alert.raised, true);
    assert.match(report.alert.reason, /^alert: accuracy < 0\.75 holds on window 2026-12-02 to 2026-12-03 \(300 labelled rows of 300 predictions\)/);
    assert.ok(report.methods.psi.drifted.includes('income') && report.methods.psi.drifted.includes('region'), JSON.stringify(report.methods.psi));
    assert.deepEqual(report.methods.wasserstein.drifted, ['income']);

    // The retraining learned from the 600 labelled predictions and is judged on the audit holdout.
    const retrain = report.retrain as RetrainJson;
    assert.deepEqual([retrain.decision, retrain.champion?.version, retrain.challenger.version, retrain.holdout], ['promoted', 'v1', 'v2', 'audit']);
    assert.deepEqual(retrain.withActuals, { monitor: 'watch', rows: 600, withoutInputs: 0, files: [join(dir, 'arrived', 'day1.csv'), join(dir, 'arrived', 'day2.csv')] });
    assert.ok(retrain.comparison!.p_value < 0.05 && retrain.challenger.score! > retrain.champion!.score!);
    assert.match(third, /risk promoted: the retrained model is significantly better: accuracy .* against .* of production v1 on audit, mcnemar p = .* < 0\.05 \(retrained with 600 labelled predictions of actuals added to its training rows\); promoted as v2/);
    assert.deepEqual(received().map((e) => e.event), ['drift', 'alert', 'retrain']);
    assert.equal(JSON.parse(readFileSync(join(dir, 'last-alert.json'), 'utf8')).event, 'retrain');

    // The registry: v2 trained on the 240 training rows and the 600 labelled ones, better on audit.
    const models = JSON.parse((await narml(['models', 'risk', '--file', 'loans.narml', '--json'], dir)).stdout) as ModelsJson;
    assert.deepEqual(models.models.map((v) => [v.version, v.stage ?? null, v.trainRows]), [['v1', 'archived', 240], ['v2', 'production', 840]]);
    assert.equal(models.models[1].withActuals?.rows, 600);
    assert.match((await narml(['models', 'risk', '--file', 'loans.narml'], dir)).stdout, /risk v2 {3}production .*\n.*\n {4}retrained by monitor watch with 600 labelled predictions \(840 training rows in all\)/);
    assert.ok(models.models[1].metrics.audit.accuracy > v1Audit + 0.1, `${models.models[1].metrics.audit.accuracy} vs ${v1Audit}`);
    const diff = await narml(['diff', 'risk', 'v1', 'v2', '--file', 'loans.narml'], dir);
    assert.match(diff.stdout, /training rows: 240 → 840\n {2}with actuals: none → 600 labelled predictions of monitor watch/);
    const history = await narml(['history', 'loans.narml'], dir);
    assert.match(history.stdout, /\(retrained with actuals by monitor watch of run \S+\)/);

    // Served again, @production is v2 and answers as narml predict does with it.
    const predict = await narml(['predict', 'loans.narml', 'daily', '--json'], dir);
    assert.equal(predict.status, 0, predict.stderr);
    const again = await startServer([join(__dirname, '..', '..', 'bin', 'narml.js'), 'serve', 'loans.narml', 'risk@production', '--port', '0', '--json'], dir);
    try {
      const listing = await (await fetch(`${again.first.url}/models`)).json() as { models: { version: string; input: { name: string; type: string }[] }[] };
      assert.equal(listing.models[0].version, 'v2');
      const rows = csvAsRows(join(dir, 'inbox', 'day3.csv'), listing.models[0].input);
      const r = await post(`${again.first.url}/predict/risk@production`, { rows });
      assert.equal(r.status, 200, JSON.stringify(r.json));
      assert.deepEqual(sameAsPredict(r.json.predictions, predictionCells(join(dir, 'out', 'scores.csv'))), []);
    } finally {
      assert.equal(await again.stop('SIGTERM'), 0, again.stderr());
    }

    // Day 4: day 3's outcomes arrive, no new applications. Day 3 was predicted by v1 (the schedule)
    // and again by v2 (the predict above): the alert is judged on v2's own predictions, not on v1's
    // windows. v2 also falls short on the drifted day 3, so it retrains with 900 labelled rows and
    // the result is not significantly better: v2 stays.
    rmSync(join(dir, 'inbox'), { recursive: true, force: true });
    mkdirSync(join(dir, 'inbox'));
    cpSync(join(fixture, 'labels', 'day3.csv'), join(dir, 'arrived', 'day3.csv'));
    const fourth = await narml(['scheduler', 'loans.narml', '--once-now'], dir);
    assert.equal(fourth.status, 0, fourth.stderr);
    const judged = watch().actuals!.judged!;
    assert.deepEqual([judged.version, judged.otherPredictions, judged.windows.map((w) => [w.start.slice(0, 10), w.rows])], ['v2', 600, [['2026-12-03', 300]]]);
    const v2Day3 = outcomes(join(dir, 'out', 'scores.csv'), 'prediction');
    assert.ok(Math.abs(judged.windows[0].metrics.accuracy - accuracy(v2Day3, labels(3))) < 1e-12);
    assert.ok(judged.windows[0].metrics.accuracy < 0.75);
    assert.match(watch().alert.reason, /^alert: accuracy < 0\.75 holds on window 2026-12-03 to 2026-12-04 \(300 labelled rows of 300 predictions\).* \(judged on the predictions of risk v2 only: 600 predictions of other versions are left out\)$/);
    const again4 = watch().retrain!;
    assert.deepEqual([again4.decision, again4.champion?.version, again4.challenger.version, again4.withActuals?.rows], ['kept', 'v2', 'v3', 900]);

    // Roll back: v1 is production again; the audit log holds the promotions, the retraining and the rollback.
    assert.equal((await narml(['rollback', 'risk', '--file', 'loans.narml'], dir)).status, 0);
    const after = JSON.parse((await narml(['models', 'risk', '--file', 'loans.narml', '--json'], dir)).stdout) as ModelsJson;
    assert.deepEqual(after.models.map((v) => [v.version, v.stage ?? null]), [['v1', 'production'], ['v2', 'archived'], ['v3', null]]);
    const audit = JSON.parse((await narml(['audit', 'loans.narml', '--json'], dir)).stdout) as { events: { action: string; outcome: string; version?: string }[] };
    assert.deepEqual(audit.events.filter((e) => e.action !== 'run' && e.action !== 'serve').map((e) => [e.action, e.outcome, e.version ?? null]), [
      ['promote', 'ok', 'v1'], ['promote', 'ok', 'v2'], ['retrain', 'promoted', 'v2'], ['retrain', 'kept', 'v3'], ['rollback', 'ok', 'v1'],
    ]);
  } finally {
    await hookServer.close();
  }
});
