// Drift values against scipy (test/ml/reference/drift_reference.py writes drift_expected.json):
// real fixture columns split into a baseline and a current row group, read here the same way
// (text cells, "" and "NA" missing), compared to 1e-9.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { categoryDrift, numericDrift, type DriftMethod } from '../../server/src/ml/drift';

interface Case { file: string; column: string; kind: 'number' | 'category'; group: string; baseline: string; current: string; expected: Partial<Record<DriftMethod, number>> }
const cases = JSON.parse(readFileSync(join(__dirname, 'reference', 'drift_expected.json'), 'utf8')) as Record<string, Case>;

/** The column's cells in the rows of `group` (exact, or a prefix before "-": a year of a date). */
function cells(c: Case, group: string): string[] {
  // The fixtures used here quote no cell, so a comma always separates.
  const [header, ...rows] = readFileSync(join(__dirname, '..', 'fixtures', c.file), 'utf8').trim().split('\n').map((l) => l.split(','));
  const col = header.indexOf(c.column), g = header.indexOf(c.group);
  return rows.filter((r) => r[g] === group || r[g].startsWith(`${group}-`)).map((r) => r[col]).filter((v) => v !== '' && v !== 'NA');
}

function asLevels(values: string[]): { levels: string[]; codes: Int32Array } {
  const levels = [...new Set(values)];
  return { levels, codes: Int32Array.from(values, (v) => levels.indexOf(v)) };
}

for (const [name, c] of Object.entries(cases)) {
  test(`drift of ${name} (${c.column}: ${c.baseline} vs ${c.current}) matches scipy`, () => {
    const a = cells(c, c.baseline), b = cells(c, c.current);
    for (const [method, want] of Object.entries(c.expected) as [DriftMethod, number][]) {
      const got = c.kind === 'number'
        ? numericDrift(method, Float64Array.from(a, Number), Float64Array.from(b, Number))
        : categoryDrift(method, asLevels(a), asLevels(b));
      assert.ok(got !== undefined && Math.abs(got - want) <= 1e-9, `${name} ${method}: ${got} vs scipy ${want}`);
    }
  });
}

test('a level unseen in the baseline counts as drift; ordered-number methods skip categories', () => {
  const base = asLevels(['a', 'a', 'b', 'b']);
  assert.equal(categoryDrift('js', base, asLevels(['a', 'b', 'a', 'b'])), 0);
  assert.ok(categoryDrift('js', base, asLevels(['a', 'b', 'c', 'c']))! > 0.3);
  assert.equal(categoryDrift('wasserstein', base, base), undefined);
  assert.equal(categoryDrift('ks', base, base), undefined);
});

test('identical samples do not drift; an empty side gives 0', () => {
  const v = Float64Array.from({ length: 50 }, (_, i) => Math.sin(i));
  for (const m of ['psi', 'ks', 'kl', 'js', 'wasserstein'] as DriftMethod[]) {
    assert.ok(Math.abs(numericDrift(m, v, v)) < 1e-12, m);
    assert.equal(numericDrift(m, v, new Float64Array(0)), 0, m);
  }
});
