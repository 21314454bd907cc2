// Artifact JSON however deep the value: the same text as JSON.stringify where that works, and a
// text JSON.parse reads back where JSON.stringify overflows (a 100,000-term derive's syntax
// tree inside a model's fitted steps). The run itself is in test/runner/deep-pipelines.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonText, toJsonText } from '../../server/src/store/json-text';
import { parse } from '../../server/src/language/parser';
import type { Expr } from '../../server/src/language/ast';

test('the same text as JSON.stringify on plain data, typed arrays, holes and non-finite numbers', () => {
  const values: unknown[] = [
    null, 0, -0, 1.5e-300, NaN, Infinity, 'é"\\\n\u2028', true, [], {}, [undefined, () => 1, null],
    { a: undefined, b: 1, c: { d: [1, { e: 'x' }] }, f: () => 1 }, { z: 1, a: 2, 10: 3, 2: 4 },
    new Float64Array([1.5, NaN, -2]), new Int32Array([3, -1]), new Date(0), { nested: { toJSON: () => ({ replaced: true }) } },
  ];
  for (const v of values) assert.equal(jsonText(v), JSON.stringify(v), String(JSON.stringify(v)));
  const doc = parse('transform t from d {\n  derive r = log(a + 1) * -b / (c - 2%) and not x == "s"\n  filter is_missing(`odd name`) or y >= 3\n}\n');
  assert.equal(jsonText(doc), JSON.stringify(doc));
});

test('a 100,000-term expression tree is written and read back', () => {
  const text = `transform t from d {\n  derive s = a${' + 1'.repeat(99_999)}\n}\n`;
  const doc = parse(text);
  assert.throws(() => JSON.stringify(doc), RangeError, 'too deep for JSON.stringify');
  const json = toJsonText(doc);
  const back = JSON.parse(json) as typeof doc;
  const step = back.declarations[0].kind === 'transform' ? back.declarations[0].steps[0] : undefined;
  assert.ok(step?.kind === 'derive' && step.expr?.kind === 'Binary');
  let depth = 0;
  for (let e: Expr | undefined = step.expr; e?.kind === 'Binary'; e = e.left) depth++;
  assert.equal(depth, 99_999);
});

test('a cycle is refused, not followed forever', () => {
  const a: Record<string, unknown> = { x: 1 };
  a.self = { back: a };
  assert.throws(() => jsonText(a), /circular/);
});
