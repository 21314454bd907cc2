// Reading property values and validating `name(option: value, ...)` calls against the catalog
// (NML116): unknown options with "did you mean", wrong types, out-of-range values. Returns the
// options with every default filled in, as the runner receives them.
import type { CallArgument, Expr, Identifier, Property, Range } from '../language/ast';
import { ALGORITHMS, type OptionSpec } from '../ml/catalog';
import type { CheckContext } from './check-context';
import type { OptionValues } from './checked-model';

export interface MethodRef {
  name: string;
  nameRange: Range;
  args: CallArgument[];
  range: Range;
}

/** `median`, `smote(k: 5)` → name and arguments; anything else is not a method. */
export function methodRef(expr: Expr | undefined): MethodRef | undefined {
  if (!expr) return undefined;
  if (expr.kind === 'Name' && expr.name.parts.length === 1) return { name: expr.name.text, nameRange: expr.range, args: [], range: expr.range };
  if (expr.kind === 'Call') return { name: expr.callee.name, nameRange: expr.callee.range, args: expr.args, range: expr.range };
  return undefined;
}

export function describeValue(e: Expr): string {
  switch (e.kind) {
    case 'Number': return `the number ${e.text}`;
    case 'Percent': return `the percentage ${e.text}`;
    case 'Duration': return `the duration ${e.text}`;
    case 'String': return `the string "${e.value}"`;
    case 'Boolean': return `${e.value}`;
    case 'Name': return `"${e.name.text}"`;
    case 'List': return 'a list';
    case 'Call': return `${e.callee.name}(...)`;
    default: return 'an expression';
  }
}

export function numberValue(e: Expr | undefined): number | undefined {
  if (!e) return undefined;
  if (e.kind === 'Number' || e.kind === 'Percent') return e.value;
  return undefined;
}

export function wordValue(e: Expr | undefined): string | undefined {
  if (!e) return undefined;
  if (e.kind === 'Name' && e.name.parts.length === 1) return e.name.text;
  if (e.kind === 'String') return e.value;
  return undefined;
}

/** `[a, b]` of plain names (or a single name) → identifiers. */
export function nameList(e: Expr | undefined): Identifier[] | undefined {
  if (!e) return undefined;
  if (e.kind === 'Name' && e.name.parts.length === 1) return [e.name.parts[0]];
  if (e.kind !== 'List') return undefined;
  const out: Identifier[] = [];
  for (const item of e.items) {
    if (item.kind === 'Name' && item.name.parts.length === 1) out.push(item.name.parts[0]);
    else if (item.kind === 'String') out.push({ kind: 'Identifier', name: item.value, quoted: true, range: item.range });
    else return undefined;
  }
  return out;
}

function fmtRange(o: { min?: number; max?: number; minExclusive?: boolean }): string {
  if (o.min !== undefined && o.max !== undefined) return `between ${o.min} and ${o.max}`;
  if (o.min !== undefined) return o.minExclusive ? `greater than ${o.min}` : `at least ${o.min}`;
  if (o.max !== undefined) return `at most ${o.max}`;
  return 'valid';
}

/** Checks one value against its spec; returns the resolved value or undefined after reporting. */
export function optionValue(spec: OptionSpec, value: Expr, label: string, ctx: CheckContext): number | string | boolean | string[] | undefined {
  const bad = (expected: string): undefined => {
    ctx.report('NML116', value.range, `${label} must be ${expected}, not ${describeValue(value)}`);
    return undefined;
  };
  switch (spec.kind) {
    case 'number':
    case 'integer': {
      const v = numberValue(value);
      if (v === undefined) return bad(spec.kind === 'integer' ? 'a whole number' : 'a number');
      if (spec.kind === 'integer' && !Number.isInteger(v)) return bad('a whole number');
      const tooLow = spec.min !== undefined && (v < spec.min || ('minExclusive' in spec && spec.minExclusive && v === spec.min));
      const tooHigh = spec.max !== undefined && v > spec.max;
      if (tooLow || tooHigh) {
        ctx.report('NML116', value.range, `${label} must be ${fmtRange(spec)} (${spec.doc}), not ${v}; the default is ${spec.default}`, [{ title: `Use the default ${spec.default}`, data: { kind: 'replace', with: String(spec.default) } }]);
        return undefined;
      }
      return v;
    }
    case 'boolean':
      return value.kind === 'Boolean' ? value.value : bad('true or false');
    case 'enum': {
      const w = wordValue(value);
      if (w === undefined || !spec.values.includes(w)) return bad(`one of ${spec.values.join(', ')}`);
      return w;
    }
    case 'number-or-enum': {
      const w = wordValue(value);
      if (w !== undefined && spec.values.includes(w)) return w;
      const v = numberValue(value);
      if (v !== undefined && v > spec.min && (v <= 1 || Number.isInteger(v))) return v;
      return bad(`one of ${spec.values.map((s) => `"${s}"`).join(', ')}, a fraction in (0, 1] or a whole number of features`);
    }
    case 'duration':
      if (value.kind === 'Duration') return value.ms;
      if (value.kind === 'Number' && value.value > 0) return value.value * 1000;
      return bad('a duration such as 60s or 5m');
    case 'algorithm-list':
    case 'model-list': {
      const names = nameList(value);
      if (!names) return bad('a list of names, e.g. [a, b]');
      return names.map((n) => n.name);
    }
    case 'metric': {
      const w = wordValue(value);
      return w === undefined ? bad('a metric name') : w;
    }
    case 'algorithm': {
      const names = Object.keys(ALGORITHMS).filter((a) => a !== 'auto');
      const w = value.kind === 'Name' && value.name.parts.length === 1 ? value.name.text : undefined;
      if (w !== undefined && names.includes(w)) return w;
      const s = w !== undefined ? ctx.suggest(w, names, 'algorithm') : { text: '', fixes: undefined };
      ctx.report('NML116', value.range, `${label} must be an algorithm name (it trains with its default options), not ${describeValue(value)}${s.text || `; use ${names.join(', ')}`}`, s.fixes);
      return undefined;
    }
  }
}

/**
 * Validates the arguments of a method call against its options and fills in defaults.
 * Positional arguments fill the options in declaration order.
 */
export function validateOptions(
  options: Readonly<Record<string, OptionSpec>>,
  ref: MethodRef,
  what: string,
  ctx: CheckContext,
): OptionValues {
  const out: OptionValues = {};
  for (const [k, o] of Object.entries(options)) {
    if (o.kind === 'duration') { if (o.defaultMs !== undefined) out[k] = o.defaultMs; }
    else if ('default' in o) out[k] = o.default;
  }
  const names = Object.keys(options);
  let position = 0;
  for (const arg of ref.args) {
    let key: string | undefined;
    if (arg.name) {
      key = arg.name.name;
      if (!(key in options)) {
        const s = ctx.suggest(key, names, 'option');
        const known = names.length ? `; its options are ${names.map((n) => describeOption(n, options[n])).join(', ')}` : '; it takes no options';
        ctx.report('NML116', arg.name.range, `unknown option "${key}" for ${what}${s.text || known}`, s.fixes);
        continue;
      }
    } else {
      key = names[position++];
      if (key === undefined) {
        if (arg.value) ctx.report('NML116', arg.value.range, `${what} takes ${names.length === 0 ? 'no options' : `at most ${names.length} option${names.length === 1 ? '' : 's'} (${names.join(', ')})`}; remove this argument`);
        continue;
      }
    }
    if (!arg.value) continue;
    const v = optionValue(options[key], arg.value, `option "${key}" of ${what}`, ctx);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

export function describeOption(name: string, o: OptionSpec): string {
  if (o.kind === 'duration') return `${name} (default ${o.defaultMs === undefined ? 'no limit' : `${o.defaultMs / 1000}s`})`;
  if ('default' in o) return `${name} (default ${typeof o.default === 'string' ? `"${o.default}"` : o.default})`;
  return name;
}

/** Reports body keys that the declaration does not know, with "did you mean". */
export function checkPropertyKeys(properties: Property[], known: readonly string[], what: string, ctx: CheckContext): Map<string, Property> {
  const out = new Map<string, Property>();
  for (const p of properties) {
    const key = p.key.name;
    if (!known.includes(key)) {
      const s = ctx.suggest(key, known, 'property');
      ctx.report('NML116', p.key.range, `unknown property "${key}" in ${what}${s.text || `; it takes ${known.join(', ')}`}`, s.fixes);
      continue;
    }
    if (p.on && key !== 'actuals') {
      ctx.report('NML116', p.on.range, `"on ${p.on.name}" only follows actuals: (the key column of the labels); remove it from ${key}:`, [{ title: `Remove "on ${p.on.name}"`, data: { kind: 'remove', range: { start: p.value?.range.end ?? p.on.range.start, end: p.on.range.end } } }]);
    }
    if (out.has(key)) {
      ctx.report('NML116', p.key.range, `"${key}" is given twice in ${what}; keep one`, [{ title: `Remove this ${key}`, data: { kind: 'remove', range: p.range } }]);
      continue;
    }
    out.set(key, p);
  }
  return out;
}
