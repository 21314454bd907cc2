// What a filter proves from its text: no row at all, or the only levels left in a column.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../server/src/language/parser';
import type { BinaryExpr, Expr } from '../../server/src/language/ast';
import { filterFacts } from '../../server/src/checker/filter-facts';

function condition(text: string): Expr {
  const doc = parse(`transform t from d { filter ${text} }`);
  const decl = doc.declarations[0];
  assert.ok(decl.kind === 'transform');
  const step = decl.steps[0];
  assert.ok(step.kind === 'filter' && step.expr, text);
  return step.expr;
}

test('contradictions keep no row', () => {
  for (const text of ['false', 'x > 5 and x < 3', 'x >= 2 and x < 2', 'x == 1 and x == 2', 'c == "a" and c == "b"', '(x > 5 and y > 0) and x <= 5', '3 > x and x > 4', 'x > -1 and x < -2']) {
    assert.equal(filterFacts(condition(text)).empty, true, text);
  }
});

test('satisfiable conditions are not reported', () => {
  for (const text of ['true', 'x > 5 or x < 3', 'x >= 2 and x <= 2', 'x > 5 and y < 3', 'c == "a" or c == "b"', 'false or x > 1', 'x > 5 and x < 3 or y > 0', 'not (x > 5 and x < 3)', 'is_missing(x) and x > 1']) {
    assert.equal(filterFacts(condition(text)).empty, false, text);
  }
});

test('equality keeps only those levels; or unites them; other conditions leave levels unknown', () => {
  assert.deepEqual([...filterFacts(condition('species == "setosa"')).levels.get('species')!], ['setosa']);
  assert.deepEqual([...filterFacts(condition('"setosa" == species and x > 1')).levels.get('species')!], ['setosa']);
  assert.deepEqual([...filterFacts(condition('c == "a" or c == "b"')).levels.get('c')!].sort(), ['a', 'b']);
  assert.deepEqual([...filterFacts(condition('flag == true')).levels.get('flag')!], ['true']);
  assert.equal(filterFacts(condition('c == "a" or x > 1')).levels.size, 0);
  assert.equal(filterFacts(condition('c != "a"')).levels.size, 0);
});

test('a 100,000-term chain is analysed without recursion', () => {
  const leaf = condition('x > 1');
  let e: Expr = leaf;
  for (let i = 0; i < 100_000; i++) e = { kind: 'Binary', operator: 'and', operatorRange: leaf.range, left: e, right: leaf, range: leaf.range } as BinaryExpr;
  assert.equal(filterFacts(e).empty, false);
  const contradiction = { kind: 'Binary', operator: 'and', operatorRange: leaf.range, left: e, right: condition('x < 0'), range: leaf.range } as BinaryExpr;
  assert.equal(filterFacts(contradiction).empty, true);
});
