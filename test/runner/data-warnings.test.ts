// A run on quirky generated data (thousands separators, a few unparseable cells, a cast that
// cannot parse everything): figures are computed from the right numbers, and `narml run --json`
// carries every value that became missing as a warning with its count.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt } from '../helpers/ensure-built';
import { narml } from '../helpers/cli';

before(() => { ensureBuilt(); });

function workspace(): { dir: string; amounts: number[] } {
  const dir = mkdtempSync(join(tmpdir(), 'narml-quirky-'));
  const lines = ['id,amount,code,label'];
  const amounts: number[] = [];
  for (let i = 0; i < 200; i++) {
    const amount = ((i * 7919) % 400000) / 100 - 500;
    const bad = i === 11 || i === 97 || i === 150;
    if (!bad) amounts.push(amount);
    const written = bad ? 'err' : `"${amount.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}"`;
    const code = i % 25 === 0 ? 'n/a?' : String(i % 9);
    lines.push(`${i},${written},${code},${amount > 1000 ? 'high' : 'low'}`);
  }
  writeFileSync(join(dir, 'data.csv'), `${lines.join('\n')}\n`);
  writeFileSync(join(dir, 'p.narml'), `dataset d from "data.csv" {
  thousands: ","
  columns { code: text }
}

transform t from d {
  drop id
  cast code as number
  impute amount, code with median
}

split parts from t { train: 75%, test: 25%, seed: 3 }

model m from parts.train {
  target: label
  algorithm: logistic_regression
}

evaluate m on parts.test { metrics: [accuracy] }
`);
  return { dir, amounts };
}

test('run --json on quirky data: numbers with thousands separators are read exactly; cells read as missing and failed casts are warnings with counts', () => {
  const { dir, amounts } = workspace();
  const preview = narml(['preview', 'p.narml', 'd', '--json'], dir);
  assert.equal(preview.status, 0, preview.stderr);
  const amount = JSON.parse(preview.stdout).columns.find((c: { name: string }) => c.name === 'amount');
  assert.equal(amount.type, 'number');
  assert.equal(amount.missing, 3);
  assert.ok(Math.abs(amount.mean - amounts.reduce((s, v) => s + v, 0) / amounts.length) < 1e-9, `mean ${amount.mean}`);
  assert.equal(amount.min, Math.min(...amounts));
  assert.equal(amount.max, Math.max(...amounts));

  const out = narml(['run', 'p.narml', '--json'], dir);
  assert.equal(out.status, 0, out.stderr);
  const r = JSON.parse(out.stdout);
  assert.equal(r.status, 'succeeded');
  const checkWarnings: string[] = r.diagnostics.map((d: { code: string; severity: string; message: string }) => `${d.code} ${d.severity} ${d.message}`);
  assert.ok(checkWarnings.some((m) => m.startsWith('NML105 warning column "amount" of dataset "d": 3 of 200 values are not numbers (e.g. "err" on line 13 of data.csv)')), checkWarnings.join('\n'));
  const runWarnings: string[] = r.warnings;
  const cast = runWarnings.find((m) => /^cast "code" as number: \d+ of \d+ values could not be parsed \(e\.g\. "n\/a\?"\) and are missing/.test(m));
  assert.ok(cast, runWarnings.join('\n'));
  const [count, of] = /(\d+) of (\d+)/.exec(cast)!.slice(1).map(Number);
  assert.deepEqual([count, of], [8, 200], 'counted over every row the cast saw (before the split)');
});
