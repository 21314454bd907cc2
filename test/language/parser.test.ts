// The parser on the spec's whole example and on each syntax form: fields, exact ranges, recovery.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '../../server/src/language/parser';
import { formatDocument } from '../../server/src/language/format';

const spec = readFileSync(join(__dirname, '..', 'fixtures', 'pipelines', 'spec-example.narml'), 'utf8');

test('the spec example parses completely', () => {
  const doc = parse(spec);
  assert.deepEqual(doc.syntaxErrors, []);
  assert.deepEqual(doc.declarations.map((d) => d.kind), ['dataset', 'transform', 'split', 'model', 'model', 'evaluate', 'compare', 'predict', 'monitor', 'export']);
  const t = doc.declarations[1];
  assert.equal(t.kind, 'transform');
  if (t.kind !== 'transform') return;
  assert.deepEqual(t.steps.map((s) => s.kind), ['drop', 'derive', 'drop', 'impute', 'impute', 'encode', 'scale', 'filter']);
  const scale = t.steps[6];
  assert.ok(scale.kind === 'scale');
  if (scale.kind === 'scale') {
    assert.deepEqual(scale.columns.map((c) => c.name), ['age', 'monthly_fee', 'tenure_days']);
    const id = scale.columns[1];
    assert.equal(spec.slice(id.range.start.offset, id.range.end.offset), 'monthly_fee');
    assert.equal(id.range.start.line, spec.slice(0, id.range.start.offset).split('\n').length - 1);
  }
  const cmp = doc.declarations[6];
  assert.ok(cmp.kind === 'compare' && cmp.models.length === 2 && cmp.on?.text === 'parts.test');
  const pr = doc.declarations[7];
  assert.ok(pr.kind === 'predict' && pr.source?.kind === 'String' && pr.source.value === 'data/incoming/*.csv');
});

test('one-line bodies, backquoted names, percentages, durations and nullable types', () => {
  const doc = parse('split p from t { train: 80%, test: 20% }\ndataset d from "a.csv" { columns { `monthly fee`: number?, signup: date } }\nmodel m from p.train { target: y, algorithm: auto(budget: 60s) }\nevaluate m on p.test as report');
  assert.deepEqual(doc.syntaxErrors, []);
  const split = doc.declarations[0];
  assert.ok(split.kind === 'split' && split.properties.length === 2);
  if (split.kind === 'split') assert.equal((split.properties[0].value as { value: number }).value, 0.8);
  const ds = doc.declarations[1];
  if (ds.kind === 'dataset') {
    const cols = ds.properties[0].block!;
    assert.equal(cols[0].key.name, 'monthly fee');
    assert.equal(cols[0].value?.kind, 'Nullable');
  }
  const ev = doc.declarations[3];
  assert.ok(ev.kind === 'evaluate' && ev.alias?.name === 'report');
});

test('keywords are contextual: date, model and mean are plain column names', () => {
  const doc = parse('transform t from d {\n  drop date, model\n  impute mean with median\n}');
  assert.deepEqual(doc.syntaxErrors, []);
  const t = doc.declarations[0];
  if (t.kind === 'transform') {
    assert.deepEqual(t.steps[0].kind === 'drop' && t.steps[0].columns.map((c) => c.name), ['date', 'model']);
  }
});

test('errors are recovered from and later declarations stay complete', () => {
  const doc = parse('dataset d from {\n}\ntransform t from d {\n  scal a with standard\n  drop b\n}\nmodel m from t { target: y, algorithm: knn(k: 3) }\n');
  assert.equal(doc.syntaxErrors.length, 2);
  assert.match(doc.syntaxErrors[1].message, /did you mean "scale"/);
  const model = doc.declarations[2];
  assert.ok(model.kind === 'model' && model.properties.length === 2);
  const t = doc.declarations[1];
  assert.ok(t.kind === 'transform' && t.steps.some((s) => s.kind === 'drop'));
});

test('half-typed lines give partial nodes', () => {
  const doc = parse('model m from \nevaluate m on\ntransform t from d {\n  impute age with\n}');
  const m = doc.declarations[0];
  assert.ok(m.kind === 'model' && m.name?.name === 'm' && m.from === undefined);
  const t = doc.declarations[2];
  assert.ok(t.kind === 'transform' && t.steps[0].kind === 'impute' && t.steps[0].method === undefined);
});

test('the formatter is idempotent and keeps comments', () => {
  const f = formatDocument(spec);
  assert.equal(formatDocument(f), f);
  assert.match(f, /# Which customers will cancel next month\?/);
  assert.deepEqual(parse(f).declarations.map((d) => d.kind), parse(spec).declarations.map((d) => d.kind));
});

test('the TextMate grammar is valid JSON whose patterns compile', () => {
  const grammar = JSON.parse(readFileSync(join(__dirname, '..', '..', 'grammars', 'narml.tmLanguage.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(grammar.scopeName, 'source.narml');
  const patterns: string[] = [];
  JSON.stringify(grammar, (k, v) => { if ((k === 'match' || k === 'begin' || k === 'end') && typeof v === 'string') patterns.push(v); return v; });
  assert.ok(patterns.length > 8);
  for (const p of patterns) assert.doesNotThrow(() => new RegExp(p), p);
  const config = JSON.parse(readFileSync(join(__dirname, '..', '..', 'grammars', 'language-configuration.json'), 'utf8')) as { comments: { lineComment: string } };
  assert.equal(config.comments.lineComment, '#');
});

test('"not" before parentheses is the operator, not a function call', () => {
  const doc = parse('transform t from d {\n  filter not (x < 1)\n  filter not(x < 1) and y\n}');
  assert.deepEqual(doc.syntaxErrors, []);
  const t = doc.declarations[0];
  assert.ok(t.kind === 'transform');
  const [first, second] = t.steps;
  assert.ok(first.kind === 'filter' && first.expr?.kind === 'Unary' && first.expr.operator === 'not' && first.expr.operand?.kind === 'Paren');
  // `not` binds looser than comparisons but tighter than `and`.
  assert.ok(second.kind === 'filter' && second.expr?.kind === 'Binary' && second.expr.operator === 'and' && second.expr.left.kind === 'Unary');
});

test('a string may end in an escaped backslash; an escaped closing quote leaves it open', () => {
  const closed = parse('dataset d from "C:\\\\temp\\\\"\n');
  assert.deepEqual(closed.syntaxErrors, []);
  const d = closed.declarations[0];
  assert.ok(d.kind === 'dataset' && d.source?.terminated === true);
  assert.equal(d.kind === 'dataset' ? d.source?.value : undefined, 'C:\\temp\\');
  const open = parse('dataset d from "C:\\temp\\"\n');
  assert.match(open.syntaxErrors[0]?.message ?? '', /unterminated string/);
  assert.deepEqual(parse('dataset d from "say \\"hi\\""\n').syntaxErrors, []);
  assert.deepEqual(parse('dataset d from ""\n').syntaxErrors, []);
});
