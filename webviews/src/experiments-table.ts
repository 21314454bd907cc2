// The Experiments panel's model, apart from the DOM so it is tested in Node: the columns of the
// rows (run, parameters, metrics, data hashes), sorting, the filter language, the diff of two
// rows, the points and axes of a metric across runs, and the leaderboard of tune/auto trials.
import type { ExperimentEvaluation, ExperimentRow } from '../../server/src/contracts/cli-json';
import { fmt } from './format';
import { paramText } from '../../server/src/store/leaderboard';

export { leaderboard, paramText, variedOptions, type Leaderboard } from '../../server/src/store/leaderboard';

export type Direction = 'higher' | 'lower';
export type Directions = Record<string, Direction>;
export type Cell = string | number | undefined;

export interface Column {
  /** Unique: `run`, `param:c`, `metric:accuracy · parts.test`, `input:penguins`. */
  key: string;
  label: string;
  group: 'run' | 'param' | 'metric' | 'input';
  /** The metric's own name (metric columns only). */
  metric?: string;
  /** The sortable value. */
  value(row: ExperimentRow): Cell;
  /** What the cell shows. */
  text(row: ExperimentRow): string;
  /** What the cell's tooltip shows (full hashes, paths). */
  title?(row: ExperimentRow): string;
}

/** Where an evaluation scored: its table, or its name when the model has two evaluations on one table. */
export function evaluationLabels(row: ExperimentRow): Map<string, string> {
  const byOn = new Map<string, number>();
  for (const e of Object.values(row.evaluations)) byOn.set(e.on ?? '', (byOn.get(e.on ?? '') ?? 0) + 1);
  return new Map(Object.entries(row.evaluations).map(([name, e]) => [name, e.on && byOn.get(e.on) === 1 ? e.on : name]));
}

type RowMetrics = Map<string, { metric: string; value: number; evaluation: string }>;
// Every metric cell, sort and filter asks for these: computed once per row.
const metricsOfRow = new WeakMap<ExperimentRow, RowMetrics>();

/** Metric values of a row by column label, e.g. `accuracy · parts.test` → 0.98. */
export function rowMetrics(row: ExperimentRow): RowMetrics {
  const known = metricsOfRow.get(row);
  if (known) return known;
  const out: RowMetrics = new Map();
  metricsOfRow.set(row, out);
  const labels = evaluationLabels(row);
  for (const [name, e] of Object.entries(row.evaluations)) {
    for (const [metric, value] of Object.entries(e.metrics)) out.set(`${metric} · ${labels.get(name)}`, { metric, value, evaluation: name });
  }
  return out;
}

function shortHash(files: { sha256: string }[] | undefined): string {
  if (!files || files.length === 0) return '';
  return files.length === 1 ? files[0].sha256.slice(0, 8) : `${files.length} files`;
}

/** A hash standing for all the files of a dataset, so a glob's change shows in one cell. */
function inputsKey(files: { file: string; sha256: string }[] | undefined): string | undefined {
  return files?.map((f) => `${f.file}\0${f.sha256}`).join('\n');
}

export function formatTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export function formatDuration(ms: number | null): string {
  if (ms === null) return '';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${fmt(Math.round(ms / 100) / 10)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** The columns of a set of rows: run facts, then every parameter, metric and dataset some row has. */
export function columnsOf(rows: ExperimentRow[]): Column[] {
  const text = (v: Cell): string => (v === undefined ? '' : typeof v === 'number' ? fmt(v) : v);
  const fixed = (key: string, label: string, value: (r: ExperimentRow) => Cell, show?: (r: ExperimentRow) => string): Column =>
    ({ key, label, group: 'run', value, text: show ?? ((r) => text(value(r))) });
  // The model first: the panel keeps it in view while the table scrolls sideways.
  const columns: Column[] = [
    fixed('model', 'model', (r) => r.model ?? undefined),
    fixed('run', 'run', (r) => r.run),
    fixed('started', 'started', (r) => r.started, (r) => formatTime(r.started)),
    fixed('status', 'status', (r) => r.status),
    fixed('algorithm', 'algorithm', (r) => r.algorithm),
    fixed('version', 'version', (r) => r.version, (r) => `${r.version ?? ''}${r.reused ? ' (reused)' : ''}`),
    fixed('duration', 'duration', (r) => r.durationMs ?? undefined, (r) => formatDuration(r.durationMs)),
  ];
  const params = [...new Set(rows.flatMap((r) => Object.keys(r.params)))].sort();
  for (const p of params) {
    columns.push({
      key: `param:${p}`, label: p, group: 'param',
      value: (r) => { const v = r.params[p]; return typeof v === 'number' ? v : v === undefined ? undefined : paramText(v); },
      text: (r) => paramText(r.params[p]),
    });
  }
  const metrics = new Map<string, string>();
  for (const r of rows) for (const [label, m] of rowMetrics(r)) metrics.set(label, m.metric);
  for (const [label, metric] of [...metrics].sort((a, b) => a[0].localeCompare(b[0]))) {
    const value = (r: ExperimentRow): number | undefined => rowMetrics(r).get(label)?.value;
    columns.push({ key: `metric:${label}`, label, group: 'metric', metric, value, text: (r) => text(value(r)) });
  }
  const datasets = [...new Set(rows.flatMap((r) => Object.keys(r.inputs)))].sort();
  for (const d of datasets) {
    columns.push({
      key: `input:${d}`, label: `${d} data`, group: 'input',
      value: (r) => r.inputs[d]?.map((f) => f.sha256).join(','), text: (r) => shortHash(r.inputs[d]),
      title: (r) => (r.inputs[d] ?? []).map((f) => `${f.file}\nsha256 ${f.sha256}`).join('\n'),
    });
  }
  columns.push({ key: 'pipeline', label: 'pipeline', group: 'run', value: (r) => r.pipelineHash, text: (r) => r.pipelineHash?.slice(0, 8) ?? '', title: (r) => (r.pipelineHash ? `sha256 ${r.pipelineHash}` : '') });
  return columns;
}

/** Rows sorted by a column (stable); empty cells last in both directions. */
export function sortRows(rows: ExperimentRow[], column: Column, descending: boolean): ExperimentRow[] {
  const keyed = rows.map((row, i) => ({ row, i, v: column.value(row) }));
  keyed.sort((x, y) => {
    if (x.v === undefined || y.v === undefined) return x.v === y.v ? x.i - y.i : x.v === undefined ? 1 : -1;
    const c = typeof x.v === 'number' && typeof y.v === 'number' ? x.v - y.v : String(x.v).localeCompare(String(y.v), undefined, { numeric: true });
    return (descending ? -c : c) || x.i - y.i;
  });
  return keyed.map((k) => k.row);
}

const CONDITION = /^(.+?)(>=|<=|!=|=|>|<)(.*)$/;

/**
 * Rows a filter keeps. Words separated by spaces must all hold: `column>0.9`, `column=value`
 * (also `!=`, `>=`, `<`, `<=`; a column by its header, e.g. `c<1` or `accuracy>0.95`, which
 * matches every evaluation's accuracy) or plain text found in any cell.
 * A condition on a column no row has is reported, not silently empty.
 */
export function filterRows(rows: ExperimentRow[], columns: Column[], query: string): { rows: ExperimentRow[]; problem?: string } {
  const tests: ((r: ExperimentRow) => boolean)[] = [];
  for (const word of query.trim().split(/\s+/).filter(Boolean)) {
    const m = CONDITION.exec(word);
    if (!m) {
      const needle = word.toLowerCase();
      tests.push((r) => columns.some((c) => c.text(r).toLowerCase().includes(needle)));
      continue;
    }
    const [, name, op, wanted] = m;
    const lower = name.toLowerCase();
    const targets = columns.filter((c) => c.label.toLowerCase() === lower || c.metric === lower);
    if (targets.length === 0) return { rows, problem: `no column "${name}"; use a header as shown (e.g. ${columns.find((c) => c.group === 'metric')?.metric ?? 'status'}${op}${wanted || '…'})` };
    const number = wanted.trim() !== '' && Number.isFinite(Number(wanted)) ? Number(wanted) : undefined;
    tests.push((r) => targets.some((c) => {
      const v = c.value(r);
      if (v === undefined) return op === '!=';
      const cmp = number !== undefined && typeof v === 'number' ? v - number : c.text(r).toLowerCase().localeCompare(wanted.toLowerCase(), undefined, { numeric: true });
      switch (op) {
        case '=': return number !== undefined && typeof v === 'number' ? cmp === 0 : c.text(r).toLowerCase() === wanted.toLowerCase();
        case '!=': return number !== undefined && typeof v === 'number' ? cmp !== 0 : c.text(r).toLowerCase() !== wanted.toLowerCase();
        case '>': return cmp > 0;
        case '<': return cmp < 0;
        case '>=': return cmp >= 0;
        default: return cmp <= 0;
      }
    }));
  }
  return { rows: rows.filter((r) => tests.every((t) => t(r))) };
}

export interface RowDiff {
  params: { key: string; a?: string; b?: string; changed: boolean }[];
  metrics: { key: string; metric: string; a?: number; b?: number; delta?: number; better?: 'a' | 'b' }[];
  inputs: { dataset: string; a?: string; b?: string; changed: boolean }[];
  /** Both runs recorded their pipeline's hash and they differ. */
  pipelineChanged: boolean;
  confusions: { label: string; a?: ExperimentEvaluation['confusion']; b?: ExperimentEvaluation['confusion'] }[];
}

/** What changed from row `a` to row `b`: parameters, metrics (delta b − a, which is better), inputs, confusion matrices. */
export function diffRows(a: ExperimentRow, b: ExperimentRow, directions: Directions = {}): RowDiff {
  const union = <T>(x: T[], y: T[]): T[] => [...new Set([...x, ...y])];
  const params = union(Object.keys(a.params), Object.keys(b.params)).sort().map((key) => {
    const [x, y] = [a.params[key], b.params[key]];
    return { key, ...(x !== undefined ? { a: paramText(x) } : {}), ...(y !== undefined ? { b: paramText(y) } : {}), changed: paramText(x) !== paramText(y) };
  });
  const [ma, mb] = [rowMetrics(a), rowMetrics(b)];
  const metrics = union([...ma.keys()], [...mb.keys()]).sort().map((key) => {
    const metric = (ma.get(key) ?? mb.get(key))!.metric;
    const x = ma.get(key)?.value;
    const y = mb.get(key)?.value;
    const delta = x !== undefined && y !== undefined ? y - x : undefined;
    const better = delta === undefined || delta === 0 ? undefined : (delta > 0) === (directions[metric] !== 'lower') ? 'b' as const : 'a' as const;
    return { key, metric, ...(x !== undefined ? { a: x } : {}), ...(y !== undefined ? { b: y } : {}), ...(delta !== undefined ? { delta } : {}), ...(better ? { better } : {}) };
  });
  const inputs = union(Object.keys(a.inputs), Object.keys(b.inputs)).sort().map((dataset) => {
    const [x, y] = [a.inputs[dataset], b.inputs[dataset]];
    return { dataset, ...(x ? { a: shortHash(x) } : {}), ...(y ? { b: shortHash(y) } : {}), changed: inputsKey(x) !== inputsKey(y) };
  });
  const [la, lb] = [evaluationLabels(a), evaluationLabels(b)];
  const confusionsByLabel = new Map<string, RowDiff['confusions'][number]>();
  for (const [side, row, labels] of [['a', a, la], ['b', b, lb]] as const) {
    for (const [name, e] of Object.entries(row.evaluations)) {
      if (!e.confusion) continue;
      const label = labels.get(name)!;
      confusionsByLabel.set(label, { ...confusionsByLabel.get(label), label, [side]: e.confusion });
    }
  }
  return {
    params, metrics, inputs,
    pipelineChanged: a.pipelineHash !== undefined && b.pipelineHash !== undefined && a.pipelineHash !== b.pipelineHash,
    confusions: [...confusionsByLabel.values()].sort((x, y) => x.label.localeCompare(y.label)),
  };
}

export interface PlotSeries {
  model: string;
  points: { x: number; y: number; run: string }[];
}

export interface PlotLayout {
  width: number;
  height: number;
  /** Plot area inside the axes. */
  left: number;
  top: number;
  right: number;
  bottom: number;
  runs: string[];
  series: (PlotSeries & { pixels: { px: number; py: number; y: number; run: string }[] })[];
  yTicks: { value: number; py: number; label: string }[];
  xTicks: { index: number; px: number; label: string }[];
}

/** A metric across runs: one series per model, x the run's place in time (oldest first). */
export function metricSeries(rows: ExperimentRow[], label: string): { runs: string[]; series: PlotSeries[] } {
  const ordered = [...rows].sort((a, b) => a.started.localeCompare(b.started) || a.run.localeCompare(b.run));
  const runs = [...new Set(ordered.filter((r) => rowMetrics(r).has(label)).map((r) => r.run))];
  const byModel = new Map<string, PlotSeries>();
  for (const r of ordered) {
    const v = rowMetrics(r).get(label)?.value;
    if (v === undefined || !Number.isFinite(v) || r.model === null) continue;
    const s = byModel.get(r.model) ?? { model: r.model, points: [] };
    s.points.push({ x: runs.indexOf(r.run), y: v, run: r.run });
    byModel.set(r.model, s);
  }
  return { runs, series: [...byModel.values()] };
}

/** Round tick steps (1, 2, 5 × 10^k) covering [lo, hi] with about `count` ticks. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  // Rounded to the step's digits, so 0.1 + 0.2 ticks print as 0.3.
  const digits = Math.max(0, -Math.floor(Math.log10(step)));
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toFixed(digits)));
  return out;
}

/** Pixel positions of a metric plot: y from the values (padded, never a flat line), x evenly by run. */
export function plotLayout(runs: string[], series: PlotSeries[], width = 560, height = 240): PlotLayout {
  const left = 56, top = 12, right = width - 16, bottom = height - 28;
  const values = series.flatMap((s) => s.points.map((p) => p.y));
  let lo = values.length > 0 ? Math.min(...values) : 0;
  let hi = values.length > 0 ? Math.max(...values) : 1;
  const pad = hi > lo ? (hi - lo) * 0.08 : Math.max(Math.abs(hi) * 0.05, 0.01);
  lo -= pad;
  hi += pad;
  const ticks = niceTicks(lo, hi);
  lo = Math.min(lo, ticks[0]);
  hi = Math.max(hi, ticks[ticks.length - 1]);
  const py = (y: number): number => bottom - ((y - lo) / (hi - lo)) * (bottom - top);
  const px = (x: number): number => (runs.length <= 1 ? (left + right) / 2 : left + (x / (runs.length - 1)) * (right - left));
  const every = Math.max(1, Math.ceil(runs.length / 8));
  return {
    width, height, left, top, right, bottom, runs,
    series: series.map((s) => ({ ...s, pixels: s.points.map((p) => ({ px: px(p.x), py: py(p.y), y: p.y, run: p.run })) })),
    yTicks: ticks.map((value) => ({ value, py: py(value), label: fmt(value) })),
    xTicks: runs.flatMap((_run, index) => (index % every === 0 || index === runs.length - 1 ? [{ index, px: px(index), label: `#${index + 1}` }] : [])),
  };
}

/** Identity of a row in the table (a run trains each model once). */
export function rowId(row: ExperimentRow): string {
  return `${row.run}\0${row.model ?? ''}`;
}
