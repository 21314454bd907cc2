// The parser builds `a + b + c + …` left-deep: ((a + b) + c) + …. A walker that recursed on
// `left` would need one stack frame per operator and overflow on a long flat chain (100,000
// terms is a valid expression). Walkers fold over the left spine instead, and recurse only on
// the right operands, whose depth the parser's nesting cap bounds.
import type { BinaryExpr, BinaryOperator, Expr } from './ast';

/**
 * `e` and the binary nodes below it on the left whose operator `follow` accepts (all by
 * default), innermost first; `spine[0].left` is where the walk stopped.
 */
export function leftSpine(e: BinaryExpr, follow: (op: BinaryOperator) => boolean = () => true): BinaryExpr[] {
  const spine: BinaryExpr[] = [e];
  let node: Expr = e.left;
  while (node.kind === 'Binary' && follow(node.operator)) {
    spine.push(node);
    node = node.left;
  }
  return spine.reverse();
}
