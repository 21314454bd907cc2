// The Monitor Trends panel's shaping of alert conditions into limit lines (the drift and metric
// charts are checked on the three-day scenario in test/runner/monitor-actuals.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alertLimits, driftCharts } from '../../webviews/src/trends-data';
import type { MonitorTrendsJson } from '../../server/src/contracts/cli-json';

test('an alert condition becomes one limit per comparison; percentages are fractions', () => {
  assert.deepEqual(alertLimits('f1 < 0.7 or (accuracy <= 80% and drift > 0)'), [
    { metric: 'f1', operator: '<', value: 0.7 }, { metric: 'accuracy', operator: '<=', value: 0.8 }, { metric: 'drift', operator: '>', value: 0 },
  ]);
  assert.deepEqual(alertLimits(undefined), []);
});

test('a column missing from a run leaves a gap, not a zero; a run without a method is skipped', () => {
  const alert = { raised: false, judged: false, reason: '', window: null };
  const t: MonitorTrendsJson = {
    file: '/p.narml', monitor: 'w', windows: [], alert,
    runs: [
      { run: 'a', started: '1', status: 'succeeded', drifted: [], alert, methods: { psi: { threshold: 0.2, scores: { x: 0.1, y: 0.3 }, drifted: ['y'] } } },
      { run: 'b', started: '2', status: 'succeeded', drifted: [], alert, methods: { ks: { threshold: 0.1, scores: { x: 0.05 }, drifted: [] } } },
      { run: 'c', started: '3', status: 'succeeded', drifted: [], alert, methods: { psi: { threshold: 0.25, scores: { x: 0.4 }, drifted: ['x'], prediction: { score: 0.5, drifted: true } } } },
    ],
  };
  const charts = driftCharts(t);
  assert.deepEqual(charts.map((c) => [c.method, c.threshold]), [['psi', 0.25], ['ks', 0.1]]);
  assert.deepEqual(charts[0].series.map((s) => [s.label, s.x, s.y]), [['x', [1, 3], [0.1, 0.4]], ['y', [1], [0.3]], ['(prediction)', [3], [0.5]]]);
});
