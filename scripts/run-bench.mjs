// Runs every benchmark in bench/ (files named *.bench.ts), one after another so they do not
// compete for the two cores, and prints each one's report. Benchmarks never fail the build:
// they print figures and ratios against references measured in the same run.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const only = process.argv[2];
const files = readdirSync('bench').filter((f) => f.endsWith('.bench.ts') && (!only || f.includes(only))).sort();
for (const f of files) {
  console.log(`\n=== ${f} ===`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', `bench/${f}`], { stdio: 'inherit' });
  if (r.status !== 0) console.log(`(${f} exited with ${r.status})`);
}
