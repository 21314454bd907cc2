// The Experiments panel's model in Node: columns of run × model rows, sorting (empty cells last),
// the filter language, the diff of two rows, the metric-across-runs plot geometry, the
// leaderboard of tune trials and the number format people read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ExperimentRow, TrialJson } from '../../server/src/contracts/cli-json';
import { fmt } from '../../webviews/src/format';
import { columnsOf, diffRows, filterRows, leaderboard, metricSeries, niceTicks, plotLayout, sortRows, variedOptions } from '../../webviews/src/experiments-table';

function row(run: string, started: string, model: string, params: Record<string, unknown>, accuracy: number | undefined, extra: Partial<ExperimentRow> = {}): ExperimentRow {
  return {
    run, status: 'succeeded', started, finished: started, durationMs: 1500, model, algorithm: 'knn', version: `v-${run}-${model}`,
    params, reused: false, inputs: { iris: [{ file: '/w/iris.csv', sha256: 'a'.repeat(64) }] }, pipelineHash: 'p'.repeat(64),
    evaluations: accuracy === undefined ? {} : { [`${model}_on_parts_test`]: { on: 'parts.test', metrics: { accuracy, log_loss: 1 - accuracy } } },
    ...extra,
  };
}

const rows = [
  row('r1', '2026-12-07T01:00:00.000Z', 'near', { k: 5 }, 0.9),
  row('r2', '2026-12-07T02:00:00.000Z', 'near', { k: 15 }, 0.95),
  row('r2', '2026-12-07T02:00:00.000Z', '<img src=x onerror=alert(1)>', { k: 1, weights: 'distance' }, 0.8),
  row('r3', '2026-12-07T03:00:00.000Z', 'near', { k: 30 }, undefined, { status: 'failed', error: 'boom' }),
];

test('columns: run facts, then every parameter, metric (by table) and dataset some row has', () => {
  const cols = columnsOf(rows);
  assert.equal(cols[0].key, 'model', 'the model leads');
  assert.deepEqual(cols.filter((c) => c.group !== 'run').map((c) => c.key), ['param:k', 'param:weights', 'metric:accuracy · parts.test', 'metric:log_loss · parts.test', 'input:iris']);
  const weights = cols.find((c) => c.key === 'param:weights')!;
  assert.deepEqual(rows.map((r) => weights.text(r)), ['', '', 'distance', '']);
  assert.equal(cols.find((c) => c.key === 'input:iris')!.text(rows[0]), 'aaaaaaaa');
  assert.equal(cols.find((c) => c.key === 'duration')!.text(rows[0]), '1.5 s');
});

test('sorting by a metric, both ways, keeps rows without it last', () => {
  const acc = columnsOf(rows).find((c) => c.key === 'metric:accuracy · parts.test')!;
  assert.deepEqual(sortRows(rows, acc, false).map((r) => r.evaluations[`${r.model}_on_parts_test`]?.metrics.accuracy), [0.8, 0.9, 0.95, undefined]);
  assert.deepEqual(sortRows(rows, acc, true).map((r) => r.evaluations[`${r.model}_on_parts_test`]?.metrics.accuracy), [0.95, 0.9, 0.8, undefined]);
  const k = columnsOf(rows).find((c) => c.key === 'param:k')!;
  assert.deepEqual(sortRows(rows, k, false).map((r) => r.params.k), [1, 5, 15, 30], 'numbers sort as numbers');
});

test('filter: conditions on headers or metric names, plain words in any cell, unknown columns said', () => {
  const cols = columnsOf(rows);
  const kept = (q: string): string[] => filterRows(rows, cols, q).rows.map((r) => `${r.run}/${r.params.k}`);
  assert.deepEqual(kept('accuracy>0.85'), ['r1/5', 'r2/15']);
  assert.deepEqual(kept('k>=15 status=succeeded'), ['r2/15']);
  assert.deepEqual(kept('failed'), ['r3/30']);
  assert.deepEqual(kept('weights=distance'), ['r2/1']);
  assert.deepEqual(kept('weights!=distance'), ['r1/5', 'r2/15', 'r3/30']);
  assert.deepEqual(kept('  '), ['r1/5', 'r2/15', 'r2/1', 'r3/30']);
  const bad = filterRows(rows, cols, 'acuracy>0.9');
  assert.equal(bad.rows.length, 4);
  assert.match(bad.problem!, /no column "acuracy"; use a header as shown \(e\.g\. accuracy>0\.9\)/);
});

test('diff: changed parameters, metric deltas with which side is better, unchanged inputs', () => {
  const d = diffRows(rows[0], rows[1], { accuracy: 'higher', log_loss: 'lower' });
  assert.deepEqual(d.params, [{ key: 'k', a: '5', b: '15', changed: true }]);
  assert.deepEqual(d.metrics.map((m) => [m.key, m.better]), [['accuracy · parts.test', 'b'], ['log_loss · parts.test', 'b']]);
  assert.ok(Math.abs(d.metrics[0].delta! - 0.05) < 1e-12);
  assert.deepEqual(d.inputs, [{ dataset: 'iris', a: 'aaaaaaaa', b: 'aaaaaaaa', changed: false }]);
  assert.equal(d.pipelineChanged, false);
  const e = diffRows(rows[1], rows[2]);
  assert.deepEqual(e.params.find((p) => p.key === 'weights'), { key: 'weights', b: 'distance', changed: true });
});

test('metric across runs: one series per model, runs in time order, y axis padded with round ticks', () => {
  const { runs, series } = metricSeries(rows, 'accuracy · parts.test');
  assert.deepEqual(runs, ['r1', 'r2']);
  assert.deepEqual(series.map((s) => [s.model, s.points.map((p) => [p.x, p.y])]), [['near', [[0, 0.9], [1, 0.95]]], ['<img src=x onerror=alert(1)>', [[1, 0.8]]]]);
  const plot = plotLayout(runs, series, 500, 200);
  const near = plot.series[0].pixels;
  assert.equal(near[0].px, plot.left);
  assert.equal(near[1].px, plot.right);
  assert.ok(near[1].py < near[0].py, 'a higher value is drawn higher');
  for (const p of plot.series.flatMap((s) => s.pixels)) assert.ok(p.py >= plot.top && p.py <= plot.bottom);
  assert.deepEqual(plot.yTicks.map((t) => t.label), ['0.8', '0.85', '0.9', '0.95']);
  const flat = plotLayout(['r'], [{ model: 'm', points: [{ x: 0, y: 1, run: 'r' }] }]);
  assert.ok(flat.yTicks.length > 1, 'a single value still gets an axis');
  assert.equal(flat.series[0].pixels[0].px, (flat.left + flat.right) / 2);
  assert.deepEqual(niceTicks(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1]);
});

test('leaderboard: best first in the metric\'s direction, unscored last, chosen kept, reason given', () => {
  const trial = (k: number, score: number | null, chosen = false): TrialJson => ({ search: 'tune', algorithm: 'knn', options: { k, weights: 'uniform' }, metric: 'rmse', better: 'lower', score, folds: [score], ms: 3, ...(chosen ? { chosen } : {}) });
  const trials = [trial(1, 2.5), trial(3, 1.5, true), trial(9, null), trial(5, 2)];
  const board = leaderboard(trials, 'tune chose k: 3: lowest mean rmse');
  assert.deepEqual(board.entries.map((e) => [e.rank, e.trial.options.k, e.trial.chosen ?? false]), [[1, 3, true], [2, 5, false], [3, 1, false], [4, 9, false]]);
  assert.equal(board.reason, 'tune chose k: 3: lowest mean rmse');
  const accuracy = leaderboard(trials.map((t) => ({ ...t, metric: 'accuracy', better: 'higher' as const })));
  assert.deepEqual(accuracy.entries.map((e) => e.trial.options.k), [1, 5, 3, 9], 'higher first for accuracy, unscored still last');
  assert.deepEqual(variedOptions(trials), ['k']);
});

test('numbers for people: rounding residue near 0 prints as 0, four significant digits, no exponent', () => {
  assert.equal(fmt(1.633e-15), '0');
  assert.equal(fmt(-2e-17), '0');
  assert.equal(fmt(0.98837209), '0.9884');
  assert.equal(fmt(0.5), '0.5');
  assert.equal(fmt(0.000123456), '0.0001235');
  assert.equal(fmt(12345.678), '12345.7');
  assert.equal(fmt(42), '42');
  assert.equal(fmt(Number.NaN), '—');
  assert.equal(fmt(Infinity), '∞');
});
