// Predictions write every input column as it was: 19-digit ids came back rounded to a double
// ("1234567890123456789" as "1234567890123456800"), and ids 7 apart became one.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt } from '../helpers/ensure-built';
import { narml, root } from '../helpers/cli';

before(() => { ensureBuilt(); });

test('a predict keeps 19-digit ids digit for digit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'narml-ids-'));
  cpSync(join(root, 'test', 'fixtures', 'pipelines', 'data'), join(dir, 'data'), { recursive: true });
  cpSync(join(root, 'test', 'fixtures', 'pipelines', 'quirky', 'long-ids.narml'), join(dir, 'quirky', 'long-ids.narml'));
  const run = narml(['run', 'long-ids.narml', '--json'], join(dir, 'quirky'));
  assert.equal(run.status, 0, run.stderr + run.stdout);
  const ids = (text: string): string[] => text.trim().split('\n').slice(1).map((l) => l.split(',')[0]);
  const written = ids(readFileSync(join(dir, 'quirky', 'out', 'transactions-scored.csv'), 'utf8'));
  const read = ids(readFileSync(join(dir, 'data', 'transactions.csv'), 'utf8'));
  assert.deepEqual(written, read);
  assert.equal(new Set(written).size, 100);
});
