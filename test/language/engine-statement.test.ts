// `engine: …` is a one-line statement among the declarations, and `dataset N from table "db.t"`
// reads a table of that engine; both parse with exact ranges and recover from half-typed lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../server/src/language/parser';
import { formatDocument } from '../../server/src/language/format';

test('engine statement and a table dataset parse; the formatter keeps them', () => {
  const text = 'engine: clickhouse("http://127.0.0.1:8123", cluster: "two_shards")\ndataset events from table "db.events"\n';
  const doc = parse(text);
  assert.deepEqual(doc.syntaxErrors, []);
  const [engine, dataset] = doc.declarations;
  assert.equal(engine.kind, 'engine');
  assert.ok(engine.kind === 'engine' && engine.value?.kind === 'Call' && engine.value.callee.name === 'clickhouse');
  assert.equal(dataset.kind, 'dataset');
  assert.ok(dataset.kind === 'dataset' && dataset.table && dataset.source?.value === 'db.events');
  assert.equal(text.slice(dataset.table!.start.offset, dataset.table!.end.offset), 'table');
  assert.equal(formatDocument(text), 'engine: clickhouse("http://127.0.0.1:8123", cluster: "two_shards")\n\ndataset events from table "db.events"\n');
});

test('a half-typed engine line or table dataset is one syntax error, and the next declaration still parses', () => {
  const doc = parse('engine clickhouse\ndataset a from table\nmodel m from a { target: y }\n');
  assert.deepEqual(doc.syntaxErrors.map((e) => e.message.slice(0, 30)), ['expected ":" after "engine", e', 'expected the table name as a "']);
  assert.equal(doc.declarations.at(-1)?.kind, 'model');
  // A column named `engine` in a body is no statement.
  const body = parse('transform t from a {\n  drop engine\n}\n');
  assert.deepEqual(body.syntaxErrors, []);
});
