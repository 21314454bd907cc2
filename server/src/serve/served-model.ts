// A model as the serving API holds it: plain data (the fitted steps and saved model exactly as
// the run store keeps them, plus the raw input schema rows are checked against), scored by the
// runner's own `predictPrepared`, so an answer equals the row of `narml predict` for the same
// input. The same data is a scoring bundle's model.json.
import type { ModelInfo } from '../checker/checked-model';
import type { Table } from '../data/table';
import type { ColumnType, Task } from '../language/schema';
import type { SavedModel } from '../ml/model-types';
import { restoreModel } from '../ml/registry';
import { predictPrepared, type TrainedModel } from '../runner/scoring';
import type { TypicalRow } from './openapi';
import type { FittedStep } from '../transforms/fitted-step';

/** A raw input column of a served model: what a request row must give. */
export interface InputColumn {
  name: string;
  type: ColumnType;
  nullable: boolean;
  /** Levels seen in training (categories): documentation and the example row, never a limit. */
  levels?: string[];
}

/** Identifies the format of model.json, so a bundle's server refuses a file of another kind. */
export const SERVED_MODEL_FORMAT = 'narml-served-model/1';

export interface ServedModelData {
  format: typeof SERVED_MODEL_FORMAT;
  name: string;
  /** The registry's version (`v3`); a bundle of a model that has none yet, its definition hash. */
  version: string;
  /** The model's definition hash (`ModelJson.version`), beside the registry's number. */
  definition?: string;
  /** A typical training row (medians, most frequent levels): the example request. */
  example?: TypicalRow;
  /** Registry stage of this version, when it has one. */
  stage?: string;
  /** The pipeline file the model was declared in. */
  file?: string;
  created?: string;
  task: Task;
  target: string;
  input: InputColumn[];
  /** The model's fitted steps (an ensemble's: those of stacking's passed-through features, if any). */
  steps: FittedStep[];
  /** The fitted model (an ensemble's: stacking's or blending's final model; none for voting). */
  saved?: SavedModel;
  /** An ensemble: how it combines its members, each with its own steps and fitted model. */
  ensemble?: { method: 'voting' | 'stacking' | 'blending'; soft: boolean; passthrough: boolean; members: ServedMemberData[] };
}

/** A member of a served ensemble, as it predicts inside it. */
export interface ServedMemberData {
  name: string;
  input: InputColumn[];
  steps: FittedStep[];
  saved: SavedModel;
}

/** Each column once, the first kept: an ensemble's input is its members' (and its own passed-through) columns. */
export function unionColumns(lists: InputColumn[][]): InputColumn[] {
  const columns = new Map<string, InputColumn>();
  for (const c of lists.flat()) if (!columns.has(c.name)) columns.set(c.name, c);
  return [...columns.values()];
}

/** The classes a served model answers with (none for a regression). */
export function servedClasses(d: ServedModelData): string[] | undefined {
  return (d.saved ?? d.ensemble?.members[0]?.saved)?.classes;
}

export interface ServedModel {
  data: ServedModelData;
  trained: TrainedModel;
  /** What follows /predict/ for this model: `name` (the default version), `name@v3`, `name@production`. */
  refs: string[];
}

/** One scored row: the label (or value), and per class probabilities; null where the row could not be scored. */
export interface RowPrediction {
  prediction: string | number | null;
  probabilities?: Record<string, number> | null;
}

/** Restores the model once; every request then scores with the restored parameters. */
export function loadServedModel(data: ServedModelData, refs = [data.name, `${data.name}@${data.version}`]): ServedModel {
  const classes = servedClasses(data);
  const infoOf = (name: string, input: InputColumn[]): ModelInfo => ({
    kind: 'model', name, input: '', task: data.task, target: data.target, ...(classes ? { classes } : {}),
    features: [], featureChoice: { listed: false, exclude: [] },
    inputColumns: input.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable })),
  });
  const info = infoOf(data.name, data.input);
  const e = data.ensemble;
  if (!e) return { data, trained: { info, steps: data.steps, model: restoreModel(data.saved!), trainRows: 0, options: {} }, refs };
  info.ensemble = { method: e.method, members: e.members.map((m) => m.name), soft: e.soft, passthrough: e.passthrough };
  const members = e.members.map((m) => ({ info: infoOf(m.name, m.input), steps: m.steps, model: restoreModel(m.saved), trainRows: 0, options: {} }));
  return { data, trained: { info, steps: data.steps, members, ...(data.saved ? { final: restoreModel(data.saved) } : {}), trainRows: 0, options: {} }, refs };
}

/**
 * Scores the rows of a table built from a request. Row steps are skipped, as in `narml predict`,
 * so every row gets an answer; a row the model cannot take (a missing feature) gets nulls, as
 * `narml predict` leaves its cells empty.
 */
export function predictRows(m: ServedModel, table: Table): RowPrediction[] {
  const out = predictPrepared(m.trained, table, 'predict');
  const classes = m.trained.info.classes;
  const k = classes?.length ?? 0;
  const rows: RowPrediction[] = [];
  for (let i = 0; i < table.rowCount; i++) {
    if (!out.usable[i]) {
      rows.push(classes ? { prediction: null, probabilities: null } : { prediction: null });
      continue;
    }
    if (!classes) { rows.push({ prediction: out.pred[i] }); continue; }
    const row: RowPrediction = { prediction: classes[out.pred[i]] };
    if (out.proba) {
      const p: Record<string, number> = {};
      for (let c = 0; c < k; c++) p[classes[c]] = out.proba[i * k + c];
      row.probabilities = p;
    }
    rows.push(row);
  }
  return rows;
}
