// Keyed splits: a row's part is a function of its key and the seed, computed alike by
// TypeScript (memory engine) and SQL (DuckDB), whatever the row order or the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkWithFullSchemas } from '../../server/src/checker/check-files';
import { checkPipeline } from '../../server/src/checker/check-pipeline';
import { infoOf } from '../../server/src/checker/checked-model';
import { CsvSchemaCache } from '../../server/src/data/csv-schema-cache';
import { DUCKDB } from '../../server/src/engine/duckdb-dialect';
import { DuckDbEngine } from '../../server/src/engine/duckdb-engine';
import { keyPosition } from '../../server/src/engine/keyed-split';
import { MemoryEngine } from '../../server/src/engine/memory-engine';
import { PipelineData } from '../../server/src/runner/pipeline-data';
import { FILE, IRIS } from '../helpers/fixture-pipelines';

test('the key hash is the same in TypeScript and in DuckDB SQL', async () => {
  const engine = new DuckDbEngine();
  try {
    const texts = ['', '0', '-17', '9007199254740991', 'abc', 'Zürich', '日本', 'a:b', "it's"];
    for (let i = 0; i < 200; i++) texts.push(String(i * 7919));
    const sql = texts.map((t) => `SELECT ${DUCKDB.fn.hash32(DUCKDB.string(`3:${t}`))} / 4294967296.0`).join(' UNION ALL ');
    const got = (await engine.rows(`SELECT * FROM (${sql})`)).map((r) => Number(r[0]));
    assert.deepEqual(got.slice().sort(), texts.map((t) => keyPosition(3, t)).sort());
    assert.ok(new Set(got).size > 200, 'different texts hash apart');
  } finally {
    await engine.close();
  }
});

function csv(ids: number[]): string {
  return `id,region,x,y\n${ids.map((id) => `${id},${id % 5 === 0 ? '' : `r${id % 7}`},${(id * 0.37) % 11},${id % 3 === 0 ? 'yes' : 'no'}`).join('\n')}\n`;
}

const pipeline = (file: string, key: string): string => `
dataset d from "${file}"
split parts from d { train: 70%, test: 20%, validation: 10%, seed: 9, key: ${key} }
`;

async function membership(dir: string, file: string, key: string, engine: 'memory' | 'duckdb'): Promise<Record<string, Set<string>>> {
  const path = join(dir, `${file}-${key}.narml`);
  const text = pipeline(`${file}.csv`, key);
  writeFileSync(path, text);
  const checked = await checkWithFullSchemas(text, path);
  assert.deepEqual(checked.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
  const data = new PipelineData(checked, engine === 'memory' ? new MemoryEngine() : new DuckDbEngine());
  try {
    const parts = await data.membership(infoOf(checked, 'parts', 'split')!);
    const raw = await data.rawTable(infoOf(checked, 'd', 'dataset')!);
    const k = raw.columns[raw.names.indexOf(key)];
    const text = (r: number): string => ('codes' in k ? (k.codes[r] < 0 ? '' : k.levels[k.codes[r]]) : String(k.values[r]));
    return Object.fromEntries(Object.entries(parts).map(([p, rows]) => [p, new Set([...rows].map(text))]));
  } finally {
    await data.engine.close();
  }
}

test('keyed split: both engines put the same keys in the same parts, in any row order and file; shares follow the fractions', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'narml-keyed-'));
  const ids = Array.from({ length: 3000 }, (_, i) => i * 13 + 1);
  writeFileSync(join(dir, 'a.csv'), csv(ids));
  // Reversed, with every tenth id twice and a third of the ids left out: another file, same keys.
  const other = ids.filter((_, i) => i % 3 !== 0).reverse();
  writeFileSync(join(dir, 'b.csv'), csv([...other, ...other.filter((_, i) => i % 10 === 0)]));
  for (const key of ['id', 'region']) {
    const memory = await membership(dir, 'a', key, 'memory');
    const duck = await membership(dir, 'a', key, 'duckdb');
    assert.deepEqual(duck, memory, `${key}: engines agree`);
    const elsewhere = await membership(dir, 'b', key, 'duckdb');
    for (const [part, keys] of Object.entries(elsewhere)) for (const k of keys) assert.ok(memory[part].has(k), `${key} ${k} stays in ${part}`);
  }
  const memory = await membership(dir, 'a', 'id', 'memory');
  const share = (p: string): number => memory[p].size / ids.length;
  assert.ok(Math.abs(share('train') - 0.7) < 0.03 && Math.abs(share('test') - 0.2) < 0.03 && Math.abs(share('validation') - 0.1) < 0.03, JSON.stringify([share('train'), share('test'), share('validation')]));
});

test('keyed split: a key with stratify, or a key of dates, is NML116; a fractional key is refused by the run', async () => {
  const cache = new CsvSchemaCache();
  const both = checkPipeline(`${IRIS}\nsplit parts from iris { train: 80%, test: 20%, stratify: species, key: species }`, FILE, cache).diagnostics;
  assert.ok(both.some((d) => d.code === 'NML116' && /both keyed and stratified/.test(d.message)), both.map((d) => d.message).join(' | '));
  const dir = mkdtempSync(join(tmpdir(), 'narml-keyed-'));
  writeFileSync(join(dir, 'f.csv'), 'id,day\n1.5,2024-01-01\n2,2024-01-02\n');
  const dates = checkPipeline(pipeline('f.csv', 'day'), join(dir, 'f.narml'), cache).diagnostics;
  assert.ok(dates.some((d) => d.code === 'NML116' && /is a date/.test(d.message)), dates.map((d) => d.message).join(' | '));
  for (const engine of ['memory', 'duckdb'] as const) {
    await assert.rejects(membership(dir, 'f', 'id', engine), /holds 1.5, which is not a whole number/);
  }
});
