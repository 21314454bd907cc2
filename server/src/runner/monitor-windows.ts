// Metrics of joined predictions and labels per time window (`window: 7d`), and the alert judged
// on the newest window that has enough labelled rows.
//
// Windows are fixed in time, not counted back from the run: a window of length w starts at
// 1970-01-05T00:00Z (a Monday) + i·w, so `1d` windows are UTC calendar days and `7d` windows
// Monday-to-Monday weeks, and a window keeps its bounds from one monitor run to the next (a
// trend compares like with like).
import type { MonitorAlertJson, MonitorWindowJson, MonitorWindowMetricsJson } from '../contracts/cli-json';
import type { Expr } from '../language/ast';
import { computeMetrics, type MetricInput } from '../ml/metrics';
import { judgeAlert, notJudged } from './monitor-alert';

export const WINDOW_ORIGIN_MS = Date.UTC(1970, 0, 5);

/** One entry per distinct key: its latest prediction, and its label when one arrived. */
export interface JoinedRows {
  /** Prediction time, ms since 1970. */
  time: Float64Array;
  labelled: Uint8Array;
  yTrue: Float64Array;
  pred: Float64Array;
  /** Row-major probabilities (classification with probabilities). */
  proba?: Float64Array;
}

/** `7d`, `24h` as the shortest whole unit; what the user wrote reads back the same. */
export function formatWindow(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** The windows that hold a prediction, oldest first, with the task's metrics over their labelled rows. */
export function windowMetrics(rows: JoinedRows, windowMs: number, metricNames: string[], input: Pick<MetricInput, 'task' | 'nClasses' | 'modelClasses'>): MonitorWindowMetricsJson[] {
  const n = rows.time.length;
  const index = new Float64Array(n);
  for (let i = 0; i < n; i++) index[i] = Math.floor((rows.time[i] - WINDOW_ORIGIN_MS) / windowMs);
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => index[a] - index[b]);
  const k = input.modelClasses ?? 0;
  const out: MonitorWindowMetricsJson[] = [];
  for (let lo = 0; lo < n;) {
    let hi = lo;
    while (hi < n && index[order[hi]] === index[order[lo]]) hi++;
    const members = order.subarray(lo, hi).filter((r) => rows.labelled[r] === 1);
    const start = WINDOW_ORIGIN_MS + index[order[lo]] * windowMs;
    let metrics: Record<string, number> = {};
    if (members.length > 0) {
      const proba = rows.proba && Float64Array.from({ length: members.length * k }, (_, j) => rows.proba![members[Math.floor(j / k)] * k + (j % k)]);
      const all = computeMetrics(metricNames, {
        ...input, yTrue: Float64Array.from(members, (r) => rows.yTrue[r]), yPred: Float64Array.from(members, (r) => rows.pred[r]),
        ...(proba && !proba.some(Number.isNaN) ? { proba } : {}),
      });
      // roc_auc over a window of one class is undefined: left out, not reported as a number.
      metrics = Object.fromEntries(Object.entries(all).filter(([, v]) => Number.isFinite(v)));
    }
    out.push({ start: new Date(start).toISOString(), end: new Date(start + windowMs).toISOString(), predictions: hi - lo, rows: members.length, metrics });
    lo = hi;
  }
  return out;
}

function describe(w: MonitorWindowMetricsJson): string {
  return `${w.start.slice(0, 16).replace('T00:00', '')} to ${w.end.slice(0, 16).replace('T00:00', '')} (${w.rows} labelled rows of ${w.predictions} predictions)`;
}

/**
 * The alert judged on the newest window with at least `minRows` labelled rows (its labels have
 * arrived). Newer windows still waiting for labels are named in the reason; with no such window
 * the alert is not judged.
 */
export function judgeWindows(windows: MonitorWindowMetricsJson[], minRows: number, condition: Expr, text: string): MonitorAlertJson {
  let at = windows.length - 1;
  while (at >= 0 && windows[at].rows < minRows) at--;
  const waiting = windows.slice(at + 1);
  const waitingText = waiting.length > 0 ? `; ${waiting.length === 1 ? 'the newer window' : `${waiting.length} newer windows`} ${waiting.map(describe).join(', ')} ${waiting.length === 1 ? 'has' : 'have'} fewer than min_rows ${minRows} labelled rows and ${waiting.length === 1 ? 'waits' : 'wait'} for labels` : '';
  if (at < 0) {
    return notJudged(windows.length === 0
      ? `alert: ${text} not judged: no stored prediction has a label yet (run the predict, then add label files to actuals:)`
      : `alert: ${text} not judged: no window has min_rows ${minRows} labelled rows yet${waitingText.replace(/^; /, ' (').concat(waitingText ? ')' : '')}; lower min_rows or wait for labels`, windows[windows.length - 1] && windowRef(windows[windows.length - 1]), text);
  }
  const w = windows[at];
  const judged = judgeAlert(condition, text, w.metrics, `window ${describe(w)}`, windowRef(w));
  return { ...judged, reason: judged.reason + waitingText };
}

function windowRef(w: MonitorWindowMetricsJson): MonitorWindowJson {
  return { start: w.start, end: w.end, rows: w.rows };
}
