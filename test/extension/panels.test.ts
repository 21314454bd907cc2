// Pure parts of the extension and panels: the CSP shell, row virtualisation, the runner's
// workspace arguments, the comparison verdict, number formatting and chart geometry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentSecurityPolicy, makeNonce, panelHtml } from '../../extension/src/panel-html';
import { allowOutsideWorkspace, engineArgs, workspaceArgs } from '../../extension/src/workspace-args';
import { replacesMetrics } from '../../extension/src/metrics-update';
import { barWidths, extent, PLOT, scale } from '../../webviews/src/charts';
import { comparisonVerdict } from '../../webviews/src/comparison-verdict';
import { fmt } from '../../webviews/src/format';
import { rowWindow } from '../../webviews/src/virtual-rows';

test('panels load only local scripts with a fresh nonce under a strict CSP', () => {
  const nonce = makeNonce();
  assert.match(nonce, /^[A-Za-z0-9]{16,}$/);
  assert.notEqual(makeNonce(), nonce);
  const csp = contentSecurityPolicy('vscode-webview://abc', nonce);
  assert.match(csp, /^default-src 'none'; script-src 'nonce-/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:/);
  const html = panelHtml({ title: '<img src=x onerror=alert(1)>', cspSource: 'vscode-webview://abc', scriptUri: 'vscode-webview://abc/p.js', styleUri: 'vscode-webview://abc/p.css', nonce });
  assert.ok(!html.includes('<img src=x'), 'the title is escaped');
  assert.equal(html.match(/<script /g)?.length, 1);
  assert.match(html, new RegExp(`<script nonce="${nonce}" src="vscode-webview://abc/p.js">`));
});

test('only the visible rows (plus overscan) are drawn, each at its place', () => {
  assert.deepEqual(rowWindow(0, 240, 24, 100_000), { first: 0, last: 20, top: 0, height: 2_400_000 });
  assert.deepEqual(rowWindow(24_000, 240, 24, 100_000), { first: 990, last: 1020, top: 990 * 24, height: 2_400_000 });
  assert.deepEqual(rowWindow(0, 240, 24, 5), { first: 0, last: 5, top: 0, height: 120 });
});

test('a million rows: the scroll range is capped, its bottom still shows the last row, its middle the middle rows', () => {
  const view = 480, row = 24, total = 1_000_000;
  const w = rowWindow(0, view, row, total);
  assert.ok(w.height < total * row, 'capped below the browser limit');
  const bottom = rowWindow(w.height - view, view, row, total);
  assert.equal(bottom.last, total, 'the last row is drawn at the bottom');
  // The last row ends exactly at the view's bottom edge.
  assert.ok(Math.abs(bottom.top + (total - bottom.first) * row - w.height) < 1e-6, `${bottom.top} ${bottom.first}`);
  const middle = rowWindow((w.height - view) / 2, view, row, total, 0);
  assert.ok(Math.abs(middle.first - (total - view / row) / 2) <= 1, `${middle.first}`);
  // The row at the view's top is where the view's top is.
  const atTop = middle.top + (Math.floor(((w.height - view) / 2 / (w.height - view)) * (total - view / row)) - middle.first) * row;
  assert.ok(atTop <= (w.height - view) / 2 && atTop > (w.height - view) / 2 - row);
});

test('the runner gets the workspace folder; the override only in a trusted workspace with the setting on', () => {
  assert.deepEqual(workspaceArgs('/ws', { trusted: true, setting: false }), ['--workspace', '/ws']);
  assert.deepEqual(workspaceArgs('/ws', { trusted: true, setting: true }), ['--workspace', '/ws', '--allow-outside-workspace']);
  assert.deepEqual(workspaceArgs('/ws', { trusted: false, setting: true }), ['--workspace', '/ws'], 'Restricted Mode ignores the setting');
  assert.equal(allowOutsideWorkspace({ trusted: false, setting: true }), false);
});

test('the narml.engine setting becomes --default-engine for run and preview (the statement wins); pipeline (the default) and unknown values pass nothing', () => {
  assert.deepEqual(engineArgs('duckdb'), ['--default-engine', 'duckdb']);
  assert.deepEqual(engineArgs('memory'), ['--default-engine', 'memory']);
  assert.deepEqual(engineArgs('pipeline'), []);
  assert.deepEqual(engineArgs('clickhouse'), [], 'a ClickHouse pipeline names its server in its statement');
  assert.deepEqual(engineArgs(undefined), []);
});

test('the Metrics panel names a winner only for a significant difference, else the leader', () => {
  assert.equal(comparisonVerdict({ winner: null, leader: 'forest', alpha: 0.05, p_value: 0.77 }), 'No significant difference (p = 0.77, alpha 0.05); leader: forest');
  assert.equal(comparisonVerdict({ winner: 'forest', leader: 'forest', alpha: 0.05, p_value: 0.0012 }), 'Winner: forest (p = 0.0012 < 0.05)');
  assert.equal(comparisonVerdict({ winner: null, leader: null, alpha: 0.05, p_value: 1 }), 'Tie: both models score the same');
});

test('numbers read as people write them: noise around 0 is 0, four significant digits, no exponent for ordinary values', () => {
  assert.equal(fmt(1.633e-15), '0');
  assert.equal(fmt(-2e-12), '0');
  assert.equal(fmt(0.6050000001), '0.605');
  assert.equal(fmt(0.04321987), '0.04322');
  assert.equal(fmt(0.5), '0.5');
  assert.equal(fmt(38), '38');
  assert.equal(fmt(12345.678), '12345.7');
  assert.equal(fmt(3.2e-7), '0');
  assert.equal(fmt(NaN), '—');
  assert.equal(fmt(undefined), '—');
});

test('bars are proportional to their values: 0.605 is 14 times 0.043', () => {
  const [a, b, zero] = barWidths([0.605, 0.043, 0], 300);
  assert.equal(a, 300);
  assert.ok(Math.abs(a / b - 0.605 / 0.043) < 1e-9, `${a / b}`);
  assert.equal(zero, 0);
  assert.deepEqual(barWidths([0, 0], 300), [0, 0], 'all zero: no bar, no division by zero');
});

test('chart scales keep a curve on an axis inside the padded plot area', () => {
  const sx = scale([0, 1], [PLOT.left + PLOT.pad, PLOT.width - PLOT.right - PLOT.pad]);
  assert.equal(sx(0), PLOT.left + PLOT.pad);
  assert.ok(sx(0) > PLOT.left, 'a perfect ROC curve (fpr 0) is drawn off the frame');
  assert.equal(sx(1), PLOT.width - PLOT.right - PLOT.pad);
  assert.equal(scale([2, 2], [0, 10])(2), 5);
  assert.deepEqual(extent([1, 3]), [0.9, 3.1]);
});

test('Predict Now, Export Model and a cancelled run leave the Metrics panel as it was', () => {
  const evaluations = { lr_on_test: { model: 'lr', metrics: { accuracy: 0.9 } } };
  assert.equal(replacesMetrics({ status: 'succeeded', evaluations }), true);
  assert.equal(replacesMetrics({ status: 'failed', evaluations }), true, 'a failure after evaluating shows its figures and error');
  assert.equal(replacesMetrics({ status: 'succeeded', evaluations: {} }), false, 'a prediction or an export evaluates nothing');
  assert.equal(replacesMetrics({ status: 'cancelled', evaluations }), false);
});
