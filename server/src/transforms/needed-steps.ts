// The steps an exported model needs: an export computes only what its model reads, so a step on a
// column the model never sees (a `derive` ONNX cannot express, an `impute` of a column left out
// of `features`) neither blocks the export nor asks for an input the file does not take.
import type { Expr } from '../language/ast';
import { leftSpine } from '../language/left-spine';
import type { FittedStep } from './fitted-step';

/** The column names an expression reads (a derive's names are columns; functions are callees). */
function columnsRead(e: Expr | undefined, out: Set<string>): void {
  if (!e) return;
  switch (e.kind) {
    case 'Name': out.add(e.name.text); return;
    case 'Binary': {
      // Left-deep chains are walked along their spine, so a long sum needs no deep stack.
      const spine = leftSpine(e);
      for (const node of spine) columnsRead(node.right, out);
      columnsRead(spine[0].left, out);
      return;
    }
    case 'Unary': columnsRead(e.operand, out); return;
    case 'Paren': case 'Nullable': columnsRead(e.inner, out); return;
    case 'Call': for (const a of e.args) columnsRead(a.value, out); return;
    case 'List': for (const item of e.items) columnsRead(item, out); return;
    default: return;
  }
}

/**
 * The steps of `steps` that compute `features` from the raw columns, in order: walked from the
 * last step back, a step stays when it produces or changes a column still needed. Row steps,
 * `drop` and `keep` go (at prediction every row is scored and the model takes its features by
 * name); a `rename` stays when its new name is needed.
 */
export function stepsFor(steps: readonly FittedStep[], features: readonly string[]): FittedStep[] {
  const needed = new Set(features);
  const kept: FittedStep[] = [];
  for (let i = steps.length - 1; i >= 0; i--) {
    const s = steps[i];
    switch (s.kind) {
      case 'derive':
        if (!needed.has(s.column)) continue;
        needed.delete(s.column);
        columnsRead(s.expr, needed);
        break;
      case 'onehot':
        if (!s.outputs.some((o) => needed.has(o))) continue;
        for (const o of s.outputs) needed.delete(o);
        needed.add(s.column);
        break;
      case 'rename':
        if (!needed.has(s.to)) continue;
        needed.delete(s.to);
        needed.add(s.from);
        break;
      case 'cast': case 'impute': case 'ordinal': case 'scale': case 'clip':
        if (!needed.has(s.column)) continue;
        break;
      default:
        continue;
    }
    kept.push(s);
  }
  return kept.reverse();
}
