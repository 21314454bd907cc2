// Retraining on iris: a model trained on the current training file (the challenger) is judged
// against the production version (the champion) on the same held-out rows with McNemar's test.
// A champion trained on shuffled labels loses to a challenger trained on the true ones, which is
// promoted; a challenger trained on shuffled labels is refused with the figures of both; with no
// production version the challenger becomes production; an unchanged model is production itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkWithFullSchemas } from '../../server/src/checker/check-files';
import { hasErrors } from '../../server/src/checker/checked-model';
import type { RetrainJson } from '../../server/src/contracts/cli-json';
import { runPipeline } from '../../server/src/runner/run-pipeline';
import { readAudit } from '../../server/src/store/audit-log';
import { readRegistry } from '../../server/src/store/registry';
import { csv, holdout, RETRAIN_HEAD, shuffledLabels, training } from '../helpers/retrain-iris';

const PIPELINE = `${RETRAIN_HEAD}
monitor watch for m {
  current: holdout
  retrain: schedule "0 3 * * 0"
}
`;

/** The registry's production version of m now. */
function production(file: string): string | undefined {
  return readRegistry(file).find(file, 'm', 'production')?.version;
}

async function retrainWith(dir: string, trainRows: string[]): Promise<RetrainJson> {
  writeFileSync(join(dir, 'data', 'train.csv'), csv(trainRows));
  const file = join(dir, 'p.narml');
  const checked = await checkWithFullSchemas(PIPELINE, file);
  assert.ok(!hasErrors(checked), checked.diagnostics.map((d) => d.message).join('; '));
  const run = await runPipeline(checked, { retrainNow: ['watch'] });
  assert.equal(run.status, 'succeeded', run.error);
  const report = run.monitors.watch;
  assert.equal(report.retrained, true);
  return report.retrain!;
}

test('retraining promotes a significantly better challenger and refuses a worse one, saying why', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'narml-retrain-'));
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'data', 'holdout.csv'), csv(holdout));
  const file = join(dir, 'p.narml');

  const first = await retrainWith(dir, shuffledLabels(7));
  assert.equal(first.decision, 'promoted');
  assert.match(first.reason, /^no version of m is in production yet: the retrained model becomes production \(accuracy 0\.\d+ on holdout\); promoted as v1$/);
  assert.equal(first.comparison, undefined);
  assert.ok(first.challenger.score! < 0.6, `shuffled labels score ${first.challenger.score}`);

  const better = await retrainWith(dir, training);
  assert.equal(better.decision, 'promoted');
  assert.equal(better.holdout, 'holdout');
  assert.equal(better.comparison!.test, 'mcnemar');
  assert.equal(better.comparison!.winner, 'challenger');
  assert.ok(better.comparison!.p_value < 0.05);
  assert.ok(better.challenger.score! > 0.9 && better.champion!.score! < 0.6, JSON.stringify(better));
  assert.equal(better.champion!.version, 'v1');
  assert.match(better.reason, /^the retrained model is significantly better: accuracy (1|0\.9\d*) against 0\.\d+ of production v1 on holdout, mcnemar p = [\d.e-]+ < 0\.05; promoted as v2$/);
  assert.equal(production(file), 'v2');

  const worse = await retrainWith(dir, shuffledLabels(11));
  assert.equal(worse.decision, 'kept');
  assert.equal(worse.comparison!.winner, 'champion');
  assert.equal(worse.champion!.version, 'v2');
  assert.match(worse.reason, /^the retrained model is not better: accuracy 0\.\d+ against (1|0\.9\d*) of production v2 on holdout, mcnemar p = [\d.e-]+; production v2 stays$/);
  assert.equal(production(file), 'v2', 'nothing promoted');

  const same = await retrainWith(dir, training);
  assert.equal(same.decision, 'kept');
  assert.match(same.reason, /is production v2 itself/);
  assert.equal(production(file), 'v2');
  assert.deepEqual(readRegistry(file).of(file, 'm').map((v) => [v.version, v.stage ?? null]), [['v1', 'archived'], ['v2', 'production'], ['v3', null]]);
  const audit = readAudit(join(dir, '.narml')).events.filter((e) => e.action === 'retrain' || e.action === 'promote');
  assert.deepEqual(audit.map((e) => [e.action, e.outcome, e.version ?? null]), [['promote', 'ok', 'v1'], ['retrain', 'promoted', 'v1'], ['promote', 'ok', 'v2'], ['retrain', 'promoted', 'v2'], ['retrain', 'kept', 'v3'], ['retrain', 'kept', 'v2']]);
});

test('a challenger better but not significantly so is kept, with its p-value', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'narml-retrain-'));
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'data', 'holdout.csv'), csv(holdout));
  const file = join(dir, 'p.narml');
  // Production trained on half the rows; the challenger on all: both score about the same.
  await retrainWith(dir, training.filter((_, i) => i % 2 === 0));
  const close = await retrainWith(dir, training);
  assert.equal(close.decision, 'kept');
  assert.equal(close.comparison!.significant, false);
  assert.ok(close.comparison!.p_value >= 0.05);
  assert.match(close.reason, /(scores higher but not significantly|is not better): accuracy [\d.]+ against [\d.]+ of production v1 on holdout, mcnemar p = [\d.]+/);
  assert.equal(production(file), 'v1');
});
