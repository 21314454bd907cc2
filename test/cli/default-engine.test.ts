// `--default-engine memory|duckdb` (what the editor passes for the narml.engine setting): the engine
// of a pipeline without an `engine:` statement, for check and for the commands that read data;
// the statement wins; clickhouse is refused, since it needs the statement's URL.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt } from '../helpers/ensure-built';
import { narml, sample } from '../helpers/cli';

before(() => { ensureBuilt(); });

test('--default-engine duckdb reads a Parquet dataset the memory engine refuses; a statement overrides it; clickhouse is a usage error', () => {
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

  const clickhouse = narml(['check', 'scored.narml', '--default-engine', 'clickhouse'], dir);
  assert.equal(clickhouse.status, 2);
  assert.match(clickhouse.stderr, /--default-engine takes memory or duckdb.*clickhouse needs the server/);
});
