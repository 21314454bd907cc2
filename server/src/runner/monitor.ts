// `monitor`: drift of each column between a baseline table and the current data (the methods
// of ml/drift.ts), the alert condition over the model's latest metrics, and the retraining decision.
import type { CheckedPipeline, MonitorInfo } from '../checker/checked-model';
import { infoOf } from '../checker/checked-model';
import type { MonitorActualsJson, MonitorAlertJson, MonitorJson, MonitorMethodJson, RunJson } from '../contracts/cli-json';
import { alertNames, DRIFT_NAME, judgeAlert, notJudged } from './monitor-alert';
import { groundTruth } from './actuals';
import { judgeWindows } from './monitor-windows';
import { DEFAULT_METRICS, METRICS } from '../ml/catalog';
import type { RunStore } from '../store/run-store';
import { readCsv } from '../data/read-csv';
import { getColumn, type NumericColumn, type Table } from '../data/table';
import { applySteps } from '../transforms/fit-steps';
import type { PipelineData } from './pipeline-data';
import { isEmptyInbox } from './predict';
import { predictPrepared, type TrainedModel } from './scoring';
import { categoryDrift, numericDrift, type DriftMethod } from '../ml/drift';

const UNCOMPARED = new Set(['date', 'text']);

function numbers(c: NumericColumn): Float64Array {
  return c.values.filter((v) => !Number.isNaN(v));
}

/**
 * Drift of the model's predictions between the two sides' raw rows: predicted values of a
 * regression, predicted-class frequencies of a classifier (so KS and Wasserstein give none).
 * Undefined when a side lacks a raw input column the model reads (a table of another dataset).
 */
function predictionDrift(method: DriftMethod, tm: TrainedModel, baseline: Table, current: Table): number | undefined {
  const needed = tm.info.inputColumns.map((c) => c.name);
  if (![baseline, current].every((t) => needed.every((n) => t.names.includes(n)))) return undefined;
  const predicted = (t: Table): Float64Array => predictPrepared(tm, t, 'predict').pred.filter((v) => !Number.isNaN(v));
  const a = predicted(baseline), b = predicted(current);
  if (tm.info.task === 'regression') return numericDrift(method, a, b);
  const levels = tm.info.classes ?? [];
  return categoryDrift(method, { levels, codes: a }, { levels, codes: b });
}

/**
 * Drift between `baseline` and `current`. A prediction as `current` is compared on the model's raw
 * input columns: its input rows against the baseline table's rows before its transforms (the
 * prediction reads raw data). A table as `current` is compared exactly as declared (its filters,
 * derived and dropped columns, steps fitted as for a run) against the baseline's rows put
 * through the same column steps, on every column but the target.
 */
export async function monitorReport(m: MonitorInfo, tm: TrainedModel, data: PipelineData, run: RunJson, checked: CheckedPipeline, store: RunStore, watched?: string): Promise<MonitorJson> {
  const dataset = data.chain(tm.info.input).dataset;
  const baselineName = m.baseline ?? tm.info.input;
  // `raw`: both sides' raw input rows, on which the model's predictions are compared.
  let pair: { baseline: Table; current: Table; columns: string[]; raw: { baseline: Table; current: Table } } | undefined;
  if (m.current) {
    const predict = infoOf(checked, m.current, 'predict');
    // An empty inbox has no current data yet: no drift to measure (the predict warns, NML204).
    const waiting = predict?.source.kind === 'file' && isEmptyInbox(predict.source.path);
    if (predict && !waiting) {
      // What the prediction scored: every input row (row steps are skipped at prediction).
      let current: Table;
      if (predict.source.kind === 'file') current = await readCsv(predict.source.path, dataset.options);
      else {
        const chain = data.chain(predict.source.name);
        current = await data.rawRowsTable(chain);
      }
      const baseline = await data.rawRowsKept(baselineName);
      pair = { baseline, current, columns: tm.info.inputColumns.map((c) => c.name), raw: { baseline, current } };
    } else if (!predict) {
      const current = (await data.prepared(m.current)).table;
      // The baseline's rows go through the current table's own fitted column steps (its filters
      // are not applied to them): both sides then hold the same columns on the same scale, even
      // when the baseline is a scaled training part and the current table raw new rows.
      const { fitted } = await data.fitChain(data.chain(m.current));
      const rawBaseline = await data.rawRowsKept(baselineName);
      const baseline = applySteps(fitted, rawBaseline, 'predict').table;
      const raw = { baseline: rawBaseline, current: await data.rawRowsKept(m.current) };
      pair = { baseline, current, columns: current.names.filter((n) => n !== tm.info.target && baseline.names.includes(n)), raw };
    }
  }
  const methods: Record<string, MonitorMethodJson> = {};
  for (const call of m.drift) {
    const method = call.name as DriftMethod;
    // The checker fills each method's default threshold.
    const threshold = Number(call.options.threshold);
    const scores: Record<string, number> = {};
    const drifted: string[] = [];
    for (const name of pair?.columns ?? []) {
      const a = getColumn(pair!.baseline, name), b = getColumn(pair!.current, name);
      // New rows always have later dates, and free text (names, ids) has no levels to share: both
      // would drift on every run and make `retrain: on_drift` fire each time.
      if (!a || !b || UNCOMPARED.has(a.type) || UNCOMPARED.has(b.type)) continue;
      let s: number | undefined;
      if ('values' in a && 'values' in b) s = numericDrift(method, numbers(a), numbers(b));
      else if ('codes' in a && 'codes' in b) s = categoryDrift(method, a, b);
      if (s === undefined) continue;
      scores[name] = s;
      if (s > threshold) drifted.push(name);
    }
    const prediction = pair && predictionDrift(method, tm, pair.raw.baseline, pair.raw.current);
    methods[method] = { threshold, scores, drifted, ...(prediction !== undefined ? { prediction: { score: prediction, drifted: prediction > threshold } } : {}) };
  }
  const all = Object.values(methods);
  const drifted = [...new Set(all.flatMap((x) => x.drifted))];
  const anyDrift = drifted.length > 0 || all.some((x) => x.prediction?.drifted);
  const first = all[0];
  const text = m.alert && checked.text.slice(m.alert.range.start.offset, m.alert.range.end.offset);
  let actuals: MonitorActualsJson | undefined;
  let alert: MonitorAlertJson;
  if (m.actuals) {
    const task = tm.info.task!;
    const names = [...new Set([...DEFAULT_METRICS[task], ...(task === 'classification' ? ['precision', 'recall'] : []), ...(m.alert ? alertNames(m.alert) : [])])].filter((n) => METRICS[n]?.task === task);
    actuals = await groundTruth(m, tm, checked, store, run, (path, options) => data.fileTable(path, options), dataset.options, names, watched);
    alert = m.alert ? judgeWindows(actuals.judged?.windows ?? actuals.windows, actuals.minRows, m.alert, text!) : notJudged('no alert: condition');
    // Said with the alert: windows of earlier versions' predictions no longer raise it.
    if (m.alert && actuals.judged) alert.reason += ` (judged on the predictions of ${tm.info.name} ${actuals.judged.version} only: ${actuals.judged.otherPredictions} predictions of other versions are left out)`;
  } else {
    const metrics: Record<string, number> = {};
    for (const ev of Object.values(run.evaluations)) if (ev.model === tm.info.name) Object.assign(metrics, ev.metrics);
    alert = m.alert
      ? judgeAlert(m.alert, text!, { ...metrics, [DRIFT_NAME]: anyDrift ? 1 : 0 }, 'the evaluation metrics of this run')
      : notJudged('no alert: condition');
  }
  const retrained = (m.retrain === 'on_drift' && anyDrift) || (m.retrain === 'on_alert' && alert.raised);
  return {
    drifted, scores: first?.scores ?? {}, ...(first?.prediction ? { prediction: first.prediction } : {}), methods,
    ...(actuals ? { actuals } : {}), alert, retrained,
  };
}
