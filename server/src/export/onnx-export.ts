// Exports a fitted pipeline (transform steps + model) as one ONNX graph (IR 8, opset 15 +
// ai.onnx.ml 3). Inputs: one [N, 1] tensor per raw column (float for numbers, booleans and
// dates as days since 1970-01-01; string for categories and text). Outputs: `label` [N] (class
// names, or the value for regression) and, for classification, `probabilities` [N, classes].
// Classifiers are built from standard operators (MatMul/Softmax, TreeEnsembleRegressor margins +
// Sigmoid/Softmax) so outputs match the runner's own predictions exactly.
import type { BinaryOperator, Expr } from '../language/ast';
import { leftSpine } from '../language/left-spine';
import type { ColumnSchema, ColumnType, Task } from '../language/schema';
import type { Calibrator, SavedModel, TreeParams } from '../ml/model-types';
import type { FittedStep } from '../transforms/fitted-step';
import { parseIsoDate } from '../data/parse-values';
import { AttrType, DataType, ModelProto } from './onnx-schema';

export class OnnxExportError extends Error {}

type Attr = { name: string; type: number; f?: number; i?: number; s?: Uint8Array; floats?: number[]; ints?: number[]; strings?: Uint8Array[]; t?: object };

const utf8 = (s: string): Uint8Array => Buffer.from(s, 'utf8');

class GraphBuilder {
  nodes: object[] = [];
  initializers: object[] = [];
  inputs: object[] = [];
  outputs: object[] = [];
  /** Types of ai.onnx.ml node outputs, which onnx's shape inference does not always derive. */
  valueInfos: object[] = [];
  private counter = 0;

  fresh(hint: string): string {
    return `${hint.replace(/[^A-Za-z0-9_]/g, '_')}_${this.counter++}`;
  }

  node(op: string, inputs: string[], attrs: Attr[] = [], domain = '', outputCount = 1): string[] {
    const outputs = Array.from({ length: outputCount }, () => this.fresh(op));
    this.nodes.push({ opType: op, input: inputs, output: outputs, attribute: attrs, domain, name: this.fresh(`n_${op}`) });
    return outputs;
  }

  one(op: string, inputs: string[], attrs: Attr[] = [], domain = ''): string {
    return this.node(op, inputs, attrs, domain)[0];
  }

  /** `input` under a name that says what it holds (`derived_<column>_<n>`), to find it in the graph. */
  alias(hint: string, input: string): string {
    const out = this.fresh(hint);
    this.nodes.push({ opType: 'Identity', input: [input], output: [out], attribute: [], domain: '', name: this.fresh('n_Identity') });
    return out;
  }

  /** An ai.onnx.ml node whose output element type is declared for the checker. */
  ml(op: string, inputs: string[], attrs: Attr[], elemType: number): string {
    const out = this.node(op, inputs, attrs, 'ai.onnx.ml')[0];
    this.valueInfos.push({ name: out, type: { tensorType: { elemType } } });
    return out;
  }

  floatConst(values: number[], dims: number[]): string {
    const name = this.fresh('const');
    this.initializers.push({ name, dataType: DataType.FLOAT, dims, floatData: values });
    return name;
  }

  doubleConst(values: number[], dims: number[]): string {
    const name = this.fresh('const');
    this.initializers.push({ name, dataType: DataType.DOUBLE, dims, doubleData: values });
    return name;
  }

  /** One string, [1, 1]. */
  stringConst(value: string): string {
    const name = this.fresh('text');
    this.initializers.push({ name, dataType: DataType.STRING, dims: [1, 1], stringData: [utf8(value)] });
    return name;
  }

  int64Const(values: number[], dims: number[]): string {
    const name = this.fresh('shape');
    this.initializers.push({ name, dataType: DataType.INT64, dims, int64Data: values });
    return name;
  }

  valueInfo(name: string, elemType: number, dims: (number | string)[]): object {
    return { name, type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } } };
  }
}

const fAttr = (name: string, v: number): Attr => ({ name, type: AttrType.FLOAT, f: v });
const iAttr = (name: string, v: number): Attr => ({ name, type: AttrType.INT, i: v });
const sAttr = (name: string, v: string): Attr => ({ name, type: AttrType.STRING, s: utf8(v) });
const fsAttr = (name: string, v: number[]): Attr => ({ name, type: AttrType.FLOATS, floats: v });
const isAttr = (name: string, v: number[]): Attr => ({ name, type: AttrType.INTS, ints: v });
const ssAttr = (name: string, v: string[]): Attr => ({ name, type: AttrType.STRINGS, strings: v.map(utf8) });

/** A column's tensor in the graph: float [N,1] or string [N,1]. */
interface Tensor { name: string; kind: 'float' | 'string'; type: ColumnType }

function describeStep(s: FittedStep): string {
  switch (s.kind) {
    case 'derive': return `derive ${s.column}`;
    case 'cast': return `cast ${s.column} as ${s.to}`;
    case 'impute': return `impute ${s.column}`;
    default: return `${s.kind} ${'column' in s ? s.column : ''}`.trim();
  }
}

/**
 * An expression's value: numbers, booleans (0/1) and dates (days) as float [N, 1] with NaN for
 * missing, as the runner's columns hold them; text as string [N, 1] with "" for missing.
 * `literal` is a string literal's text (a date where a date is compared with it), its tensor made
 * on use; `fixed` marks a value no column feeds, [1, 1].
 */
type Value = { name: string; kind: 'number' | 'string'; literal?: string; fixed?: boolean };

/** Where a text tensor is missing (""), as bool. */
function textMissing(g: GraphBuilder, x: string): string {
  const missing = g.ml('LabelEncoder', [x], [ssAttr('keys_strings', ['']), isAttr('values_int64s', [1]), iAttr('default_int64', 0)], DataType.INT64);
  return g.one('Cast', [missing], [iAttr('to', DataType.BOOL)]);
}

/** A value's tensor: a string literal's is made only where a tensor is needed (most are attributes). */
const tensorOf = (g: GraphBuilder, v: Value): string => v.name || g.stringConst(v.literal ?? '');

/** The runner's calendar (evaluate-expression.ts's dateOf) on days since 1970-01-01: Hinnant's civil-from-days in doubles. */
function civilFromDays(g: GraphBuilder, days: string): { year: string; month: string; day: string } {
  const d = (v: number): string => g.doubleConst([v], []);
  const floorDiv = (a: string, b: number): string => g.one('Floor', [g.one('Div', [a, d(b)])]);
  const z = g.one('Add', [g.one('Floor', [toDouble(g, days)]), d(719_468)]);
  const era = floorDiv(z, 146_097);
  const doe = g.one('Sub', [z, g.one('Mul', [era, d(146_097)])]);
  const yoe = floorDiv(g.one('Sub', [g.one('Add', [g.one('Sub', [doe, floorDiv(doe, 1460)]), floorDiv(doe, 36_524)]), floorDiv(doe, 146_096)]), 365);
  const doy = g.one('Sub', [doe, g.one('Sub', [g.one('Add', [g.one('Mul', [yoe, d(365)]), floorDiv(yoe, 4)]), floorDiv(yoe, 100)])]);
  const mp = floorDiv(g.one('Add', [g.one('Mul', [doy, d(5)]), d(2)]), 153);
  const day = g.one('Add', [g.one('Sub', [doy, floorDiv(g.one('Add', [g.one('Mul', [mp, d(153)]), d(2)]), 5)]), d(1)]);
  const march = g.one('Less', [mp, d(10)]);
  const month = g.one('Where', [march, g.one('Add', [mp, d(3)]), g.one('Sub', [mp, d(9)])]);
  const year = g.one('Add', [g.one('Add', [yoe, g.one('Mul', [era, d(400)])]), g.one('Cast', [g.one('LessOrEqual', [month, d(2)])], [iAttr('to', DataType.DOUBLE)])]);
  return { year: toFloat(g, year), month: toFloat(g, month), day: toFloat(g, day) };
}

function translateExpr(g: GraphBuilder, e: Expr, cols: Map<string, Tensor>, step: string): Value {
  const fail = (why: string): never => { throw new OnnxExportError(`${step} cannot be exported to ONNX yet: ${why}`); };
  const nan = (): string => g.floatConst([NaN], []);
  const number = (name: string, ...from: Value[]): Value => ({ name, kind: 'number', ...(from.every((v) => v.fixed) ? { fixed: true } : {}) });
  const num = (x: Value): string => (x.kind === 'number' ? x.name : fail(x.literal !== undefined ? `the text "${x.literal}" is used as a number` : 'it uses text where a number is needed'));
  const text = (x: Value, fn: string): string => (x.kind === 'string' ? x.name : fail(`${fn}() of a number`));
  const missing = (...xs: string[]): string => xs.map((x) => g.one('IsNaN', [x])).reduce((a, b) => g.one('Or', [a, b]));
  // Where the runner's result is not a finite number (x / 0, log 0, an overflow) it is missing.
  const finite = (x: string): string => g.one('Where', [g.one('IsInf', [x]), nan(), x]);
  const asFloat = (b: string): string => g.one('Cast', [b], [iAttr('to', DataType.FLOAT)]);
  // A comparison is missing where an operand is: three-valued, as the runner's.
  const compared = (op: string, a: string, b: string): string => g.one('Where', [missing(a, b), nan(), asFloat(g.one(op, [a, b]))]);
  // Missing text ("") compared is missing; equal to the literal is 1 (== ) or 0 (!=).
  const textEquals = (x: string, literal: string, equal: boolean): string => {
    const keys = literal === '' ? [''] : ['', literal];
    const values = literal === '' ? [NaN] : [NaN, equal ? 1 : 0];
    return g.ml('LabelEncoder', [x], [ssAttr('keys_strings', keys), fsAttr('values_floats', values), fAttr('default_float', equal ? 0 : 1)], DataType.FLOAT);
  };
  // The checker exports stand-in models of half-typed pipelines too (NML118): a hole is a refusal, not a crash.
  const part = (x: Expr | undefined): Expr => x ?? fail('the expression is incomplete');
  switch (e.kind) {
    case 'Number':
    case 'Percent':
      return { name: g.floatConst([e.value], [1, 1]), kind: 'number', fixed: true };
    case 'Boolean':
      return { name: g.floatConst([e.value ? 1 : 0], [1, 1]), kind: 'number', fixed: true };
    case 'String':
      return { name: '', kind: 'string', literal: e.value, fixed: true };
    case 'Paren':
      return translateExpr(g, part(e.inner), cols, step);
    case 'Name': {
      const t = cols.get(e.name.text);
      if (!t) return fail(`column ${e.name.text} is unknown`);
      return { name: t.name, kind: t.kind === 'float' ? 'number' : 'string' };
    }
    case 'Unary': {
      const x = translateExpr(g, part(e.operand), cols, step);
      return number(e.operator === 'not' ? g.one('Sub', [g.floatConst([1], []), num(x)]) : g.one('Neg', [num(x)]), x);
    }
    case 'Binary': {
      const arith: Record<string, string> = { '+': 'Add', '-': 'Sub', '*': 'Mul', '/': 'Div' };
      const order: Record<string, string> = { '<': 'Less', '<=': 'LessOrEqual', '>': 'Greater', '>=': 'GreaterOrEqual' };
      const apply = (op: BinaryOperator, a: Value, b: Value): Value => {
        // A date compared with a string literal compares with that date, as in the runner.
        if (a.kind === 'number' && b.literal !== undefined) b = { name: g.floatConst([parseIsoDate(b.literal)], [1, 1]), kind: 'number', fixed: true };
        if (b.kind === 'number' && a.literal !== undefined) a = { name: g.floatConst([parseIsoDate(a.literal)], [1, 1]), kind: 'number', fixed: true };
        if ((op === '==' || op === '!=') && (a.kind === 'string' || b.kind === 'string')) {
          const [column, literal] = a.literal !== undefined ? [b, a.literal] : [a, b.literal];
          if (literal === undefined || column.kind !== 'string') return fail('comparing two text values needs string equality, which ONNX has only from opset 19; compare a text column with a literal');
          return number(textEquals(tensorOf(g, column), literal, op === '=='), column);
        }
        if (a.kind === 'string' || b.kind === 'string') return fail(`the operator ${op} on text has no ONNX equivalent (ONNX orders no strings)`);
        const x = num(a);
        const y = num(b);
        if (arith[op]) return number(finite(g.one(arith[op], [x, y])), a, b);
        if (op === '%') return number(finite(g.one('Sub', [x, g.one('Mul', [y, g.one('Floor', [g.one('Div', [x, y])])])])), a, b);
        if (order[op]) return number(compared(order[op], x, y), a, b);
        if (op === '==' || op === '!=') {
          const eq = compared('Equal', x, y);
          return number(op === '==' ? eq : g.one('Sub', [g.floatConst([1], []), eq]), a, b);
        }
        // Three-valued: false and missing is false, true or missing is true.
        const [decisive, result] = op === 'and' ? [0, 0] : [1, 1];
        const decided = g.one('Or', [g.one('Equal', [x, g.floatConst([decisive], [])]), g.one('Equal', [y, g.floatConst([decisive], [])])]);
        return number(g.one('Where', [decided, g.floatConst([result], []), g.one('Where', [missing(x, y), nan(), g.floatConst([1 - result], [])])]), a, b);
      };
      // Folded along the left spine: a long flat chain must not recurse per operator.
      const spine = leftSpine(e);
      let value = translateExpr(g, spine[0].left, cols, step);
      for (const node of spine) value = apply(node.operator, value, translateExpr(g, part(node.right), cols, step));
      return value;
    }
    case 'Call': {
      const fn = e.callee.name;
      if (fn === 'date' && e.args[0]?.value?.kind === 'String') return { name: g.floatConst([parseIsoDate(e.args[0].value.value)], [1, 1]), kind: 'number', fixed: true };
      const args = e.args.map((x) => translateExpr(g, part(x.value), cols, step));
      const arity: Record<string, number> = { abs: 1, sqrt: 1, log: 1, exp: 1, round: 1, year: 1, month: 1, day: 1, weekday: 1, days_between: 2, is_missing: 1, if: 3, coalesce: 1, min: 1, max: 1, lower: 1, upper: 1, date: 1, length: 1, contains: 2 };
      if (args.length < (arity[fn] ?? 0)) return fail(`${fn}() is missing arguments`);
      const unary: Record<string, string> = { abs: 'Abs', sqrt: 'Sqrt', log: 'Log', exp: 'Exp' };
      if (unary[fn]) return number(finite(g.one(unary[fn], [num(args[0])])), args[0]);
      if (fn === 'min' || fn === 'max') {
        const picked = args.map(num).reduce((a, b) => g.one('Where', [missing(a, b), nan(), g.one(fn === 'min' ? 'Min' : 'Max', [a, b])]));
        return number(picked, ...args);
      }
      if (fn === 'round') {
        // Halves away from zero: sign(x)·floor(|x|·10^d + ½) / 10^d, in doubles as the runner rounds.
        const scale = args[1] ? g.one('Pow', [g.doubleConst([10], []), toDouble(g, num(args[1]))]) : g.doubleConst([1], []);
        const x = toDouble(g, num(args[0]));
        const away = g.one('Floor', [g.one('Add', [g.one('Mul', [g.one('Abs', [x]), scale]), g.doubleConst([0.5], [])])]);
        return number(finite(toFloat(g, g.one('Div', [g.one('Mul', [g.one('Sign', [x]), away]), scale]))), ...args);
      }
      if (fn === 'year' || fn === 'month' || fn === 'day') return number(civilFromDays(g, num(args[0]))[fn], args[0]);
      if (fn === 'weekday') {
        // Day 0 (1970-01-01) was a Thursday: Monday = 0 is (floor(days) + 3) mod 7.
        const days = g.one('Add', [g.one('Floor', [toDouble(g, num(args[0]))]), g.doubleConst([3], [])]);
        const weeks = g.one('Floor', [g.one('Div', [days, g.doubleConst([7], [])])]);
        return number(toFloat(g, g.one('Sub', [days, g.one('Mul', [weeks, g.doubleConst([7], [])])])), args[0]);
      }
      if (fn === 'days_between') return number(g.one('Sub', [num(args[1]), num(args[0])]), ...args);
      if (fn === 'is_missing') {
        const x = args[0];
        return number(asFloat(x.kind === 'string' ? textMissing(g, tensorOf(g, x)) : g.one('IsNaN', [x.name])), x);
      }
      if ((fn === 'if' || fn === 'coalesce') && args.some((a) => a.kind === 'string')) {
        // Text picked row by row (Where takes strings); a missing condition gives missing text, as the runner's.
        const choices = fn === 'if' ? args.slice(1) : args;
        const texts = choices.map((a) => (a.kind === 'string' ? tensorOf(g, a) : fail(`${fn}() mixes text and numbers`)));
        let picked: string;
        if (fn === 'if') {
          const c = num(args[0]);
          picked = g.one('Where', [g.one('IsNaN', [c]), g.stringConst(''), g.one('Where', [g.one('Cast', [c], [iAttr('to', DataType.BOOL)]), texts[0], texts[1]])]);
        } else {
          picked = texts[texts.length - 1];
          for (let i = texts.length - 2; i >= 0; i--) picked = g.one('Where', [textMissing(g, texts[i]), picked, texts[i]]);
        }
        return { name: picked, kind: 'string', ...(args.every((a) => a.fixed) ? { fixed: true } : {}) };
      }
      if (fn === 'if') {
        const [c, a, b] = [num(args[0]), num(args[1]), num(args[2])];
        return number(g.one('Where', [g.one('IsNaN', [c]), nan(), g.one('Where', [g.one('Cast', [c], [iAttr('to', DataType.BOOL)]), a, b])]), ...args);
      }
      if (fn === 'coalesce') {
        const values = args.map(num);
        let acc = values[values.length - 1];
        for (let i = values.length - 2; i >= 0; i--) acc = g.one('Where', [g.one('IsNaN', [values[i]]), acc, values[i]]);
        return number(acc, ...args);
      }
      if (fn === 'lower' || fn === 'upper') {
        if (args[0].literal !== undefined) {
          const v = fn === 'lower' ? args[0].literal.toLowerCase() : args[0].literal.toUpperCase();
          return { name: '', kind: 'string', literal: v, fixed: true };
        }
        // StringNormalizer takes one dimension; C.UTF-8 maps case character by character.
        const flat = g.one('Reshape', [text(args[0], fn), g.int64Const([-1], [1])]);
        const changed = g.one('StringNormalizer', [flat], [sAttr('case_change_action', fn.toUpperCase()), sAttr('locale', 'C.UTF-8')]);
        return { name: g.one('Reshape', [changed, g.int64Const([-1, 1], [2])]), kind: 'string' };
      }
      if (fn === 'date') return fail('date() of a text column parses text, which ONNX cannot (only date("YYYY-MM-DD") literals)');
      if (fn === 'length' || fn === 'contains') return fail(`${fn}() ${fn === 'length' ? 'counts characters' : 'searches text'}, which no ONNX operator does up to opset 17 (the newest the onnx checker knows; RegexFullMatch and StringSplit come in opset 20)`);
      return fail(`the function ${fn}() has no ONNX equivalent yet`);
    }
    default:
      return fail(`${e.kind} expressions are not supported`);
  }
}

function applyStep(g: GraphBuilder, s: FittedStep, cols: Map<string, Tensor>): void {
  const step = describeStep(s);
  const get = (c: string): Tensor => {
    const t = cols.get(c);
    if (!t) throw new OnnxExportError(`${step}: column "${c}" is not available in the exported graph`);
    return t;
  };
  switch (s.kind) {
    case 'filter':
    case 'drop_missing':
    case 'dedupe':
      return; // row steps shape training data only
    case 'drop':
      for (const c of s.columns) cols.delete(c);
      return;
    case 'keep':
      for (const c of [...cols.keys()]) if (!s.columns.includes(c)) cols.delete(c);
      return;
    case 'rename': {
      const t = get(s.from);
      cols.delete(s.from);
      cols.set(s.to, t);
      return;
    }
    case 'cast': {
      const t = get(s.column);
      const numeric = (x: ColumnType): boolean => x === 'number' || x === 'boolean' || x === 'date';
      if (t.kind === 'float' && s.to === 'boolean' && t.type !== 'boolean') {
        // Any number but 0 is true, as the runner casts; missing stays missing.
        const truth = g.one('Cast', [g.one('Cast', [t.name], [iAttr('to', DataType.BOOL)])], [iAttr('to', DataType.FLOAT)]);
        cols.set(s.column, { ...t, type: s.to, name: g.one('Where', [g.one('IsNaN', [t.name]), t.name, truth]) });
        return;
      }
      if (t.kind === 'float' && numeric(s.to)) { cols.set(s.column, { ...t, type: s.to }); return; }
      if (t.kind === 'string' && (s.to === 'category' || s.to === 'text')) { cols.set(s.column, { ...t, type: s.to }); return; }
      throw new OnnxExportError(`${step} cannot be exported to ONNX yet: converting ${t.type} to ${s.to} has no ONNX equivalent here`);
    }
    case 'impute': {
      const t = get(s.column);
      if (t.kind === 'float') {
        const value = typeof s.value === 'number' ? s.value : Number(s.value);
        cols.set(s.column, { ...t, name: g.ml('Imputer', [t.name], [fsAttr('imputed_value_floats', [value]), fAttr('replaced_value_float', NaN)], DataType.FLOAT) });
        return;
      }
      // Strings: missing arrives as "" and becomes the imputed value; every other value passes through.
      cols.set(s.column, { ...t, name: g.one('Where', [textMissing(g, t.name), g.stringConst(String(s.value)), t.name]) });
      return;
    }
    case 'onehot': {
      const t = get(s.column);
      let input = t.name;
      let attrs: Attr[];
      if (t.kind === 'string') attrs = [ssAttr('cats_strings', s.levels)];
      else {
        // Booleans (0/1) and numbers: integer categories.
        input = g.one('Cast', [t.name], [iAttr('to', DataType.INT64)]);
        const ints = s.levels.map((l) => (l === 'true' ? 1 : l === 'false' ? 0 : Number(l)));
        if (ints.some((v) => !Number.isInteger(v))) throw new OnnxExportError(`${step} cannot be exported: its levels are not whole numbers`);
        attrs = [isAttr('cats_int64s', ints)];
      }
      const encoded = g.ml('OneHotEncoder', [input], [...attrs, iAttr('zeros', 1)], DataType.FLOAT);
      const flat = g.one('Reshape', [encoded, g.int64Const([-1, s.levels.length], [2])]);
      cols.delete(s.column);
      s.levels.forEach((_, k) => {
        const piece = g.one('Slice', [flat, g.int64Const([k], [1]), g.int64Const([k + 1], [1]), g.int64Const([1], [1])]);
        cols.set(s.outputs[k], { name: piece, kind: 'float', type: 'number' });
      });
      return;
    }
    case 'ordinal': {
      const t = get(s.column);
      if (t.kind !== 'string') throw new OnnxExportError(`${step} cannot be exported: ordinal encoding of a ${t.type} column`);
      const name = g.ml('LabelEncoder', [t.name], [ssAttr('keys_strings', s.levels), fsAttr('values_floats', s.levels.map((_, i) => i)), fAttr('default_float', NaN)], DataType.FLOAT);
      cols.set(s.column, { name, kind: 'float', type: 'number' });
      return;
    }
    case 'scale': {
      const t = get(s.column);
      cols.set(s.column, { ...t, type: 'number', name: g.ml('Scaler', [t.name], [fsAttr('offset', [s.center]), fsAttr('scale', [1 / s.scale])], DataType.FLOAT) });
      return;
    }
    case 'clip': {
      const t = get(s.column);
      cols.set(s.column, { ...t, name: g.one('Clip', [t.name, g.floatConst([s.lo], []), g.floatConst([s.hi], [])]) });
      return;
    }
    case 'derive': {
      const r = translateExpr(g, s.expr, cols, step);
      const value = tensorOf(g, r);
      // A value no column feeds is one row: repeated for every row, as the runner fills the column.
      const rows = cols.values().next().value;
      const name = g.alias(`derived_${s.column}`, r.fixed && rows ? g.one('Expand', [value, g.one('Shape', [rows.name])]) : value);
      cols.set(s.column, { name, kind: r.kind === 'number' ? 'float' : 'string', type: s.type });
      return;
    }
  }
}

function treeAttributes(trees: TreeParams[], outputs: number, treeOutput: number[] | undefined, aggregate: 'average' | 'sum', base: number[]): Attr[] {
  const nodes = { treeIds: [] as number[], nodeIds: [] as number[], featureIds: [] as number[], modes: [] as string[], values: [] as number[], trueIds: [] as number[], falseIds: [] as number[], missingTrue: [] as number[] };
  const targets = { treeIds: [] as number[], nodeIds: [] as number[], ids: [] as number[], weights: [] as number[] };
  trees.forEach((tree, t) => {
    for (let n = 0; n < tree.feature.length; n++) {
      const leaf = tree.feature[n] < 0;
      nodes.treeIds.push(t);
      nodes.nodeIds.push(n);
      nodes.featureIds.push(leaf ? 0 : tree.feature[n]);
      nodes.modes.push(leaf ? 'LEAF' : 'BRANCH_LEQ');
      nodes.values.push(leaf ? 0 : tree.threshold[n]);
      nodes.trueIds.push(leaf ? 0 : tree.left[n]);
      nodes.falseIds.push(leaf ? 0 : tree.right[n]);
      nodes.missingTrue.push(!leaf && tree.missingLeft[n] ? 1 : 0);
      if (!leaf) continue;
      if (aggregate === 'sum') {
        targets.treeIds.push(t); targets.nodeIds.push(n); targets.ids.push(treeOutput?.[t] ?? 0); targets.weights.push(tree.value[n][0]);
      } else {
        for (let o = 0; o < outputs; o++) { targets.treeIds.push(t); targets.nodeIds.push(n); targets.ids.push(o); targets.weights.push(tree.value[n][o]); }
      }
    }
  });
  return [
    iAttr('n_targets', outputs),
    sAttr('aggregate_function', aggregate === 'sum' ? 'SUM' : 'AVERAGE'),
    ...(aggregate === 'sum' ? [fsAttr('base_values', base)] : []),
    isAttr('nodes_treeids', nodes.treeIds), isAttr('nodes_nodeids', nodes.nodeIds), isAttr('nodes_featureids', nodes.featureIds),
    ssAttr('nodes_modes', nodes.modes), fsAttr('nodes_values', nodes.values), isAttr('nodes_truenodeids', nodes.trueIds),
    isAttr('nodes_falsenodeids', nodes.falseIds), isAttr('nodes_missing_value_tracks_true', nodes.missingTrue),
    isAttr('target_treeids', targets.treeIds), isAttr('target_nodeids', targets.nodeIds), isAttr('target_ids', targets.ids), fsAttr('target_weights', targets.weights),
  ];
}

const toDouble = (g: GraphBuilder, x: string): string => g.one('Cast', [x], [iAttr('to', DataType.DOUBLE)]);
const toFloat = (g: GraphBuilder, x: string): string => g.one('Cast', [x], [iAttr('to', DataType.FLOAT)]);
/** Sums over one axis, dropping it (ReduceSum takes its axes as an input from opset 13). */
const sumAxis = (g: GraphBuilder, x: string, axis: number): string => g.one('ReduceSum', [x, g.int64Const([axis], [1])], [iAttr('keepdims', 0)]);
/** x [N, F] as doubles [N, 1, F], to broadcast against per-class or per-row tables [1, R, F]. */
const rowsAgainstTable = (g: GraphBuilder, x: string): string => g.one('Unsqueeze', [toDouble(g, x), g.int64Const([1], [1])]);

/**
 * A model's outputs before the class names: `decision` is what the runner takes the arg-max of
 * (in double precision where the runner's own figures are doubles, so near-ties fall the same
 * way), `probabilities` float [N, K]; a regressor gives `value` [N, 1].
 */
type ModelOutputs = { decision: string; probabilities: string } | { value: string };

/**
 * Gaussian naive Bayes in doubles, term by term as naive-bayes.ts computes it: the joint log
 * likelihood log(prior) − Σ ½·log(2π·var) − Σ ½·(x − mean)² / var, then its softmax.
 */
function addNaiveBayes(g: GraphBuilder, p: Extract<SavedModel['params'], { kind: 'gaussian-nb' }>, x: string): ModelOutputs {
  const k = p.priors.length;
  const f = p.means[0]?.length ?? 0;
  const diff = g.one('Sub', [rowsAgainstTable(g, x), g.doubleConst(p.means.flat(), [1, k, f])]);
  const half = g.one('Mul', [g.one('Mul', [diff, diff]), g.doubleConst([0.5], [])]);
  const terms = g.one('Div', [half, g.doubleConst(p.variances.flat(), [1, k, f])]);
  const base = p.priors.map((prior, c) => p.variances[c].reduce((s, v) => s - 0.5 * Math.log(2 * Math.PI * v), Math.log(prior)));
  const joint = g.one('Sub', [g.doubleConst(base, [1, k]), sumAxis(g, terms, 2)]);
  return { decision: joint, probabilities: toFloat(g, g.one('Softmax', [joint], [iAttr('axis', 1)])) };
}

/**
 * k nearest neighbours by brute force: squared distances to every training row (an initializer)
 * by broadcasting, in doubles; TopK(largest = 0) keeps the k smallest and, on equal distances,
 * the lower training index first, which is knn.ts's order (distance, then training order).
 * Classes: counts of the neighbours' classes (ArgMax takes the first largest, the lowest class
 * index, as argmaxRows does) and counts / k as probabilities; regression: the neighbours' mean.
 */
function addNeighbours(g: GraphBuilder, p: Extract<SavedModel['params'], { kind: 'knn' }>, x: string): ModelOutputs {
  const m = p.train.length;
  const f = p.train[0]?.length ?? 0;
  const k = Math.min(p.k, m);
  const diff = g.one('Sub', [rowsAgainstTable(g, x), g.doubleConst(p.train.flat(), [1, m, f])]);
  const distances = sumAxis(g, g.one('Mul', [diff, diff]), 2);
  const nearest = g.node('TopK', [distances, g.int64Const([k], [1])], [iAttr('axis', 1), iAttr('largest', 0), iAttr('sorted', 1)], '', 2)[1];
  if (p.task === 'regression') {
    const mean = g.one('Div', [sumAxis(g, g.one('Gather', [g.doubleConst(p.y, [m]), nearest]), 1), g.doubleConst([k], [])]);
    return { value: toFloat(g, mean) };
  }
  const classesOf = g.one('Gather', [g.int64Const(p.y, [m]), nearest]);
  const votes = g.one('OneHot', [classesOf, g.int64Const([p.nClasses ?? 2], []), g.floatConst([0, 1], [2])], [iAttr('axis', -1)]);
  const counts = sumAxis(g, votes, 1);
  return { decision: counts, probabilities: g.one('Div', [counts, g.floatConst([k], [])]) };
}

/** The linear and tree models' raw scores [N, outputs] (linear scores, boosting's margins, a forest's means) and their link. */
function linearOrTreeScores(g: GraphBuilder, m: SavedModel, x: string): { scores: string; link: 'identity' | 'logistic' | 'softmax' | 'probabilities' } {
  const p = m.params;
  if (p.kind === 'linear') {
    const f = m.featureNames.length;
    const k = p.coef.length;
    const w = g.floatConst(Array.from({ length: f * k }, (_, i) => p.coef[i % k][Math.floor(i / k)]), [f, k]);
    return { scores: g.one('Add', [g.one('MatMul', [x, w]), g.floatConst(p.intercept, [1, k])]), link: p.link };
  }
  if (p.kind !== 'tree-ensemble') throw new OnnxExportError(`internal error: ${p.kind} parameters are not scores`);
  const outputs = p.aggregate === 'sum' ? p.base.length : p.trees[0]?.value[0]?.length ?? 1;
  const scores = g.ml('TreeEnsembleRegressor', [x], treeAttributes(p.trees, outputs, p.treeOutput, p.aggregate, p.base), DataType.FLOAT);
  return { scores, link: p.aggregate === 'average' && m.classes ? 'probabilities' : p.link };
}

/** Scores of the linear and tree models, turned into probabilities by their link. */
function addLinearOrTrees(g: GraphBuilder, m: SavedModel, x: string): ModelOutputs {
  const { scores, link } = linearOrTreeScores(g, m, x);
  if (!m.classes) return { value: scores };
  let probabilities: string;
  if (link === 'logistic') {
    const q = g.one('Sigmoid', [scores]);
    probabilities = g.one('Concat', [g.one('Sub', [g.floatConst([1], [1, 1]), q]), q], [iAttr('axis', 1)]);
  } else if (link === 'softmax') probabilities = g.one('Softmax', [scores], [iAttr('axis', 1)]);
  else probabilities = scores;
  return { decision: probabilities, probabilities };
}

/** Column `c` of a [N, K] tensor as [N, 1]. */
const column = (g: GraphBuilder, t: string, c: number): string => g.one('Slice', [t, g.int64Const([c], [1]), g.int64Const([c + 1], [1]), g.int64Const([1], [1])]);

/** What calibration.ts's calibrationScores gives for a copy, in doubles [N, m]: its decision function, else its probabilities (binary: the positive class's). */
function calibrationScores(g: GraphBuilder, copy: SavedModel, x: string): string {
  const p = copy.params;
  if (p.kind === 'linear' || (p.kind === 'tree-ensemble' && p.aggregate === 'sum')) return toDouble(g, linearOrTreeScores(g, copy, x).scores);
  const out = addModelOutputs(g, copy, x);
  if (!('probabilities' in out)) throw new OnnxExportError(`internal error: a calibrated ${copy.algorithm} gives no probabilities`);
  return toDouble(g, (copy.classes?.length ?? 2) > 2 ? out.probabilities : column(g, out.probabilities, 1));
}

/**
 * One calibrator on scores `s` [N, 1] (doubles), as calibration.ts's calibrate: Platt's
 * 1 / (1 + exp(a·s + b)), or isotonic points: the first or last value outside them, else linear
 * interpolation between the last point at or below s (found by counting them) and the next.
 */
function addCalibrator(g: GraphBuilder, c: Calibrator, s: string): string {
  const d = (v: number): string => g.doubleConst([v], []);
  if (c.kind === 'sigmoid') return g.one('Div', [d(1), g.one('Add', [d(1), g.one('Exp', [g.one('Add', [g.one('Mul', [s, d(c.a)]), d(c.b)])])])]);
  const last = c.x.length - 1;
  let inside: string;
  if (last === 0) inside = d(NaN); // one point: the runner's interpolation divides 0 by 0 between the ends
  else {
    const atOrBelow = sumAxis(g, g.one('Cast', [g.one('LessOrEqual', [g.doubleConst(c.x, [1, c.x.length]), s])], [iAttr('to', DataType.DOUBLE)]), 1);
    const lo = g.one('Cast', [g.one('Clip', [g.one('Sub', [atOrBelow, d(1)]), d(0), d(last - 1)])], [iAttr('to', DataType.INT64)]);
    const hi = g.one('Add', [lo, g.int64Const([1], [])]);
    const at = (values: number[], i: string): string => g.one('Unsqueeze', [g.one('Gather', [g.doubleConst(values, [values.length]), i]), g.int64Const([1], [1])]);
    const [xLo, xHi, yLo, yHi] = [at(c.x, lo), at(c.x, hi), at(c.y, lo), at(c.y, hi)];
    const slope = g.one('Div', [g.one('Mul', [g.one('Sub', [s, xLo]), g.one('Sub', [yHi, yLo])]), g.one('Sub', [xHi, xLo])]);
    inside = g.one('Add', [yLo, slope]);
  }
  const above = g.one('Where', [g.one('GreaterOrEqual', [s, d(c.x[last])]), d(c.y[last]), inside]);
  return g.one('Where', [g.one('LessOrEqual', [s, d(c.x[0])]), d(c.y[0]), above]);
}

/** The mean of [N, K] double tensors, summed in order as the runner's `+= p / n` loops do (the same doubles). */
function meanInOrder(g: GraphBuilder, parts: string[]): string {
  const n = g.doubleConst([parts.length], []);
  return parts.map((p) => g.one('Div', [p, n])).reduce((acc, p) => g.one('Add', [acc, p]));
}

/**
 * A calibrated model as calibration.ts's calibratedModel: each copy's scores through its
 * calibrators (two classes: one, for the positive class; more: one per class, normalised to sum
 * to one, equal shares where all are zero), then the copies' mean, all in doubles.
 */
function addCalibrated(g: GraphBuilder, m: SavedModel, p: Extract<SavedModel['params'], { kind: 'calibrated' }>, x: string): ModelOutputs {
  const k = m.classes?.length ?? 2;
  const d = (v: number): string => g.doubleConst([v], []);
  const copies = p.folds.map((fold) => {
    const scores = calibrationScores(g, { ...m, params: fold.params }, x);
    const q = fold.calibrators.map((c, j) => addCalibrator(g, c, fold.calibrators.length === 1 ? scores : column(g, scores, j)));
    let proba: string;
    if (k === 2) proba = g.one('Concat', [g.one('Sub', [d(1), q[0]]), q[0]], [iAttr('axis', 1)]);
    else {
      const all = g.one('Concat', q, [iAttr('axis', 1)]);
      const sum = g.one('ReduceSum', [all, g.int64Const([1], [1])], [iAttr('keepdims', 1)]);
      proba = g.one('Where', [g.one('Equal', [sum, d(0)]), d(1 / k), g.one('Div', [all, sum])]);
    }
    const barelyAboveOne = g.one('And', [g.one('Greater', [proba, d(1)]), g.one('LessOrEqual', [proba, d(1 + 1e-5)])]);
    return g.one('Where', [barelyAboveOne, d(1), proba]);
  });
  const mean = meanInOrder(g, copies);
  return { decision: mean, probabilities: toFloat(g, mean) };
}

/** A single model's outputs on feature matrix `x` [N, F] (a value as [N, 1]). */
function addModelOutputs(g: GraphBuilder, m: SavedModel, x: string): ModelOutputs {
  const p = m.params;
  const out = p.kind === 'knn' ? addNeighbours(g, p, x) : p.kind === 'gaussian-nb' ? addNaiveBayes(g, p, x) : p.kind === 'calibrated' ? addCalibrated(g, m, p, x) : addLinearOrTrees(g, m, x);
  return 'value' in out ? { value: g.one('Reshape', [out.value, g.int64Const([-1, 1], [2])]) } : out;
}

/** A single model's steps and model: what `export M` writes, or one member of an exported ensemble. */
export interface OnnxExportInput {
  name: string;
  inputColumns: ColumnSchema[];
  steps: FittedStep[];
  model: SavedModel;
}

/**
 * An ensemble as one graph, every member computed from the shared raw inputs through its own
 * steps: voting averages their probabilities (soft), counts their labels (hard) or averages their
 * values; stacking and blending give `final` what stacking.ts's stackFeatures makes of them (each
 * member's probabilities, the positive class's only for two classes, or its value), then the
 * passed-through features that `steps` compute.
 */
export interface OnnxEnsembleInput {
  name: string;
  inputColumns: ColumnSchema[];
  task: Task;
  classes?: string[];
  members: (OnnxExportInput | OnnxEnsembleInput)[];
  combine: { method: 'voting'; soft: boolean } | { method: 'stacking' | 'blending'; steps: FittedStep[]; final: SavedModel };
}

type Columns = Map<string, Tensor & { levels?: string[] }>;

/** The feature matrix [N, F] that `steps` compute from the raw columns for `features`. */
function featureMatrixOf(g: GraphBuilder, raw: Columns, steps: FittedStep[], features: string[]): string {
  const cols: Columns = new Map(raw);
  for (const s of steps) applyStep(g, s, cols);
  const names = features.map((f) => {
    const t = cols.get(f);
    if (!t) throw new OnnxExportError(`feature "${f}" is not computed by the exported steps`);
    if (t.kind !== 'float') throw new OnnxExportError(`feature "${f}" is ${t.type}; only numbers reach a model`);
    return t.name;
  });
  return names.length === 1 ? names[0] : g.one('Concat', names, [iAttr('axis', 1)]);
}

/** The class index [N] the runner predicts from these outputs. */
const labelIndex = (g: GraphBuilder, out: { decision: string }): string => g.one('ArgMax', [out.decision], [iAttr('axis', 1), iAttr('keepdims', 0)]);

function addEnsemble(g: GraphBuilder, e: OnnxEnsembleInput, raw: Columns): ModelOutputs {
  const outs = e.members.map((m) => {
    try {
      return addPart(g, m, raw);
    } catch (err) {
      if (err instanceof OnnxExportError) throw new OnnxExportError(`member "${m.name}": ${err.message}`);
      throw err;
    }
  });
  const k = e.classes?.length ?? 0;
  const classOutputs = (): { decision: string; probabilities: string }[] => outs.map((o) => {
    if ('value' in o) throw new OnnxExportError(`internal error: a member of ${e.name} gives no classes`);
    return o;
  });
  if (e.combine.method === 'voting') {
    if (!e.classes) return { value: toFloat(g, meanInOrder(g, outs.map((o) => toDouble(g, 'value' in o ? o.value : o.decision)))) };
    const soft = e.combine.soft;
    // Hard votes: one per member for its label, so ArgMax keeps the first of tied classes, as argmaxRows does.
    const parts = classOutputs().map((o) => (soft ? toDouble(g, o.probabilities) : toDouble(g, g.one('OneHot', [labelIndex(g, o), g.int64Const([k], []), g.floatConst([0, 1], [2])], [iAttr('axis', -1)]))));
    const mean = meanInOrder(g, parts);
    return { decision: mean, probabilities: toFloat(g, mean) };
  }
  const meta = e.classes
    ? classOutputs().map((o) => (k === 2 ? column(g, o.probabilities, 1) : o.probabilities))
    : outs.map((o) => ('value' in o ? o.value : o.decision));
  const { final, steps } = e.combine;
  const passed = final.featureNames.slice(outs.length * (k > 2 ? k : 1));
  const x = g.one('Concat', passed.length > 0 ? [...meta, featureMatrixOf(g, raw, steps, passed)] : meta, [iAttr('axis', 1)]);
  return addModelOutputs(g, final, x);
}

/** A model or ensemble's outputs, computed from the raw input columns. */
function addPart(g: GraphBuilder, part: OnnxExportInput | OnnxEnsembleInput, raw: Columns): ModelOutputs {
  if ('members' in part) return addEnsemble(g, part, raw);
  return addModelOutputs(g, part.model, featureMatrixOf(g, raw, part.steps, part.model.featureNames));
}

/** Every raw column the model or ensemble reads, once (members of one ensemble read one table's columns). */
export function rawColumns(part: OnnxExportInput | OnnxEnsembleInput, into = new Map<string, ColumnSchema>()): Map<string, ColumnSchema> {
  for (const c of part.inputColumns) if (!into.has(c.name)) into.set(c.name, c);
  if ('members' in part) for (const m of part.members) rawColumns(m, into);
  return into;
}

export function exportPipelineToOnnx(input: OnnxExportInput | OnnxEnsembleInput): Uint8Array {
  const model = onnxModel(input);
  const proto = ModelProto();
  const err = proto.verify(model);
  if (err) throw new OnnxExportError(`internal error building the ONNX model: ${err}`);
  return proto.encode(proto.fromObject(model)).finish();
}

/** The ONNX model as a plain object, before encoding; throws OnnxExportError for what ONNX cannot express yet. */
export function onnxModel(input: OnnxExportInput | OnnxEnsembleInput): Record<string, unknown> {
  const g = new GraphBuilder();
  const raw: Columns = new Map();
  for (const c of rawColumns(input).values()) {
    const kind = c.type === 'category' || c.type === 'text' ? 'string' : 'float';
    g.inputs.push(g.valueInfo(c.name, kind === 'string' ? DataType.STRING : DataType.FLOAT, ['N', 1]));
    raw.set(c.name, { name: c.name, kind, type: c.type, ...(c.levels ? { levels: c.levels } : {}) });
  }
  const out = addPart(g, input, raw);
  const classes = 'members' in input ? input.classes : input.model.classes;
  const label = 'value' in out
    ? g.one('Reshape', [out.value, g.int64Const([-1], [1])])
    : g.ml('LabelEncoder', [labelIndex(g, out)], [isAttr('keys_int64s', (classes ?? []).map((_, i) => i)), ssAttr('values_strings', classes ?? []), sAttr('default_string', '')], DataType.STRING);
  g.nodes.push({ opType: 'Identity', input: [label], output: ['label'], name: 'label_out', attribute: [], domain: '' });
  g.outputs.push(g.valueInfo('label', classes ? DataType.STRING : DataType.FLOAT, ['N']));
  if ('probabilities' in out) {
    g.nodes.push({ opType: 'Identity', input: [out.probabilities], output: ['probabilities'], name: 'probabilities_out', attribute: [], domain: '' });
    g.outputs.push(g.valueInfo('probabilities', DataType.FLOAT, ['N', classes!.length]));
  }
  const described = 'members' in input
    ? [{ key: 'narml.algorithm', value: input.combine.method }, { key: 'narml.members', value: input.members.map((m) => m.name).join(',') }]
    : [{ key: 'narml.algorithm', value: input.model.algorithm }, { key: 'narml.features', value: input.model.featureNames.join(',') }];
  return {
    irVersion: 8,
    producerName: 'narml',
    producerVersion: '0.1.0',
    opsetImport: [{ domain: '', version: 15 }, { domain: 'ai.onnx.ml', version: 3 }],
    graph: { name: input.name, node: g.nodes, initializer: g.initializers, input: g.inputs, output: g.outputs, valueInfo: g.valueInfos },
    metadataProps: described,
  };
}
