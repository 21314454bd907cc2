// A small PMML 4.4 scoring engine written from the specification, for the export tests: it knows
// nothing of NarML's runner, only the PMML elements the exporter writes (DataDictionary,
// DerivedField with FieldRef/Constant/Apply/NormDiscrete/MapValues, RegressionModel, TreeModel,
// MiningModel with selectFirst/average/sum/modelChain segmentation), so a file that scores here
// as the runner does says what it means in PMML's terms, not in the exporter's.

export interface XmlElement { name: string; attrs: Record<string, string>; children: XmlElement[]; text: string }

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const unescape = (s: string): string => s.replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => ENTITIES[e]);

/** Parses the XML the exporter writes: elements, attributes and text; a declaration and comments are skipped. */
export function parseXml(text: string): XmlElement {
  const root: XmlElement = { name: '#document', attrs: {}, children: [], text: '' };
  const stack = [root];
  const tag = /<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<\/([\w:.-]+)\s*>|<([\w:.-]+)((?:\s+[\w:.-]+\s*=\s*"[^"]*")*)\s*(\/?)>|([^<]+)/g;
  for (let m = tag.exec(text); m; m = tag.exec(text)) {
    const top = stack[stack.length - 1];
    if (m[1]) {
      if (top.name !== m[1]) throw new Error(`</${m[1]}> closes <${top.name}>`);
      stack.pop();
    } else if (m[2]) {
      const attrs: Record<string, string> = {};
      for (const a of m[3].matchAll(/([\w:.-]+)\s*=\s*"([^"]*)"/g)) attrs[a[1]] = unescape(a[2]);
      const el: XmlElement = { name: m[2], attrs, children: [], text: '' };
      top.children.push(el);
      if (!m[4]) stack.push(el);
    } else if (m[5]) top.text += unescape(m[5]);
  }
  if (stack.length !== 1) throw new Error(`<${stack[stack.length - 1].name}> is not closed`);
  return root.children[0];
}

const child = (e: XmlElement, name: string): XmlElement | undefined => e.children.find((c) => c.name === name);
const childrenNamed = (e: XmlElement, name: string): XmlElement[] => e.children.filter((c) => c.name === name);

type Value = number | string | undefined; // undefined is missing
type Env = Map<string, Value>;
/** A model's result: a value (regression) or a class with its probabilities; null is no prediction. */
type Result = { value: number | string; probabilities?: Map<string, number> } | null;

const EXPRESSIONS = new Set(['FieldRef', 'Constant', 'Apply', 'NormDiscrete', 'MapValues', 'NormContinuous']);
const PREDICATES = new Set(['True', 'False', 'SimplePredicate', 'CompoundPredicate', 'SimpleSetPredicate']);
const MODELS = new Set(['RegressionModel', 'TreeModel', 'MiningModel']);

function typed(v: Value, dataType: string | undefined): Value {
  if (v === undefined) return undefined;
  if (dataType === 'double' || dataType === 'float' || dataType === 'integer') {
    const x = typeof v === 'number' ? v : v.trim() === '' ? NaN : Number(v);
    return Number.isNaN(x) ? undefined : x;
  }
  return String(v);
}

const FUNCTIONS: Record<string, (xs: number[]) => number> = {
  '+': ([a, b]) => a + b, '-': ([a, b]) => a - b, '*': ([a, b]) => a * b, '/': ([a, b]) => a / b,
  min: (xs) => Math.min(...xs), max: (xs) => Math.max(...xs), abs: ([a]) => Math.abs(a),
  exp: ([a]) => Math.exp(a), ln: ([a]) => Math.log(a), sqrt: ([a]) => Math.sqrt(a),
};

function expression(e: XmlElement, env: Env): Value {
  switch (e.name) {
    case 'FieldRef': {
      const v = env.get(e.attrs.field);
      return v === undefined ? e.attrs.mapMissingTo : v;
    }
    case 'Constant':
      return typed(e.text.trim(), e.attrs.dataType ?? 'string');
    case 'Apply': {
      const args = e.children.filter((c) => EXPRESSIONS.has(c.name)).map((c) => expression(c, env));
      if (args.some((a) => a === undefined)) return e.attrs.mapMissingTo;
      const fn = FUNCTIONS[e.attrs.function];
      if (!fn) throw new Error(`function ${e.attrs.function} is not known here`);
      const r = fn(args.map((a) => typed(a, 'double') as number));
      if (Number.isFinite(r)) return r;
      // An invalid result: asMissing makes it missing; returnInvalid (the default) fails the row.
      if (e.attrs.invalidValueTreatment === 'asMissing') return undefined;
      throw new Error(`${e.attrs.function} is invalid for ${args.join(', ')}`);
    }
    case 'NormDiscrete': {
      const v = env.get(e.attrs.field);
      if (v === undefined) return e.attrs.mapMissingTo === undefined ? undefined : Number(e.attrs.mapMissingTo);
      return String(v) === e.attrs.value ? 1 : 0;
    }
    case 'MapValues': {
      const pairs = childrenNamed(e, 'FieldColumnPair');
      const keys = pairs.map((p) => env.get(p.attrs.field));
      if (keys.some((k) => k === undefined)) return typed(e.attrs.mapMissingTo, e.attrs.dataType);
      const rows = childrenNamed(child(e, 'InlineTable')!, 'row');
      const row = rows.find((r) => pairs.every((p, i) => child(r, p.attrs.column)?.text === String(keys[i])));
      return typed(row ? child(row, e.attrs.outputColumn)!.text : e.attrs.defaultValue, e.attrs.dataType);
    }
    default:
      throw new Error(`expression ${e.name} is not known here`);
  }
}

/** Three-valued: true, false or undefined (unknown, a missing value). */
function predicate(e: XmlElement, env: Env): boolean | undefined {
  switch (e.name) {
    case 'True': return true;
    case 'False': return false;
    case 'SimplePredicate': {
      const v = env.get(e.attrs.field);
      if (e.attrs.operator === 'isMissing') return v === undefined;
      if (e.attrs.operator === 'isNotMissing') return v !== undefined;
      if (v === undefined) return undefined;
      if (e.attrs.operator === 'equal') return String(v) === e.attrs.value;
      if (e.attrs.operator === 'notEqual') return String(v) !== e.attrs.value;
      const x = v as number;
      const t = Number(e.attrs.value);
      switch (e.attrs.operator) {
        case 'lessThan': return x < t;
        case 'lessOrEqual': return x <= t;
        case 'greaterThan': return x > t;
        case 'greaterOrEqual': return x >= t;
      }
      throw new Error(`operator ${e.attrs.operator} is not known here`);
    }
    case 'CompoundPredicate': {
      const parts = e.children.filter((c) => PREDICATES.has(c.name)).map((c) => predicate(c, env));
      if (e.attrs.booleanOperator === 'and') return parts.includes(false) ? false : parts.includes(undefined) ? undefined : true;
      if (e.attrs.booleanOperator === 'or') return parts.includes(true) ? true : parts.includes(undefined) ? undefined : false;
      throw new Error(`booleanOperator ${e.attrs.booleanOperator} is not known here`);
    }
    default:
      throw new Error(`predicate ${e.name} is not known here`);
  }
}

const best = (p: Map<string, number>): string => {
  let label = '';
  let top = -Infinity;
  for (const [c, v] of p) if (v > top) { top = v; label = c; }
  return label;
};

function regressionModel(m: XmlElement, env: Env): Result {
  const tables = childrenNamed(m, 'RegressionTable').map((t) => {
    let y = Number(t.attrs.intercept);
    for (const p of childrenNamed(t, 'NumericPredictor')) {
      const x = env.get(p.attrs.name);
      if (x === undefined) return undefined;
      y += Number(p.attrs.coefficient) * (x as number);
    }
    return { y, category: t.attrs.targetCategory };
  });
  if (tables.some((t) => t === undefined)) return null;
  const ys = tables as { y: number; category: string }[];
  if (m.attrs.functionName === 'regression') return { value: ys[0].y };
  const p = new Map<string, number>();
  const method = m.attrs.normalizationMethod ?? 'none';
  if (method === 'softmax') {
    const top = Math.max(...ys.map((t) => t.y));
    const e = ys.map((t) => Math.exp(t.y - top));
    const sum = e.reduce((a, b) => a + b, 0);
    ys.forEach((t, i) => p.set(t.category, e[i] / sum));
  } else if (method === 'logit') {
    // Every category but the last: 1 / (1 + e^-y); the last takes what is left.
    let rest = 1;
    ys.slice(0, -1).forEach((t) => { const q = 1 / (1 + Math.exp(-t.y)); p.set(t.category, q); rest -= q; });
    p.set(ys[ys.length - 1].category, rest);
  } else throw new Error(`normalizationMethod ${method} is not known here`);
  return { value: best(p), probabilities: p };
}

function treeModel(m: XmlElement, env: Env): Result {
  const defaultChild = m.attrs.missingValueStrategy === 'defaultChild';
  let node = child(m, 'Node')!;
  if (predicate(node.children.find((c) => PREDICATES.has(c.name))!, env) !== true) return null;
  for (;;) {
    const kids = childrenNamed(node, 'Node');
    if (kids.length === 0) break;
    let next: XmlElement | undefined;
    for (const k of kids) {
      const holds = predicate(k.children.find((c) => PREDICATES.has(c.name))!, env);
      if (holds === true) { next = k; break; }
      if (holds === undefined && defaultChild) { next = kids.find((c) => c.attrs.id === node.attrs.defaultChild); break; }
    }
    if (!next) return null; // noTrueChildStrategy returnNullPrediction (the default)
    node = next;
  }
  if (m.attrs.functionName === 'regression') return { value: Number(node.attrs.score) };
  const dist = childrenNamed(node, 'ScoreDistribution');
  const p = new Map(dist.map((d) => [d.attrs.value, Number(d.attrs.probability)] as [string, number]));
  return { value: node.attrs.score, probabilities: p };
}

function miningModel(m: XmlElement, env: Env): Result {
  const seg = child(m, 'Segmentation')!;
  const method = seg.attrs.multipleModelMethod;
  const segments = childrenNamed(seg, 'Segment');
  const modelOf = (s: XmlElement): XmlElement => s.children.find((c) => MODELS.has(c.name))!;
  const holds = (s: XmlElement): boolean => predicate(s.children.find((c) => PREDICATES.has(c.name))!, env) === true;
  if (method === 'selectFirst') {
    const s = segments.find(holds);
    return s ? model(modelOf(s), env) : null;
  }
  if (method === 'modelChain') {
    let last: Result = null;
    for (const s of segments) if (holds(s)) { last = model(modelOf(s), env); if (!last) return null; }
    return last;
  }
  const results = segments.filter(holds).map((s) => model(modelOf(s), env));
  if (results.some((r) => r === null) || results.length === 0) return null;
  const rs = results as NonNullable<Result>[];
  if (m.attrs.functionName === 'regression') {
    const sum = rs.reduce((a, r) => a + (r.value as number), 0);
    if (method === 'sum') return { value: sum };
    if (method === 'average') return { value: sum / rs.length };
  } else if (method === 'average') {
    const p = new Map<string, number>();
    for (const r of rs) for (const [c, v] of r.probabilities!) p.set(c, (p.get(c) ?? 0) + v);
    for (const [c, v] of p) p.set(c, v / rs.length);
    return { value: best(p), probabilities: p };
  }
  throw new Error(`multipleModelMethod ${method} for ${m.attrs.functionName} is not known here`);
}

/** Scores a model element, then sets its Output's predicted-value fields (a model chain reads them). */
function model(m: XmlElement, env: Env): Result {
  const r = m.name === 'RegressionModel' ? regressionModel(m, env) : m.name === 'TreeModel' ? treeModel(m, env) : m.name === 'MiningModel' ? miningModel(m, env) : undefined;
  if (r === undefined) throw new Error(`model ${m.name} is not known here`);
  for (const f of childrenNamed(child(m, 'Output') ?? { name: '', attrs: {}, children: [], text: '' }, 'OutputField')) {
    if (f.attrs.feature === 'predictedValue') env.set(f.attrs.name, r?.value);
  }
  return r;
}

/** The document's prediction for one row of raw values (null or "" is missing): a label and probabilities in the target's Value order, or null. */
export function scorePmml(doc: XmlElement, row: Record<string, unknown>): { label: string | number; probabilities?: number[] } | null {
  const env: Env = new Map();
  const fields = childrenNamed(child(doc, 'DataDictionary')!, 'DataField');
  for (const f of fields) {
    const v = row[f.attrs.name];
    env.set(f.attrs.name, v === null || v === undefined || v === '' ? undefined : typed(v as string | number, f.attrs.dataType));
  }
  for (const d of childrenNamed(child(doc, 'TransformationDictionary') ?? doc, 'DerivedField')) {
    env.set(d.attrs.name, typed(expression(d.children.find((c) => EXPRESSIONS.has(c.name))!, env), d.attrs.dataType));
  }
  const m = doc.children.find((c) => MODELS.has(c.name))!;
  const r = model(m, env);
  if (!r) return null;
  if (!r.probabilities) return { label: r.value };
  const target = fields.find((f) => childrenNamed(f, 'Value').length > 0)!;
  return { label: r.value, probabilities: childrenNamed(target, 'Value').map((v) => r.probabilities!.get(v.attrs.value) ?? 0) };
}
