// A monitor's drift methods (one or a list, each with its threshold) and its ground truth:
// `actuals: "labels/*.csv" on id` with `time:`, `window:` and `min_rows:`. Everything the
// runner would refuse about the join (a key or target column missing, a time column that is not
// a date) is reported here from the schemas, before anything runs.
import type { Expr, Property, Range } from '../language/ast';
import type { ColumnSchema } from '../language/schema';
import { DRIFT_METHODS } from '../ml/catalog';
import type { CheckContext } from './check-context';
import type { ActualsInfo, MethodCall, ModelInfo, PredictInfo } from './checked-model';
import { describeValue, methodRef, optionValue, validateOptions } from './options';
import type { Resolver } from './resolver';

/** Default window of windowed metrics: one calendar day (UTC). */
export const DEFAULT_WINDOW_MS = 86_400_000;
/** Default least number of labelled rows for a window's metrics to be judged by `alert:`. */
export const DEFAULT_MIN_ROWS = 30;

/** `drift: psi(threshold: 0.2)` or `drift: [psi(threshold: 0.2), ks(threshold: 0.1)]`: each method once, options checked. */
export function checkDriftMethods(value: Expr | undefined, c: CheckContext): MethodCall[] {
  if (!value) {
    // No `drift:` means psi at its default threshold.
    const spec = DRIFT_METHODS.psi.options.threshold;
    return [{ name: 'psi', options: { threshold: 'default' in spec ? spec.default : 0.2 } }];
  }
  const items = value.kind === 'List' ? value.items : [value];
  if (value.kind === 'List' && items.length === 0) {
    c.report('NML116', value.range, `drift needs at least one method, e.g. drift: [psi(threshold: 0.2), ks(threshold: 0.1)]; use ${Object.keys(DRIFT_METHODS).join(', ')}`);
  }
  const out: MethodCall[] = [];
  const seen = new Map<string, Range>();
  for (const item of items) {
    const ref = methodRef(item);
    if (!ref || !DRIFT_METHODS[ref.name]) {
      const s = ref ? c.suggest(ref.name, Object.keys(DRIFT_METHODS), 'method') : { text: '', fixes: undefined };
      c.report('NML116', ref?.nameRange ?? item.range, `unknown drift method "${ref?.name ?? describeValue(item)}"${s.text || `; use ${Object.keys(DRIFT_METHODS).join(', ')}`}`, s.fixes);
      continue;
    }
    if (seen.has(ref.name)) {
      c.report('NML116', item.range, `drift method "${ref.name}" is listed twice; keep one, with the threshold you want`, [{ title: `Remove this ${ref.name}`, data: { kind: 'remove', range: item.range } }], [{ range: seen.get(ref.name)!, message: `first ${ref.name}` }]);
      continue;
    }
    seen.set(ref.name, item.range);
    out.push({ name: ref.name, options: validateOptions(DRIFT_METHODS[ref.name].options, ref, `drift ${ref.name}`, c) });
  }
  return out;
}

/** The raw columns a predict scores: its source file's, or its table's dataset's (row steps are skipped at prediction). */
function predictionInputColumns(predictName: string, r: Resolver): { columns: ColumnSchema[]; where: string } | undefined {
  const predict = r.info(predictName);
  if (predict?.kind !== 'predict') return undefined;
  if (predict.source.kind === 'table') {
    const origin = r.tables.get(predict.source.name)?.origin;
    const columns = origin ? r.tables.get(origin)?.schema.columns : undefined;
    return columns && { columns, where: `the input of "${predictName}" (dataset "${origin}")` };
  }
  const model = r.info(predict.model);
  const origin = model?.kind === 'model' && model.origin ? r.info(model.origin) : undefined;
  if (origin?.kind !== 'dataset') return undefined;
  const result = r.source.schema(predict.source.path, origin.options);
  return result.ok ? { columns: result.schema.columns, where: `the input of "${predictName}"` } : undefined;
}

function columnFix(c: CheckContext, name: string, columns: ColumnSchema[]): { text: string; fixes?: ReturnType<CheckContext['suggest']>['fixes'] } {
  return c.suggest(name, columns.map((x) => x.name), 'column');
}

/**
 * `actuals:` and the properties that only mean something with it. `current` is the monitor's
 * `current:` when it names a predict. Returns undefined when there is no `actuals:` or it is broken.
 */
export function checkActuals(props: Map<string, Property>, monitor: string, model: ModelInfo | undefined, current: string | undefined, r: Resolver): ActualsInfo | undefined {
  const c = r.ctx;
  const actuals = props.get('actuals');
  if (!actuals) {
    for (const key of ['time', 'window', 'min_rows']) {
      const p = props.get(key);
      if (p) c.report('NML116', p.key.range, `${key}: applies to the ground truth of actuals:, which monitor "${monitor}" does not have; add actuals: "labels/*.csv" on id, or remove ${key}:`, [{ title: `Remove ${key}:`, data: { kind: 'remove', range: p.range } }]);
    }
    return undefined;
  }
  let window = DEFAULT_WINDOW_MS;
  const windowValue = props.get('window')?.value;
  if (windowValue) {
    if (windowValue.kind !== 'Duration' || windowValue.ms <= 0) c.report('NML116', windowValue.range, `window must be a duration such as 1d, 7d or 24h, not ${describeValue(windowValue)}`, [{ title: 'Use 1d', data: { kind: 'replace', with: '1d' } }, { title: 'Use 7d', data: { kind: 'replace', with: '7d' } }]);
    else window = windowValue.ms;
  }
  let minRows = DEFAULT_MIN_ROWS;
  const minValue = props.get('min_rows')?.value;
  if (minValue) {
    const v = optionValue({ kind: 'integer', default: DEFAULT_MIN_ROWS, min: 1, doc: 'least labelled rows of a judged window' }, minValue, 'min_rows', c);
    if (typeof v === 'number') minRows = v;
  }
  const value = actuals.value;
  if (!value || value.kind !== 'String') {
    if (value) c.report('NML116', value.range, `actuals must be the label files in quotes with their key column, e.g. actuals: "labels/*.csv" on id, not ${describeValue(value)}`);
    return undefined;
  }
  if (!actuals.on) {
    c.report('NML116', value.range, `actuals: needs the key column that joins labels to predictions: actuals: "${value.value}" on id`);
    return undefined;
  }
  const key = actuals.on;
  if (!current) {
    const predicts = [...r.symbols.values()].filter((s) => s.kind === 'predict' && (!model || (r.info(s.name) as PredictInfo | undefined)?.model === model.name)).map((s) => s.name);
    const own = predicts.length === 1 ? [{ title: `Add current: ${predicts[0]}`, data: { kind: 'add-property' as const, declaration: monitor, property: `current: ${predicts[0]}` } }] : undefined;
    c.report('NML150', actuals.key.range, `actuals: joins labels to the stored predictions of a predict, but monitor "${monitor}" has no predict as current:; set current: to the predict whose rows the labels belong to${predicts.length > 0 ? ` (${predicts.join(', ')})` : ' (declare a predict of the model first)'}`, own);
    return undefined;
  }
  if (!model) return undefined;
  let ok = true;
  const input = predictionInputColumns(current, r);
  if (input && !input.columns.some((x) => x.name === key.name)) {
    const s = columnFix(c, key.name, input.columns);
    c.report('NML151', key.range, `key column "${key.name}" is not in ${input.where}, so its predictions cannot be joined to labels${s.text || `; name a column both hold (it has ${input.columns.slice(0, 8).map((x) => x.name).join(', ')})`}`, s.fixes);
    ok = false;
  }
  let time: string | undefined;
  const timeProp = props.get('time');
  if (timeProp?.value) {
    const t = timeProp.value.kind === 'Name' && timeProp.value.name.parts.length === 1 ? timeProp.value.name.text : undefined;
    if (!t) c.report('NML116', timeProp.value.range, `time must name a date column of the predictions' input, e.g. time: scored_at, not ${describeValue(timeProp.value)}`);
    else {
      const col = input?.columns.find((x) => x.name === t);
      if (input && !col) {
        const s = columnFix(c, t, input.columns.filter((x) => x.type === 'date'));
        c.report('NML153', timeProp.value.range, `time column "${t}" is not in ${input.where}${s.text || '; name a date column of it, or remove time: to use the time each predict ran'}`, s.fixes);
        ok = false;
      } else if (col && col.type !== 'date') {
        c.report('NML153', timeProp.value.range, `time column "${t}" of ${input!.where} holds ${col.type}s, not dates; name a date column (YYYY-MM-DD), or remove time: to use the time each predict ran`, [{ title: 'Remove time:', data: { kind: 'remove', range: timeProp.range } }]);
        ok = false;
      } else time = t;
    }
  }
  const origin = model.origin ? r.info(model.origin) : undefined;
  const path = r.inputPath(value.value);
  if (origin?.kind === 'dataset') {
    const result = r.source.schema(path, origin.options);
    if (!result.ok && result.noMatch) {
      c.report('NML205', value.range, `no file matches the actuals "${value.value}" of monitor "${monitor}" yet: it reports drift but no windowed metrics until labels arrive; put label CSVs (with "${key.name}" and "${model.target}") there or fix the pattern`);
    } else if (!result.ok) {
      // A Parquet file's schema is read before a run checks (check-files.ts); the editor re-checks once it is.
      if (!result.pending) {
        c.report('NML104', value.range, `actuals of monitor "${monitor}": ${result.error}`);
        ok = false;
      }
    } else {
      const cols = result.schema.columns;
      if (!cols.some((x) => x.name === key.name)) {
        const s = columnFix(c, key.name, cols);
        c.report('NML151', key.range, `key column "${key.name}" is not in the actuals "${value.value}"${s.text || `; they hold ${cols.slice(0, 8).map((x) => x.name).join(', ')}: name a column both they and the predictions' input hold`}`, s.fixes);
        ok = false;
      }
      if (model.target && !cols.some((x) => x.name === model.target)) {
        c.report('NML152', value.range, `the actuals "${value.value}" have no column "${model.target}", the target of model "${model.name}": the labels are its values; add the column (named as the target) to the label files`);
        ok = false;
      }
    }
  }
  return ok ? { path, key: key.name, ...(time ? { time } : {}), window, minRows } : undefined;
}
