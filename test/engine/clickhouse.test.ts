// The ClickHouse engine against a real two-shard cluster on 127.0.0.1 (started here, stopped by
// PID at the end): `dataset … from table` typed from system.columns, clear diagnostics for an
// unreachable server, wrong credentials and a missing table, and a run on the cluster's table
// equal to the memory engine's run on the same rows read from a CSV file.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { checkWithFullSchemas } from '../../server/src/checker/check-files';
import { hasErrors, type CheckedPipeline } from '../../server/src/checker/checked-model';
import { PASSWORD_ENV, queryBytes, queryRows, USER_ENV } from '../../server/src/engine/clickhouse-http';
import { CancelledError } from '../../server/src/ml/cancellation';
import { runPipeline } from '../../server/src/runner/run-pipeline';
import { PipelineData } from '../../server/src/runner/pipeline-data';
import { ClickHouseEngine } from '../../server/src/engine/clickhouse-engine';
import { fitStepsInSql } from '../../server/src/engine/clickhouse-fit';
import { keyedParts } from '../../server/src/engine/keyed-split';
import { fitSteps } from '../../server/src/transforms/fit-steps';
import { selectRows } from '../../server/src/transforms/table-ops';
import { ensureBuilt } from '../helpers/ensure-built';
import { LspClient } from '../lsp/lsp-client';
import { startWithEvents, defaultConnection, generatedEvents, TEST_CREDENTIALS, writeCsv, type TestCluster } from '../helpers/clickhouse';

const events = generatedEvents(3000);
let cluster: TestCluster;
before(async () => { cluster = await startWithEvents(events); });
after(async () => { await cluster?.stop(); });

async function check(text: string, dir = mkdtempSync(join(tmpdir(), 'narml-ch-check-'))): Promise<CheckedPipeline> {
  const file = join(dir, 'p.narml');
  writeFileSync(file, text);
  return checkWithFullSchemas(text, file);
}

const engineLine = (): string => `engine: clickhouse("${cluster.url}", cluster: "two_shards")`;

test('a table dataset is typed from system.columns: numbers, a nullable number, categories with their levels', async () => {
  const checked = await check(`${engineLine()}\ndataset events from table "shop.events"\nmodel m from events { target: label, algorithm: gradient_boosting, exclude: [region] }\n`);
  assert.ok(!hasErrors(checked), checked.diagnostics.map((d) => d.message).join('; '));
  const schema = checked.tables.get('events')!;
  assert.deepEqual(schema.columns.map((c) => [c.name, c.type, c.nullable]), [
    ['id', 'number', false], ['x1', 'number', false], ['x2', 'number', true], ['region', 'category', false], ['label', 'category', false], ['amount', 'number', false],
  ]);
  assert.deepEqual(schema.columns[3].levels, ['north', 'rare', 'south', 'west']);
  assert.deepEqual(schema.columns[4].levels, ['high', 'low']);
  assert.equal(schema.rowCount, 3000);
  assert.deepEqual(checked.engine, { kind: 'clickhouse', url: cluster.url, cluster: 'two_shards' });
});

test('the checker types what the table holds: a nullable feature without imputation is refused before the run', async () => {
  const checked = await check(`${engineLine()}\ndataset events from table "shop.events"\nmodel m from events { target: label, algorithm: logistic_regression, features: [x1, x2] }\n`);
  const d = checked.diagnostics.find((x) => x.code === 'NML114');
  assert.ok(d, checked.diagnostics.map((x) => `${x.code} ${x.message}`).join('; '));
  assert.match(d.message, /x2/);
});

test('an unreachable server is NML171 naming the URL', async () => {
  const port = await new Promise<number>((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => res(p)); });
  });
  const checked = await check(`engine: clickhouse("http://127.0.0.1:${port}")\ndataset events from table "shop.events"\nmodel m from events { target: label }\n`);
  const d = checked.diagnostics.find((x) => x.code === 'NML171');
  assert.ok(d, checked.diagnostics.map((x) => `${x.code} ${x.message}`).join('; '));
  assert.match(d.message, new RegExp(`cannot reach ClickHouse at http://127\\.0\\.0\\.1:${port}: connection refused`));
  assert.ok(hasErrors(checked));
});

test('wrong credentials are NML171 naming the URL, the user and the environment variables; right ones are accepted', async () => {
  const saved = { user: process.env[USER_ENV], password: process.env[PASSWORD_ENV] };
  try {
    process.env[USER_ENV] = TEST_CREDENTIALS.user;
    process.env[PASSWORD_ENV] = 'not-the-password';
    const wrong = await check(`${engineLine()}\ndataset events from table "shop.events"\nmodel m from events { target: label }\n`);
    const d = wrong.diagnostics.find((x) => x.code === 'NML171');
    assert.ok(d, wrong.diagnostics.map((x) => `${x.code} ${x.message}`).join('; '));
    assert.ok(d.message.includes(`ClickHouse at ${cluster.url} refused user "${TEST_CREDENTIALS.user}"`), d.message);
    assert.match(d.message, /NARML_CLICKHOUSE_USER and NARML_CLICKHOUSE_PASSWORD/);
    process.env[PASSWORD_ENV] = TEST_CREDENTIALS.password;
    const right = await check(`${engineLine()}\ndataset events from table "shop.events"\nmodel m from events { target: label, algorithm: gradient_boosting, exclude: [region] }\n`);
    assert.ok(!hasErrors(right), right.diagnostics.map((x) => x.message).join('; '));
  } finally {
    for (const [k, v] of [[USER_ENV, saved.user], [PASSWORD_ENV, saved.password]] as const) {
      if (v === undefined) delete process.env[k]; else process.env[k] = v;
    }
  }
});

test('a missing table lists the tables of its database; a table without a ClickHouse engine and a bad engine are errors', async () => {
  const missing = await check(`${engineLine()}\ndataset events from table "shop.event"\nmodel m from events { target: label }\n`);
  const d = missing.diagnostics.find((x) => x.code === 'NML171');
  assert.ok(d);
  assert.match(d.message, /has no table shop\.event; its tables in shop are shop\.events, shop\.events_local/);
  const noEngine = await check('dataset events from table "shop.events"\nmodel m from events { target: label }\n');
  assert.match(noEngine.diagnostics.find((x) => x.code === 'NML171')?.message ?? '', /needs a ClickHouse engine: add engine: clickhouse/);
  const bad = await check('engine: clickhous("http://x:1")\nengine: memory\ndataset a from table "t"\n');
  assert.deepEqual(bad.diagnostics.filter((x) => x.code === 'NML170').map((x) => x.message.slice(0, 40)), [
    'unknown engine "clickhous"; did you mean',
    'a pipeline has one engine; delete this s',
  ]);
  const https = await check('engine: clickhouse("https://127.0.0.1:8443")\n');
  assert.match(https.diagnostics.find((x) => x.code === 'NML170')?.message ?? '', /only http:\/\/ URLs/);
});

async function runBoth(body: string): Promise<{ memory: Awaited<ReturnType<typeof runPipeline>>; clickhouse: Awaited<ReturnType<typeof runPipeline>> }> {
  const dir = mkdtempSync(join(tmpdir(), 'narml-ch-run-'));
  writeCsv(join(dir, 'events.csv'), events);
  const memDir = mkdtempSync(join(tmpdir(), 'narml-ch-mem-'));
  writeCsv(join(memDir, 'events.csv'), events);
  const memory = await check(`dataset events from "events.csv"\n${body}`, memDir);
  const onCluster = await check(`${engineLine()}\ndataset events from table "shop.events"\n${body}`, dir);
  for (const c of [memory, onCluster]) assert.ok(!hasErrors(c), c.diagnostics.map((d) => d.message).join('; '));
  const a = await runPipeline(memory);
  const b = await runPipeline(onCluster);
  assert.equal(a.status, 'succeeded', a.error);
  assert.equal(b.status, 'succeeded', b.error);
  return { memory: a, clickhouse: b };
}

function assertClose(a: Record<string, number>, b: Record<string, number>): void {
  assert.deepEqual(Object.keys(b).sort(), Object.keys(a).sort());
  for (const k of Object.keys(a)) assert.ok(Math.abs(a[k] - b[k]) <= 1e-9, `${k}: memory ${a[k]}, clickhouse ${b[k]}`);
}

test('a run on the cluster\'s table equals the memory run on the same rows: metrics to 1e-9', async () => {
  const { memory, clickhouse } = await runBoth(`transform prepared from events {
  impute x2 with median
  encode region as onehot
  scale x1, x2 with standard
}
split parts from prepared { train: 80%, test: 20%, seed: 3 }
model churn from parts.train { target: label, algorithm: logistic_regression, exclude: [id, amount] }
model spend from parts.train { target: amount, algorithm: linear_regression, exclude: [id, label] }
model tree from parts.train { target: label, algorithm: decision_tree(max_depth: 4), exclude: [id, amount] }
evaluate churn on parts.test { metrics: [accuracy, log_loss, roc_auc] }
evaluate spend on parts.test { metrics: [rmse, r2] }
evaluate tree on parts.test { metrics: [accuracy, f1] }
`);
  for (const name of Object.keys(memory.evaluations)) assertClose(memory.evaluations[name].metrics, clickhouse.evaluations[name].metrics);
  assert.equal(Object.keys(clickhouse.evaluations).length, 3);
  for (const m of ['churn', 'spend', 'tree']) {
    assert.equal(clickhouse.models[m].trainRows, 2400);
    assert.deepEqual(clickhouse.models[m].features, memory.models[m].features);
  }
  assert.ok(clickhouse.evaluations.churn_on_parts_test.metrics.accuracy > 0.7);
});

test('predictions written back as a table by SQL scoring equal the memory engine\'s predictions file', async () => {
  const models = `transform prepared from events {
  impute x2 with median
  encode region as onehot
  scale x1, x2 with standard
  clip x1 to [-1.5, 1.5]
}
split parts from prepared { train: 80%, test: 20%, seed: 5 }
model churn from parts.train { target: label, algorithm: logistic_regression(c: 0.5), exclude: [id, amount] }
model spend from parts.train { target: amount, algorithm: linear_regression, exclude: [id, label] }
model tree from parts.train { target: label, algorithm: decision_tree(max_depth: 5), exclude: [id, amount] }
model boost from parts.train { target: label, algorithm: gradient_boosting(rounds: 30), exclude: [id, amount] }
model boosted_spend from parts.train { target: amount, algorithm: gradient_boosting(rounds: 20, max_depth: 4), exclude: [id, label] }
`;
  const names = ['churn', 'spend', 'tree', 'boost', 'boosted_spend'];
  const memDir = mkdtempSync(join(tmpdir(), 'narml-ch-mem-'));
  writeCsv(join(memDir, 'events.csv'), events);
  const memory = await check(`dataset events from "events.csv"\n${models}${names.map((m) => `predict p_${m} with ${m} from events { output: "p_${m}.csv" }\n`).join('')}`, memDir);
  const onCluster = await check(`${engineLine()}\ndataset events from table "shop.events"\n${models}${names.map((m) => `predict p_${m} with ${m} from events { output: table "shop.p_${m}" }\n`).join('')}`);
  for (const c of [memory, onCluster]) assert.ok(!hasErrors(c), c.diagnostics.map((d) => d.message).join('; '));
  const a = await runPipeline(memory);
  const b = await runPipeline(onCluster);
  assert.equal(a.status, 'succeeded', a.error);
  assert.equal(b.status, 'succeeded', b.error);
  for (const m of names) {
    assert.deepEqual({ rows: b.predictions[`p_${m}`].rows, empty: b.predictions[`p_${m}`].emptyPredictions }, { rows: 3000, empty: 0 });
    const lines = readFileSync(join(memDir, `p_${m}.csv`), 'utf8').trim().split('\n');
    const header = lines[0].split(',');
    const outputs = header.slice(header.indexOf('prediction'));
    const expected = lines.slice(1).map((l) => l.split(',').slice(header.indexOf('prediction')));
    const got = await queryRows(defaultConnection(cluster.url), `SELECT ${outputs.join(', ')} FROM shop.p_${m} ORDER BY id`);
    assert.equal(got.length, 3000);
    got.forEach((row, i) => {
      row.forEach((v, k) => {
        if (typeof v === 'string') assert.equal(v, expected[i][k], `${m} row ${i + 1} ${outputs[k]}`);
        else assert.ok(Math.abs((v as number) - Number(expected[i][k])) <= 1e-9, `${m} row ${i + 1} ${outputs[k]}: ${v} vs ${expected[i][k]}`);
      });
    });
  }
  // Scoring again replaces the table rather than adding rows to it.
  const again = await runPipeline(onCluster);
  assert.equal(again.status, 'succeeded', again.error);
  assert.deepEqual(await queryRows(defaultConnection(cluster.url), 'SELECT count() FROM shop.p_churn'), [['3000']]);
});

test('output: table is refused by the checker where SQL scoring cannot run it', async () => {
  const base = `${engineLine()}\ndataset events from table "shop.events"\ntransform prepared from events { impute x2 with median }\nsplit parts from prepared { train: 80%, test: 20%, seed: 5 }\n`;
  const forest = await check(`${base}model f from parts.train { target: label, algorithm: random_forest(trees: 5), exclude: [id, amount, region] }\npredict p with f from events { output: table "shop.p_forest" }\n`);
  assert.match(forest.diagnostics.find((d) => d.code === 'NML171')?.message ?? '', /covers linear_regression, logistic_regression, decision_tree, gradient_boosting; model "f" is random_forest/);
  const part = await check(`${base}model t from parts.train { target: label, algorithm: decision_tree, exclude: [id, amount, region] }\npredict p with t from parts.test { output: table "shop.p_part" }\n`);
  assert.match(part.diagnostics.find((d) => d.code === 'NML171')?.message ?? '', /rows of split part "parts.test" are no SQL condition/);
  const memoryEngine = await check(`dataset e from "e.csv"\nmodel t from e { target: label }\npredict p with t from e { output: table "shop.x" }\n`);
  assert.match(memoryEngine.diagnostics.find((d) => d.code === 'NML171')?.message ?? '', /needs engine: clickhouse/);
});

test('fitting statistics computed by the server over the training rows equal the memory engine\'s', async () => {
  const text = `${engineLine()}\ndataset events from table "shop.events"
transform prepared from events {
  rename x1 to a
  impute x2 with median
  impute a with mean
  encode region as onehot
  scale a with standard
  scale x2 with minmax
  clip amount to [-10, 10]
}
split parts from prepared { train: 70%, test: 30%, seed: 11 }
model m from parts.train { target: label, algorithm: logistic_regression, exclude: [id] }
`;
  const checked = await check(text);
  assert.ok(!hasErrors(checked), checked.diagnostics.map((d) => d.message).join('; '));
  const dataset = checked.infos.find((i) => i?.kind === 'dataset');
  const transform = checked.infos.find((i) => i?.kind === 'transform');
  assert.ok(dataset?.kind === 'dataset' && dataset.table?.columnTypes && dataset.schema && transform?.kind === 'transform');
  const engine = new ClickHouseEngine(cluster.url);
  const data = new PipelineData(checked, engine);
  const { trainRows } = await data.fitChain(data.chain('parts.train'));
  assert.equal(trainRows.length, 2100);
  const raw = await engine.readDataset(dataset);
  const inSql = await fitStepsInSql(defaultConnection(cluster.url), 'shop.events', dataset.schema.columns, dataset.table.columnTypes, transform.steps, trainRows, raw.rowCount);
  const inMemory = fitSteps(transform.steps, selectRows(raw, trainRows)).fitted;
  assert.ok(inSql, 'every step is fitted in SQL');
  assert.equal(inSql.length, inMemory.length);
  inSql.forEach((s, i) => {
    const m = inMemory[i] as Record<string, unknown>;
    assert.equal(s.kind, m.kind);
    for (const [k, v] of Object.entries(s)) {
      if (typeof v === 'number') assert.ok(Math.abs(v - (m[k] as number)) <= 1e-12 * Math.max(1, Math.abs(v)), `${s.kind} ${k}: sql ${v}, memory ${m[k]}`);
      else assert.deepEqual(v, m[k], `${s.kind} ${k}`);
    }
  });
  // All rows (no split) are fitted without sending positions; a step the aggregates do not cover falls back to memory.
  const allRows = Int32Array.from({ length: raw.rowCount }, (_, i) => i);
  assert.ok(await fitStepsInSql(defaultConnection(cluster.url), 'shop.events', dataset.schema.columns, dataset.table.columnTypes, transform.steps, allRows, raw.rowCount));
  const derive = (await check(`${engineLine()}\ndataset events from table "shop.events"\ntransform t from events { derive z = x1 * 2 }\nmodel m from t { target: amount, algorithm: linear_regression, exclude: [region, label, x2] }\n`)).infos.find((i) => i?.kind === 'transform');
  assert.ok(derive?.kind === 'transform');
  assert.equal(await fitStepsInSql(defaultConnection(cluster.url), 'shop.events', dataset.schema.columns, dataset.table.columnTypes, derive.steps, allRows, raw.rowCount), undefined);
});

test('in the editor, a table dataset is typed once the server answers: the language server re-checks by itself', async () => {
  ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'narml-ch-lsp-'));
  const uri = pathToFileURL(join(dir, 'p.narml')).href;
  const client = new LspClient({ debounceMs: 10 });
  try {
    await client.initialize(pathToFileURL(dir).href);
    // x2 may be missing and logistic regression refuses it: a diagnostic only the table's types can give.
    const text = `${engineLine()}\ndataset events from table "shop.events"\nmodel m from events { target: label, algorithm: logistic_regression, features: [x1, x2] }\n`;
    const typed = client.diagnostics(uri, (d) => d.some((x) => x.code === 'NML114'));
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'narml', version: 1, text } });
    assert.match(String((await typed).find((x) => x.code === 'NML114')?.message), /x2/);
    const missing = client.diagnostics(uri, (d) => d.some((x) => x.code === 'NML171'));
    client.notify('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: text.replace('shop.events', 'shop.nothing') }] });
    assert.match(String((await missing).find((x) => x.code === 'NML171')?.message), /has no table shop\.nothing/);
  } finally {
    await client.close();
  }
});

test('a keyed split is decided by the server with the hash every engine uses: the same rows as the memory engine, and the same metrics', async () => {
  const body = (key: string): string => `split parts from events { train: 70%, test: 30%, seed: 4, key: ${key} }
model m from parts.train { target: amount, algorithm: gradient_boosting, exclude: [id, label, region] }
`;
  for (const key of ['id', 'region']) {
    const checked = await check(`${engineLine()}\ndataset events from table "shop.events"\n${body(key)}`);
    assert.ok(!hasErrors(checked), checked.diagnostics.map((d) => d.message).join('; '));
    const split = checked.infos.find((i) => i?.kind === 'split');
    const dataset = checked.infos.find((i) => i?.kind === 'dataset');
    assert.ok(split?.kind === 'split' && dataset?.kind === 'dataset');
    const engine = new ClickHouseEngine(cluster.url);
    const inSql = await engine.splitRows(dataset, [], split);
    // The memory engine's keyed split of the rows the ClickHouse engine read (same order, same hash).
    const raw = await engine.readDataset(dataset);
    const expected = keyedParts({ ...split, key: split.key! }, raw.columns[raw.names.indexOf(key)], raw.rowCount);
    assert.deepEqual(Object.keys(inSql), ['train', 'test']);
    for (const part of ['train', 'test']) assert.deepEqual(Array.from(inSql[part]), Array.from(expected[part]), `${key}: ${part}`);
    // Four regions fall where their hashes put them (here all in train); 3,000 ids spread over both parts.
    if (key === 'id') assert.ok(inSql.train.length > 2000 && inSql.test.length > 700, `${inSql.train.length} training rows`);
  }
  const { memory, clickhouse } = await runBoth(`split parts from events { train: 75%, test: 25%, seed: 9, key: id }
model g from parts.train { target: label, algorithm: gradient_boosting, exclude: [id, amount, region] }
evaluate g on parts.test { metrics: [accuracy, log_loss] }
`);
  assertClose(memory.evaluations.g_on_parts_test.metrics, clickhouse.evaluations.g_on_parts_test.metrics);
  assert.equal(clickhouse.models.g.trainRows, memory.models.g.trainRows);
  // Trained in the cluster (clickhouse-boosting.ts): the same trees, sums taken in another order.
  for (const [f, v] of Object.entries(memory.models.g.importances!)) assert.ok(Math.abs(clickhouse.models.g.importances![f] - v) <= 1e-9, f);
  assert.ok(!(clickhouse.warnings ?? []).some((w) => w.includes('model g')), 'g is trained in the cluster');
});

test('--engine memory over a ClickHouse pipeline is refused by the checker (NML154), naming the table and the flag', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'narml-ch-override-'));
  const text = `${engineLine()}\ndataset events from table "shop.events"\nmodel m from events { target: amount, algorithm: linear_regression, exclude: [id, label, region, x2] }\npredict p with m from events { output: table "shop.p_override" }\n`;
  const file = join(dir, 'p.narml');
  writeFileSync(file, text);
  const checked = await checkWithFullSchemas(text, file, undefined, { engine: 'memory' });
  assert.deepEqual(checked.diagnostics.filter((d) => d.code === 'NML154').map((d) => d.message), [
    'engine memory cannot read the ClickHouse table "shop.events" (dataset "events"); run it on its engine: drop --engine memory',
    'engine memory cannot write predictions as the ClickHouse table "shop.p_override" (predict "p"); drop --engine memory, or write a file',
  ]);
  assert.ok(!hasErrors(await checkWithFullSchemas(text, file)));
});

test('a cancelled run kills its query on the server: the request fails with CancelledError and the query leaves system.processes', async () => {
  const flag = { aborted: false };
  const conn = { ...defaultConnection(cluster.url), signal: flag };
  // Minutes of work on the server if nothing stops it.
  const slow = queryBytes(conn, 'SELECT sum(cityHash64(number)) FROM numbers(100000000000)');
  const running = async (): Promise<number> => Number((await queryRows(defaultConnection(cluster.url), "SELECT count() FROM system.processes WHERE query LIKE '%numbers(100000000000)%' AND query NOT LIKE '%system.processes%'"))[0][0]);
  for (let i = 0; i < 100 && (await running()) === 0; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(await running(), 1, 'the query runs on the server');
  flag.aborted = true;
  await assert.rejects(slow, CancelledError);
  let left = 1;
  for (let i = 0; i < 100 && left > 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    left = await running();
  }
  assert.equal(left, 0, 'the server stopped the query');
  await assert.rejects(queryBytes(conn, 'SELECT 1'), CancelledError, 'a cancelled run sends nothing more');
});
