// Request rows become the columnar table the CSV reader would build (categories in its level
// order, booleans and dates as numbers, missing as NaN / -1), every refusal names row, column and
// type; and the OpenAPI document has the shape of OpenAPI 3.0 (checked structurally here: no
// validator package installs offline), every $ref resolving, every required name a property.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openApiDocument, exampleRow, typicalRow, typicalSample } from '../../server/src/serve/openapi';
import { RequestError, requestRows, tableFromRows } from '../../server/src/serve/request-rows';
import { SERVED_MODEL_FORMAT, type InputColumn, type ServedModelData } from '../../server/src/serve/served-model';

const input: InputColumn[] = [
  { name: 'size', type: 'number', nullable: true },
  { name: 'colour', type: 'category', nullable: false, levels: ['blue', 'red'] },
  { name: 'member', type: 'boolean', nullable: false },
  { name: 'since', type: 'date', nullable: true },
  { name: 'note', type: 'text', nullable: true },
];

function problem(f: () => unknown): RequestError['problem'] {
  try {
    f();
  } catch (e) {
    if (e instanceof RequestError) return e.problem;
    throw e;
  }
  assert.fail('no RequestError');
}

test('rows become typed columns: numbers, category codes in level order, booleans and dates as numbers, missing cells', () => {
  const t = tableFromRows([
    { size: 2.5, colour: 'red', member: true, since: '1970-01-11', note: 'x' },
    { colour: 'blue', member: 'no', size: null },
    { size: -1, colour: 'green', member: false, since: '1970-01-01T12:00:00Z', note: null },
  ], input);
  assert.equal(t.rowCount, 3);
  assert.deepEqual(t.names, ['size', 'colour', 'member', 'since', 'note']);
  const [size, colour, member, since, note] = t.columns;
  assert.ok('values' in size && 'codes' in colour && 'values' in member && 'values' in since && 'codes' in note);
  assert.deepEqual(Array.from(size.values), [2.5, NaN, -1]);
  assert.deepEqual(colour.levels, ['blue', 'green', 'red']);
  assert.deepEqual(Array.from(colour.codes), [2, 0, 1]);
  assert.deepEqual(Array.from(member.values), [1, 0, 0]);
  assert.deepEqual(Array.from(since.values), [10, NaN, 0.5]);
  assert.deepEqual(Array.from(note.codes), [0, -1, -1]);
  assert.equal(member.type, 'boolean');
  assert.equal(since.type, 'date');
});

test('the body may be {"rows": [...]}, an array, or one row; anything else is refused', () => {
  const row = { colour: 'red', member: true };
  assert.deepEqual(requestRows({ rows: [row] }), [row]);
  assert.deepEqual(requestRows([row, row]), [row, row]);
  assert.deepEqual(requestRows(row), [row]);
  assert.match(problem(() => requestRows({ rows: 'all' })).error, /"rows" must be an array/);
  assert.match(problem(() => requestRows('row')).error, /must be a JSON object/);
  assert.match(problem(() => requestRows(null)).error, /must be a JSON object/);
  assert.match(problem(() => tableFromRows([], input)).error, /no rows to score/);
});

test('each refusal names the row, the column and the type expected', () => {
  const ok = { colour: 'red', member: true };
  assert.deepEqual(problem(() => tableFromRows([ok, { ...ok, size: 'big' }], input)), {
    error: 'row 1, column "size": expected number? (a JSON number, or null), got the string "big"', column: 'size', expected: 'number?', row: 1,
  });
  const p = problem(() => tableFromRows([{ member: true }], input));
  assert.deepEqual([p.column, p.expected, p.row], ['colour', 'category', 0]);
  assert.match(p.error, /missing, but the model was trained on a "colour" that is never missing; send a string/);
  assert.equal(problem(() => tableFromRows([{ ...ok, colour: 3 }], input)).expected, 'category');
  assert.equal(problem(() => tableFromRows([{ ...ok, member: 'perhaps' }], input)).column, 'member');
  assert.match(problem(() => tableFromRows([{ ...ok, since: '2023-02-30' }], input)).error, /expected date\? \(an ISO date string/);
  assert.match(problem(() => tableFromRows([{ ...ok, size: [1] }], input)).error, /got an array/);
  const unknown = problem(() => tableFromRows([{ ...ok, colur: 'red' }], input));
  assert.equal(unknown.column, 'colur');
  assert.match(unknown.error, /did you mean "colour"/);
  assert.deepEqual(problem(() => tableFromRows([ok, 'x'], input)).row, 1);
});

test('the OpenAPI document has the shape of OpenAPI 3.0: operations, responses, resolvable $refs, required names that are properties', () => {
  const model: ServedModelData = {
    format: SERVED_MODEL_FORMAT, name: 'churn', version: 'abc123', task: 'classification', target: 'churned', input, steps: [],
    saved: { algorithm: 'logistic_regression', task: 'classification', classes: ['no', 'yes'], featureNames: ['size'], params: { kind: 'linear', coef: [[1]], intercept: [0], link: 'logistic' } },
  };
  const doc = openApiDocument([{ path: '/predict/churn', data: model }, { path: '/predict/churn@abc123', data: model }], 'test') as any;
  assert.match(doc.openapi, /^3\.0\.\d$/);
  assert.equal(typeof doc.info.title, 'string');
  assert.equal(typeof doc.info.version, 'string');
  const refs: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) { v.forEach(walk); return; }
    if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === '$ref') refs.push(x as string);
        else walk(x);
      }
    }
  };
  walk(doc);
  assert.ok(refs.length > 0);
  for (const r of refs) {
    assert.match(r, /^#\/components\/schemas\//);
    assert.ok(doc.components.schemas[r.slice('#/components/schemas/'.length)], `${r} resolves`);
  }
  const methods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    assert.ok(path.startsWith('/'));
    for (const [method, op] of Object.entries<any>(item)) {
      assert.ok(methods.includes(method), `${path}: ${method}`);
      assert.ok(Object.keys(op.responses).length > 0);
      for (const [code, res] of Object.entries<any>(op.responses)) {
        assert.match(code, /^[1-5]\d\d$|^default$/);
        assert.equal(typeof res.description, 'string', `${path} ${code} has a description`);
      }
    }
  }
  const ids = Object.values<any>(doc.paths).flatMap((item) => Object.values<any>(item).map((op) => op.operationId)).filter(Boolean);
  assert.equal(new Set(ids).size, ids.length, 'operationIds are unique');
  const row = doc.components.schemas.churn_abc123_row;
  for (const name of row.required) assert.ok(row.properties[name], `${name} is a property`);
  assert.deepEqual(row.required, ['colour', 'member']);
  assert.equal(row.additionalProperties, false);
  assert.deepEqual(row.properties.size, { type: 'number', nullable: true });
  assert.deepEqual(tableFromRows([row.example], input).rowCount, 1, 'the example row is accepted');
  assert.deepEqual(exampleRow(input).colour, 'blue');
  const answer = doc.components.schemas.churn_abc123_answer;
  assert.deepEqual(answer.properties.predictions.items.properties.prediction.enum, ['no', 'yes']);
});

test('the example row is the training rows\' typical row: lower median of numbers and dates, most frequent level and boolean', () => {
  const training = tableFromRows([
    { size: 4, colour: 'red', member: true, since: '2024-01-03', note: 'a' },
    { size: null, colour: 'red', member: false, since: '2024-01-01', note: 'b' },
    { size: 1, colour: 'blue', member: true, since: null, note: 'b' },
    { size: 10, colour: 'red', member: true, since: '2024-02-01', note: null },
    { size: 2, colour: 'blue', member: false, since: '2024-01-02', note: 'a' },
  ], input);
  // size 1, 2, 4, 10 → the lower middle 2; since 01-01, 01-02, 01-03, 02-01 → 01-02; note: a and b tie, the first level wins.
  const typical = typicalRow(training, input);
  assert.deepEqual(typical, { size: 2, colour: 'red', member: true, since: '2024-01-02', note: 'a' });
  assert.deepEqual(exampleRow(input, typical), typical);
  assert.equal(tableFromRows([exampleRow(input, typical)], input).rowCount, 1, 'a request takes it');
  // A column every training row misses keeps the plain example; a value of the wrong type is not used.
  const empty = tableFromRows([{ colour: 'blue', member: false }], input);
  assert.deepEqual(typicalRow(empty, input), { colour: 'blue', member: false });
  assert.deepEqual(exampleRow(input, { size: 'big' }).size, 0);
  // Samples keep their order and at most 100,000 rows.
  const rows = Int32Array.from({ length: 250_000 }, (_, i) => i * 2);
  const sample = typicalSample(rows);
  assert.equal(sample.length, 100_000);
  assert.ok(sample.every((r, i) => i === 0 || r > sample[i - 1]));
  assert.equal(typicalSample(rows.subarray(0, 10)).length, 10);
});
