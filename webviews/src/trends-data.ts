// What the Monitor Trends panel draws, shaped from `narml monitor-report --json` (pure, tested
// without a browser): drift of each column per method over the monitor's runs with the method's
// threshold, each metric over the time windows, and the alert's limits to draw as lines.
import type { MonitorTrendsJson } from '../../server/src/contracts/cli-json';
import type { Series } from './charts';

export interface DriftChart {
  method: string;
  /** The threshold of the newest run (a threshold edited between runs shows as the latest). */
  threshold: number | undefined;
  /** One series per column, x = the run's position (1 = oldest); a run without the column has no point. */
  series: Series[];
}

/** Drift per column over the runs, one chart per method, methods in the order of the newest run. */
export function driftCharts(t: MonitorTrendsJson): DriftChart[] {
  const methods: string[] = [];
  for (let i = t.runs.length - 1; i >= 0; i--) for (const m of Object.keys(t.runs[i].methods)) if (!methods.includes(m)) methods.push(m);
  return methods.map((method) => {
    const columns: string[] = [];
    for (const r of t.runs) for (const c of Object.keys(r.methods[method]?.scores ?? {})) if (!columns.includes(c)) columns.push(c);
    const series = columns.map((c) => {
      const x: number[] = [], y: number[] = [];
      t.runs.forEach((r, i) => {
        const v = r.methods[method]?.scores[c];
        if (v !== undefined && Number.isFinite(v)) { x.push(i + 1); y.push(v); }
      });
      return { label: c, x, y };
    });
    const predicted = t.runs.map((r, i) => [i + 1, r.methods[method]?.prediction?.score] as const).filter(([, v]) => v !== undefined && Number.isFinite(v));
    if (predicted.length > 0) series.push({ label: '(prediction)', x: predicted.map(([x]) => x), y: predicted.map(([, v]) => v!) });
    const newest = [...t.runs].reverse().find((r) => r.methods[method]);
    const threshold = newest?.methods[method].threshold;
    return { method, threshold: threshold !== undefined && Number.isFinite(threshold) ? threshold : undefined, series };
  });
}

export interface AlertLimit {
  metric: string;
  operator: string;
  value: number;
}

/** The comparisons of an alert condition (`f1 < 0.7 or accuracy < 80%`), each a line on its metric's chart. */
export function alertLimits(condition: string | undefined): AlertLimit[] {
  const out: AlertLimit[] = [];
  for (const m of (condition ?? '').matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*(<=|>=|<|>)\s*(\d+(?:\.\d+)?)(%?)/g)) {
    out.push({ metric: m[1], operator: m[2], value: Number(m[3]) / (m[4] ? 100 : 1) });
  }
  return out;
}

export interface MetricChart {
  metric: string;
  /** x = the window's position (1 = oldest); windows whose rows leave the metric undefined have no point. */
  series: Series;
  /** Window start dates (YYYY-MM-DD or the ISO time), for the axis caption and tooltips. */
  labels: string[];
  limit?: AlertLimit;
}

/** Each metric over the windows: the alert's metrics first, then the rest in report order. */
export function metricCharts(t: MonitorTrendsJson): MetricChart[] {
  const limits = alertLimits(t.alert?.condition);
  const names: string[] = limits.map((l) => l.metric);
  for (const w of t.windows) for (const k of Object.keys(w.metrics)) if (!names.includes(k)) names.push(k);
  const labels = t.windows.map((w) => (w.start.endsWith('T00:00:00.000Z') ? w.start.slice(0, 10) : w.start));
  return names.filter((n) => n !== 'drift').map((metric) => {
    const x: number[] = [], y: number[] = [];
    t.windows.forEach((w, i) => {
      const v = w.metrics[metric];
      if (v !== undefined) { x.push(i + 1); y.push(v); }
    });
    const limit = limits.find((l) => l.metric === metric);
    return { metric, series: { label: metric, x, y }, labels, ...(limit ? { limit } : {}) };
  });
}
