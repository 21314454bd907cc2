// Gradient boosting on a two-shard ClickHouse cluster (started here on loopback, stopped by PID):
// trained inside the cluster (clickhouse-boosting.ts: histograms by GROUP BY, the rows stay on
// the server) against the read-out way (the whole table read into this process, steps fitted and
// the model trained in memory), on the same rows in the same run. Reports wall time, the ratio,
// and the bytes each way moved out of the cluster (answers received) and into it (SQL sent).
//   node scripts/run-bench.mjs clickhouse-training                 # 200,000 rows
//   NARML_CH_ROWS=1000000 node scripts/run-bench.mjs clickhouse-training
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkWithFullSchemas } from '../server/src/checker/check-files';
import type { DatasetInfo, TransformInfo } from '../server/src/checker/checked-model';
import { ClickHouseEngine } from '../server/src/engine/clickhouse-engine';
import { execute, traffic } from '../server/src/engine/clickhouse-http';
import { gradientBoosting } from '../server/src/ml/gradient-boosting';
import { createRng } from '../server/src/ml/random';
import { fitSteps } from '../server/src/transforms/fit-steps';
import { featureMatrix, makeTarget, targetValues, trainingClasses } from '../server/src/runner/model-data';
import { learnedInfo } from '../server/src/runner/model-artifact';
// @ts-expect-error: a plain .mjs script without types, shared with the tests
import { startCluster, stopCluster } from '../scripts/clickhouse-cluster.mjs';

const ROWS = Number(process.env.NARML_CH_ROWS ?? 200_000);
const NUMBERS = 8;
const OPTIONS = { rounds: 10, learning_rate: 0.2, max_depth: 3, min_samples_leaf: 20 };

async function load(url: string, urls: string[]): Promise<void> {
  const conn = { url, user: 'default', password: '' };
  const cols = ['id UInt64', ...Array.from({ length: NUMBERS }, (_, i) => `n${i} ${i < 2 ? 'Nullable(Float64)' : 'Float64'}`), 'c0 String', 'label String'];
  for (const u of urls) {
    const c = { ...conn, url: u };
    await execute(c, 'CREATE DATABASE IF NOT EXISTS bench');
    await execute(c, `CREATE TABLE bench.big_local (${cols.join(', ')}) ENGINE = MergeTree() ORDER BY id`);
    await execute(c, 'CREATE TABLE bench.big AS bench.big_local ENGINE = Distributed(two_shards, bench, big_local, cityHash64(id))');
  }
  const rng = createRng(7);
  for (let start = 0; start < ROWS; start += 100_000) {
    const lines: string[] = [];
    for (let r = start; r < Math.min(ROWS, start + 100_000); r++) {
      let signal = 0;
      const cells = [String(r)];
      for (let i = 0; i < NUMBERS; i++) {
        const v = Math.round((rng.next() * 10 - 5) * 1000) / 1000;
        if (i < 3) signal += v;
        cells.push(i < 2 && rng.next() < 0.05 ? '\\N' : String(v));
      }
      cells.push(`g${rng.int(6)}`, signal + rng.next() * 4 > 0 ? 'yes' : 'no');
      lines.push(cells.join('\t'));
    }
    await execute(conn, `INSERT INTO bench.big FORMAT TabSeparated\n${lines.join('\n')}\n`);
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(2)} MB`;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'narml-bench-ch-'));
  const started = (await startCluster(join(dir, 'cluster'))) as { urls: string[] };
  const url = started.urls[0];
  try {
    await load(url, started.urls);
    const text = `engine: clickhouse("${url}", cluster: "two_shards")\ndataset big from table "bench.big"\ntransform prepared from big {\n  impute n0, n1 with median\n  encode c0 as onehot\n}\n`;
    writeFileSync(join(dir, 'p.narml'), text);
    const checked = await checkWithFullSchemas(text, join(dir, 'p.narml'));
    const dataset = checked.infos.find((i): i is DatasetInfo => i?.kind === 'dataset')!;
    const steps = checked.infos.find((i): i is TransformInfo => i?.kind === 'transform')!.steps;
    const rows = Int32Array.from({ length: ROWS }, (_, i) => i).filter((i) => i % 5 !== 0);
    const decl = { name: 'm', target: 'label', task: 'classification' } as never;
    const figures: { way: string; ms: number; received: number; sent: number }[] = [];
    for (const way of ['in the cluster', 'read out'] as const) {
      const engine = new ClickHouseEngine(url);
      const before = { ...traffic };
      const t0 = performance.now();
      if (way === 'in the cluster') {
        const prepared = (await engine.fitInCluster(dataset, steps, rows))!;
        const names = [...prepared.columns.keys()].filter((n) => n !== 'id' && n !== 'label');
        const classes = (await engine.levelsInCluster(dataset, prepared.columns.get('label')!, rows)).sort();
        await engine.boostInCluster(dataset, rows, {
          features: names.map((name) => ({ name, sql: prepared.columns.get(name)!.sql })),
          target: { sql: prepared.columns.get('label')!.sql, task: 'classification', classes }, options: OPTIONS,
        });
      } else {
        const raw = await engine.readRows(dataset, rows);
        const { result } = fitSteps(steps, raw);
        const names = result.table.names.filter((n) => n !== 'id' && n !== 'label');
        const learned = learnedInfo(decl, trainingClasses(result.table, decl));
        const y = targetValues(result.table, learned);
        gradientBoosting.fit(featureMatrix(result.table, names), makeTarget(learned, y, Int32Array.from({ length: y.length }, (_, i) => i)), OPTIONS, { seed: 42 });
      }
      figures.push({ way, ms: performance.now() - t0, received: traffic.received - before.received, sent: traffic.sent - before.sent });
      await engine.close();
    }
    const [inside, out] = figures;
    console.log(`${ROWS.toLocaleString('en')} rows (${rows.length.toLocaleString('en')} training), ${NUMBERS} numbers + a 6-level category, ${OPTIONS.rounds} rounds of depth ${OPTIONS.max_depth}, two shards on loopback:`);
    for (const f of figures) console.log(`  ${f.way.padEnd(15)} ${seconds(f.ms).padStart(9)}   out of the cluster ${megabytes(f.received).padStart(10)}   into it ${megabytes(f.sent).padStart(9)}`);
    console.log(`  time in the cluster / read out: ${(inside.ms / out.ms).toFixed(2)}; bytes out of the cluster: ${(inside.received / out.received).toFixed(4)} of the read-out's`);
  } finally {
    await stopCluster(join(dir, 'cluster'));
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => { console.error(e); process.exitCode = 1; });
