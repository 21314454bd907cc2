// Ground truth for a monitor (`actuals: "labels/*.csv" on id`): each predict run that a monitor
// with actuals watches keeps its keyed predictions in the store (the output file may be
// overwritten by the next run, edited or deleted), and the monitor joins the labels that arrive
// later to them by key: a later prediction of a key replaces an earlier one, a later label too.
import type { ActualsInfo, CheckedPipeline, MonitorInfo } from '../checker/checked-model';
import type { Column } from '../data/table';
import type { MonitorActualsJson, RunJson } from '../contracts/cli-json';
import type { CsvOptions } from '../data/csv-options';
import { expandGlob } from '../data/glob';
import { getColumn, type Table } from '../data/table';
import { readStoreData, type RunStore } from '../store/run-store';
import { cellText } from '../transforms/table-ops';
import { parseBoolean } from '../data/parse-values';
import { dictionaryColumn } from '../serve/request-rows';
import { labelUnseenClasses, targetValues } from './model-data';
import { RunError } from './pipeline-data';
import type { TrainedModel } from './scoring';
import { formatWindow, windowMetrics, type JoinedRows } from './monitor-windows';

/** What a predict run keeps for ground truth: one entry per input row. */
export interface StoredPredictions {
  predict: string;
  model: string;
  /** When the predict ran (ISO): the time of its rows unless a monitor names a `time:` column. */
  ran: string;
  /** Key column → each row's key as text (absent: missing key). */
  keys: Record<string, (string | null)[]>;
  /** Time column → each row's time in ms since 1970 (absent: missing). */
  times: Record<string, (number | null)[]>;
  /** Class index (classification) or value per row; null where the model gave no prediction. */
  prediction: (number | null)[];
  /** Row-major probabilities, `classes` per row (classification). */
  proba?: (number | null)[];
  /** The registry version that predicted (`v2`), when the predict used one (`with risk@production`). */
  version?: string;
  /** Every input column as read, when a monitor retrains `with_actuals` (its labelled rows are learned from). */
  inputs?: Record<string, StoredColumn>;
}

/** A column of a stored input: numbers (dates in days, booleans 0/1) with null for missing, or dictionary codes (-1 missing). */
export type StoredColumn =
  | { type: 'number' | 'date' | 'boolean'; values: (number | null)[] }
  | { type: 'category' | 'text'; levels: string[]; codes: number[] };

function storedColumn(c: Column): StoredColumn {
  return 'codes' in c ? { type: c.type, levels: c.levels, codes: Array.from(c.codes) } : { type: c.type, values: Array.from(c.values, (v) => (Number.isNaN(v) ? null : v)) };
}

/** The monitors that join labels to `predict`'s rows. */
export function watchingMonitors(checked: CheckedPipeline, predict: string): MonitorInfo[] {
  return checked.infos.flatMap((i) => (i?.kind === 'monitor' && i.current === predict && i.actuals ? [i] : []));
}

/** The keyed predictions of one predict run, stored as an artifact; undefined when no monitor needs them. */
export function storePredictions(store: RunStore, checked: CheckedPipeline, predict: string, ran: Date, tm: TrainedModel, input: Table, pred: Float64Array, proba: Float64Array | undefined, usable: Uint8Array, version?: string): string | undefined {
  const monitors = watchingMonitors(checked, predict);
  if (monitors.length === 0) return undefined;
  const keys: StoredPredictions['keys'] = {};
  const times: StoredPredictions['times'] = {};
  for (const a of monitors.map((m) => m.actuals!)) {
    const k = getColumn(input, a.key);
    // The checker verified the key against the source's schema; a file changed since then is the run's error.
    if (!k) throw new RunError(`predict ${predict}: the input has no column "${a.key}", the key monitors join labels by; add it to the prediction files`);
    keys[a.key] ??= Array.from({ length: input.rowCount }, (_, i) => cellText(k, i) ?? null);
    if (a.time) {
      const t = getColumn(input, a.time);
      if (!t || !('values' in t) || t.type !== 'date') throw new RunError(`predict ${predict}: the input's "${a.time}" is not a date column, and a monitor times predictions by it; write dates (YYYY-MM-DD) there`);
      times[a.time] ??= Array.from(t.values, (d) => (Number.isNaN(d) ? null : Math.round(d * 86_400_000)));
    }
  }
  const stored: StoredPredictions = {
    predict, model: tm.info.name, ran: ran.toISOString(), keys, times, ...(version ? { version } : {}),
    prediction: Array.from(pred, (v, i) => (usable[i] && !Number.isNaN(v) ? v : null)),
    ...(proba ? { proba: Array.from(proba, (v) => (Number.isNaN(v) ? null : v)) } : {}),
    ...(monitors.some((m) => m.retrainWithActuals) ? { inputs: Object.fromEntries(input.names.map((n, j) => [n, storedColumn(input.columns[j])])) } : {}),
  };
  return store.putArtifact(stored);
}

/** Stored predictions of `predict` in this file's runs, oldest run first, and those of the run in progress. */
function storedRuns(checked: CheckedPipeline, store: RunStore, predict: string, run: RunJson): StoredPredictions[] {
  const records = (readStoreData(checked.file)?.runs ?? []).filter((r) => r.file === checked.file && r.run !== run.run);
  const hashes = [...records.map((r) => r.predictions[predict]?.stored), run.predictions[predict]?.stored];
  return hashes.flatMap((h) => {
    const s = h ? store.getArtifact<StoredPredictions>(h) : undefined;
    return s ? [s] : [];
  });
}

/** Labels of the actuals files as the model's class indices (unseen classes after them) or values; the key as text. */
async function readLabels(a: ActualsInfo, tm: TrainedModel, read: (path: string, options: CsvOptions) => Promise<Table>, options: CsvOptions): Promise<{ files: string[]; keys: (string | undefined)[]; y: Float64Array; levels: string[] }> {
  const files = expandGlob(a.path).sort();
  if (files.length === 0) return { files, keys: [], y: new Float64Array(0), levels: [] };
  const t = await read(a.path, options);
  const key = getColumn(t, a.key);
  if (!key) throw new RunError(`the actuals ${a.path} have no column "${a.key}", the key that joins labels to predictions; add it to every label file`);
  if (!getColumn(t, tm.info.target!)) throw new RunError(`the actuals ${a.path} have no column "${tm.info.target}", the target of "${tm.info.name}"; add it to every label file`);
  const y = targetValues(t, tm.info);
  const unseen = labelUnseenClasses(t, tm.info, y);
  return { files, keys: Array.from({ length: t.rowCount }, (_, i) => cellText(key, i)), y, levels: unseen.levels };
}

/** The labels joined to the latest stored prediction of each key: one slot per key, in typed arrays (no object per row). */
interface Join {
  runs: StoredPredictions[];
  /** Key → slot; a slot's stored run, row and time. */
  latest: Map<string, number>;
  slotRun: Int32Array;
  slotRow: Int32Array;
  slotTime: Float64Array;
  duplicatePredictions: number;
  labels: Awaited<ReturnType<typeof readLabels>>;
  /** Key → index of its latest label. */
  labelOf: Map<string, number>;
  labelRows: number;
  duplicateLabels: number;
}

async function joinLabels(m: MonitorInfo, tm: TrainedModel, checked: CheckedPipeline, store: RunStore, run: RunJson, read: (path: string, options: CsvOptions) => Promise<Table>, options: CsvOptions): Promise<Join> {
  const a = m.actuals!;
  const classification = tm.info.task === 'classification';
  const runs = storedRuns(checked, store, m.current!, run);
  const latest = new Map<string, number>();
  const total = runs.reduce((t, s) => t + (s.keys[a.key]?.length ?? 0), 0);
  const slotRun = new Int32Array(total), slotRow = new Int32Array(total), slotTime = new Float64Array(total);
  let duplicatePredictions = 0;
  runs.forEach((s, si) => {
    const keys = s.keys[a.key];
    if (!keys) return;
    const times = a.time ? s.times[a.time] : undefined;
    const ran = Date.parse(s.ran);
    for (let row = 0; row < keys.length; row++) {
      const key = keys[row];
      const time = times ? times[row] : ran;
      if (key === null || time === null || time === undefined) continue;
      let slot = latest.get(key);
      if (slot !== undefined) {
        duplicatePredictions++;
        if (slotTime[slot] > time) continue;
      } else {
        slot = latest.size;
        latest.set(key, slot);
      }
      slotRun[slot] = si;
      slotRow[slot] = row;
      slotTime[slot] = time;
    }
  });
  const labels = await readLabels(a, tm, read, options);
  const labelOf = new Map<string, number>();
  let labelRows = 0, duplicateLabels = 0;
  for (let i = 0; i < labels.keys.length; i++) {
    const key = labels.keys[i];
    const y = labels.y[i];
    if (key === undefined || (classification ? y < 0 : Number.isNaN(y))) continue;
    labelRows++;
    if (labelOf.has(key)) duplicateLabels++;
    labelOf.set(key, i);
  }
  return { runs, latest, slotRun, slotRow, slotTime, duplicatePredictions, labels, labelOf, labelRows, duplicateLabels };
}

/**
 * Labels joined to the stored predictions of the monitor's predict, and the metrics per window.
 * `now` bounds nothing: a window still running is reported (and judged) with the rows it has.
 * `watched`: the registry version the monitor watches (`for risk@production` resolved to `v2`):
 * predictions another version made (before a promotion or a rollback) are in `windows` but not
 * in `judgedWindows`, on which the alert is judged, so an alert is about the version in place.
 */
export async function groundTruth(m: MonitorInfo, tm: TrainedModel, checked: CheckedPipeline, store: RunStore, run: RunJson, read: (path: string, options: CsvOptions) => Promise<Table>, options: CsvOptions, metricNames: string[], watched?: string): Promise<MonitorActualsJson> {
  const a = m.actuals!;
  const classification = tm.info.task === 'classification';
  const k = tm.info.classes?.length ?? 0;
  const { runs, latest, slotRun, slotRow, slotTime, duplicatePredictions, labels, labelOf, labelRows, duplicateLabels } = await joinLabels(m, tm, checked, store, run, read, options);
  let unmatchedLabels = 0;
  for (const key of labelOf.keys()) if (!latest.has(key)) unmatchedLabels++;
  const n = latest.size;
  const rows: JoinedRows = {
    time: new Float64Array(n), labelled: new Uint8Array(n), yTrue: new Float64Array(n), pred: new Float64Array(n),
    ...(classification && runs.some((s) => s.proba) ? { proba: new Float64Array(n * k) } : {}),
  };
  let joined = 0;
  for (const [key, j] of latest) {
    const s = runs[slotRun[j]];
    const row = slotRow[j];
    const p = s.prediction[row];
    const label = labelOf.get(key);
    rows.time[j] = slotTime[j];
    rows.pred[j] = p ?? NaN;
    if (label !== undefined && p !== null) {
      rows.labelled[j] = 1;
      rows.yTrue[j] = labels.y[label];
      joined++;
    }
    if (rows.proba) for (let c = 0; c < k; c++) rows.proba[j * k + c] = s.proba?.[row * k + c] ?? NaN;
  }
  const input = { task: tm.info.task!, ...(classification ? { nClasses: k + labels.levels.length, modelClasses: k } : {}) };
  const windows = windowMetrics(rows, a.window, metricNames, input);
  // Stored runs that name no version (a predict of the model itself, older records) count as the watched one.
  const other = (j: number): boolean => { const v = runs[slotRun[j]].version; return watched !== undefined && v !== undefined && v !== watched; };
  let others = 0;
  for (let j = 0; j < n; j++) if (other(j)) others++;
  const judgedWindows = others === 0 ? undefined : windowMetrics(ownRows(rows, other), a.window, metricNames, input);
  const unseenClasses = unseenLabels(rows, labels.levels, k);
  return {
    files: labels.files, labels: labelRows, predictions: n, joined, unmatchedLabels, unlabelled: n - joined,
    duplicateLabels, duplicatePredictions, predictRuns: runs.length,
    window: formatWindow(a.window), windowMs: a.window, minRows: a.minRows, windows,
    ...(judgedWindows ? { judged: { version: watched!, otherPredictions: others, windows: judgedWindows } } : {}),
    ...(unseenClasses.length > 0 ? { unseenClasses: { model: tm.info.name, classes: unseenClasses } } : {}),
  };
}

/** The joined rows but those `other` marks. */
function ownRows(rows: JoinedRows, other: (j: number) => boolean): JoinedRows {
  const keep = Int32Array.from({ length: rows.time.length }, (_, j) => j).filter((j) => !other(j));
  const k = rows.proba ? rows.proba.length / rows.time.length : 0;
  const pick = <T extends Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
    const out = make(keep.length);
    for (let i = 0; i < keep.length; i++) out[i] = a[keep[i]];
    return out;
  };
  const proba = rows.proba && Float64Array.from({ length: keep.length * k }, (_, i) => rows.proba![keep[Math.floor(i / k)] * k + (i % k)]);
  return {
    time: pick(rows.time, (n) => new Float64Array(n)), labelled: pick(rows.labelled, (n) => new Uint8Array(n)),
    yTrue: pick(rows.yTrue, (n) => new Float64Array(n)), pred: pick(rows.pred, (n) => new Float64Array(n)), ...(proba ? { proba } : {}),
  };
}

/** The labelled predictions as rows of the model's dataset, for retraining `with_actuals`. */
export interface LabelledRows {
  /** The dataset's columns (names and types), one row per labelled prediction whose input was stored. */
  table: Table;
  /** Labelled predictions whose input was not stored (predicted before `with_actuals` was declared): left out. */
  withoutInputs: number;
  /** Columns of the dataset the stored inputs lack, or hold with another type: missing in these rows. */
  missingColumns: string[];
  files: string[];
}

/**
 * Each key's latest prediction that has a label, as a row of `dataset`'s columns: its stored input
 * cells, and its latest label in the target column. Where the input has no such column (or another
 * type), the cell is missing; the steps of the model's table then treat it as any missing value.
 */
export async function labelledRows(m: MonitorInfo, tm: TrainedModel, checked: CheckedPipeline, store: RunStore, run: RunJson, read: (path: string, options: CsvOptions) => Promise<Table>, options: CsvOptions, dataset: Table): Promise<LabelledRows> {
  const { runs, latest, slotRun, slotRow, labels, labelOf } = await joinLabels(m, tm, checked, store, run, read, options);
  const classes = tm.info.classes ?? [];
  // Per picked row: its stored run, row and label (typed arrays, one entry per row).
  const pickRun = new Int32Array(latest.size), pickRow = new Int32Array(latest.size), pickLabel = new Int32Array(latest.size);
  let n = 0, withoutInputs = 0;
  for (const [key, j] of latest) {
    const label = labelOf.get(key);
    if (label === undefined) continue;
    if (!runs[slotRun[j]].inputs) { withoutInputs++; continue; }
    pickRun[n] = slotRun[j];
    pickRow[n] = slotRow[j];
    pickLabel[n++] = label;
  }
  const used = [...new Set(pickRun.subarray(0, n))].map((r) => runs[r]);
  const target = tm.info.target!;
  const missingColumns: string[] = [];
  const labelText = (i: number): string | undefined => {
    const y = labels.y[i];
    if (tm.info.task === 'regression') return Number.isNaN(y) ? undefined : String(y);
    return y < 0 ? undefined : y < classes.length ? classes[y] : labels.levels[y - classes.length];
  };
  const texts = (cell: (i: number) => string | undefined): (string | undefined)[] => Array.from({ length: n }, (_, i) => cell(i));
  const columns = dataset.names.map((name, c): Column => {
    const type = dataset.columns[c].type;
    const numeric = type === 'number' || type === 'date' || type === 'boolean';
    if (name === target) {
      const labelled = texts((i) => labelText(pickLabel[i]));
      if (!numeric) return dictionaryColumn(type, labelled);
      return { type, values: Float64Array.from(labelled, (t) => (t === undefined ? NaN : type === 'boolean' ? parseBoolean(t) : Number(t))) };
    }
    if (used.some((s) => { const x = s.inputs![name]; return !x || (numeric ? x.type !== type : !('codes' in x)); })) {
      missingColumns.push(name);
      return numeric ? { type, values: new Float64Array(n).fill(NaN) } : { type, levels: [], codes: new Int32Array(n).fill(-1) };
    }
    const stored = (i: number): StoredColumn => runs[pickRun[i]].inputs![name];
    if (numeric) {
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) values[i] = (stored(i) as { values: (number | null)[] }).values[pickRow[i]] ?? NaN;
      return { type, values };
    }
    return dictionaryColumn(type, texts((i) => {
      const x = stored(i) as { levels: string[]; codes: number[] };
      const code = x.codes[pickRow[i]];
      return code < 0 ? undefined : x.levels[code];
    }));
  });
  return { table: { names: dataset.names, columns, rowCount: n }, withoutInputs, missingColumns, files: labels.files };
}

/**
 * The joined labels of classes the model was never trained on (it cannot predict them, so each
 * counts as a wrong prediction): per class, how many, so the report can say why metrics fell.
 */
function unseenLabels(rows: JoinedRows, levels: string[], k: number): { class: string; rows: number }[] {
  if (levels.length === 0) return [];
  const counts = new Int32Array(levels.length);
  for (let j = 0; j < rows.labelled.length; j++) if (rows.labelled[j] === 1 && rows.yTrue[j] >= k) counts[rows.yTrue[j] - k]++;
  return levels.flatMap((l, i) => (counts[i] > 0 ? [{ class: l, rows: counts[i] }] : []));
}

/** What the report says of labels of classes the model never saw: how many, and that they count as wrong. */
export function unseenClassesText(model: string, unseen: readonly { class: string; rows: number }[]): string {
  const each = unseen.map((u) => `${u.rows} of class "${u.class}"`).join(', ');
  const total = unseen.reduce((t, u) => t + u.rows, 0);
  return `${total === 1 ? '1 label holds' : `${total} labels hold`} ${unseen.length === 1 ? 'a class' : 'classes'} that ${model} was never trained on (${each}): it cannot predict ${unseen.length === 1 ? 'that class' : 'those classes'}, so ${total === 1 ? 'that row counts' : 'those rows count'} as wrong predictions in the windows' metrics; retrain ${model} on rows that hold ${unseen.length === 1 ? 'it' : 'them'}, or correct the labels if ${unseen.length === 1 ? 'it is a typo' : 'they are typos'}`;
}
