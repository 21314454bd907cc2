// How closely `tune: random(budget: B)` keeps to B: a random forest's 3-fold search over 60
// combinations of seattle-weather (far more than any budget here lets run), through `narml run`,
// three times per budget. Prints the search's own elapsed time (from the run's JSON) as a ratio
// to the budget (target: ≤ 1.10; below 1 by up to one trial, as no trial starts that the longest
// so far says would end past the budget), the trials that ran, and the longest trial's share of
// the budget (the most the rule can leave unused). Needs `npm run build` first.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunJson } from '../server/src/contracts/cli-json';

const root = join(__dirname, '..');
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

for (const seconds of [2, 5, 10]) {
  const ratios: number[] = [];
  const ran: number[] = [];
  const longest: number[] = [];
  for (let rep = 0; rep < 3; rep++) {
    const dir = mkdtempSync(join(tmpdir(), 'narml-budget-bench-'));
    copyFileSync(join(root, 'test', 'fixtures', 'data', 'seattle-weather.csv'), join(dir, 'w.csv'));
    writeFileSync(join(dir, 'p.narml'), `dataset w from "w.csv"
transform t from w { drop date }
model m from t {
  target: weather
  algorithm: random_forest
  tune: random(trials: 60, budget: ${seconds}s) { trees: [20, 40, 60], max_depth: [0, 4, 8, 12], min_samples_leaf: [1, 2, 5, 10, 20] }
  cv: 3
}
`);
    const r = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), 'run', 'p.narml', '--json'], { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    const m = (JSON.parse(r.stdout) as RunJson).models.m;
    const b = m.budgets![0];
    ratios.push(b.elapsedMs / b.budgetMs);
    ran.push(b.ran);
    longest.push(Math.max(...m.trials!.map((t) => t.ms)) / b.budgetMs);
  }
  console.log(`budget ${seconds}s: elapsed/budget median ${median(ratios).toFixed(3)} (${ratios.map((x) => x.toFixed(3)).join(', ')}), trials ${ran.join(', ')} of 60, longest trial ${(median(longest) * 100).toFixed(0)} % of the budget`);
}
