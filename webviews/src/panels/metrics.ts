// The Metrics panel: per evaluation its metric table, confusion matrix, ROC curve and the
// model's feature importances; per comparison the scores, the p-value (and what it is about),
// and the winner or, without a significant difference, the leader.
import { connect, el, fmt, svg } from '../dom';
import type { EvaluationJson, RunJson } from '../../../server/src/contracts/cli-json';
import { comparisonVerdict } from '../comparison-verdict';

function roc(e: EvaluationJson): Node {
  // Padded so that a perfect curve along the axes is not hidden under the plot's border.
  const s = svg('svg', { width: 200, height: 200, viewBox: '-6 -6 112 112', class: 'roc', role: 'img', 'aria-label': 'ROC curve' });
  s.append(svg('line', { x1: 0, y1: 100, x2: 100, y2: 0, class: 'diagonal' }));
  const pts = e.roc!.fpr.map((f, i) => `${f * 100},${100 - e.roc!.tpr[i] * 100}`).join(' ');
  s.append(svg('polyline', { points: pts, class: 'curve' }));
  return el('figure', {}, s, el('figcaption', {}, 'ROC curve'));
}

function confusion(e: EvaluationJson): Node {
  const c = e.confusion!;
  const max = Math.max(1, ...c.matrix.flat());
  const t = el('table', { class: 'confusion' }, el('tr', {}, el('th', {}, 'actual \\ predicted'), ...c.labels.map((l) => el('th', {}, l))));
  const cell = (n: number): HTMLElement => {
    const td = el('td', {}, String(n));
    td.style.setProperty('--share', (n / max).toFixed(3));
    return td;
  };
  c.matrix.forEach((row, i) => t.append(el('tr', {}, el('th', {}, c.labels[i]), ...row.map(cell))));
  return el('figure', {}, t, el('figcaption', {}, 'Confusion matrix'));
}

function importances(run: RunJson, model: string): Node | undefined {
  const imp = run.models[model]?.importances;
  if (!imp) return undefined;
  const entries = Object.entries(imp).sort((a, b) => b[1] - a[1]).slice(0, 15);
  const max = Math.max(...entries.map((e) => e[1]), 1e-12);
  const list = el('div', { class: 'bars' });
  for (const [name, v] of entries) {
    const bar = el('span', { class: 'bar', 'data-value': String(v) });
    bar.style.width = `${((v / max) * 100).toFixed(2)}%`;
    list.append(el('div', { class: 'bar-row' }, el('span', { class: 'bar-label' }, name), el('span', { class: 'bar-track' }, bar), el('span', { class: 'bar-value' }, fmt(v))));
  }
  return el('figure', {}, list, el('figcaption', {}, `Feature importances of ${model}`));
}

connect((m) => {
  if (m.type !== 'metrics') return el('p', {}, 'Nothing to show yet.');
  const run = m.run;
  const parts: Node[] = [el('h2', {}, `Run ${run.run} — ${run.status}`)];
  if (run.error) parts.push(el('p', { class: 'error' }, run.error));
  for (const [name, e] of Object.entries(run.evaluations)) {
    if (m.focus && m.focus !== name && m.focus !== e.model) continue;
    const rows = Object.entries(e.metrics).map(([k, v]) => el('tr', {}, el('th', {}, k), el('td', { class: 'metric-value', 'data-metric': k }, fmt(v))));
    if (e.threshold !== undefined) rows.push(el('tr', {}, el('th', {}, 'threshold'), el('td', {}, fmt(e.threshold))));
    const section = el('section', { class: 'evaluation' }, el('h3', {}, `${name} (${e.model} on ${e.on ?? ''}, ${e.rows ?? '?'} rows)`), el('table', { class: 'metrics' }, ...rows));
    const figures = el('div', { class: 'figures' });
    if (e.confusion) figures.append(confusion(e));
    if (e.roc) figures.append(roc(e));
    const imp = importances(run, e.model);
    if (imp) figures.append(imp);
    section.append(figures);
    parts.push(section);
  }
  for (const [name, c] of Object.entries(run.comparisons)) {
    parts.push(el('section', { class: 'comparison' }, el('h3', {}, name),
      el('p', {}, `${c.models.map((x) => `${x}: ${fmt(c.scores[x])}`).join(' vs ')} on ${c.metric}`),
      el('p', {}, `${c.test} p-value ${fmt(c.p_value)}${c.p_value_about ? `, about ${c.p_value_about}` : ''}`),
      el('p', { class: 'verdict' }, comparisonVerdict(c))));
  }
  if (parts.length === 1) parts.push(el('p', {}, 'This run has no evaluations.'));
  return el('div', {}, ...parts);
});
