// Declarations that use models: evaluate, compare, predict, monitor, export. Metrics must fit
// the task (NML120), tables must fit the model (NML121), compared models must agree (NML122),
// schedules must be valid (NML130), evaluating on training rows warns (NML200), a prediction
// file whose columns drifted from the model's input warns (NML203).
import { extname } from 'node:path';
import type {
  BinaryOperator, CompareDeclaration, EvaluateDeclaration, ExportDeclaration, Expr, MonitorDeclaration, PredictDeclaration, QualifiedName, Range, StringLiteral,
} from '../language/ast';
import { leftSpine } from '../language/left-spine';
import { formatColumnType, type Task } from '../language/schema';
import { ALGORITHMS, COMPARE_TEST_OUTCOMES, COMPARE_TESTS, DEFAULT_COMPARE_ALPHA, DEFAULT_METRICS, EXPORT_FORMATS, autoCandidates, defaultCompareTest, type ExportFormat, METRICS, type CompareTest } from '../ml/catalog';
import type { CheckContext } from './check-context';
import type { CompareInfo, EvaluateInfo, ExportInfo, ModelInfo, MonitorInfo, PredictInfo } from './checked-model';
import { checkNotify, checkRetrain, checkSchedule } from './notify-check';
import { exportStepProblem } from './export-check';
import { PMML_ALGORITHMS } from '../export/pmml-export';
import { reportCsvNotes } from './data-notes';
import { checkPropertyKeys, describeValue, methodRef, numberValue, optionValue, wordValue } from './options';
import { useEach } from './diagnostic';
import type { Resolver } from './resolver';
import { lookupColumn, type TableState } from './table-state';
import { checkOutputPath } from './output-check';
import { PROPERTY_KEYS } from './property-keys';
import { reportFoldsBeyondRows } from './model-check';
import { checkVersionRef } from './version-refs';
import { checkActuals, checkDriftMethods } from './monitor-check';
import { splitTableName } from '../engine/clickhouse-schema';
import { SQL_SCORED } from '../engine/clickhouse-scoring';

function checkMetric(name: string, range: Range, task: Task | undefined, ctx: CheckContext, model: string): boolean {
  const spec = METRICS[name];
  if (!spec) {
    const s = ctx.suggest(name, Object.keys(METRICS).filter((m) => !task || METRICS[m].task === task), 'metric');
    ctx.report('NML120', range, `unknown metric "${name}"${s.text || (task ? `; ${task} metrics are ${Object.keys(METRICS).filter((m) => METRICS[m].task === task).join(', ')}` : '')}`, s.fixes);
    return false;
  }
  if (task && spec.task !== task) {
    const fitting = Object.keys(METRICS).filter((m) => METRICS[m].task === task);
    ctx.report('NML120', range, `${name} is a ${spec.task} metric but "${model}" is a ${task} model; use ${fitting.join(', ')}`, useEach(fitting));
    return false;
  }
  return true;
}

/**
 * Does the table fit the model? It must hold the model's features (as trained) or its raw
 * input columns, with the same types, and the target for scoring.
 */
function checkTableFits(model: ModelInfo, table: { name: string; state: TableState }, at: Range, ctx: CheckContext, needTarget: boolean): boolean {
  const problems: string[] = [];
  const hasFeatures = model.features.every((f) => lookupColumn(table.state, f.name));
  const columns = hasFeatures ? model.features : model.inputColumns;
  for (const need of columns) {
    const got = lookupColumn(table.state, need.name);
    if (!got) problems.push(`lacks column "${need.name}"`);
    else if (got.type !== need.type && !(got.type === 'boolean' && need.type === 'number')) problems.push(`has "${need.name}" as ${formatColumnType(got)} but the model needs ${need.type}`);
  }
  if (needTarget && model.target && !lookupColumn(table.state, model.target)) problems.push(`lacks the target column "${model.target}"`);
  if (problems.length === 0) return true;
  const shown = problems.slice(0, 3).join(', ') + (problems.length > 3 ? ` and ${problems.length - 3} more` : '');
  ctx.report('NML121', at, `"${table.name}" does not fit model "${model.name}": it ${shown}; use a table produced by the same transforms`);
  return false;
}

function warnTrainingData(model: ModelInfo, tableName: string, at: Range, r: Resolver, what: string): void {
  if (r.overlaps(model.input, tableName)) {
    const sameSplit = model.input.includes('.') ? `${model.input.split('.')[0]}.test` : undefined;
    ctx(r).report('NML200', at, `${what} "${model.name}" on "${tableName}", which holds the rows it was trained on (${model.input}): the scores will look too good${sameSplit ? `; use ${sameSplit}` : '; evaluate on held-out rows from a split'}`, sameSplit && sameSplit !== tableName ? useEach([sameSplit]) : undefined);
  }
}

const ctx = (r: Resolver): CheckContext => r.ctx;

export function checkEvaluate(decl: EvaluateDeclaration, name: string, r: Resolver): EvaluateInfo | undefined {
  const model = r.resolveModel(decl.model);
  const table = r.resolveTable(decl.on);
  const c = r.ctx;
  const props = checkPropertyKeys(decl.properties, PROPERTY_KEYS.evaluate, `evaluate "${name}"`, c);
  if (!model || !table) return undefined;
  const task = model.task;
  const metrics: string[] = [];
  const metricsProp = props.get('metrics');
  if (metricsProp) {
    const v = metricsProp.value;
    const items = v?.kind === 'List' ? v.items : v ? [v] : [];
    if (!v || items.some((i) => !(i.kind === 'Name' && i.name.parts.length === 1))) {
      c.report('NML116', v?.range ?? metricsProp.key.range, 'metrics must be a list of metric names, e.g. metrics: [accuracy, f1]');
    }
    for (const item of items) {
      if (item.kind !== 'Name') continue;
      if (checkMetric(item.name.text, item.range, task, c, model.name)) metrics.push(item.name.text);
    }
  } else if (task) metrics.push(...DEFAULT_METRICS[task]);
  checkTableFits(model, table, decl.on!.range, c, true);
  warnTrainingData(model, table.name, decl.on!.range, r, 'evaluating');
  const info: EvaluateInfo = { kind: 'evaluate', name, model: model.name, on: table.name, metrics };
  const threshold = props.get('threshold')?.value;
  if (threshold) {
    const binary = task === 'classification' && (model.classes?.length ?? 2) === 2;
    const ref = methodRef(threshold);
    if (!binary) {
      c.report('NML120', threshold.range, `a threshold applies to binary classification only, but "${model.name}" is ${task === 'classification' ? `a ${model.classes?.length}-class classification` : 'a regression'}; remove it`);
    } else if (ref && ref.name === 'tune') {
      const metricArg = ref.args[0]?.value;
      const metric = wordValue(metricArg);
      if (!metric || ref.args.length !== 1) c.report('NML116', threshold.range, 'tune takes one metric: threshold: tune(f1)');
      else if (checkMetric(metric, metricArg!.range, task, c, model.name)) info.threshold = { tune: metric };
    } else {
      const v = numberValue(threshold);
      if (v === undefined || !(v > 0 && v < 1)) c.report('NML116', threshold.range, `threshold must be tune(METRIC) or a probability between 0 and 1, not ${describeValue(threshold)}`);
      else info.threshold = { value: v };
    }
  }
  const cv = props.get('cv')?.value;
  if (cv && model.ensemble) {
    c.report('NML118', cv.range, `cv: refits the model on folds, which is not implemented for ${model.ensemble.method} ensembles yet; remove cv, or evaluate a member with cv`, [{ title: 'Remove cv', data: { kind: 'remove', range: props.get('cv')!.range } }]);
  } else if (cv) {
    const v = optionValue({ kind: 'integer', default: 5, min: 2, max: 100, doc: 'cross-validation folds' }, cv, 'cv', c);
    if (typeof v === 'number') {
      info.cv = v;
      const trainedOn = r.tables.get(model.input);
      if (trainedOn) reportFoldsBeyondRows(v, cv.range, model.input, trainedOn, c);
    }
  }
  const positive = props.get('positive')?.value;
  if (positive) {
    const value = positive.kind === 'String' ? positive.value : positive.kind === 'Name' ? positive.name.text : positive.kind === 'Boolean' ? String(positive.value) : positive.kind === 'Number' ? positive.text : undefined;
    if (task !== 'classification' || (model.classes?.length ?? 2) !== 2) {
      c.report('NML116', positive.range, `positive applies to binary classification only; "${model.name}" is ${task === 'classification' ? 'multiclass' : 'a regression'}`);
    } else if (value === undefined || (model.classes && !model.classes.includes(value))) {
      c.report('NML116', positive.range, `positive must be one of the target's values: ${(model.classes ?? []).map((l) => `"${l}"`).join(', ')}`, useEach((model.classes ?? []).map((l) => JSON.stringify(l))));
    } else info.positive = value;
  }
  return info;
}

export function checkCompare(decl: CompareDeclaration, name: string, r: Resolver): CompareInfo | undefined {
  const c = r.ctx;
  const models = decl.models.map((q) => r.resolveModel(q));
  const table = r.resolveTable(decl.on);
  const props = checkPropertyKeys(decl.properties, PROPERTY_KEYS.compare, `compare "${name}"`, c);
  if (decl.models.length < 2) c.report('NML116', decl.models[0]?.range ?? decl.keyword, 'compare needs two models: compare model_a, model_b on parts.test');
  // A paired test compares two models; a third would be silently left out of the verdict.
  if (decl.models.length > 2) c.report('NML116', decl.models[2].range, `compare takes two models, not ${decl.models.length}: write one compare per pair (compare ${decl.models[0].text}, ${decl.models[2].text} on ...)`);
  if (models.some((m) => !m) || !table) return undefined;
  const first = models[0]!;
  for (let i = 1; i < models.length; i++) {
    const m = models[i]!;
    if (m.target && first.target && (m.target !== first.target || m.task !== first.task)) {
      c.report('NML122', decl.models[i].range, `"${m.name}" predicts ${m.target} (${m.task}) but "${first.name}" predicts ${first.target} (${first.task}); compare models of the same target`);
      return undefined;
    }
  }
  for (const m of models) {
    checkTableFits(m!, table, decl.on!.range, c, true);
    warnTrainingData(m!, table.name, decl.on!.range, r, 'comparing');
  }
  const task = first.task;
  let metric = task ? DEFAULT_METRICS[task][0] : 'accuracy';
  const metricValue = props.get('metric')?.value;
  if (metricValue) {
    const w = metricValue.kind === 'Name' ? metricValue.name.text : undefined;
    if (!w) c.report('NML116', metricValue.range, 'metric must be a metric name, e.g. metric: f1');
    else if (checkMetric(w, metricValue.range, task, c, first.name)) metric = w;
  }
  let test = defaultCompareTest(metric);
  const testValue = props.get('test')?.value;
  if (testValue) {
    const w = wordValue(testValue);
    if (!w || !(COMPARE_TESTS as readonly string[]).includes(w)) {
      const s = w ? c.suggest(w, COMPARE_TESTS, 'test') : { text: '', fixes: undefined };
      c.report('NML116', testValue.range, `unknown test "${w ?? describeValue(testValue)}"${s.text || `; use ${COMPARE_TESTS.join(', ')}`}`, s.fixes);
    } else if (!COMPARE_TEST_OUTCOMES[w as CompareTest][metric]) {
      // A p-value about another outcome than the metric could back a winner the metric disagrees with.
      const judges = Object.keys(COMPARE_TEST_OUTCOMES[w as CompareTest]).join(', ');
      const fitting = defaultCompareTest(metric);
      c.report('NML125', testValue.range, `${w} cannot judge ${metric}: its p-value is about ${judges} only; use "test: ${fitting}" for ${metric}${w === 'mcnemar' && task === 'classification' ? ', or "metric: accuracy"' : ''}`,
        [{ title: `Use "test: ${fitting}"`, data: { kind: 'replace', with: fitting } }]);
    } else test = w as CompareTest;
  }
  let alpha = DEFAULT_COMPARE_ALPHA;
  const alphaValue = props.get('alpha')?.value;
  if (alphaValue) {
    const v = optionValue({ kind: 'number', default: DEFAULT_COMPARE_ALPHA, min: 0, max: 1, minExclusive: true, doc: 'significance level' }, alphaValue, 'alpha', c);
    if (typeof v === 'number') {
      if (v >= 1) c.report('NML116', alphaValue.range, `alpha is a significance level below 1, e.g. alpha: 0.05; ${v} would call every difference significant`);
      else alpha = v;
    }
  }
  return { kind: 'compare', name, models: models.map((m) => m!.name), on: table.name, metric, test, alpha };
}

export function checkPredict(decl: PredictDeclaration, r: Resolver): PredictInfo | undefined {
  const c = r.ctx;
  const name = decl.name?.name;
  if (!name) return undefined;
  const model = r.resolveModel(decl.model);
  const version = checkVersionRef(decl.version, model, r.file, r.registry, c);
  const props = checkPropertyKeys(decl.properties, PROPERTY_KEYS.predict, `predict "${name}"`, c);
  let info: PredictInfo | undefined;
  const outputValue = props.get('output')?.value;
  let output: string | undefined;
  let outputTable: string | undefined;
  if (outputValue?.kind === 'Call' && outputValue.callee.name === 'table') {
    outputTable = checkOutputTable(outputValue, decl, model, r);
  } else if (!outputValue) {
    const property = `output: "out/${name}-{date}.csv"`;
    if (decl.source) c.report('NML116', decl.name!.range, `predict "${name}" needs an output file: add ${property}`, [{ title: `Add ${property}`, data: { kind: 'add-property', declaration: name, property } }]);
  } else if (outputValue.kind !== 'String' || outputValue.value.trim() === '') {
    c.report('NML116', outputValue.range, 'output must be a file path in quotes, e.g. output: "out/scores-{date}.csv"');
  } else {
    output = checkOutputPath(outputValue, 'predict', r);
  }
  const schedule = checkSchedule(props.get('schedule')?.value, c);
  const notify = checkNotify(props.get('notify')?.value, c);
  let retries = 0;
  const retriesValue = props.get('retries')?.value;
  if (retriesValue) {
    const v = optionValue({ kind: 'integer', default: 0, min: 0, max: 100, doc: 'retries of a failed run' }, retriesValue, 'retries', c);
    if (typeof v === 'number') retries = v;
  }
  if (!model || !decl.source) return undefined;
  if (decl.source.kind === 'String') {
    const path = r.inputPath(decl.source.value);
    const origin = model.origin ? r.info(model.origin) : undefined;
    const options = origin && origin.kind === 'dataset' ? { ...origin.options, columnTypes: {} } : undefined;
    if (options) {
      // Read with the training dataset's options, without its type overrides: drift shows as a type change.
      const result = r.source.schema(path, { ...options, columnTypes: origin && origin.kind === 'dataset' ? origin.options.columnTypes : {} });
      if (!result.ok && result.noMatch) {
        c.report('NML204', decl.source.range, `no file matches the prediction source "${decl.source.value}" of "${name}" yet: the run trains and evaluates but "${name}" writes nothing, and the scheduler waits for files; put CSV files there or fix the pattern`);
      } else if (!result.ok) {
        if (!result.pending) c.report('NML104', decl.source.range, `prediction source of "${name}": ${result.error}`);
      } else {
        const problems: string[] = [];
        // A stored version needs the columns it was trained with, which the declaration may since have changed.
        for (const need of version?.facts?.input ?? model.inputColumns) {
          const got = result.schema.columns.find((col) => col.name === need.name);
          if (!got) problems.push(`has no column "${need.name}"`);
          else if (got.type !== need.type && !compatible(got.type, need.type)) problems.push(`has "${need.name}" as ${got.type}, the model was trained on ${need.type}`);
        }
        if (problems.length > 0) {
          c.report('NML203', decl.source.range, `the prediction source no longer matches model "${model.name}"${version?.facts ? ` ${version.facts.version}` : ''}: it ${problems.slice(0, 3).join(', ')}${problems.length > 3 ? ` and ${problems.length - 3} more` : ''}; update the file or retrain the model`);
        }
        if (origin?.kind === 'dataset') {
          reportCsvNotes(result.notes, { what: `the prediction source of "${name}"`, dataset: origin.name, dir: r.dir, complete: result.complete, sourceRange: decl.source.range, overrideRanges: new Map() }, c);
        }
      }
    }
    info = { kind: 'predict', name, model: model.name, ...(version ? { version: version.ref } : {}), source: { kind: 'file', path }, output, schedule, retries, notify };
  } else {
    const table = r.resolveTable(decl.source);
    if (!table) return undefined;
    checkTableFits(model, table, decl.source.range, c, false);
    info = { kind: 'predict', name, model: model.name, ...(version ? { version: version.ref } : {}), source: { kind: 'table', name: table.name }, output, ...(outputTable ? { outputTable } : {}), schedule, retries, notify };
  }
  return info;
}

/** A category column read as text (few rows in a new file) still fits a category input. */
function compatible(got: string, need: string): boolean {
  return (got === 'text' && need === 'category') || (got === 'category' && need === 'text') || (got === 'number' && need === 'boolean') || (got === 'boolean' && need === 'number');
}

export function checkMonitor(decl: MonitorDeclaration, r: Resolver): MonitorInfo | undefined {
  const c = r.ctx;
  const name = decl.name?.name;
  if (!name) return undefined;
  const model = r.resolveModel(decl.model);
  const version = checkVersionRef(decl.version, model, r.file, r.registry, c);
  const props = checkPropertyKeys(decl.properties, PROPERTY_KEYS.monitor, `monitor "${name}"`, c);
  const tableRef = (key: string): QualifiedName | undefined => {
    const v = props.get(key)?.value;
    if (!v) return undefined;
    if (v.kind === 'Name') return v.name;
    c.report('NML116', v.range, `${key} must name a table${key === 'current' ? ' or a prediction' : ''}, not ${describeValue(v)}`);
    return undefined;
  };
  const baselineRef = tableRef('baseline');
  const baseline = baselineRef ? r.resolveTable(baselineRef) : undefined;
  const currentRef = tableRef('current');
  let current: string | undefined;
  if (currentRef) {
    const sym = r.resolveAny(currentRef, ['predict', 'dataset', 'transform', 'split'], 'prediction or table');
    if (sym?.kind === 'predict') current = sym.name;
    else if (sym) current = r.resolveTable(currentRef)?.name;
    if (sym?.kind === 'predict') c.references.push({ name: sym.name, range: currentRef.parts[0].range });
  }
  const driftValue = props.get('drift')?.value;
  const drift = checkDriftMethods(driftValue, c);
  const actuals = checkActuals(props, name, model, current && r.info(current)?.kind === 'predict' ? current : undefined, r);
  const alert = props.get('alert')?.value;
  if (alert && model) checkAlert(alert, model, c);
  const retrain = checkRetrain(props.get('retrain')?.value, actuals !== undefined || props.has('actuals'), c);
  const schedule = checkSchedule(props.get('schedule')?.value, c);
  const notify = checkNotify(props.get('notify')?.value, c);
  if (!model) return undefined;
  return { kind: 'monitor', name, model: model.name, ...(version ? { version: version.ref } : {}), ...(baseline ? { baseline: baseline.name } : {}), ...(current ? { current } : {}), drift, ...(actuals ? { actuals } : {}), ...(alert ? { alert } : {}), ...retrain, ...(schedule ? { schedule } : {}), notify };
}

const isJunction = (op: BinaryOperator): boolean => op === 'and' || op === 'or';

/** `alert: f1 < 0.7`: metric names compared with numbers, joined by and/or. */
function checkAlert(e: Expr, model: ModelInfo, c: CheckContext): void {
  if (e.kind === 'Binary' && isJunction(e.operator)) {
    const spine = leftSpine(e, isJunction);
    checkAlert(spine[0].left, model, c);
    for (const node of spine) if (node.right) checkAlert(node.right, model, c);
    return;
  }
  if (e.kind === 'Paren' && e.inner) return checkAlert(e.inner, model, c);
  if (e.kind === 'Binary' && ['<', '<=', '>', '>='].includes(e.operator)) {
    const metric = e.left.kind === 'Name' ? e.left.name.text : undefined;
    if (metric && (metric === 'drift' || checkMetric(metric, e.left.range, model.task, c, model.name)) && numberValue(e.right) !== undefined) return;
    if (!metric) c.report('NML116', e.range, 'alert compares a metric with a number, e.g. alert: f1 < 0.7');
    return;
  }
  c.report('NML116', e.range, 'alert compares a metric with a number, e.g. alert: f1 < 0.7');
}

/** Why PMML cannot hold this model, if it cannot: its algorithm (or one auto may choose), calibration or an ensemble. */
function pmmlUnexportable(model: ModelInfo): string | undefined {
  const instead = 'export to .py or .onnx';
  if (model.ensemble) return `${model.ensemble.method} ensembles are not exported to PMML yet; ${instead}, or export one of its members`;
  if (model.calibrate) return `calibrated models (calibrate: ${model.calibrate.name}) are not exported to PMML yet; ${instead}`;
  const algorithm = model.algorithm?.name;
  if (!algorithm) return undefined;
  const blocked = algorithm === 'auto' ? autoCandidates(model.algorithm!.options, model.task).map((a) => a.name).filter((a) => !PMML_ALGORITHMS.includes(a)) : PMML_ALGORITHMS.includes(algorithm) ? [] : [algorithm];
  if (blocked.length === 0) return undefined;
  return `${algorithm === 'auto' ? `auto may choose ${blocked.join(' or ')}, and` : `${algorithm}`} ${blocked.length > 1 || algorithm === 'auto' ? 'those are' : 'is'} not exported to PMML (it writes ${PMML_ALGORITHMS.join(', ')}); ${instead}`;
}

/**
 * Why the exporter of `format` cannot write this model, if it cannot. ONNX writes an ensemble with
 * its members, so its first member that cannot be written (algorithm or steps) is the reason, or
 * the steps of its passed-through features; `depth` bounds a cycle of members (NML103) that is
 * still resolved.
 */
function unexportable(model: ModelInfo, format: ExportFormat, r: Resolver, depth = 0): string | undefined {
  if (format === 'pmml') return pmmlUnexportable(model);
  if (model.ensemble) {
    for (const name of model.ensemble.members) {
      const member = r.info(name);
      if (member?.kind !== 'model' || depth > 20) continue;
      const why = unexportable(member, format, r, depth + 1) ?? exportStepProblem(member, r, format);
      if (why) return `its member "${name}" cannot be: ${why}`;
    }
    return model.ensemble.passthrough ? exportStepProblem(model, r, format) : undefined;
  }
  // The Python module carries every algorithm (auto's choice included) and calibration.
  if (format === 'py') return undefined;
  const exportable = Object.values(ALGORITHMS).filter((a) => a.exportsToOnnx).map((a) => a.name).join(', ');
  const algorithm = model.algorithm?.name;
  if (!algorithm) return undefined;
  if (algorithm === 'auto') {
    const blocked = autoCandidates(model.algorithm!.options, model.task).filter((a) => !a.exportsToOnnx).map((a) => a.name);
    return blocked.length > 0 ? `auto may choose ${blocked.join(' or ')}, which ONNX export does not support; list only ${exportable} in auto(candidates: [...])` : undefined;
  }
  return ALGORITHMS[algorithm]?.exportsToOnnx === false ? `${algorithm} models are not exported to ONNX yet; use ${exportable}` : undefined;
}

/**
 * `export M to "dir/"`: a scoring bundle, which scores with the runner's own code, so any model
 * fits (an ensemble with its members); the folder is judged as an output path (NML140/NML142)
 * without its final `/`.
 */
function checkBundleExport(target: StringLiteral, name: string, model: ModelInfo | undefined, r: Resolver): ExportInfo | undefined {
  const path = checkOutputPath({ ...target, value: target.value.replace(/\/+$/, '') }, 'export', r);
  if (!path || !model) return undefined;
  return { kind: 'export', name, model: model.name, path, format: 'bundle' };
}

export function checkExport(decl: ExportDeclaration, name: string, r: Resolver): ExportInfo | undefined {
  const c = r.ctx;
  const model = r.resolveModel(decl.model);
  checkPropertyKeys(decl.properties, PROPERTY_KEYS.export, `export of "${decl.model?.text ?? ''}"`, c);
  if (!decl.target) return undefined;
  if (decl.target.value.endsWith('/')) return checkBundleExport(decl.target, name, model, r);
  const ext = extname(decl.target.value).toLowerCase().slice(1);
  if (!(EXPORT_FORMATS as readonly string[]).includes(ext)) {
    c.report('NML116', decl.target.range, `the export format comes from the file extension: use .onnx, .py or .pmml (got "${decl.target.value}")`);
    return undefined;
  }
  const path = checkOutputPath(decl.target, 'export', r);
  if (!model) return undefined;
  const format = ext as ExportFormat;
  const notExportable = unexportable(model, format, r);
  const stepProblem = notExportable || model.ensemble ? undefined : exportStepProblem(model, r, format);
  if (format === 'pmml' && (notExportable || stepProblem)) {
    // The Python module holds every model and step: offered as the fix.
    const py = `${decl.target.value.slice(0, decl.target.value.length - ext.length)}py`;
    c.report('NML118', decl.target.range, `"${model.name}" cannot be exported to PMML: ${notExportable ?? stepProblem}`, [{ title: `Export to ${py}`, data: { kind: 'replace', with: JSON.stringify(py) } }]);
    return path ? { kind: 'export', name, model: model.name, path, format } : undefined;
  }
  if (notExportable && decl.model) c.report('NML118', decl.model.range, `"${model.name}" cannot be exported yet: ${notExportable}`);
  if (stepProblem && decl.model) {
    c.report('NML118', decl.model.range, `exporting "${model.name}": ${stepProblem}; the model reads what that step computes, so compute the feature otherwise, leave it out of the model's features, or export to .py`);
  }
  if (!path) return undefined;
  return { kind: 'export', name, model: model.name, path, format: ext as ExportFormat };
}


/**
 * `output: table "db.scores"`: the ClickHouse engine scores the source table in SQL and writes
 * the predictions as a table of its server (clickhouse-scoring.ts). Judged here so the run cannot
 * refuse it: a ClickHouse engine, a source that is a whole `from table` dataset or a transform of
 * it (no split part: its rows are not a SQL condition), a model SQL scoring compiles (linear,
 * logistic, one decision tree) and steps it compiles (no derive, cast or ordinal encoding).
 */
function checkOutputTable(value: Extract<Expr, { kind: 'Call' }>, decl: PredictDeclaration, model: ModelInfo | undefined, r: Resolver): string | undefined {
  const c = r.ctx;
  const arg = value.args[0]?.value;
  if (value.args.length !== 1 || arg?.kind !== 'String' || !splitTableName(arg.value)) {
    c.report('NML116', value.range, 'output: table takes one table name in quotes, e.g. output: table "db.scores"');
    return undefined;
  }
  if (r.engine.kind !== 'clickhouse') {
    c.report('NML171', value.range, 'output: table writes predictions as a ClickHouse table and needs engine: clickhouse("http://host:8123") at the top of the file; write a file instead, e.g. output: "out/scores.csv"');
    return undefined;
  }
  if (decl.source?.kind !== 'QualifiedName') {
    c.report('NML171', value.range, 'output: table scores a table of the engine: predict from a dataset read from table "db.name" (or a transform of it), not from a file');
    return undefined;
  }
  for (let t = decl.source.text; ;) {
    const info = r.info(t.split('.')[0]);
    if (info?.kind === 'transform') {
      const step = info.steps.find((s) => s.kind === 'derive' || s.kind === 'cast' || (s.kind === 'encode' && s.method?.name === 'ordinal'));
      if (step) { c.report('NML171', value.range, `output: table compiles the steps to SQL, which does not cover ${step.kind === 'encode' ? 'ordinal encoding' : `"${step.kind}"`} yet (transform "${info.name}"); write a file instead`); return undefined; }
      t = info.input;
      continue;
    }
    if (info?.kind === 'dataset' && info.table) break;
    c.report('NML171', value.range, info?.kind === 'split' ? `output: table scores every row of a table in SQL, and the rows of split part "${t}" are no SQL condition; predict from the table before the split` : 'output: table scores a table of the engine: predict from a dataset read from table "db.name" (or a transform of it)');
    return undefined;
  }
  const algorithm = model?.algorithm?.name;
  if (model && algorithm && !SQL_SCORED.includes(algorithm)) {
    c.report('NML171', value.range, `output: table scores in SQL, which covers ${SQL_SCORED.join(', ')}; model "${model.name}" is ${algorithm}: write a file instead, e.g. output: "out/scores.csv"`);
    return undefined;
  }
  return arg.value;
}
