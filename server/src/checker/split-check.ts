// split declarations: part sizes (NML131), parts that would hold no row (NML127), stratify column, seed,
// and no split of a split part (NML118: the runner splits a dataset's rows once).
import type { Expr, Range, SplitDeclaration } from '../language/ast';
import type { ColumnType } from '../language/schema';
import { partSizes } from '../ml/split-sizes';
import type { SplitInfo, SplitPart } from './checked-model';
import { checkPropertyKeys, describeValue } from './options';
import type { Resolver } from './resolver';
import { lookupColumn, type TableState } from './table-state';
import { PROPERTY_KEYS, SPLIT_PARTS } from './property-keys';


export function checkSplit(decl: SplitDeclaration, input: { name: string; state: TableState }, r: Resolver): SplitInfo | undefined {
  const name = decl.name?.name;
  if (!name) return undefined;
  const ctx = r.ctx;
  // The runner splits a dataset's rows once: a split part, even through transforms, is not split again.
  const above = r.firstAbove(input.name, 'transform');
  const earlier = above?.kind === 'split' ? above.name : undefined;
  if (earlier && decl.from) {
    ctx.report('NML118', decl.from.range,
      `split "${name}" reads "${input.name}", which comes from a part of split "${earlier}": splitting a split part is not supported yet; split once, with every part you need (e.g. { train: 70%, validation: 15%, test: 15% })`);
    return undefined;
  }
  const props = checkPropertyKeys(decl.properties, PROPERTY_KEYS.split, `split "${name}"`, ctx);
  const parts: SplitPart[] = [];
  let valid = true;
  for (const key of SPLIT_PARTS) {
    const p = props.get(key);
    if (!p) continue;
    const v = p.value;
    const fraction = v?.kind === 'Percent' ? v.value : v?.kind === 'Number' ? (v.value > 1 ? v.value / 100 : v.value) : undefined;
    if (fraction === undefined) {
      ctx.report('NML116', v?.range ?? p.key.range, `${key} must be a percentage such as 80%, not ${v ? describeValue(v) : 'nothing'}`);
      valid = false;
      continue;
    }
    if (!(fraction > 0 && fraction < 1)) {
      ctx.report('NML131', v!.range, `${key}: ${v!.kind === 'Percent' ? v!.text : String(fraction)} is not between 0% and 100%; each part must be more than 0% and less than 100%`);
      valid = false;
      continue;
    }
    parts.push({ part: key, fraction });
  }
  for (const key of ['train', 'test'] as const) {
    if (!props.has(key)) {
      // The missing part takes what the others leave.
      const rest = percent(1 - parts.reduce((s, p) => s + p.fraction, 0));
      const fixes = valid && parts.length > 0 && rest > 0 ? [{ title: `Add ${key}: ${rest}%`, data: { kind: 'add-property' as const, declaration: name, property: `${key}: ${rest}%` } }] : undefined;
      ctx.report('NML131', decl.name!.range, `split "${name}" needs a ${key} part, e.g. { train: 80%, test: 20% }`, fixes);
      valid = false;
    }
  }
  const total = parts.reduce((s, p) => s + p.fraction, 0);
  if (valid && Math.abs(total - 1) > 1e-9) {
    const values = SPLIT_PARTS.map((k) => props.get(k)?.value).filter((v) => v !== undefined);
    const range = { start: values[0]!.range.start, end: values[values.length - 1]!.range.end };
    const pct = percent(total);
    // The last part takes what the others leave, when they leave some.
    const last = parts[parts.length - 1];
    const rest = percent(1 - (total - last.fraction));
    const lastValue = props.get(last.part)!.value!;
    const fixes = rest > 0 && rest < 100 ? [{ title: `Make ${last.part} ${rest}%`, data: { kind: 'replace' as const, with: `${rest}%`, range: lastValue.range } }] : undefined;
    ctx.report('NML131', range, `the parts of split "${name}" add up to ${pct}%, not 100%; make ${parts.map((p) => p.part).join(' + ')} = 100%`, fixes);
  }
  let stratify: string | undefined;
  const strat = props.get('stratify')?.value;
  const stratCol = strat && columnOf(strat, input, ctx, 'stratify takes a column name, e.g. stratify: churned');
  if (stratCol) {
    if (stratCol.type === 'number' || stratCol.type === 'text' || stratCol.type === 'date') {
      ctx.report('NML116', stratCol.range, `stratify needs a category or boolean column (classes to keep in proportion), but "${stratCol.name}" is ${stratCol.type}`);
    } else stratify = stratCol.name;
  }
  let key: string | undefined;
  const keyValue = props.get('key')?.value;
  const keyCol = keyValue && columnOf(keyValue, input, ctx, 'key takes a column name, e.g. key: customer_id');
  if (keyCol) {
    if (keyCol.type === 'date') ctx.report('NML116', keyCol.range, `key needs a column of ids (whole numbers, text or categories), but "${keyCol.name}" is a date`);
    else if (strat) ctx.report('NML116', keyValue.range, `split "${name}" cannot be both keyed and stratified: a keyed row's part depends only on its key; remove stratify or key`);
    else key = keyCol.name;
  }
  let seed = 42;
  const seedValue = props.get('seed')?.value;
  if (seedValue) {
    if (seedValue.kind === 'Number' && Number.isInteger(seedValue.value) && seedValue.value >= 0) seed = seedValue.value;
    else ctx.report('NML116', seedValue.range, `seed must be a whole number of 0 or more, not ${describeValue(seedValue)}`);
  }
  const rows = input.state.schema.rowCount;
  // A keyed split's part sizes follow the keys' hashes, not partSizes: no exact count to judge.
  if (valid && !key && input.state.schema.rowCountExact && rows !== undefined && rows > 0) {
    // With the exact row count (none is the dataset's NML127), the runner's sizes are known: a
    // part of no row cannot be trained or scored on (scikit-learn's train_test_split refuses it).
    const sizes = partSizes(rows, parts.map((p) => p.fraction / total), parts.map((p) => p.part));
    parts.forEach((p, i) => {
      if (sizes[i] > 0) return;
      const v = props.get(p.part)!.value!;
      ctx.report('NML127', v.range, `${p.part}: ${v.kind === 'Percent' ? v.text : String(p.fraction)} of the ${rows} row${rows === 1 ? '' : 's'} of "${input.name}" is no row, so the ${p.part} part would be empty; add rows to the data, or give ${p.part} a larger share`);
    });
  }
  return { kind: 'split', name, input: input.name, parts, ...(stratify ? { stratify } : {}), ...(key ? { key } : {}), seed, schema: input.state.schema };
}

/** The input column a property names (a reference recorded), or undefined after reporting why not. */
function columnOf(v: Expr, input: { name: string; state: TableState }, ctx: Resolver['ctx'], usage: string): { name: string; type: ColumnType; range: Range } | undefined {
  if (v.kind !== 'Name' || v.name.parts.length !== 1) {
    ctx.report('NML116', v.range, usage);
    return undefined;
  }
  const id = v.name.parts[0];
  const col = lookupColumn(input.state, id.name);
  if (!col) {
    const s = ctx.suggest(id.name, input.state.schema.columns.map((c) => c.name), 'column');
    ctx.report('NML101', id.range, `unknown column "${id.name}" in "${input.name}"${s.text}`, s.fixes);
    return undefined;
  }
  ctx.columnReferences.push({ column: id.name, origin: input.state.origin, range: id.range, isDefinition: false });
  return { name: id.name, type: col.type, range: id.range };
}

/** A fraction as a percentage with at most two decimals (0.2 → 20). */
function percent(fraction: number): number {
  return Math.round(fraction * 10000) / 100;
}
