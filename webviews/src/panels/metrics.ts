// The Metrics panel: per evaluation its metric table, confusion matrix (cells shaded by count),
// ROC, precision-recall and reliability curves (one per class, one-vs-rest, beyond two
// classes), residuals against predictions for regression, the model's feature importances drawn
// to scale and the leaderboard of its tune or auto search; per comparison the scores, the
// p-value (and what it is about), and the winner or, without a significant difference, the leader.
import { connect, el } from '../dom';
import { fmt } from '../format';
import { bars, extent, plot } from '../charts';
import type { EvaluationJson, RunJson } from '../../../server/src/contracts/cli-json';
import { comparisonVerdict } from '../comparison-verdict';
import { trialsFigure } from '../trials-view';

function confusion(e: EvaluationJson): Node {
  const c = e.confusion!;
  const max = Math.max(1, ...c.matrix.flat());
  const t = el('table', { class: 'confusion' }, el('tr', {}, el('th', {}, 'actual \\ predicted'), ...c.labels.map((l) => el('th', {}, l))));
  const cell = (n: number, right: boolean): HTMLElement => {
    const td = el('td', { class: right ? 'right' : 'wrong', 'data-count': String(n) }, String(n));
    // A custom property set through CSSOM (the CSP refuses style attributes); the stylesheet mixes the colour.
    td.style.setProperty('--share', (n / max).toFixed(3));
    return td;
  };
  c.matrix.forEach((row, i) => t.append(el('tr', {}, el('th', {}, c.labels[i]), ...row.map((n, j) => cell(n, i === j)))));
  return el('figure', { class: 'plot', 'data-chart': 'confusion' }, t, el('figcaption', {}, 'Confusion matrix (rows: actual class)'));
}

function curves(e: EvaluationJson): Node[] {
  const c = e.curves;
  if (!c) return [];
  const out: Node[] = [];
  if (c.roc) {
    out.push(plot({ name: 'roc', title: 'ROC curve', xLabel: 'false positive rate', yLabel: 'true positive rate', x: [0, 1], y: [0, 1], kind: 'line', reference: { diagonal: true }, legend: (_, i) => `(AUC ${fmt(c.roc![i].auc)})` },
      c.roc.map((r) => ({ label: r.label, x: r.fpr, y: r.tpr }))));
  }
  if (c.pr) {
    const prevalence = c.pr.length === 1 ? { y: c.pr[0].prevalence, label: `a classifier without skill: precision ${fmt(c.pr[0].prevalence)}` } : undefined;
    out.push(plot({ name: 'pr', title: 'Precision-recall curve', xLabel: 'recall', yLabel: 'precision', x: [0, 1], y: [0, 1], kind: 'step', ...(prevalence ? { reference: prevalence } : {}), legend: (_, i) => `(AP ${fmt(c.pr![i].averagePrecision)})` },
      c.pr.map((r) => ({ label: r.label, x: r.recall, y: r.precision }))));
  }
  if (c.calibration) {
    out.push(plot({ name: 'calibration', title: 'Reliability (calibration)', xLabel: 'mean predicted probability', yLabel: 'observed fraction', x: [0, 1], y: [0, 1], kind: 'line', reference: { diagonal: true } },
      c.calibration.map((r) => ({ label: r.label, x: r.predicted, y: r.observed }))));
  }
  if (c.residuals) {
    const r = c.residuals;
    const shown = r.predicted.length < r.rows ? ` (${r.predicted.length} of ${r.rows} rows)` : '';
    out.push(plot({ name: 'residuals', title: `Residuals vs predicted${shown}`, xLabel: 'predicted', yLabel: 'actual − predicted', x: extent(r.predicted), y: extent(r.residual, [0]), kind: 'points', reference: { y: 0 } },
      [{ label: 'rows', x: r.predicted, y: r.residual }]));
  }
  return out;
}

function importances(run: RunJson, model: string): Node | undefined {
  const imp = run.models[model]?.importances;
  if (!imp) return undefined;
  const entries = Object.entries(imp).sort((a, b) => b[1] - a[1]).slice(0, 15);
  return bars(`Feature importances of ${model}${Object.keys(imp).length > 15 ? ' (top 15)' : ''}`, entries);
}

connect((m) => {
  if (m.type !== 'metrics') return el('p', {}, 'Nothing to show yet.');
  const run = m.run;
  const parts: Node[] = [el('h2', {}, `Run ${run.run} — ${run.status}`)];
  if (run.error) parts.push(el('p', { class: 'error' }, run.error));
  const boards = new Set<string>();
  for (const [name, e] of Object.entries(run.evaluations)) {
    if (m.focus && m.focus !== name && m.focus !== e.model) continue;
    const rows = Object.entries(e.metrics).map(([k, v]) => el('tr', {}, el('th', {}, k), el('td', { class: 'metric-value', 'data-metric': k }, fmt(v))));
    if (e.threshold !== undefined) rows.push(el('tr', {}, el('th', {}, 'threshold'), el('td', {}, fmt(e.threshold))));
    const section = el('section', { class: 'evaluation', 'data-evaluation': name }, el('h3', {}, `${name} (${e.model} on ${e.on ?? ''}, ${e.rows ?? '?'} rows)`), el('table', { class: 'metrics' }, ...rows));
    const figures = el('div', { class: 'figures' });
    if (e.confusion) figures.append(confusion(e));
    figures.append(...curves(e));
    const imp = importances(run, e.model);
    if (imp) figures.append(imp);
    // The leaderboard of a tuned or auto model, beside its first evaluation only.
    const trained = run.models[e.model];
    if (trained?.trials?.length && !boards.has(e.model)) {
      boards.add(e.model);
      figures.append(trialsFigure(`Leaderboard of ${e.model}`, trained.trials, trained.selection));
    }
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
