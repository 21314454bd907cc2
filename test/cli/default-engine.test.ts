// `--default-engine memory|duckdb` (what the editor passes for the narml.engine setting): the engine
// of a pipeline without an `engine:` statement, for check, the commands that read data and the
// scheduler's firings and serve; the statement wins; clickhouse is refused, since it needs the statement's URL.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt } from '../helpers/ensure-built';
import { cli, narml, sample } from '../helpers/cli';
import { startServer } from '../helpers/serving';

before(() => { ensureBuilt(); });

test('--default-engine duckdb reads a Parquet dataset the memory engine refuses; a statement overrides it; clickhouse is a usage error', async () => {
  const dir = sample('penguins');
  const file = join(dir, 'penguins.narml');
  // The memory engine's run writes the Parquet file (DuckDB writes a *.parquet output on every engine).
  writeFileSync(file, readFileSync(file, 'utf8').replace('predict field_survey with species_forest', 'predict field_survey with species_logistic').replace('output: "out/species-{date}.csv"', 'output: "out/species.parquet"'));
  const made = narml(['run', 'penguins.narml', 'field_survey'], dir);
  assert.equal(made.status, 0, made.stderr);
  writeFileSync(join(dir, 'scored.narml'), 'dataset scored from "out/species.parquet"\n');
  writeFileSync(join(dir, 'stated.narml'), 'engine: memory\ndataset scored from "out/species.parquet"\n');

  const memory = narml(['check', 'scored.narml'], dir);
  assert.equal(memory.status, 1);
  assert.match(memory.stdout, /NML154 engine memory cannot read the Parquet file/);
  assert.equal(narml(['check', 'scored.narml', '--default-engine', 'duckdb'], dir).status, 0);
  const stated = narml(['check', 'stated.narml', '--default-engine', 'duckdb'], dir);
  assert.equal(stated.status, 1, 'the statement wins over the default');
  assert.match(stated.stdout, /NML154/);

  const preview = narml(['preview', 'scored.narml', 'scored', '--json', '--default-engine', 'duckdb'], dir);
  assert.equal(preview.status, 0, preview.stderr);
  const p = JSON.parse(preview.stdout) as { rowCount: number; columns: { name: string }[] };
  assert.equal(p.rowCount, readFileSync(join(dir, 'data', 'new-penguins.csv'), 'utf8').trim().split('\n').length - 1);
  assert.ok(p.columns.some((c) => c.name === 'Island'));

  // The scheduler keeps the default for every firing (each re-checks the file): a scheduled predict from the Parquet file runs.
  copyFileSync(join(dir, 'out', 'species.parquet'), join(dir, 'data', 'scored.parquet'));
  writeFileSync(file, `${readFileSync(file, 'utf8')}\npredict nightly with species_logistic from "data/scored.parquet" {\n  output: "out/nightly.csv"\n  schedule: "0 2 * * *"\n}\n`);
  const refused = narml(['scheduler', 'penguins.narml', '--once-now'], dir);
  assert.equal(refused.status, 1, refused.stderr);
  assert.match(refused.stderr, /NML154 engine memory cannot read the Parquet file/);
  const fired = narml(['scheduler', 'penguins.narml', '--once-now', '--default-engine', 'duckdb'], dir);
  assert.equal(fired.status, 0, fired.stderr);
  const nightly = readFileSync(join(dir, 'out', 'nightly.csv'), 'utf8').trim().split('\n');
  assert.equal(nightly.length - 1, p.rowCount);

  // So does serve, which checks the file before it loads the stored models.
  const notServed = narml(['serve', 'penguins.narml', '--port', '0', '--json'], dir);
  assert.equal(notServed.status, 1, notServed.stderr);
  assert.match(notServed.stderr, /NML154/);
  const served = await startServer([cli, 'serve', 'penguins.narml', '--port', '0', '--json', '--default-engine', 'duckdb'], dir);
  try {
    assert.ok(served.first.models.some((m) => m.name === 'species_logistic'), JSON.stringify(served.first));
  } finally {
    assert.equal(await served.stop(), 0);
  }

  const clickhouse = narml(['check', 'scored.narml', '--default-engine', 'clickhouse'], dir);
  assert.equal(clickhouse.status, 2);
  assert.match(clickhouse.stderr, /--default-engine takes memory or duckdb.*clickhouse needs the server/);
});
