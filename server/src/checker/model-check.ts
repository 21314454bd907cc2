// model declarations: target and task (NML115), algorithm and options (NML116/117), features
// that are not numeric (NML113) or may be missing (NML114), leakage (NML201), and the model's
// input schema (the raw columns prediction needs).
import type { Identifier, ModelDeclaration, Property, Range } from '../language/ast';
import { quoteName } from '../language/lexer';
import type { ColumnSchema, Task } from '../language/schema';
import { ALGORITHMS, CALIBRATORS, ENSEMBLES, METRICS, RESAMPLERS, RIDGE_CV_ALPHAS, SELECTORS, TUNERS, autoCandidates, type MethodSpec } from '../ml/catalog';
import type { Table } from '../data/table';
import type { CheckContext } from './check-context';
import type { MethodCall, ModelInfo } from './checked-model';
import { checkPropertyKeys, describeValue, methodRef, nameList, numberValue, optionValue, validateOptions, wordValue, type MethodRef } from './options';
import { useEach, type Diagnostic } from './diagnostic';
import type { Resolver } from './resolver';
import { lookupColumn, type TableState } from './table-state';
import { detectCopy } from './leakage';
import { PROPERTY_KEYS } from './property-keys';


export interface ModelCheckInput {
  decl: ModelDeclaration;
  input: { name: string; state: TableState };
  /** The transform that produced the model's table, for quick fixes that add a step. */
  feedingTransform?: string;
  /** Raw dataset schema the table comes from (the model's input schema is drawn from it). */
  datasetSchema?: ColumnSchema[];
  /** Sampled rows of the origin dataset, when the schema source has them. */
  sample?: Table;
}

export function checkModel(m: ModelCheckInput, r: Resolver): ModelInfo | undefined {
  const { decl, input } = m;
  const name = decl.name?.name;
  if (!name) return undefined;
  const ctx = r.ctx;
  const what = `model "${name}"`;
  const props = checkPropertyKeys(decl.properties, PROPERTY_KEYS.model, what, ctx);
  const table = input.state;
  const info: ModelInfo = { kind: 'model', name, input: input.name, features: [], featureChoice: { listed: false, exclude: [] }, inputColumns: [], origin: table.origin };

  // ---- target and task
  const targetProp = props.get('target');
  let target: ColumnSchema | undefined;
  let targetId: Identifier | undefined;
  if (!targetProp) {
    ctx.report('NML115', decl.name!.range, `${what} has no target; add "target: COLUMN" naming the column to predict`);
  } else if (targetProp.value?.kind === 'Name' && targetProp.value.name.parts.length === 1) {
    targetId = targetProp.value.name.parts[0];
    target = lookupColumn(table, targetId.name);
    if (!target) {
      const everywhere = r.tables.get(table.origin)?.schema.columns.some((c) => c.name === targetId!.name);
      if (everywhere) {
        ctx.report('NML115', targetId.range, `the target "${targetId.name}" was dropped before "${input.name}"; keep it in the transforms`);
      } else {
        const s = ctx.suggest(targetId.name, table.schema.columns.map((c) => c.name), 'column');
        ctx.report('NML101', targetId.range, `unknown column "${targetId.name}" in "${input.name}"${s.text}`, s.fixes);
      }
    } else {
      ctx.columnReferences.push({ column: target.name, origin: table.origin, range: targetId.range, isDefinition: false });
      if (target.type === 'text' || target.type === 'date') {
        const fix = target.type === 'text' ? `; if it holds a few labels, add "cast ${quoteName(target.name)} as category"` : '';
        ctx.report('NML115', targetId.range, `the target "${target.name}" is ${target.type}; no task fits it (classification needs category or boolean, regression a number)${fix}`,
          target.type === 'text' && m.feedingTransform
            ? [{ title: `Add "cast ${target.name} as category"`, data: { kind: 'insert-step', transform: m.feedingTransform, step: `cast ${quoteName(target.name)} as category` } }]
            : undefined);
        target = undefined;
      }
    }
  } else if (targetProp.value) {
    ctx.report('NML115', targetProp.value.range, `target must be a column name, not ${describeValue(targetProp.value)}`);
  } else {
    ctx.report('NML115', targetProp.key.range, 'target needs a column name, e.g. target: churned');
  }
  const task: Task | undefined = target ? (target.type === 'number' ? 'regression' : 'classification') : undefined;
  if (target) {
    info.target = target.name;
    info.targetSchema = target;
    info.task = task;
    if (task === 'classification') info.classes = target.type === 'boolean' ? ['false', 'true'] : target.levels;
    if (task === 'classification' && target.levels && target.levels.length < 2) reportOneClass(target, targetId!, m, r);
    else if (task === 'classification' && target.onlyValue) {
      // A boolean's levels are always false and true; the whole file read says which it holds.
      r.ctx.report('NML123', targetId!.range, `the target "${target.name}" has fewer than two classes: the data holds only "${target.onlyValue}"; a classifier needs at least two, so add rows of the other class to the data or predict another column`);
    }
  }

  // ---- ensemble or algorithm
  const ensembleProp = props.get('ensemble');
  const algorithmProp = props.get('algorithm');
  let allowsMissing = false;
  if (ensembleProp) {
    const ref = methodRef(ensembleProp.value);
    if (!ref || !ENSEMBLES[ref.name]) {
      const s = ref ? ctx.suggest(ref.name, Object.keys(ENSEMBLES), 'ensemble') : { text: '' };
      ctx.report('NML116', ref?.nameRange ?? ensembleProp.key.range, `ensemble must be voting(of: [...]), stacking(of: [...]) or blending(of: [...])${s.text}`);
    } else {
      const method = ref.name as 'voting' | 'stacking' | 'blending';
      const opts = validateOptions(ENSEMBLES[method].options, ref, `ensemble ${method}`, ctx);
      const ofArg = ref.args.find((a) => a.name?.name === 'of') ?? ref.args.find((a) => !a.name);
      const members = nameList(ofArg?.value) ?? [];
      if (members.length < 2) ctx.report('NML116', ref.range, `${method} needs at least two member models: ${method}(of: [model_a, model_b])`);
      for (const id of members) {
        const member = r.resolveModel({ kind: 'QualifiedName', parts: [id], text: id.name, range: id.range });
        if (member && info.target && member.target && (member.target !== info.target || member.task !== info.task)) {
          ctx.report('NML122', id.range, `member "${id.name}" predicts ${member.target} (${member.task}) but ${what} predicts ${info.target} (${info.task}); members must share the target`);
        } else if (member && method !== 'voting') checkLearningMember(member, id, method, info, ctx);
      }
      info.ensemble = { method, members: members.map((i) => i.name), soft: opts.soft !== false };
      if (method !== 'voting') {
        const final = typeof opts.final === 'string' ? opts.final : task ? finalDefault(task) : undefined;
        const finalArg = ref.args.find((a) => a.name?.name === 'final');
        if (final && task && !ALGORITHMS[final].tasks.includes(task) && finalArg?.value) {
          const alternatives = Object.values(ALGORITHMS).filter((a) => a.tasks.includes(task) && a.name !== 'auto').map((a) => a.name);
          ctx.report('NML117', finalArg.value.range, `the final model ${final} does only ${ALGORITHMS[final].tasks.join(' and ')}, but ${what} is a ${task}; use ${alternatives.join(', ')}`, useEach(alternatives, finalArg.value.range));
        }
        if (final) info.ensemble.final = final;
        if (typeof opts.final !== 'string' && task === 'regression') info.ensemble.finalAlphas = RIDGE_CV_ALPHAS;
        info.ensemble.passthrough = opts.passthrough === true;
        if (method === 'stacking') {
          info.ensemble.cv = Number(opts.cv);
          const cvArg = ref.args.find((a) => a.name?.name === 'cv');
          if (cvArg?.value) reportFoldsBeyondRows(info.ensemble.cv, cvArg.value.range, input.name, input.state, ctx);
        } else info.ensemble.holdout = Number(opts.holdout);
      }
      allowsMissing = true;
    }
    if (algorithmProp) ctx.report('NML116', algorithmProp.key.range, `${what} is an ensemble; remove "algorithm" (its members have their own)`, [{ title: 'Remove algorithm', data: { kind: 'remove', range: algorithmProp.range } }]);
  } else if (!algorithmProp) {
    ctx.report('NML116', decl.name!.range, `${what} needs an algorithm, e.g. algorithm: random_forest(trees: 100); algorithms are ${Object.keys(ALGORITHMS).join(', ')}`);
  } else {
    const ref = methodRef(algorithmProp.value);
    if (!ref) {
      ctx.report('NML116', algorithmProp.value?.range ?? algorithmProp.key.range, `algorithm must be a name such as random_forest or a call such as random_forest(trees: 200)`);
    } else if (!ALGORITHMS[ref.name]) {
      const s = ctx.suggest(ref.name, Object.keys(ALGORITHMS), 'algorithm');
      ctx.report('NML116', ref.nameRange, `unknown algorithm "${ref.name}"${s.text || `; algorithms are ${Object.keys(ALGORITHMS).join(', ')}`}`, s.fixes);
    } else {
      const spec = ALGORITHMS[ref.name];
      const options = validateOptions(spec.options, ref, `algorithm ${ref.name}`, ctx);
      allowsMissing = spec.allowsMissing;
      if (task && !spec.tasks.includes(task)) {
        const alternatives = Object.values(ALGORITHMS).filter((a) => a.tasks.includes(task) && a.name !== 'auto').map((a) => a.name);
        // The options belong to the old algorithm: a fix replaces the whole call.
        ctx.report('NML117', ref.nameRange, `${ref.name} does only ${spec.tasks.join(' and ')}, but "${info.target}" is ${target!.type} so this is ${task}; use ${alternatives.join(', ')}`, useEach(alternatives, ref.range));
      }
      if (ref.name === 'auto') checkAuto(ref, options, task, ctx);
      const rows = trainingRowsAtMost(input.state);
      if (ref.name === 'knn' && rows !== undefined && typeof options.k === 'number' && options.k > rows) {
        // scikit-learn raises; taking every row as a neighbour would report another model's figures.
        const at = ref.args.find((a) => a.name?.name === 'k')?.value?.range ?? ref.nameRange;
        ctx.report('NML116', at, `knn(k: ${options.k}) looks for ${options.k} neighbours, but "${input.name}" holds ${rows} row${rows === 1 ? '' : 's'}; lower k to at most ${rows}`, at === ref.nameRange ? undefined : [{ title: `Use k: ${rows}`, data: { kind: 'replace', with: String(rows) } }]);
      }
      info.algorithm = { name: ref.name, options };
      // With features that may be missing, `auto` chooses among the candidates that take them.
      if (ref.name === 'auto') allowsMissing = autoCandidates(options, task).some((a) => a.allowsMissing);
    }
  }

  // ---- resample / select / tune / calibrate
  if (ensembleProp) {
    // An ensemble learns nothing of its own from the rows (voting) or only its final model from its
    // members' predictions: these belong on the members.
    for (const key of ['resample', 'select', 'tune', 'cv', 'calibrate', 'class_weight'] as const) {
      const p = props.get(key);
      if (p) ctx.report('NML116', p.key.range, `${what} is an ensemble: "${key}" does not apply to it; give it to the member models instead`, [{ title: `Remove ${key}`, data: { kind: 'remove', range: p.range } }]);
    }
  }
  const classWeightProp = ensembleProp ? undefined : props.get('class_weight');
  if (classWeightProp) {
    const classWeight = checkClassWeight(classWeightProp, info, what, ctx);
    if (classWeight) info.classWeight = classWeight;
  }
  const calibrateProp = ensembleProp ? undefined : props.get('calibrate');
  const calibrate = methodProperty(calibrateProp?.value, CALIBRATORS, 'calibrate', ctx);
  if (calibrate && task === 'regression') {
    ctx.report('NML117', calibrateProp!.value!.range, `calibrate (${calibrate.name}) calibrates class probabilities, but ${what} is a regression; remove it`, [{ title: 'Remove calibrate', data: { kind: 'remove', range: calibrateProp!.range } }]);
  } else if (calibrate) {
    const cvArg = calibrateProp?.value?.kind === 'Call' ? calibrateProp.value.args.find((a) => a.name?.name === 'cv' || !a.name) : undefined;
    if (cvArg?.value) reportFoldsBeyondRows(Number(calibrate.options.cv), cvArg.value.range, input.name, input.state, ctx);
    info.calibrate = calibrate;
  }
  const resample = methodProperty(ensembleProp ? undefined : props.get('resample')?.value, RESAMPLERS, 'resample', ctx);
  if (resample && task === 'regression') {
    ctx.report('NML117', props.get('resample')!.value!.range, `resampling (${resample.name}) balances classes, but ${what} is a regression; remove it`, [{ title: 'Remove resample', data: { kind: 'remove', range: props.get('resample')!.range } }]);
  }
  if (resample) info.resample = resample;
  const select = methodProperty(ensembleProp ? undefined : props.get('select')?.value, SELECTORS, 'select', ctx);
  if (select) info.select = select;
  const cvValue = props.get('cv')?.value;
  let cv = 5;
  if (cvValue) {
    const v = optionValue({ kind: 'integer', default: 5, min: 2, doc: 'cross-validation folds' }, cvValue, 'cv', ctx);
    if (typeof v === 'number') cv = v;
  }
  const tuneProp = ensembleProp ? undefined : props.get('tune');
  if (cvValue && tuneProp) reportFoldsBeyondRows(cv, cvValue.range, input.name, input.state, ctx);
  if (tuneProp) {
    const tuner = methodProperty(tuneProp.value, TUNERS, 'tune', ctx);
    const space: Record<string, (number | string | boolean)[]> = {};
    const algo = info.algorithm ? ALGORITHMS[info.algorithm.name] : undefined;
    for (const p of tuneProp.block ?? []) {
      const spec = algo?.options[p.key.name];
      if (algo && !spec) {
        const s = ctx.suggest(p.key.name, Object.keys(algo.options), 'option');
        ctx.report('NML116', p.key.range, `${algo.name} has no option "${p.key.name}" to tune${s.text}`, s.fixes);
        continue;
      }
      const values = p.value?.kind === 'List' ? p.value.items : p.value ? [p.value] : [];
      const resolved: (number | string | boolean)[] = [];
      for (const v of values) {
        const x = spec ? optionValue(spec, v, `tune value for "${p.key.name}"`, ctx) : undefined;
        if (x !== undefined && !Array.isArray(x)) resolved.push(x);
      }
      space[p.key.name] = resolved;
    }
    if (!tuneProp.block || tuneProp.block.length === 0) {
      ctx.report('NML116', tuneProp.key.range, 'tune needs the values to try, e.g. tune: grid { max_depth: [4, 8, 12] }');
    }
    if (tuner) {
      const ref = tuneProp.value && methodRef(tuneProp.value);
      if (ref) checkMetricOption(ref, tuner.options, task, ctx);
      info.tune = { method: tuner, space, cv };
      if (ref && tuner.name === 'halving') checkHalving(ref, Number(tuner.options.min_rows), cv, input.name, input.state, ctx);
    }
  }
  if (info.algorithm?.name === 'gradient_boosting') checkEarlyStopping(methodRef(algorithmProp!.value)!, info, ctx);

  // ---- features
  const featuresProp = props.get('features');
  const excludeProp = props.get('exclude');
  let featureIds: Identifier[] | undefined;
  if (featuresProp) {
    featureIds = nameList(featuresProp.value);
    if (!featureIds) ctx.report('NML116', featuresProp.value?.range ?? featuresProp.key.range, 'features must be a list of columns, e.g. features: [age, plan_basic]');
  }
  const excluded = new Set<string>();
  if (excludeProp) {
    const ids = nameList(excludeProp.value);
    if (!ids) ctx.report('NML116', excludeProp.value?.range ?? excludeProp.key.range, 'exclude must be a list of columns, e.g. exclude: [customer_id]');
    for (const id of ids ?? []) {
      if (!lookupColumn(table, id.name)) {
        const s = ctx.suggest(id.name, table.schema.columns.map((c) => c.name), 'column');
        ctx.report('NML101', id.range, `unknown column "${id.name}" in "${input.name}"${s.text}`, s.fixes);
      } else {
        ctx.columnReferences.push({ column: id.name, origin: table.origin, range: id.range, isDefinition: false });
        excluded.add(id.name);
      }
    }
    if (featuresProp) ctx.report('NML116', excludeProp.key.range, 'give either features or exclude, not both');
  }
  const features: { col: ColumnSchema; range?: Range }[] = [];
  if (featureIds) {
    for (const id of featureIds) {
      const col = lookupColumn(table, id.name);
      if (!col) {
        const s = ctx.suggest(id.name, table.schema.columns.map((c) => c.name), 'column');
        ctx.report('NML101', id.range, `unknown column "${id.name}" in "${input.name}"${s.text}`, s.fixes);
        continue;
      }
      ctx.columnReferences.push({ column: id.name, origin: table.origin, range: id.range, isDefinition: false });
      if (col.name === info.target) {
        ctx.report('NML201', id.range, `"${col.name}" is the target; as a feature it leaks the answer into the model: remove it from features`, [{ title: `Remove ${col.name} from the features`, data: { kind: 'remove', range: id.range } }]);
        continue;
      }
      features.push({ col, range: id.range });
    }
  } else {
    for (const col of table.schema.columns) {
      if (col.name === targetId?.name || excluded.has(col.name)) continue;
      features.push({ col });
    }
  }
  const headerRange = decl.name!.range;
  for (const { col, range } of features) {
    const at = range ?? (featuresProp ? featuresProp.key.range : headerRange);
    if (col.type !== 'number' && col.type !== 'boolean') {
      // A listed feature is replaced by its one-hot columns (when the levels are known), or the list would name a dropped column.
      const encode = { kind: 'insert-step' as const, transform: m.feedingTransform ?? '', step: `encode ${quoteName(col.name)} as onehot` };
      const oneHot = col.levels?.map((l) => quoteName(`${col.name}_${l}`)).join(', ');
      const fixes = col.type === 'category' && m.feedingTransform && (!range || oneHot)
        ? [{ title: `Add "encode ${col.name} as onehot"`, data: range && oneHot ? { kind: 'several' as const, fixes: [encode, { kind: 'replace' as const, with: oneHot, range }] } : encode }]
        : col.type === 'text' && m.feedingTransform
          ? [{ title: `Add "cast ${col.name} as category"`, data: { kind: 'cast-category' as const, column: col.name } }]
          : undefined;
      const how = col.type === 'category' ? `add "encode ${quoteName(col.name)} as onehot" to the transforms`
        : col.type === 'text' ? `drop it, or "cast ${quoteName(col.name)} as category" and encode it`
        : `derive a number from it (e.g. year(${quoteName(col.name)})) and drop it`;
      ctx.report('NML113', at, `feature "${col.name}" is ${col.type}, but models need numbers: ${how}${range ? '' : ` (or leave it out with exclude: [${quoteName(col.name)}])`}`, fixes);
      continue;
    }
    if (col.nullable && !allowsMissing && info.algorithm?.name === 'auto') {
      const list = algorithmProp?.value?.kind === 'Call' ? algorithmProp.value.args.find((a) => a.name?.name === 'candidates')?.value : undefined;
      const fixes = list?.kind === 'List' && list.items.length > 0
        ? [{ title: 'Add gradient_boosting to the candidates', data: { kind: 'replace' as const, with: ', gradient_boosting', range: { start: list.items[list.items.length - 1].range.end, end: list.items[list.items.length - 1].range.end } } }]
        : undefined;
      ctx.report('NML119', at, `feature "${col.name}" may be missing and none of auto's candidates (${autoCandidates(info.algorithm.options, task).map((a) => a.name).join(', ')}) takes missing values: add gradient_boosting to the candidates, or add "impute ${quoteName(col.name)} with ${col.type === 'number' ? 'median' : 'mode'}" to the transforms`, fixes);
    } else if (col.nullable && !allowsMissing && info.algorithm) {
      const fixes: NonNullable<Diagnostic['fixes']> = m.feedingTransform
        ? [{ title: `Add "impute ${col.name} with ${col.type === 'number' ? 'median' : 'mode'}"`, data: { kind: 'insert-step', transform: m.feedingTransform, step: `impute ${quoteName(col.name)} with ${col.type === 'number' ? 'median' : 'mode'}` } }]
        : [];
      // gradient_boosting takes missing values; the old algorithm's options do not carry over.
      if (algorithmProp?.value) fixes.push({ title: 'Use gradient_boosting', data: { kind: 'replace', with: 'gradient_boosting', range: algorithmProp.value.range } });
      ctx.report('NML114', at, `feature "${col.name}" may be missing and ${info.algorithm.name} does not accept missing values: add "impute ${quoteName(col.name)} with ${col.type === 'number' ? 'median' : 'mode'}" (or drop_missing), or use gradient_boosting`, fixes);
    }
  }
  info.features = features.map((f) => f.col);
  info.featureChoice = featureIds ? { listed: true } : { listed: false, exclude: [...excluded] };

  // ---- leakage and input schema
  if (target) {
    const targetSources = new Set(table.sources.get(target.name) ?? [target.name]);
    for (const { col, range } of features) {
      const src = table.sources.get(col.name) ?? [col.name];
      const at = range ?? targetId!.range;
      if (src.length > 0 && src.every((s) => targetSources.has(s))) {
        ctx.report('NML201', at, `feature "${col.name}" is computed from the target "${target.name}": it leaks the answer; remove it from the features`);
      } else if (m.sample && src.length === 1 && targetSources.size === 1) {
        const similarity = detectCopy(m.sample, src[0], [...targetSources][0]);
        if (similarity) {
          ctx.report('NML201', at, `feature "${col.name}" is ${similarity} the target "${target.name}" in the data: it leaks the answer; remove it (exclude: [${quoteName(col.name)}])`);
        }
      }
    }
  }
  if (m.datasetSchema) {
    const needed = new Set<string>();
    for (const f of info.features) for (const s of table.sources.get(f.name) ?? [f.name]) needed.add(s);
    for (const s of info.target ? table.sources.get(info.target) ?? [info.target] : []) needed.delete(s);
    info.inputColumns = m.datasetSchema.filter((c) => needed.has(c.name));
  }
  return info;
}

/**
 * The most rows a model on this table can train on, when known (the table's exact row count).
 * None for an empty table: NML127 says to add rows, and "lower k to at most 0" would mislead.
 */
function trainingRowsAtMost(t: TableState): number | undefined {
  return t.schema.rowCountExact && t.schema.rowCount ? t.schema.rowCount : undefined;
}

/** `cv: K` (a model's tuning, an evaluation's cross-validation) needs K rows of the training table. */
export function reportFoldsBeyondRows(cv: number, at: Range, tableName: string, table: TableState, ctx: CheckContext): void {
  const rows = trainingRowsAtMost(table);
  if (rows !== undefined && cv > rows) ctx.report('NML116', at, `cv: ${cv} folds need at least ${cv} training rows, but "${tableName}" holds ${rows}; lower cv to at most ${rows}`, [{ title: `Use cv: ${rows}`, data: { kind: 'replace', with: String(rows) } }]);
}

/**
 * A category target with one level left. Reported when that is proven: a filter kept only that
 * level (the dataset column has more), or the whole file was read (not a sample) and holds one.
 */
function reportOneClass(target: ColumnSchema, at: Identifier, m: ModelCheckInput, r: Resolver): void {
  const source = m.input.state.sources.get(target.name)?.[0] ?? target.name;
  const raw = m.datasetSchema?.find((c) => c.name === source);
  const rawLevels = raw?.levels ?? (raw?.type === 'boolean' ? ['false', 'true'] : []);
  const filtered = rawLevels.length > (target.levels?.length ?? 0);
  const origin = r.info(m.input.state.origin);
  const wholeFile = origin?.kind === 'dataset' && origin.schemaComplete;
  if (!filtered && !wholeFile) return;
  const only = target.levels?.[0];
  const why = filtered ? `the filters before "${m.input.name}" keep only ${only === undefined ? 'no value' : `"${only}"`}` : `the data holds only ${only === undefined ? 'missing values' : `"${only}"`}`;
  r.ctx.report('NML123', at.range, `the target "${target.name}" has fewer than two classes: ${why}; a classifier needs at least two, so keep rows of another class (loosen the filter) or predict another column`);
}

/** The final model of a stacking or blending when `final:` is not given: scikit-learn's (for numbers RidgeCV, a linear_regression whose alpha the run chooses). */
function finalDefault(task: Task): string {
  const spec = ENSEMBLES.stacking.options.final;
  return spec.kind === 'algorithm' ? spec.defaults[task] : '';
}

/**
 * A stacking or blending member is fitted again (on folds, or without the holdout), from its own
 * steps on the ensemble's rows: it must be a model with an algorithm, from the same dataset.
 */
function checkLearningMember(member: ModelInfo, id: Identifier, method: string, info: ModelInfo, ctx: CheckContext): void {
  if (member.ensemble) {
    ctx.report('NML116', id.range, `member "${id.name}" is itself an ensemble; ${method} fits its members again on parts of the training rows, so list models with an algorithm (the members of "${id.name}" themselves)`);
  } else if (member.origin && info.origin && member.origin !== info.origin) {
    ctx.report('NML122', id.range, `member "${id.name}" is trained from the dataset "${member.origin}" but "${info.name}" from "${info.origin}"; ${method} predicts the same rows with every member, so train the members from "${info.origin}"`);
  }
}

/**
 * `class_weight: balanced` or `class_weight: { A: 2, B: 1 }`: classification only, an algorithm
 * that takes it (for auto, at least one candidate), the map's classes among the target's levels
 * and its weights positive numbers.
 */
function checkClassWeight(prop: Property, info: ModelInfo, what: string, ctx: CheckContext): ModelInfo['classWeight'] {
  const remove = [{ title: 'Remove class_weight', data: { kind: 'remove' as const, range: prop.range } }];
  if (info.task === 'regression') {
    ctx.report('NML117', prop.key.range, `class_weight weighs the classes of a classifier, but ${what} is a regression; remove it`, remove);
    return undefined;
  }
  const algorithm = info.algorithm?.name;
  const takers = Object.values(ALGORITHMS).filter((a) => a.classWeight).map((a) => a.name);
  const takes = algorithm === 'auto' ? autoCandidates(info.algorithm!.options, info.task).some((a) => a.classWeight) : algorithm === undefined || takers.includes(algorithm);
  if (!takes) {
    ctx.report('NML116', prop.key.range, `${algorithm} takes no class_weight; use ${takers.join(', ')}, or resample the classes instead (resample: oversample)`, remove);
    return undefined;
  }
  if (prop.value) {
    if (wordValue(prop.value) === 'balanced') return 'balanced';
    ctx.report('NML116', prop.value.range, `class_weight must be balanced or a map of classes to weights such as class_weight: { A: 2, B: 1 }, not ${describeValue(prop.value)}`, [{ title: 'Use balanced', data: { kind: 'replace', with: 'balanced' } }]);
    return undefined;
  }
  const weights: Record<string, number> = {};
  const levels = info.classes;
  for (const p of prop.block ?? []) {
    const level = p.key.name;
    if (levels && !levels.includes(level)) {
      const s = ctx.suggest(level, levels, 'class');
      ctx.report('NML116', p.key.range, `class_weight names the class "${level}", but the target "${info.target}" has the classes ${levels.join(', ')}${s.text}`, s.fixes);
      continue;
    }
    const v = p.value ? numberValue(p.value) : undefined;
    if (v === undefined || !(v > 0)) {
      ctx.report('NML116', p.value?.range ?? p.key.range, `the weight of class "${level}" must be a number greater than 0, not ${p.value ? describeValue(p.value) : 'nothing'}`);
      continue;
    }
    weights[level] = v;
  }
  if (!prop.block || prop.block.length === 0) {
    ctx.report('NML116', prop.key.range, 'class_weight needs balanced or the weights of the classes, e.g. class_weight: { A: 2, B: 1 }');
    return undefined;
  }
  return weights;
}

function methodProperty(value: import('../language/ast').Expr | undefined, table: Readonly<Record<string, MethodSpec>>, what: string, ctx: import('./check-context').CheckContext): MethodCall | undefined {
  if (!value) return undefined;
  const ref = methodRef(value);
  if (!ref || !table[ref.name]) {
    const s = ref ? ctx.suggest(ref.name, Object.keys(table), what) : { text: '', fixes: undefined };
    ctx.report('NML116', ref?.nameRange ?? value.range, `unknown ${what} "${ref?.name ?? describeValue(value)}"${s.text || `; use ${Object.keys(table).join(', ')}`}`, s.fixes);
    return undefined;
  }
  return { name: ref.name, options: validateOptions(table[ref.name].options, ref, `${what} ${ref.name}`, ctx) };
}

function checkAuto(ref: MethodRef, options: Record<string, unknown>, task: Task | undefined, ctx: import('./check-context').CheckContext): void {
  const candidatesArg = ref.args.find((a) => a.name?.name === 'candidates');
  const ids = nameList(candidatesArg?.value) ?? [];
  for (const id of ids) {
    const spec = ALGORITHMS[id.name];
    if (!spec || id.name === 'auto') {
      const s = ctx.suggest(id.name, Object.keys(ALGORITHMS).filter((a) => a !== 'auto'), 'algorithm');
      ctx.report('NML116', id.range, `unknown candidate algorithm "${id.name}"${s.text}`, s.fixes);
    } else if (task && !spec.tasks.includes(task)) {
      ctx.report('NML117', id.range, `candidate ${id.name} does only ${spec.tasks.join(' and ')}, but this model is a ${task}`, [{ title: `Remove ${id.name} from the candidates`, data: { kind: 'remove', range: id.range } }]);
    }
  }
  checkMetricOption(ref, options, task, ctx);
}

/** `halving(min_rows: N)`: a round's cross-validation needs `cv` rows, and the first round cannot have more rows than the training table. */
function checkHalving(ref: MethodRef, minRows: number, cv: number, tableName: string, table: TableState, ctx: CheckContext): void {
  const at = ref.args.find((a) => a.name?.name === 'min_rows')?.value?.range;
  if (!at || minRows === 0) return;
  const rows = trainingRowsAtMost(table);
  if (minRows < cv) ctx.report('NML116', at, `halving's first round cross-validates on min_rows: ${minRows} rows, fewer than the ${cv} folds of cv; raise min_rows to at least ${cv}, or 0 to choose it as scikit-learn does`, [{ title: `Use min_rows: ${cv}`, data: { kind: 'replace', with: String(cv) } }]);
  else if (rows !== undefined && minRows > rows) ctx.report('NML116', at, `halving's first round takes min_rows: ${minRows} training rows, but "${tableName}" holds ${rows}; lower min_rows, or 0 to choose it as scikit-learn does`, [{ title: 'Use min_rows: 0', data: { kind: 'replace', with: '0' } }]);
}

/**
 * `validation_fraction` sets rows aside for early stopping only: with `early_stopping` off (and
 * not tuned) it would hold out nothing, which says the pipeline means something it does not do.
 */
function checkEarlyStopping(ref: MethodRef, info: ModelInfo, ctx: CheckContext): void {
  const fraction = ref.args.find((a) => a.name?.name === 'validation_fraction');
  const tuned = info.tune?.space.early_stopping?.some((v) => Number(v) > 0) === true;
  if (!fraction || Number(info.algorithm!.options.early_stopping) > 0 || tuned) return;
  ctx.report('NML116', fraction.name!.range, 'validation_fraction holds rows out for early stopping, but early_stopping is 0 (off); add early_stopping: 10, or remove validation_fraction',
    [{ title: 'Add early_stopping: 10', data: { kind: 'replace', range: fraction.name!.range, with: 'early_stopping: 10, validation_fraction' } }]);
}

/** The `metric:` of `auto` or of a tune method: a known metric of the model's task. */
function checkMetricOption(ref: MethodRef, options: Record<string, unknown>, task: Task | undefined, ctx: import('./check-context').CheckContext): void {
  const metricArg = ref.args.find((a) => a.name?.name === 'metric');
  const metric = options.metric as string | undefined;
  if (metric && metricArg?.value) {
    const spec = METRICS[metric];
    if (!spec) {
      const s = ctx.suggest(metric, Object.keys(METRICS), 'metric');
      ctx.report('NML116', metricArg.value.range, `unknown metric "${metric}"${s.text}`, s.fixes);
    } else if (task && spec.task !== task) {
      const fitting = Object.keys(METRICS).filter((m) => METRICS[m].task === task);
      ctx.report('NML120', metricArg.value.range, `${metric} is a ${spec.task} metric but this model is a ${task}; use ${fitting.join(', ')}`, useEach(fitting));
    }
  }
}
