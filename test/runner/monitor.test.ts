// `monitor ... { current: T }` compares table T exactly as declared: its filter keeps only the
// drifted rows, its derived column is compared, its dropped column is not. The fixture's "new"
// rows (one in ten) are shifted; over the whole dataset the shift hides below the threshold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkWithFullSchemas } from '../../server/src/checker/check-files';
import { hasErrors } from '../../server/src/checker/checked-model';
import { runPipeline } from '../../server/src/runner/run-pipeline';

const fixtures = join(__dirname, '..', 'fixtures', 'pipelines');

test('a monitor compares the current table as declared: its filter, derived and dropped columns', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'narml-monitor-'));
  cpSync(join(fixtures, 'data', 'sensor-drift.csv'), join(dir, 'data', 'sensor-drift.csv'));
  const file = join(dir, 'filtered-monitor.narml');
  const text = readFileSync(join(fixtures, 'filtered-monitor.narml'), 'utf8');
  const checked = await checkWithFullSchemas(text, file);
  assert.ok(!hasErrors(checked), checked.diagnostics.map((d) => d.message).join('; '));
  const run = await runPipeline(checked);
  assert.equal(run.status, 'succeeded', run.error);
  const watch = run.monitors.recent_watch;
  assert.deepEqual(Object.keys(watch.scores).sort(), ['x', 'x_doubled'], 'z is dropped from the current table; label is the target');
  assert.ok(watch.scores.x > 1, `psi of the shifted rows: ${watch.scores.x}`);
  assert.deepEqual(watch.drifted.sort(), ['x', 'x_doubled']);
});

test('the same monitor over the whole dataset sees no drift (the filter is what matters)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'narml-monitor-'));
  cpSync(join(fixtures, 'data', 'sensor-drift.csv'), join(dir, 'data', 'sensor-drift.csv'));
  const file = join(dir, 'whole.narml');
  const text = readFileSync(join(fixtures, 'filtered-monitor.narml'), 'utf8').replace('current: recent', 'current: readings');
  const checked = await checkWithFullSchemas(text, file);
  const run = await runPipeline(checked);
  assert.equal(run.status, 'succeeded', run.error);
  const watch = run.monitors.recent_watch;
  assert.ok(watch.scores.x < 0.2, `whole-data psi ${watch.scores.x}`);
  assert.deepEqual(watch.drifted, []);
});
