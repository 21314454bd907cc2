// Which columns a condition proves to hold a value. `if(is_missing(age), false, age < 18)` takes
// its third argument only on rows where `age` is present (the runner picks row by row), so that
// branch cannot be missing because of `age`; without this, the derived column was typed nullable
// and a model refused it (NML114) although no row can be missing.
import type { Expr } from '../language/ast';

/**
 * Columns that hold a value on every row where `cond` evaluates to `outcome`. Under NarML's
 * three-valued logic `a and b` is true only when both are true, and `a or b` false only when both
 * are false, so those facts combine; anything else proves nothing.
 */
export function presentWhen(cond: Expr | undefined, outcome: boolean): Set<string> {
  const present = new Set<string>();
  // An explicit stack: a condition may be a chain of 100,000 `and`s.
  const stack: { e: Expr | undefined; outcome: boolean }[] = [{ e: cond, outcome }];
  while (stack.length > 0) {
    const { e, outcome: want } = stack.pop()!;
    if (!e) continue;
    if (e.kind === 'Paren') stack.push({ e: e.inner, outcome: want });
    else if (e.kind === 'Unary' && e.operator === 'not') stack.push({ e: e.operand, outcome: !want });
    else if (e.kind === 'Binary' && ((e.operator === 'and' && want) || (e.operator === 'or' && !want))) {
      stack.push({ e: e.left, outcome: want }, { e: e.right, outcome: want });
    } else if (e.kind === 'Call' && e.callee.name === 'is_missing' && !want && e.args.length === 1) {
      const arg = e.args[0].value;
      if (arg?.kind === 'Name' && arg.name.parts.length === 1) present.add(arg.name.parts[0].name);
    }
  }
  return present;
}
