// Carries a table's schema through the steps of a transform (spec §3), reporting unknown
// columns (NML101), non-numeric columns for numeric steps (NML110), bad encodes (NML111),
// expression errors (NML112), filters that keep no row (NML124) and bad step options (NML116).
import type { Expr, Identifier, Step } from '../language/ast';
import { quoteName } from '../language/lexer';
import { COLUMN_TYPES, type CastTarget, type ColumnSchema, type ColumnType } from '../language/schema';
import { ENCODE_METHODS, IMPUTE_METHODS, SCALE_METHODS } from '../ml/catalog';
import { parseBoolean, parseIsoDate, parseNumber } from '../data/parse-values';
import type { CheckContext } from './check-context';
import { compareLevels } from '../data/column-builder';
import { typeOfExpression } from './expression-types';
import { filterFacts } from './filter-facts';
import { describeValue, methodRef, numberValue } from './options';
import { lookupColumn, withColumns, type TableState } from './table-state';

const NUMERIC_HINT: Record<ColumnType, string> = {
  number: '',
  boolean: 'cast it with "cast C as number" first',
  category: 'encode it first ("encode C as ordinal") or leave it out',
  text: 'cast it to number first if it holds numbers ("cast C as number")',
  date: 'derive a number from it first, e.g. derive C_year = year(C)',
};

/** How values must be written to parse as each type: the fix of a cast that no value survives (NML126). */
const CAST_FORMS: Record<CastTarget, string> = {
  number: 'write its values as numbers in the data (1234.5, without a currency sign or %; declare thousands: "," or decimal: "," on the dataset for 1,234.5 or 1234,5)',
  date: 'write its values as dates in the data (YYYY-MM-DD, optionally with a time)',
  boolean: 'write its values as true/false, yes/no or 0/1 in the data, or encode the column instead',
};

/** Resolves each listed column; reports unknown ones. */
function resolveColumns(ids: Identifier[], t: TableState, ctx: CheckContext): (ColumnSchema | undefined)[] {
  return ids.map((id) => {
    const col = lookupColumn(t, id.name);
    if (!col) {
      const s = ctx.suggest(id.name, t.schema.columns.map((c) => c.name), 'column');
      const here = t.schema.columns.length > 8 ? '' : `; columns here: ${t.schema.columns.map((c) => c.name).join(', ') || '(none)'}`;
      ctx.report('NML101', id.range, `unknown column "${id.name}" at this step${s.text || here}`, s.fixes);
      return undefined;
    }
    ctx.columnReferences.push({ column: id.name, origin: t.origin, range: id.range, isDefinition: false });
    return col;
  });
}

function replaceColumn(t: TableState, name: string, next: ColumnSchema): TableState {
  return withColumns(t, t.schema.columns.map((c) => (c.name === name ? next : c)));
}

export interface StepsResult {
  /** State after each step. */
  states: TableState[];
  output: TableState;
}

export function checkSteps(steps: Step[], input: TableState, transform: string, ctx: CheckContext): StepsResult {
  let t = input;
  const states: TableState[] = [];
  steps.forEach((step, index) => {
    t = checkStep(step, t, transform, index, ctx);
    // After a row step the file's row count is only an upper bound.
    if ((step.kind === 'filter' || step.kind === 'drop_missing' || step.kind === 'dedupe') && t.schema.rowCountExact) t = { ...t, schema: { ...t.schema, rowCountExact: false } };
    states.push(t);
  });
  return { states, output: t };
}

function checkStep(step: Step, t: TableState, transform: string, index: number, ctx: CheckContext): TableState {
  switch (step.kind) {
    case 'drop': {
      const cols = resolveColumns(step.columns, t, ctx);
      const gone = new Set(cols.filter((c): c is ColumnSchema => c !== undefined).map((c) => c.name));
      return withColumns(t, t.schema.columns.filter((c) => !gone.has(c.name)));
    }
    case 'keep': {
      const cols = resolveColumns(step.columns, t, ctx);
      const kept = new Set(cols.filter((c): c is ColumnSchema => c !== undefined).map((c) => c.name));
      if (cols.some((c) => c === undefined)) return t;
      return withColumns(t, t.schema.columns.filter((c) => kept.has(c.name)));
    }
    case 'drop_missing': {
      const cols = resolveColumns(step.columns, t, ctx);
      const listed = step.columns.length === 0 ? undefined : new Set(cols.filter((c) => c).map((c) => c!.name));
      return withColumns(t, t.schema.columns.map((c) => (!listed || listed.has(c.name) ? { ...c, nullable: false } : c)));
    }
    case 'dedupe':
      resolveColumns(step.columns, t, ctx);
      return t;
    case 'rename': {
      if (!step.from) return t;
      const [col] = resolveColumns([step.from], t, ctx);
      if (!col || !step.to) return t;
      const to = step.to.name;
      if (to !== col.name && lookupColumn(t, to)) {
        ctx.report('NML102', step.to.range, `a column named "${to}" already exists here; pick another name or drop "${to}" first`);
        return t;
      }
      ctx.columnReferences.push({ column: to, origin: t.origin, range: step.to.range, isDefinition: true });
      const sources = new Map(t.sources);
      sources.set(to, t.sources.get(col.name) ?? [col.name]);
      return withColumns(t, t.schema.columns.map((c) => (c.name === col.name ? { ...c, name: to } : c)), sources);
    }
    case 'cast': {
      const cols = resolveColumns(step.columns, t, ctx);
      if (!step.type) return t;
      const typeName = step.type.name.name;
      if (!(COLUMN_TYPES as readonly string[]).includes(typeName)) {
        const s = ctx.suggest(typeName, COLUMN_TYPES, 'type');
        ctx.report('NML116', step.type.name.range, `unknown type "${typeName}"${s.text || `; types are ${COLUMN_TYPES.join(', ')}`}`, s.fixes);
        return t;
      }
      const to = typeName as ColumnType;
      let next = t;
      for (const [i, col] of cols.entries()) {
        if (!col) continue;
        // Converting text to anything stricter can fail per cell; failures become missing. A
        // category's levels are known: say which fail, and it is nullable only if some do.
        let mayFail = col.type !== to && (col.type === 'text' || col.type === 'category') && to !== 'text' && to !== 'category';
        if (mayFail && col.noValueIs?.types.includes(to as CastTarget)) {
          // Every value would become missing: an impute after it has nothing to learn from, and a
          // model nothing to learn; the run would fail or learn from an empty column.
          ctx.report('NML126', step.columns[i].range, `cast ${quoteName(col.name)} as ${to}: no value of ${quoteName(col.name)} is ${to === 'number' ? 'a number' : `a ${to}`} (e.g. "${col.noValueIs!.example}"), so the column would hold only missing values; ${CAST_FORMS[to as CastTarget]}, or drop ${quoteName(col.name)}`);
        } else if (mayFail && col.type === 'category' && col.levels) {
          const parse = to === 'number' ? parseNumber : to === 'boolean' ? parseBoolean : parseIsoDate;
          const failing = col.levels.filter((l) => Number.isNaN(parse(l)));
          mayFail = failing.length > 0;
          if (mayFail) {
            const shown = failing.slice(0, 3).map((l) => `"${l}"`).join(', ') + (failing.length > 3 ? `, ... (${failing.length} levels)` : '');
            ctx.report('NML108', step.columns[i].range, `cast ${quoteName(col.name)} as ${to}: ${shown} ${failing.length === 1 ? 'is' : 'are'} not ${to === 'number' ? 'a number' : `a ${to}`} and become${failing.length === 1 ? 's' : ''} missing; add ${failing.length === 1 ? 'it' : 'them'} to the dataset's missing: [...] if ${failing.length === 1 ? 'it means' : 'they mean'} missing, or impute ${quoteName(col.name)} after the cast`);
          }
        }
        const levels = to === 'category' ? (col.type === 'category' ? col.levels : col.type === 'boolean' ? ['false', 'true'] : col.levels) : to === 'boolean' ? ['false', 'true'] : undefined;
        const cast: ColumnSchema = { name: col.name, type: to, nullable: col.nullable || mayFail || step.type.nullable, ...(levels ? { levels } : {}) };
        next = replaceColumn(next, col.name, cast);
      }
      return next;
    }
    case 'impute': {
      const cols = resolveColumns(step.columns, t, ctx);
      const m = methodRef(step.method);
      if (step.method && !m) {
        ctx.report('NML116', step.method.range, `impute needs a method: mean, median, mode or constant(V), not ${describeValue(step.method)}`);
        return t;
      }
      if (!m) return t;
      if (!(IMPUTE_METHODS as readonly string[]).includes(m.name)) {
        const s = ctx.suggest(m.name, IMPUTE_METHODS, 'method');
        ctx.report('NML116', m.nameRange, `unknown impute method "${m.name}"${s.text || '; use mean, median, mode or constant(V)'}`, s.fixes);
        return t;
      }
      let constant: Expr | undefined;
      if (m.name === 'constant') {
        const v = m.args[0]?.value;
        if (!v || m.args.length !== 1) {
          ctx.report('NML116', m.range, 'constant needs exactly one value, e.g. impute plan with constant("none")');
          return t;
        }
        constant = v;
      } else if (m.args.length > 0) {
        ctx.report('NML116', m.range, `${m.name} takes no arguments; write "with ${m.name}"`);
      }
      let next = t;
      for (const col of cols) {
        if (!col) continue;
        if ((m.name === 'mean' || m.name === 'median') && col.type !== 'number') {
          ctx.report('NML110', step.columns[cols.indexOf(col)].range, `impute ... with ${m.name} needs a number column, but "${col.name}" is ${col.type}; use "with mode" or "with constant(...)" instead`, [{ title: 'Use mode', data: { kind: 'replace', with: 'mode', range: m.nameRange } }]);
          continue;
        }
        if (constant) {
          const wantsNumber = col.type === 'number' || col.type === 'boolean' || col.type === 'date';
          const isNumber = constant.kind === 'Number';
          const isBool = constant.kind === 'Boolean';
          const okType = col.type === 'boolean' ? isBool || isNumber : wantsNumber ? isNumber : constant.kind === 'String';
          if (!okType) {
            ctx.report('NML116', constant.range, `constant for "${col.name}" (${col.type}) must be ${col.type === 'boolean' ? 'true or false' : wantsNumber ? 'a number' : 'a "string"'}`);
            continue;
          }
        }
        if (!constant && col.noValue) {
          ctx.report('NML126', step.columns[cols.indexOf(col)].range, `impute ${quoteName(col.name)} with ${m.name}: every cell of ${quoteName(col.name)} is missing in the data, so there is no value to learn a ${m.name} from; drop ${quoteName(col.name)}, or impute it with constant(...)`);
        }
        let levels = col.levels;
        if (constant && constant.kind === 'String' && col.type === 'category' && levels) {
          const value = constant.value;
          if (!levels.includes(value)) levels = [...levels, value].sort();
        }
        // What the data proved (empty, one value) no longer holds once the gaps are filled.
        const { noValue: _empty, onlyValue: _single, ...filled } = col;
        next = replaceColumn(next, col.name, { ...filled, nullable: false, ...(levels ? { levels } : {}) });
      }
      return next;
    }
    case 'encode': {
      const cols = resolveColumns(step.columns, t, ctx);
      const method = step.method?.name;
      if (step.method && !(ENCODE_METHODS as readonly string[]).includes(method!)) {
        const s = ctx.suggest(method!, ENCODE_METHODS, 'method');
        ctx.report('NML116', step.method.range, `unknown encoding "${method}"${s.text || '; use onehot or ordinal'}`, s.fixes);
        return t;
      }
      let next = t;
      cols.forEach((col, i) => {
        if (!col) return;
        if (col.type !== 'category' && col.type !== 'boolean') {
          const hint = col.type === 'text' || col.type === 'number'
            ? `add "cast ${quoteName(col.name)} as category" before this step`
            : `derive a number from it instead, e.g. derive ${col.name}_year = year(${quoteName(col.name)})`;
          ctx.report('NML111', step.columns[i].range, `encode needs a category or boolean column, but "${col.name}" is ${col.type}; ${hint}`,
            col.type === 'text' || col.type === 'number'
              ? [{ title: `Add "cast ${col.name} as category" before this step`, data: { kind: 'insert-step', transform, step: `cast ${quoteName(col.name)} as category`, beforeStepIndex: index } }]
              : undefined);
          return;
        }
        if (!method) return;
        if (method === 'ordinal') {
          next = replaceColumn(next, col.name, { name: col.name, type: 'number', nullable: col.nullable });
          return;
        }
        const levels = col.levels ?? (col.type === 'boolean' ? ['false', 'true'] : undefined);
        const src = next.sources.get(col.name) ?? [col.name];
        const sources = new Map(next.sources);
        const columns: ColumnSchema[] = [];
        for (const c of next.schema.columns) {
          if (c.name !== col.name) { columns.push(c); continue; }
          for (const level of levels ?? []) {
            const name = `${col.name}_${level}`;
            columns.push({ name, type: 'number', nullable: false });
            sources.set(name, src);
          }
        }
        const open = !levels || (next.sampledLevels && col.type === 'category');
        next = { ...withColumns(next, columns, sources), openPrefixes: open ? [...next.openPrefixes, `${col.name}_`] : next.openPrefixes };
      });
      return next;
    }
    case 'scale': {
      const cols = resolveColumns(step.columns, t, ctx);
      if (step.method && !(SCALE_METHODS as readonly string[]).includes(step.method.name)) {
        const s = ctx.suggest(step.method.name, SCALE_METHODS, 'method');
        ctx.report('NML116', step.method.range, `unknown scaling "${step.method.name}"${s.text || '; use standard, minmax or robust'}`, s.fixes);
      }
      numericOnly(step.kind, step.columns, cols, ctx);
      return t;
    }
    case 'clip': {
      const cols = resolveColumns(step.columns, t, ctx);
      numericOnly(step.kind, step.columns, cols, ctx);
      const b = step.bounds;
      if (b) {
        if (b.kind === 'List') {
          const [lo, hi] = b.items.map(numberValue);
          if (b.items.length !== 2 || lo === undefined || hi === undefined) ctx.report('NML116', b.range, 'clip bounds must be two numbers, e.g. clip age to [0, 100]');
          else if (lo > hi) ctx.report('NML116', b.range, `the lower bound ${lo} is above the upper bound ${hi}; swap them`);
        } else if (b.kind === 'Call' && b.callee.name === 'quantile') {
          const [lo, hi] = b.args.map((a) => numberValue(a.value));
          if (b.args.length !== 2 || lo === undefined || hi === undefined || lo < 0 || hi > 1 || lo >= hi) {
            ctx.report('NML116', b.range, 'quantile bounds must be two fractions with 0 <= low < high <= 1, e.g. quantile(0.01, 0.99)');
          }
          const empty = cols.find((c) => c?.noValue);
          if (empty) ctx.report('NML126', b.range, `clip ${quoteName(empty.name)} to quantiles: every cell of ${quoteName(empty.name)} is missing in the data, so there are no quantiles to learn; clip it to fixed bounds [LOW, HIGH] or drop it`);
        } else {
          ctx.report('NML116', b.range, `clip bounds must be [LOW, HIGH] or quantile(low, high), not ${describeValue(b)}`);
        }
      }
      return t;
    }
    case 'derive': {
      if (!step.target || !step.expr) return t;
      const type = typeOfExpression(step.expr, t, ctx);
      ctx.columnReferences.push({ column: step.target.name, origin: t.origin, range: step.target.range, isDefinition: true });
      // After an error in the expression, still add the column (as a number) so later steps that
      // use it do not cascade into unknown-column errors.
      const col: ColumnSchema = { name: step.target.name, type: !type ? 'number' : type.type === 'category' ? 'text' : type.type, nullable: type?.nullable ?? false };
      const sources = new Map(t.sources);
      sources.set(col.name, type?.sources ?? []);
      const exists = t.schema.columns.some((c) => c.name === col.name);
      return withColumns(t, exists ? t.schema.columns.map((c) => (c.name === col.name ? col : c)) : [...t.schema.columns, col], sources);
    }
    case 'filter': {
      if (!step.expr) return t;
      const type = typeOfExpression(step.expr, t, ctx);
      if (type && type.type !== 'boolean') {
        ctx.report('NML112', step.expr.range, `filter needs a condition (boolean) but this expression is ${type.type}; compare it, e.g. filter ${exprHint(type.type)}`);
        return t;
      }
      const facts = filterFacts(step.expr);
      if (facts.empty) {
        const why = facts.contradicted
          ? `its conditions on "${facts.contradicted}" cannot all hold; fix the condition (did you mean "or"?)`
          : 'its condition is always false; write the condition you mean';
        ctx.report('NML124', step.expr.range, `this filter keeps no row: ${why}, or remove the step`, [{ title: 'Remove this filter', data: { kind: 'remove', range: step.range } }]);
        return t;
      }
      // A category compared for equality keeps only those levels: later steps (one-hot columns,
      // a target's classes) see the levels that can still occur.
      let next = t;
      for (const [name, kept] of facts.levels) {
        const col = lookupColumn(next, name);
        if (col?.type !== 'category' && col?.type !== 'boolean') continue;
        const known = (col.levels ?? (col.type === 'boolean' ? ['false', 'true'] : [])).filter((l) => kept.has(l));
        next = replaceColumn(next, name, { ...col, levels: known.length > 0 ? known : [...kept].sort(compareLevels) });
      }
      return next;
    }
    case 'unknown':
      return t;
  }
}

function exprHint(type: ColumnType): string {
  return type === 'number' ? 'x > 0' : type === 'date' ? 'd >= date("2024-01-01")' : 'c == "value"';
}

function numericOnly(kind: string, ids: Identifier[], cols: (ColumnSchema | undefined)[], ctx: CheckContext): void {
  cols.forEach((col, i) => {
    if (col && col.type !== 'number') {
      // With other columns in the step, leaving this one out is a fix; alone, the step would be empty.
      const fixes = ids.length > 1 ? [{ title: `Remove ${col.name} from this step`, data: { kind: 'remove' as const, range: ids[i].range } }] : undefined;
      ctx.report('NML110', ids[i].range, `${kind} needs number columns, but "${col.name}" is ${col.type}; ${NUMERIC_HINT[col.type].replace(/\bC\b/g, quoteName(col.name))}`, fixes);
    }
  });
}
