// Exports a fitted pipeline as PMML 4.4 (the DMG's XML standard, read by JPMML, KNIME, SAS and
// others): the raw input columns in the DataDictionary, the steps PMML expresses as DerivedFields
// (impute → FieldRef mapMissingTo, one-hot → NormDiscrete, ordinal → MapValues, scale/clip and
// numeric derives → Apply), and the model as RegressionModel (linear, logistic with logit or
// softmax), TreeModel (one tree) or MiningModel segmentation (a forest's average; boosting's sums
// of trees chained into a RegressionModel that adds the base score and applies the link).
// A model that takes no missing values is wrapped in a selectFirst segmentation whose one segment
// needs every feature present, so a row the runner leaves unscored gets no prediction here either.
// What PMML cannot say (text and date functions, casts, kNN, naive Bayes, calibration, ensembles)
// is a PmmlExportError naming it, which the checker reports before the run (NML118).
import type { Expr } from '../language/ast';
import { leftSpine } from '../language/left-spine';
import type { ColumnType } from '../language/schema';
import type { ModelParams, SavedModel, TreeParams } from '../ml/model-types';
import { float32AtOrBelow } from '../ml/tree-ensemble';
import type { FittedStep } from '../transforms/fitted-step';
import type { OnnxEnsembleInput, OnnxExportInput } from './onnx-export';

export class PmmlExportError extends Error {}

/** The algorithms whose models PMML holds here (linear models and trees); the checker names the others. */
export const PMML_ALGORITHMS: readonly string[] = ['logistic_regression', 'linear_regression', 'decision_tree', 'random_forest', 'gradient_boosting'];

/** Where the exported file's XSD and its namespace come from (docs/decisions, test/fixtures/pmml). */
export const PMML_NAMESPACE = 'http://www.dmg.org/PMML-4_4';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/** JavaScript's shortest round-trip text is a valid xs:double for every finite value. */
const num = (x: number): string => {
  if (!Number.isFinite(x)) throw new PmmlExportError(`the value ${x} cannot be written to PMML`);
  return String(x);
};

const bits = new DataView(new ArrayBuffer(8));

/** The next float32 above a float32 f (finite or not). */
function nextFloat32(f: number): number {
  if (f === 3.4028234663852886e38) return f + 2 ** 104;
  bits.setFloat32(0, f);
  const u = bits.getUint32(0);
  if (f > 0) bits.setUint32(0, u + 1);
  else if (f === 0) return 2 ** -149;
  else bits.setUint32(0, u - 1);
  return bits.getFloat32(0);
}

/**
 * The double d such that x ≤ d exactly when float32(x) ≤ t, for every double x: the runner's trees
 * compare inputs rounded to float32, PMML compares doubles. Values between a float32 f and the next
 * one round to the nearer, halves to the even one.
 */
export function doubleThreshold(t: number): number {
  const f = float32AtOrBelow(t);
  const mid = (f + nextFloat32(f)) / 2;
  bits.setFloat32(0, f);
  const even = (bits.getUint32(0) & 1) === 0;
  if (even) return mid;
  // The largest double below mid.
  bits.setFloat64(0, mid);
  const hi = bits.getUint32(0);
  const lo = bits.getUint32(4);
  if (mid > 0) {
    if (lo === 0) { bits.setUint32(0, hi - 1); bits.setUint32(4, 0xffffffff); } else bits.setUint32(4, lo - 1);
  } else if (lo === 0xffffffff) { bits.setUint32(0, hi + 1); bits.setUint32(4, 0); } else bits.setUint32(4, lo + 1);
  return bits.getFloat64(0);
}

interface Field { name: string; type: ColumnType }

/** The fitted steps as DerivedFields; `fields` maps each column of the table to its PMML field. */
class Transformations {
  derived: string[] = [];
  private used = new Set<string>();
  fields = new Map<string, Field>();

  constructor(raw: Field[]) {
    for (const f of raw) { this.fields.set(f.name, f); this.used.add(f.name); }
  }

  /** A field name no other field has: the column's name, then name~2, name~3… */
  private fresh(column: string): string {
    let name = column;
    for (let k = 2; this.used.has(name); k++) name = `${column}~${k}`;
    this.used.add(name);
    return name;
  }

  private field(column: string, step: string): Field {
    const f = this.fields.get(column);
    if (!f) throw new PmmlExportError(`${step}: the column ${column} is not there`);
    return f;
  }

  private numeric(column: string, step: string): Field {
    const f = this.field(column, step);
    if (f.type !== 'number') throw new PmmlExportError(`${step} reads ${column}, a ${f.type} column, which the PMML export does not carry through steps; export to .py or .onnx`);
    return f;
  }

  private define(column: string, type: ColumnType, expression: string): void {
    const name = this.fresh(column);
    const text = type === 'number';
    this.derived.push(`    <DerivedField name="${esc(name)}" optype="${text ? 'continuous' : 'categorical'}" dataType="${text ? 'double' : 'string'}">\n      ${expression}\n    </DerivedField>`);
    this.fields.set(column, { name, type });
  }

  apply(s: FittedStep): void {
    switch (s.kind) {
      case 'filter':
      case 'drop_missing':
      case 'dedupe':
        return; // they shape the training rows only: every row given to the model is scored
      case 'drop':
        for (const c of s.columns) this.fields.delete(c);
        return;
      case 'keep':
        for (const c of [...this.fields.keys()]) if (!s.columns.includes(c)) this.fields.delete(c);
        return;
      case 'rename': {
        const f = this.field(s.from, `rename ${s.from}`);
        this.fields.delete(s.from);
        this.fields.set(s.to, f);
        return;
      }
      case 'cast':
        throw new PmmlExportError(`cast ${s.column} as ${s.to} cannot be exported to PMML; export to .py (or cast the column in the data)`);
      case 'impute': {
        const f = this.field(s.column, `impute ${s.column}`);
        if (f.type !== 'number' && f.type !== 'category' && f.type !== 'text') throw new PmmlExportError(`impute ${s.column}: a ${f.type} column cannot be exported to PMML; export to .py`);
        this.define(s.column, f.type, `<FieldRef field="${esc(f.name)}" mapMissingTo="${esc(typeof s.value === 'number' ? num(s.value) : s.value)}"/>`);
        return;
      }
      case 'onehot': {
        const f = this.field(s.column, `encode ${s.column}`);
        if (f.type !== 'category' && f.type !== 'text') throw new PmmlExportError(`encode ${s.column} as onehot: a ${f.type} column's levels cannot be exported to PMML; export to .py or .onnx`);
        this.fields.delete(s.column);
        s.levels.forEach((level, i) => this.define(s.outputs[i], 'number', `<NormDiscrete field="${esc(f.name)}" value="${esc(level)}" mapMissingTo="0"/>`));
        return;
      }
      case 'ordinal': {
        const f = this.field(s.column, `encode ${s.column}`);
        if (f.type !== 'category' && f.type !== 'text') throw new PmmlExportError(`encode ${s.column} as ordinal: a ${f.type} column's levels cannot be exported to PMML; export to .py or .onnx`);
        const rows = s.levels.map((level, i) => `<row><from>${esc(level)}</from><to>${i}</to></row>`).join('');
        this.define(s.column, 'number', `<MapValues outputColumn="to" dataType="double"><FieldColumnPair field="${esc(f.name)}" column="from"/><InlineTable>${rows}</InlineTable></MapValues>`);
        return;
      }
      case 'scale': {
        const f = this.numeric(s.column, `scale ${s.column}`);
        this.define(s.column, 'number', apply('/', apply('-', fieldRef(f.name), constant(s.center)), constant(s.scale)));
        return;
      }
      case 'clip': {
        const f = this.numeric(s.column, `clip ${s.column}`);
        this.define(s.column, 'number', apply('min', apply('max', fieldRef(f.name), constant(s.lo)), constant(s.hi)));
        return;
      }
      case 'derive':
        this.define(s.column, 'number', this.expression(s.expr, `derive ${s.column}`));
    }
  }

  /** Numeric expressions (+ - * /, unary minus, log exp sqrt abs min max) as Apply; anything else is refused. */
  private expression(e: Expr | undefined, step: string): string {
    const fail = (what: string): never => {
      throw new PmmlExportError(`${step} uses ${what}, which the PMML export does not write; export to .py (every expression) or .onnx`);
    };
    if (!e) return fail('an incomplete expression');
    switch (e.kind) {
      case 'Number':
      case 'Percent':
        return constant(e.value);
      case 'Paren':
        return this.expression(e.inner, step);
      case 'Name':
        return fieldRef(this.numeric(e.name.text, step).name);
      case 'Unary':
        return e.operator === '-' ? apply('*', constant(-1), this.expression(e.operand, step)) : fail(`"${e.operator}"`);
      case 'Binary': {
        const spine = leftSpine(e);
        let acc = this.expression(spine[0].left, step);
        for (const node of spine) {
          if (!['+', '-', '*', '/'].includes(node.operator)) fail(`"${node.operator}"`);
          acc = apply(node.operator, acc, this.expression(node.right, step));
        }
        return acc;
      }
      case 'Call': {
        const fn = PMML_FUNCTIONS[e.callee.name];
        if (!fn) return fail(`${e.callee.name}()`);
        const args = e.args.map((a) => this.expression(a.value, step));
        if (fn === 'min' || fn === 'max') return args.slice(1).reduce((acc, a) => apply(fn, acc, a), args[0]);
        return apply(fn, ...args);
      }
      default:
        return fail(`a ${e.kind} expression`);
    }
  }
}

/** NarML functions with a PMML built-in of the same meaning (an invalid result is missing in both). */
const PMML_FUNCTIONS: Readonly<Record<string, string>> = { log: 'ln', exp: 'exp', sqrt: 'sqrt', abs: 'abs', min: 'min', max: 'max' };

const fieldRef = (name: string): string => `<FieldRef field="${esc(name)}"/>`;
const constant = (x: number): string => `<Constant dataType="double">${num(x)}</Constant>`;
/** An arithmetic Apply; an invalid result (x / 0, ln(-1)) is missing, as the runner's NaN. */
const apply = (fn: string, ...args: string[]): string => `<Apply function="${esc(fn)}" invalidValueTreatment="asMissing">${args.join('')}</Apply>`;

/** What every model element starts with: the raw fields it reads and the field it predicts. */
interface Schema { raw: string[]; target: string; extra?: string[] }

function miningSchema(s: Schema, predicted: boolean): string {
  const fields = [...s.raw.map((f) => `<MiningField name="${esc(f)}"/>`), ...(s.extra ?? []).map((f) => `<MiningField name="${esc(f)}"/>`)];
  if (predicted) fields.push(`<MiningField name="${esc(s.target)}" usageType="target"/>`);
  return `<MiningSchema>${fields.join('')}</MiningSchema>`;
}

const argmax = (v: number[]): number => v.reduce((best, x, i) => (x > v[best] ? i : best), 0);

/** One tree as nested Nodes: left when the feature is ≤ the threshold, missing to the side the runner takes. */
function treeNodes(t: TreeParams, features: string[], classes: string[] | undefined): string {
  // A leaf's class (and its probabilities) or its value.
  const leaf = (values: number[], predicate: string, i: number): string => (classes
    ? `<Node id="${i}" score="${esc(classes[argmax(values)])}">${predicate}${values.map((p, c) => `<ScoreDistribution value="${esc(classes[c])}" recordCount="${num(p)}" probability="${num(p)}"/>`).join('')}</Node>`
    : `<Node id="${i}" score="${num(values[0])}">${predicate}</Node>`);
  const node = (i: number, predicate: string): string => {
    if (t.feature[i] < 0) return leaf(t.value[i], predicate, i);
    const field = esc(features[t.feature[i]]);
    const d = num(doubleThreshold(t.threshold[i]));
    const left = node(t.left[i], `<SimplePredicate field="${field}" operator="lessOrEqual" value="${d}"/>`);
    const right = node(t.right[i], `<SimplePredicate field="${field}" operator="greaterThan" value="${d}"/>`);
    return `<Node id="${i}" defaultChild="${t.missingLeft[i] ? t.left[i] : t.right[i]}">${predicate}${left}${right}</Node>`;
  };
  return node(0, '<True/>');
}

const treeModel = (t: TreeParams, features: string[], schema: Schema, classes: string[] | undefined, output = ''): string =>
  `<TreeModel functionName="${classes ? 'classification' : 'regression'}" missingValueStrategy="defaultChild">${miningSchema(schema, true)}${output}${treeNodes(t, features, classes)}</TreeModel>`;

const numericPredictors = (coef: number[], features: string[]): string => coef.map((w, j) => `<NumericPredictor name="${esc(features[j])}" coefficient="${num(w)}"/>`).join('');

/** The model element of `m` over the PMML fields `features`; `output` is its Output element. */
function modelElement(m: SavedModel, p: ModelParams, features: string[], schema: Schema, output: string): string {
  const classes = m.task === 'classification' ? m.classes : undefined;
  const fn = classes ? 'classification' : 'regression';
  switch (p.kind) {
    case 'linear': {
      if (!classes) return `<RegressionModel functionName="regression">${miningSchema(schema, true)}${output}<RegressionTable intercept="${num(p.intercept[0])}">${numericPredictors(p.coef[0], features)}</RegressionTable></RegressionModel>`;
      // Two classes: logit gives the first table's class 1 / (1 + e^-y) and the other the rest.
      const tables = classes.length === 2
        ? `<RegressionTable intercept="${num(p.intercept[0])}" targetCategory="${esc(classes[1])}">${numericPredictors(p.coef[0], features)}</RegressionTable><RegressionTable intercept="0" targetCategory="${esc(classes[0])}"/>`
        : classes.map((c, k) => `<RegressionTable intercept="${num(p.intercept[k])}" targetCategory="${esc(c)}">${numericPredictors(p.coef[k], features)}</RegressionTable>`).join('');
      return `<RegressionModel functionName="classification" normalizationMethod="${classes.length === 2 ? 'logit' : 'softmax'}">${miningSchema(schema, true)}${output}${tables}</RegressionModel>`;
    }
    case 'tree-ensemble': {
      if (p.aggregate === 'average') {
        if (p.trees.length === 1) return treeModel(p.trees[0], features, schema, classes, output);
        const segments = p.trees.map((t, i) => `<Segment id="${i + 1}"><True/>${treeModel(t, features, schema, classes)}</Segment>`).join('');
        return `<MiningModel functionName="${fn}">${miningSchema(schema, true)}${output}<Segmentation multipleModelMethod="average">${segments}</Segmentation></MiningModel>`;
      }
      // Boosting: per output, the sum of its trees' margins (an output field), then a regression
      // on those margins adds the base score and applies the link.
      const outputs = p.base.length;
      const margins = Array.from({ length: outputs }, (_, k) => `margin(${k})`);
      const sums = margins.map((name, k) => {
        const trees = p.trees.map((t, i) => ((p.treeOutput?.[i] ?? 0) === k ? `<Segment id="${i + 1}"><True/>${treeModel(t, features, schema, undefined)}</Segment>` : '')).join('');
        const out = `<Output><OutputField name="${esc(name)}" optype="continuous" dataType="double" feature="predictedValue"/></Output>`;
        return `<Segment id="${esc(name)}"><True/><MiningModel functionName="regression">${miningSchema(schema, true)}${out}<Segmentation multipleModelMethod="sum">${trees}</Segmentation></MiningModel></Segment>`;
      });
      const chained = { ...schema, extra: margins };
      const table = (k: number, category?: string): string => `<RegressionTable intercept="${num(p.base[k])}"${category === undefined ? '' : ` targetCategory="${esc(category)}"`}><NumericPredictor name="${esc(margins[k])}" coefficient="1"/></RegressionTable>`;
      const link = !classes
        ? `<RegressionModel functionName="regression">${miningSchema(chained, true)}${table(0)}</RegressionModel>`
        : classes.length === 2
          ? `<RegressionModel functionName="classification" normalizationMethod="logit">${miningSchema(chained, true)}${table(0, classes[1])}<RegressionTable intercept="0" targetCategory="${esc(classes[0])}"/></RegressionModel>`
          : `<RegressionModel functionName="classification" normalizationMethod="softmax">${miningSchema(chained, true)}${classes.map((c, k) => table(k, c)).join('')}</RegressionModel>`;
      return `<MiningModel functionName="${fn}">${miningSchema(schema, true)}${output}<Segmentation multipleModelMethod="modelChain">${sums.join('')}<Segment id="link"><True/>${link}</Segment></Segmentation></MiningModel>`;
    }
    default:
      throw new PmmlExportError(`${m.algorithm} models${p.kind === 'calibrated' ? ' with calibrate' : ''} cannot be exported to PMML; export to .py or .onnx`);
  }
}

/** PMML's name for an input column's type, or why it has none here. */
function dataField(name: string, type: ColumnType): string {
  if (type === 'number') return `<DataField name="${esc(name)}" optype="continuous" dataType="double"/>`;
  if (type === 'category' || type === 'text') return `<DataField name="${esc(name)}" optype="categorical" dataType="string"/>`;
  throw new PmmlExportError(`the input column ${name} is a ${type}, which the PMML export does not read; export to .py or .onnx`);
}

/** The PMML document's text; throws PmmlExportError for what PMML (or this exporter) cannot express. */
export function exportPipelineToPmml(input: OnnxExportInput | OnnxEnsembleInput): string {
  if ('members' in input) throw new PmmlExportError(`${input.combine.method} ensembles cannot be exported to PMML yet; export to .py or .onnx, or export one of its members`);
  const m = input.model;
  const raw = input.inputColumns.map((c) => ({ name: c.name, type: c.type }));
  const fields = raw.map((c) => dataField(c.name, c.type));
  const tx = new Transformations(raw);
  for (const s of input.steps) tx.apply(s);
  const features = m.featureNames.map((f) => {
    const field = tx.fields.get(f);
    if (!field) throw new PmmlExportError(`the feature ${f} is not made by the steps`);
    if (field.type !== 'number') throw new PmmlExportError(`the feature ${f} is a ${field.type} column; encode it to export to PMML`);
    return field.name;
  });
  let target = 'prediction';
  while (raw.some((c) => c.name === target)) target = `_${target}`;
  const classes = m.task === 'classification' ? m.classes ?? [] : undefined;
  fields.push(classes
    ? `<DataField name="${esc(target)}" optype="categorical" dataType="string">${classes.map((c) => `<Value value="${esc(c)}"/>`).join('')}</DataField>`
    : `<DataField name="${esc(target)}" optype="continuous" dataType="double"/>`);
  const output = `<Output><OutputField name="predicted" optype="${classes ? 'categorical' : 'continuous'}" dataType="${classes ? 'string' : 'double'}" feature="predictedValue"/>${(classes ?? []).map((c) => `<OutputField name="probability(${esc(c)})" optype="continuous" dataType="double" feature="probability" value="${esc(c)}"/>`).join('')}</Output>`;
  const schema: Schema = { raw: raw.map((c) => c.name), target };
  let model: string;
  if (m.algorithm === 'gradient_boosting') model = modelElement(m, m.params, features, schema, output);
  else {
    // The runner scores a row only with every feature present: so does the one segment.
    const present = features.map((f) => `<SimplePredicate field="${esc(f)}" operator="isNotMissing"/>`);
    const predicate = present.length === 0 ? '<True/>' : present.length === 1 ? present[0] : `<CompoundPredicate booleanOperator="and">${present.join('')}</CompoundPredicate>`;
    model = `<MiningModel functionName="${classes ? 'classification' : 'regression'}">${miningSchema(schema, true)}${output}<Segmentation multipleModelMethod="selectFirst"><Segment id="features-present">${predicate}${modelElement(m, m.params, features, schema, '')}</Segment></Segmentation></MiningModel>`;
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<PMML xmlns="${PMML_NAMESPACE}" version="4.4">`,
    `  <Header description="${esc(`${input.name}: a NarML pipeline (its transform steps and its ${m.algorithm} model)`)}"><Application name="NarML" version="0.1.0"/></Header>`,
    `  <DataDictionary numberOfFields="${fields.length}">`,
    ...fields.map((f) => `    ${f}`),
    '  </DataDictionary>',
    ...(tx.derived.length > 0 ? ['  <TransformationDictionary>', ...tx.derived, '  </TransformationDictionary>'] : []),
    `  ${model}`,
    '</PMML>',
    '',
  ].join('\n');
}
