// The extension's panel placement and the sentences of its notifications and status bar.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BESIDE, panelColumn } from '../../extension/src/panels/panel-column';
import { nothingToSchedule, notifyNotice, outputsSentence, parseNotifyLine, schedulerStatusText, schedulesOf } from '../../extension/src/notice-text';
import type { PipelineGraphNode } from '../../server/src/contracts/lsp-requests';

test('the first NarML panel opens beside the editor; later ones join its group', () => {
  assert.equal(panelColumn([]), BESIDE);
  assert.equal(panelColumn([undefined]), BESIDE, 'a panel not shown anywhere gives no column');
  assert.equal(panelColumn([2]), 2);
  assert.equal(panelColumn([undefined, 3, 2]), 3);
});

test('a run that wrote files names them (three at most)', () => {
  assert.equal(outputsSentence({ run: 'r1', outputs: [] }), 'NarML: run r1 succeeded.');
  assert.equal(outputsSentence({ run: 'r1', outputs: ['/ws/out/predictions.csv', '/ws/model.onnx'] }), 'NarML: run r1 succeeded; wrote predictions.csv, model.onnx.');
  assert.equal(outputsSentence({ run: 'r1', outputs: ['/a/1.csv', '/a/2.csv', '/a/3.csv', '/a/4.csv', '/a/5.csv'] }), 'NarML: run r1 succeeded; wrote 1.csv, 2.csv, 3.csv and 2 more.');
});

test('the scheduler is started only with schedules, and the status bar names them', () => {
  const node = (name: string, kind: string, schedule?: string): PipelineGraphNode => ({ name, kind, line: 0, dependsOn: [], errors: 0, warnings: 0, ...(schedule ? { schedule } : {}) });
  assert.deepEqual(schedulesOf([node('data', 'dataset'), node('nightly', 'predict'), node('daily', 'predict', '0 2 * * *'), node('watch', 'monitor', '0 * * * *')]), [{ kind: 'predict', name: 'daily', schedule: '0 2 * * *' }, { kind: 'monitor', name: 'watch', schedule: '0 * * * *' }]);
  assert.deepEqual(schedulesOf([node('data', 'dataset'), node('nightly', 'predict')]), []);
  assert.match(nothingToSchedule('/ws/churn.narml'), /^Nothing to schedule in churn\.narml: no predict or monitor has a schedule\. Add schedule: "0 2 \* \* \*"/);
  assert.equal(schedulerStatusText('/ws/churn.narml', [{ kind: 'predict', name: 'daily', schedule: '0 2 * * *' }]).text, '$(watch) NarML scheduler: daily at "0 2 * * *"');
  const two = schedulerStatusText('/ws/churn.narml', [{ kind: 'predict', name: 'daily', schedule: '0 2 * * *' }, { kind: 'monitor', name: 'hourly', schedule: '0 * * * *' }]);
  assert.equal(two.text, '$(watch) NarML scheduler: 2 schedules');
  assert.match(two.tooltip, /churn\.narml:\n {2}predict daily: "0 2 \* \* \*"\n {2}monitor hourly: "0 \* \* \* \*"\nClick to stop it/);
});

test('the scheduler\'s notify lines become notifications: a failure as an error, the others as warnings', () => {
  const event = { pipeline: '/ws/churn.narml', monitor: 'watch', event: 'alert' as const, message: 'monitor watch: f1 < 0.7 holds (f1 0.61)', report: {}, time: '2026-12-07T06:00:00Z' };
  assert.deepEqual(parseNotifyLine(JSON.stringify({ type: 'notify', event })), event);
  assert.equal(parseNotifyLine('2026-12-07T06:00:00Z nightly: wrote out/x.csv'), undefined, 'a log line is not an event');
  assert.equal(parseNotifyLine(JSON.stringify({ type: 'stage', event })), undefined);
  assert.equal(parseNotifyLine(JSON.stringify({ type: 'notify', event: { message: 1 } })), undefined, 'a malformed event is dropped');
  assert.deepEqual(notifyNotice(event), { text: 'NarML (churn.narml): monitor watch: f1 < 0.7 holds (f1 0.61)', error: false });
  assert.equal(notifyNotice({ ...event, event: 'failure' }).error, true);
});
