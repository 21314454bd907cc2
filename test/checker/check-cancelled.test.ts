// A check with full schemas stops reading once its cancel signal is raised (SIGINT while
// `narml run` checks a large file), and reads every file in full otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkWithFullSchemas } from '../../server/src/checker/check-files';
import { CsvSchemaCache } from '../../server/src/data/csv-schema-cache';

const dir = mkdtempSync(join(tmpdir(), 'narml-check-cancel-'));
const csv = join(dir, 'rows.csv');
// More rows than the schema sample takes, so only a full read completes the schema.
writeFileSync(csv, `a,b\n${Array.from({ length: 20_000 }, (_, i) => `${i},${i % 7}`).join('\n')}\n`);
const text = 'dataset rows from "rows.csv"\n';
const file = join(dir, 'p.narml');

test('a raised signal stops the full read; without it the schema is read in full', async () => {
  const cancelled = await checkWithFullSchemas(text, file, new CsvSchemaCache(), {}, { aborted: true });
  const sampled = cancelled.infos.find((i) => i?.kind === 'dataset');
  assert.equal(sampled?.kind === 'dataset' && sampled.schemaComplete, false, 'the file was not read in full');
  const full = (await checkWithFullSchemas(text, file, new CsvSchemaCache())).infos.find((i) => i?.kind === 'dataset');
  assert.equal(full?.kind === 'dataset' && full.schemaComplete, true);
});
