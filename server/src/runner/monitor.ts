// `monitor`: drift of each raw input column between a baseline table and the current data
// (PSI over 10 baseline-quantile bins, or the Kolmogorov-Smirnov statistic), the alert
// condition over the model's latest metrics, and the retraining decision.
import type { CheckedPipeline, MonitorInfo } from '../checker/checked-model';
import { infoOf } from '../checker/checked-model';
import type { MonitorJson, RunJson } from '../contracts/cli-json';
import type { Expr } from '../language/ast';
import { leftSpine } from '../language/left-spine';
import { readCsv } from '../data/read-csv';
import { getColumn, type Column, type Table } from '../data/table';
import { selectRows } from '../transforms/table-ops';
import type { PipelineData } from './pipeline-data';
import type { TrainedModel } from './scoring';

function numbers(c: Column): Float64Array {
  if ('values' in c) return c.values.filter((v) => !Number.isNaN(v));
  return Float64Array.from(c.codes.filter((v) => v >= 0));
}

export function psi(base: Float64Array, cur: Float64Array): number {
  if (base.length === 0 || cur.length === 0) return 0;
  const sorted = Float64Array.from(base).sort();
  const edges = Array.from({ length: 9 }, (_, i) => sorted[Math.floor(((i + 1) / 10) * (sorted.length - 1))]);
  const hist = (v: Float64Array): number[] => {
    const h = new Array<number>(10).fill(0);
    for (const x of v) { let b = 0; while (b < 9 && x > edges[b]) b++; h[b]++; }
    return h.map((c) => Math.max(c / v.length, 1e-4));
  };
  const p = hist(base), q = hist(cur);
  return p.reduce((s, pi, i) => s + (q[i] - pi) * Math.log(q[i] / pi), 0);
}

export function ks(base: Float64Array, cur: Float64Array): number {
  const a = Float64Array.from(base).sort(), b = Float64Array.from(cur).sort();
  let i = 0, j = 0, d = 0;
  while (i < a.length && j < b.length) {
    const x = Math.min(a[i], b[j]);
    while (i < a.length && a[i] <= x) i++;
    while (j < b.length && b[j] <= x) j++;
    d = Math.max(d, Math.abs(i / a.length - j / b.length));
  }
  return d;
}

function alertHolds(e: Expr, metrics: Record<string, number>, drifted: boolean): boolean {
  if (e.kind === 'Paren' && e.inner) return alertHolds(e.inner, metrics, drifted);
  if (e.kind === 'Binary' && (e.operator === 'and' || e.operator === 'or')) {
    // Folded along the left spine, so a long and/or chain needs no deep stack.
    const spine = leftSpine(e, (op) => op === 'and' || op === 'or');
    let holds = alertHolds(spine[0].left, metrics, drifted);
    for (const node of spine) {
      const right = node.right !== undefined && alertHolds(node.right, metrics, drifted);
      holds = node.right !== undefined && (node.operator === 'and' ? holds && right : holds || right);
    }
    return holds;
  }
  if (e.kind === 'Binary' && e.left.kind === 'Name' && e.right && (e.right.kind === 'Number' || e.right.kind === 'Percent')) {
    const v = e.left.name.text === 'drift' ? (drifted ? 1 : 0) : metrics[e.left.name.text];
    if (v === undefined) return false;
    const t = e.right.value;
    switch (e.operator) {
      case '<': return v < t;
      case '<=': return v <= t;
      case '>': return v > t;
      case '>=': return v >= t;
      default: return false;
    }
  }
  return false;
}

export async function monitorReport(m: MonitorInfo, tm: TrainedModel, data: PipelineData, run: RunJson, checked: CheckedPipeline): Promise<MonitorJson> {
  const dataset = data.chain(tm.info.input).dataset;
  const tableOf = async (name: string): Promise<Table> => {
    const chain = data.chain(name);
    return selectRows(await data.rawTable(chain.dataset), await data.rawRows(chain));
  };
  const baseline = m.baseline ? await tableOf(m.baseline) : await tableOf(tm.info.input);
  let current: Table | undefined;
  if (m.current) {
    const predict = infoOf(checked, m.current, 'predict');
    if (predict?.source.kind === 'file') current = await readCsv(predict.source.path, dataset.options);
    else if (predict?.source.kind === 'table') current = await tableOf(predict.source.name);
    else current = await tableOf(m.current);
  }
  const threshold = Number(m.drift?.options.threshold ?? 0.2);
  const method = m.drift?.name ?? 'psi';
  const scores: Record<string, number> = {};
  const drifted: string[] = [];
  if (current) {
    for (const col of tm.info.inputColumns) {
      const a = getColumn(baseline, col.name), b = getColumn(current, col.name);
      if (!a || !b) continue;
      const s = method === 'ks' ? ks(numbers(a), numbers(b)) : psi(numbers(a), numbers(b));
      scores[col.name] = s;
      if (s > threshold) drifted.push(col.name);
    }
  }
  const metrics: Record<string, number> = {};
  for (const ev of Object.values(run.evaluations)) if (ev.model === tm.info.name) Object.assign(metrics, ev.metrics);
  const alert = m.alert ? alertHolds(m.alert, metrics, drifted.length > 0) : false;
  const retrained = (m.retrain === 'on_drift' && drifted.length > 0) || (m.retrain === 'on_alert' && alert);
  return { drifted, scores, alert, retrained };
}
