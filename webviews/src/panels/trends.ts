// The Monitor Trends panel: a monitor's alert (raised or not, why, on which window), drift of
// each column per method over its runs with the method's threshold, and each metric per time
// window with the alert's limit. Data from `narml monitor-report --json` (trends-data.ts shapes it).
import { connect, el } from '../dom';
import { fmt } from '../format';
import { extent, plot } from '../charts';
import type { MonitorTrendsJson } from '../../../server/src/contracts/cli-json';
import { driftCharts, metricCharts } from '../trends-data';
import type { ToPanel } from '../messages';

function alertBox(t: MonitorTrendsJson): Node {
  const a = t.alert;
  const state = !a ? 'none' : a.raised ? 'raised' : a.judged ? 'clear' : 'not-judged';
  const title = !a ? 'No report yet' : a.raised ? 'Alert raised' : a.judged ? 'No alert' : 'Alert not judged';
  return el('section', { class: `alert-state alert-${state}`, role: 'status', 'data-alert': state },
    el('h2', {}, title), el('p', {}, a ? a.reason : `No run of this pipeline has computed ${t.monitor} yet; run the pipeline.`));
}

function render(m: ToPanel): Node {
  if (m.type === 'error') return el('p', { class: 'error' }, m.message);
  if (m.type !== 'trends') return el('p', {}, '');
  const t = m.trends;
  const root = el('div', { class: 'trends-panel' }, el('h1', {}, `Monitor ${t.monitor} — ${t.runs.length} run${t.runs.length === 1 ? '' : 's'}`), alertBox(t));
  const drift = el('section', { class: 'drift-trends' }, el('h2', {}, 'Drift per column over the monitor\'s runs'));
  for (const c of driftCharts(t)) {
    const ys = c.series.map((s) => s.y);
    drift.append(plot({
      title: `${c.method}${c.threshold !== undefined ? ` (threshold ${fmt(c.threshold)})` : ''}`, xLabel: 'monitor run', yLabel: c.method,
      x: [1, Math.max(2, t.runs.length)], y: extent(...ys, c.threshold !== undefined ? [c.threshold, 0] : [0]), kind: 'line', name: `drift-${c.method}`,
      ...(c.threshold !== undefined ? { reference: { y: c.threshold, label: `threshold ${fmt(c.threshold)}` } } : {}),
    }, c.series));
  }
  if (t.runs.length === 0) drift.append(el('p', {}, 'No drift recorded yet.'));
  root.append(drift);
  const metrics = el('section', { class: 'metric-trends' }, el('h2', {}, 'Metrics per window (labels joined to predictions)'));
  const charts = metricCharts(t);
  for (const c of charts) {
    metrics.append(plot({
      title: `${c.metric}${c.limit ? ` (alert when ${c.limit.operator} ${fmt(c.limit.value)})` : ''}; windows ${c.labels[0] ?? ''} … ${c.labels[c.labels.length - 1] ?? ''}`,
      xLabel: 'window', yLabel: c.metric, x: [1, Math.max(2, t.windows.length)], y: extent(c.series.y, c.limit ? [c.limit.value] : []), kind: 'line', name: `metric-${c.metric}`,
      ...(c.limit ? { reference: { y: c.limit.value, label: `alert: ${c.metric} ${c.limit.operator} ${fmt(c.limit.value)}` } } : {}),
    }, [c.series]));
  }
  if (charts.length === 0) metrics.append(el('p', {}, 'No windowed metrics: the monitor has no actuals:, or no label has arrived yet.'));
  else {
    const table = el('table', { class: 'windows' }, el('tr', {}, el('th', {}, 'window'), el('th', {}, 'labelled'), el('th', {}, 'predictions'), ...charts.map((c) => el('th', {}, c.metric))));
    t.windows.forEach((w, i) => table.append(el('tr', {}, el('td', {}, charts[0].labels[i]), el('td', {}, String(w.rows)), el('td', {}, String(w.predictions)), ...charts.map((c) => el('td', {}, fmt(w.metrics[c.metric]))))));
    metrics.append(table);
  }
  root.append(metrics);
  return root;
}

connect(render);
