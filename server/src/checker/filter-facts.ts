// What a filter condition proves about the rows it keeps, from its text alone (no data): that it
// keeps none (`false`, `x > 5 and x < 3`, `c == "a" and c == "b"`), and which levels a column
// can still hold (`species == "setosa"` leaves one class). Only conjunctions and disjunctions of
// comparisons between a column and a literal are understood; anything else proves nothing.
// `and`/`or` chains are walked with an explicit stack: a 100,000-term chain must not recurse.
import type { Expr } from '../language/ast';
import { literalNumber } from './expression-types';

interface Interval { lo: number; loOpen: boolean; hi: number; hiOpen: boolean }

export interface FilterFacts {
  /** No row can satisfy the condition. */
  empty: boolean;
  /** When empty: the column whose conditions cannot all hold (none for a literal `false`). */
  contradicted?: string;
  /** Column → the only string values rows that pass can hold in it. */
  levels: Map<string, Set<string>>;
  /** Column → the interval numbers in it must lie in. */
  ranges: Map<string, Interval>;
}

const NOTHING_KNOWN = (): FilterFacts => ({ empty: false, levels: new Map(), ranges: new Map() });
const EMPTY = (contradicted?: string): FilterFacts => ({ empty: true, ...(contradicted ? { contradicted } : {}), levels: new Map(), ranges: new Map() });

function columnName(e: Expr | undefined): string | undefined {
  if (e?.kind === 'Name' && e.name.parts.length === 1) return e.name.parts[0].name;
  if (e?.kind === 'Paren') return columnName(e.inner);
  return undefined;
}

const FLIPPED: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '==': '==', '!=': '!=' };

function intervalOf(op: string, v: number): Interval | undefined {
  switch (op) {
    case '==': return { lo: v, loOpen: false, hi: v, hiOpen: false };
    case '<': return { lo: -Infinity, loOpen: true, hi: v, hiOpen: true };
    case '<=': return { lo: -Infinity, loOpen: true, hi: v, hiOpen: false };
    case '>': return { lo: v, loOpen: true, hi: Infinity, hiOpen: true };
    case '>=': return { lo: v, loOpen: false, hi: Infinity, hiOpen: true };
    default: return undefined;
  }
}

/** Facts of one comparison `column OP literal` (either side). */
function comparisonFacts(e: Expr): FilterFacts {
  if (e.kind === 'Boolean') return e.value ? NOTHING_KNOWN() : EMPTY();
  if (e.kind !== 'Binary' || !e.right) return NOTHING_KNOWN();
  let column = columnName(e.left);
  let literal = e.right;
  let op: string = e.operator;
  if (!column) {
    column = columnName(e.right);
    literal = e.left;
    op = FLIPPED[op] ?? op;
  }
  if (!column) return NOTHING_KNOWN();
  const facts = NOTHING_KNOWN();
  if ((literal.kind === 'String' || literal.kind === 'Boolean') && op === '==') {
    facts.levels.set(column, new Set([String(literal.value)]));
    return facts;
  }
  const n = literalNumber(literal);
  const range = n === undefined ? undefined : intervalOf(op, n);
  if (range) facts.ranges.set(column, range);
  return facts;
}

function intersect(a: Interval, b: Interval): Interval {
  const lo = a.lo > b.lo ? a : b.lo > a.lo ? b : { lo: a.lo, loOpen: a.loOpen || b.loOpen };
  const hi = a.hi < b.hi ? a : b.hi < a.hi ? b : { hi: a.hi, hiOpen: a.hiOpen || b.hiOpen };
  return { lo: lo.lo, loOpen: lo.loOpen, hi: hi.hi, hiOpen: hi.hiOpen };
}

function isEmptyInterval(r: Interval): boolean {
  return r.lo > r.hi || (r.lo === r.hi && (r.loOpen || r.hiOpen));
}

function both(a: FilterFacts, b: FilterFacts): FilterFacts {
  if (a.empty) return a;
  if (b.empty) return b;
  const out: FilterFacts = { empty: false, levels: new Map(a.levels), ranges: new Map(a.ranges) };
  for (const [c, set] of b.levels) {
    const prev = out.levels.get(c);
    const next = prev ? new Set([...set].filter((l) => prev.has(l))) : set;
    if (next.size === 0) return EMPTY(c);
    out.levels.set(c, next);
  }
  for (const [c, r] of b.ranges) {
    const prev = out.ranges.get(c);
    const next = prev ? intersect(prev, r) : r;
    if (isEmptyInterval(next)) return EMPTY(c);
    out.ranges.set(c, next);
  }
  return out;
}

function either(a: FilterFacts, b: FilterFacts): FilterFacts {
  if (a.empty) return b;
  if (b.empty) return a;
  const out = NOTHING_KNOWN();
  // A column is constrained after `or` only when both sides constrain it.
  for (const [c, set] of a.levels) {
    const other = b.levels.get(c);
    if (other) out.levels.set(c, new Set([...set, ...other]));
  }
  return out;
}

/** The facts of a filter condition. */
export function filterFacts(condition: Expr): FilterFacts {
  // Post-order over and/or nodes with an explicit stack; leaves are comparisons.
  const results: FilterFacts[] = [];
  const stack: { e: Expr; visited: boolean }[] = [{ e: condition, visited: false }];
  while (stack.length > 0) {
    const top = stack.pop()!;
    let e: Expr | undefined = top.e;
    while (e?.kind === 'Paren') e = e.inner;
    if (!e) results.push(NOTHING_KNOWN());
    else if (!(e.kind === 'Binary' && (e.operator === 'and' || e.operator === 'or') && e.right)) results.push(comparisonFacts(e));
    else if (!top.visited) stack.push({ e, visited: true }, { e: e.right, visited: false }, { e: e.left, visited: false });
    else {
      const right = results.pop()!;
      const left = results.pop()!;
      results.push(e.operator === 'and' ? both(left, right) : either(left, right));
    }
  }
  return results[0] ?? NOTHING_KNOWN();
}
