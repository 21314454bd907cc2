// In the editor, Parquet files other than datasets are read too: a prediction source's and an
// `actuals:` label file's schema is read through DuckDB after the first check (which waits for it
// without an error), and the file is checked again against it.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DUCKDB } from '../../server/src/engine/duckdb-dialect';
import { DuckDbEngine } from '../../server/src/engine/duckdb-engine';
import { ensureBuilt } from '../helpers/ensure-built';
import { LspClient } from './lsp-client';

type Json = Record<string, unknown>;
const clients: LspClient[] = [];
after(async () => {
  for (const c of clients) await c.close();
});

test('Parquet label files and prediction sources are read in the background: their missing columns become diagnostics', async () => {
  ensureBuilt();
  const fixture = join(__dirname, '..', 'fixtures', 'monitor-days');
  const dir = mkdtempSync(join(tmpdir(), 'narml-lsp-parquet-'));
  cpSync(join(fixture, 'data'), join(dir, 'data'), { recursive: true });
  mkdirSync(join(dir, 'inbox'));
  mkdirSync(join(dir, 'arrived'));
  const engine = new DuckDbEngine();
  try {
    const copy = async (from: string, to: string, select = '*'): Promise<void> => { await engine.rows(`COPY (SELECT ${select} FROM read_csv(${DUCKDB.string(from)}, header = true, sample_size = -1)) TO ${DUCKDB.string(to)} (FORMAT parquet)`); };
    await copy(join(fixture, 'labels', 'day1.csv'), join(dir, 'arrived', 'day1.parquet'));
    // The day's inputs without the `scored_on` column that `time:` names.
    await copy(join(fixture, 'incoming', 'day1.csv'), join(dir, 'inbox', 'day1.parquet'), '* EXCLUDE (scored_on)');
  } finally {
    await engine.close();
  }
  const text = `engine: duckdb\n${readFileSync(join(fixture, 'monitor-days.narml'), 'utf8').replace('"arrived/*.csv" on id', '"arrived/*.parquet" on label_id').replace('"inbox/*.csv"', '"inbox/*.parquet"')}`;
  assert.ok(text.includes('on label_id') && text.includes('"inbox/*.parquet"'));
  const client = new LspClient({ debounceMs: 10 });
  clients.push(client);
  await client.initialize(pathToFileURL(dir).href);
  const uri = pathToFileURL(join(dir, 'p.narml')).href;
  const codes = (d: Json[]): string[] => d.map((x) => String(x.code)).sort();
  const messages = (d: Json[], code: string): string[] => d.filter((x) => x.code === code).map((x) => String(x.message));
  const read = client.diagnostics(uri, (d) => messages(d, 'NML151').some((m) => m.includes('not in the actuals')) && codes(d).includes('NML153'), 60_000);
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'narml', version: 1, text } });
  const d = await read;
  // Both files were read: the label files lack the key, and so does the prediction source (its columns are listed).
  assert.ok(messages(d, 'NML151').some((m) => /key column "label_id" is not in the actuals "arrived\/\*\.parquet"; they hold id, diagnosis/.test(m)), JSON.stringify(d));
  assert.ok(messages(d, 'NML151').some((m) => /key column "label_id" is not in the input of "daily".*\(it has id, mean_radius/.test(m)), JSON.stringify(d));
  assert.match(String(d.find((x) => x.code === 'NML153')!.message), /time column "scored_on" is not in/);
  assert.ok(!codes(d).includes('NML104'), JSON.stringify(d));
});
