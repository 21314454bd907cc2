// One monitor's reports across the stored runs (each run record holds the report its run
// computed): drift per method and column per run, the alert of each, and the newest windows'
// metrics. `narml monitor-report` prints it; the editor's Monitor Trends panel draws it.
import type { MonitorJson, MonitorMethodJson, MonitorTrendRun, MonitorTrendsJson, RunJson } from '../contracts/cli-json';
import { readStoreData } from './run-store';

/** A report recorded before drift lists existed: its one method's figures under `drift`. */
function methodsOf(m: MonitorJson): MonitorJson['methods'] {
  return m.methods ?? { drift: { threshold: NaN, scores: m.scores, drifted: m.drifted, ...(m.prediction ? { prediction: m.prediction } : {}) } };
}

/**
 * Whether a report compared anything: a run whose predict found no input (an empty inbox) has
 * no scores, and its empty drift list does not mean that no drift was found.
 */
export function driftCompared(methods: Record<string, MonitorMethodJson>): boolean {
  return Object.values(methods).some((x) => Object.keys(x.scores).length > 0 || x.prediction !== undefined);
}

/** A report recorded when `alert` was a boolean. */
function alertOf(m: MonitorJson): MonitorJson['alert'] {
  const a = m.alert as MonitorJson['alert'] | boolean;
  return typeof a === 'boolean' ? { raised: a, judged: true, reason: `alert ${a ? 'raised' : 'not raised'} (recorded without a reason)`, window: null } : a;
}

/** The trends of monitor `name` from runs of `file` (any order): pure, for tests and the CLI. */
export function monitorTrends(file: string, name: string, runs: readonly RunJson[]): MonitorTrendsJson {
  const ordered = runs.filter((r) => r.file === file && r.monitors?.[name]).sort((a, b) => a.started.localeCompare(b.started) || a.run.localeCompare(b.run));
  const out: MonitorTrendRun[] = ordered.map((r) => {
    const m = r.monitors[name];
    const { windows: _w, ...counts } = m.actuals ?? { windows: [] };
    return {
      run: r.run, started: r.started, status: r.status, methods: methodsOf(m), drifted: m.drifted, alert: alertOf(m),
      ...(m.actuals ? { actuals: counts as MonitorTrendRun['actuals'] } : {}),
    };
  });
  const newest = ordered[ordered.length - 1]?.monitors[name];
  return { file, monitor: name, runs: out, windows: newest?.actuals?.windows ?? [], alert: newest ? alertOf(newest) : null };
}

export function readMonitorTrends(file: string, name: string): MonitorTrendsJson {
  return monitorTrends(file, name, readStoreData(file)?.runs ?? []);
}
