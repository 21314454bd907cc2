// Gradient boosting trained inside a two-shard ClickHouse cluster (clickhouse-boosting.ts) against
// the memory path on the same rows: the same bin edges, the same trees (features, thresholds,
// children, where missing values go) and leaf values to 1e-9, for two classes, several classes and
// regression, on a generated table with missing values and features with more than 255 values.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkWithFullSchemas } from '../../server/src/checker/check-files';
import { hasErrors, type DatasetInfo, type TransformInfo } from '../../server/src/checker/checked-model';
import { queryFloat64, queryRows, sqlName } from '../../server/src/engine/clickhouse-http';
import { binningOf, boostInCluster } from '../../server/src/engine/clickhouse-boosting';
import { withTrainingRows } from '../../server/src/engine/clickhouse-fit';
import { applyToExprs, f64, rawExprs } from '../../server/src/engine/clickhouse-scoring';
import { ClickHouseEngine } from '../../server/src/engine/clickhouse-engine';
import { gradientBoosting } from '../../server/src/ml/gradient-boosting';
import { binFeatures } from '../../server/src/ml/histogram-binning';
import type { FittedModel, TreeParams } from '../../server/src/ml/model-types';
import { fitSteps } from '../../server/src/transforms/fit-steps';
import { selectRows } from '../../server/src/transforms/table-ops';
import { featureMatrix, makeTarget, targetValues, trainingClasses, usableRows } from '../../server/src/runner/model-data';
import { subsetMatrix } from '../../server/src/ml/subset';
import { runPipeline } from '../../server/src/runner/run-pipeline';
import type { RunJson } from '../../server/src/contracts/cli-json';
import { startWithEvents, defaultConnection, generatedEvents, seeded, writeCsv, type TestCluster } from '../helpers/clickhouse';

const events = generatedEvents(3000);
let cluster: TestCluster;
before(async () => { cluster = await startWithEvents(events); });
after(async () => { await cluster?.stop(); });

async function pipeline(): Promise<{ dataset: DatasetInfo; transform: TransformInfo }> {
  const dir = mkdtempSync(join(tmpdir(), 'narml-ch-gb-'));
  const text = `engine: clickhouse("${cluster.url}", cluster: "two_shards")\ndataset events from table "shop.events"\ntransform prepared from events {\n  encode region as onehot\n  scale x1 with standard\n}\n`;
  writeFileSync(join(dir, 'p.narml'), text);
  const checked = await checkWithFullSchemas(text, join(dir, 'p.narml'));
  assert.ok(!hasErrors(checked), checked.diagnostics.map((d) => d.message).join('; '));
  const dataset = checked.infos.find((i) => i?.kind === 'dataset');
  const transform = checked.infos.find((i) => i?.kind === 'transform');
  assert.ok(dataset?.kind === 'dataset' && transform?.kind === 'transform');
  return { dataset, transform };
}

/** Every other row but a seeded few: training rows that are not all rows (positions go to the server). */
function someRows(total: number): Int32Array {
  const rnd = seeded(3);
  return Int32Array.from({ length: total }, (_, i) => i).filter(() => rnd() < 0.8);
}

function assertSameTrees(inCluster: FittedModel, inMemory: FittedModel): void {
  const a = inCluster.params, b = inMemory.params;
  assert.ok(a.kind === 'tree-ensemble' && b.kind === 'tree-ensemble');
  assert.deepEqual(a.treeOutput, b.treeOutput);
  assert.equal(a.link, b.link);
  a.base.forEach((v, k) => assert.ok(Math.abs(v - b.base[k]) <= 1e-12, `base ${k}: ${v} vs ${b.base[k]}`));
  assert.equal(a.trees.length, b.trees.length);
  let splits = 0;
  a.trees.forEach((t: TreeParams, i) => {
    const m = b.trees[i];
    assert.deepEqual({ feature: t.feature, threshold: t.threshold, left: t.left, right: t.right, missingLeft: t.missingLeft },
      { feature: m.feature, threshold: m.threshold, left: m.left, right: m.right, missingLeft: m.missingLeft }, `tree ${i}`);
    t.value.forEach((v, j) => assert.ok(Math.abs(v[0] - m.value[j][0]) <= 1e-9, `tree ${i} node ${j}: ${v[0]} vs ${m.value[j][0]}`));
    splits += t.feature.filter((f) => f >= 0).length;
  });
  assert.ok(splits > a.trees.length, 'the trees split more than once each');
  assert.deepEqual(inCluster.featureNames, inMemory.featureNames);
  const ia = inCluster.featureImportances!()!, ib = inMemory.featureImportances!()!;
  ia.forEach((v, j) => assert.ok(Math.abs(v - ib[j]) <= 1e-9, `importance ${j}`));
}

for (const [target, options] of [
  ['label', { rounds: 12, max_depth: 3, min_samples_leaf: 20 }],
  ['amount', { rounds: 10, max_depth: 4, min_samples_leaf: 10, l2_regularization: 0.5, learning_rate: 0.2 }],
  ['region', { rounds: 5, max_depth: 2, min_samples_leaf: 5 }],
] as const) {
  test(`gradient boosting trained in the cluster (target ${target}) grows the memory path's trees on the same rows`, async () => {
    const { dataset, transform } = await pipeline();
    const engine = new ClickHouseEngine(cluster.url);
    const raw = await engine.readDataset(dataset);
    const rows = someRows(raw.rowCount);
    const steps = target === 'region' ? transform.steps.filter((s) => s.kind !== 'encode') : transform.steps;
    const { fitted, result } = fitSteps(steps, selectRows(raw, rows));
    const names = result.table.names.filter((n) => !['id', 'label', 'amount', 'region'].includes(n));
    const info = { name: 'm', target, task: target === 'amount' ? 'regression' : 'classification' } as const;
    const classes = info.task === 'classification' ? trainingClasses(result.table, info as never) : undefined;
    const x = featureMatrix(result.table, names);
    const y = targetValues(result.table, { ...info, classes } as never);
    const usable = usableRows(x, y, true, info.task === 'classification');
    const inMemory = gradientBoosting.fit(subsetMatrix(x, usable), makeTarget({ ...info, classes } as never, y, usable), options, { seed: 42 });
    const exprs = applyToExprs(fitted, rawExprs(dataset.schema!.columns, dataset.table!.columnTypes!));
    const conn = defaultConnection(cluster.url);
    const progress: number[] = [];
    const { model, trainRows } = await withTrainingRows(conn, 'shop.events', dataset.schema!.columns, rows, raw.rowCount, (source) => boostInCluster(conn, {
      source, database: sqlName('shop'),
      features: names.map((name) => ({ name, sql: exprs.get(name)!.sql })),
      target: { sql: exprs.get(target)!.sql, task: info.task, ...(classes ? { classes } : {}) },
      options, onProgress: (f) => progress.push(f),
    }));
    assert.equal(trainRows, usable.length);
    assertSameTrees(model, inMemory);
    assert.equal(progress.at(-1), 1);
    // The temporary tables are gone.
    assert.deepEqual(await queryRows(conn, "SELECT name FROM system.tables WHERE database = 'shop' AND name LIKE '__narml%'"), []);
  });
}

test('bin edges computed by SQL equal histogram-binning.ts: few values, more than 255 values, missing values, a scaled feature', async () => {
  const { dataset, transform } = await pipeline();
  const engine = new ClickHouseEngine(cluster.url);
  const raw = await engine.readDataset(dataset);
  const { fitted, result } = fitSteps(transform.steps, raw);
  const exprs = applyToExprs(fitted, rawExprs(dataset.schema!.columns, dataset.table!.columnTypes!));
  const names = ['x1', 'x2', 'amount', 'id', 'region_south'];
  const conn = defaultConnection(cluster.url);
  const inSql = await binningOf(conn, `(SELECT ${names.map((n, j) => `${exprs.get(n)!.sql} AS f${j}`).join(', ')} FROM shop.events)`, names.map((_, j) => `f${j}`));
  const inMemory = binFeatures(featureMatrix(result.table, names).columns, result.table.rowCount);
  names.forEach((name, j) => {
    assert.deepEqual(Array.from(inSql.thresholds[j]), Array.from(inMemory.thresholds[j]), name);
    assert.equal(inSql.nBins[j], inMemory.nBins[j], name);
    assert.equal(inSql.hasMissing[j], inMemory.hasMissing[j], name);
  });
  assert.deepEqual(inSql.nBins.slice(0, 4).map((b) => b > 200), [true, false, true, true], 'x1, amount and id have quantile edges');
  assert.deepEqual(inSql.hasMissing, [false, true, false, false, false]);
});

test('every Float64 literal the SQL compilers write reads back with the same bits: random bit patterns, float32 values, integers, -0, subnormals', async () => {
  const rnd = seeded(11);
  const xs: number[] = [0, -0, 1, -1, 2 ** 53, -(2 ** 60), 1e21, 5e-324, -2.2250738585072014e-308, 2.225073858507201e-308, Number.MAX_VALUE, -Number.MIN_VALUE];
  const bytes = Buffer.alloc(8);
  while (xs.length < 3000) {
    for (let k = 0; k < 8; k++) bytes[k] = Math.floor(rnd() * 256);
    const x = bytes.readDoubleLE(0);
    if (Number.isFinite(x)) xs.push(x, Math.fround(rnd() * 200 - 100), (rnd() - 0.5) * 10 ** Math.floor(rnd() * 40 - 20));
  }
  const back = await queryFloat64(defaultConnection(cluster.url), `SELECT arrayJoin([${xs.map(f64).join(', ')}])`);
  assert.equal(back.length, xs.length);
  xs.forEach((x, i) => assert.ok(Object.is(back[i], x), `${x} came back as ${back[i]} from ${f64(x)}`));
});

async function runBoth(body: string): Promise<{ memory: RunJson; clickhouse: RunJson }> {
  const memDir = mkdtempSync(join(tmpdir(), 'narml-ch-gb-mem-'));
  writeCsv(join(memDir, 'events.csv'), events);
  const dir = mkdtempSync(join(tmpdir(), 'narml-ch-gb-run-'));
  const runs: RunJson[] = [];
  for (const [d, text] of [[memDir, `dataset events from "events.csv"\n${body}`], [dir, `engine: clickhouse("${cluster.url}", cluster: "two_shards")\ndataset events from table "shop.events"\n${body}`]]) {
    writeFileSync(join(d, 'p.narml'), text);
    const checked = await checkWithFullSchemas(text, join(d, 'p.narml'));
    assert.ok(!hasErrors(checked), checked.diagnostics.map((x) => x.message).join('; '));
    const run = await runPipeline(checked);
    assert.equal(run.status, 'succeeded', run.error);
    runs.push(run);
  }
  return { memory: runs[0], clickhouse: runs[1] };
}

test('a run trains and evaluates gradient boosting in the cluster (no warning that rows were read out) and its metrics equal the memory run\'s to 1e-9', async () => {
  const { memory, clickhouse } = await runBoth(`transform prepared from events {
  impute x2 with median
  encode region as onehot
  scale x1 with standard
}
split parts from prepared { train: 80%, test: 20%, seed: 3 }
model g from parts.train { target: label, algorithm: gradient_boosting(rounds: 15, max_depth: 3), exclude: [id, amount] }
model r from parts.train { target: amount, algorithm: gradient_boosting(rounds: 10, min_samples_leaf: 10), exclude: [id, label] }
split raw from events { train: 70%, test: 30%, seed: 8 }
model k from raw.train { target: region, algorithm: gradient_boosting(rounds: 4, max_depth: 2), exclude: [id, label] }
evaluate k on raw.test { metrics: [accuracy, log_loss] }
evaluate g on parts.test { metrics: [accuracy, log_loss, roc_auc] }
evaluate r on parts.test { metrics: [rmse, r2] }
`);
  assert.deepEqual((clickhouse.warnings ?? []).filter((w) => /model [grk]:|ClickHouse cluster/.test(w)), [], 'every model trained and scored in the cluster: no row left it');
  for (const m of ['g', 'r', 'k']) {
    assert.equal(clickhouse.models[m].trainRows, memory.models[m].trainRows);
    assert.deepEqual(clickhouse.models[m].features, memory.models[m].features);
    const a = clickhouse.models[m].importances!, b = memory.models[m].importances!;
    for (const f of Object.keys(b)) assert.ok(Math.abs(a[f] - b[f]) <= 1e-9, `${m} importance of ${f}`);
  }
  for (const name of Object.keys(memory.evaluations)) {
    const a = memory.evaluations[name].metrics, b = clickhouse.evaluations[name].metrics;
    for (const k of Object.keys(a)) assert.ok(Math.abs(a[k] - b[k]) <= 1e-9, `${name} ${k}: memory ${a[k]}, clickhouse ${b[k]}`);
  }
  assert.ok(clickhouse.evaluations.g_on_parts_test.metrics.accuracy > 0.7);
});

test('a model the cluster cannot train says that its training rows were read out of the cluster, and why', async () => {
  const { clickhouse } = await runBoth(`transform prepared from events {
  impute x2 with median
  encode region as onehot
}
split parts from prepared { train: 80%, test: 20%, seed: 3 }
model t from parts.train { target: label, algorithm: decision_tree(max_depth: 3), exclude: [id, amount] }
model f from prepared { target: label, algorithm: gradient_boosting(rounds: 3), exclude: [id, amount] }
transform kept from events { filter x1 > 0 }
model h from kept { target: amount, algorithm: gradient_boosting(rounds: 3), exclude: [id, label, region] }
`);
  assert.deepEqual((clickhouse.warnings ?? []).filter((w) => w.includes('read out of the ClickHouse cluster')), [
    'model t: its training rows were read out of the ClickHouse cluster into this process: decision_tree is trained in this process (in the cluster: gradient_boosting)',
    'model h: its training rows were read out of the ClickHouse cluster into this process: the step "filter" runs in this process (in the cluster: steps that keep every row)',
  ]);
  assert.ok((clickhouse.warnings ?? []).includes('dataset events: the rows of table shop.events left the ClickHouse cluster: this run read them into this process (see the warnings above, or a predict to a file, cross-validation, a monitor)'));
});
