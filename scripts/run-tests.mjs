// Runs every test file under test/ (except the e2e host) with node's test runner and
// ends with the plain closing line "N passed, N failed" that CI reads.
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(process.argv[2] ?? 'test');
const skip = new Set(['host', 'node_modules', '.tmp', 'screenshots', 'fixtures']);

function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    if (skip.has(name)) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...collect(p));
    else if (name.endsWith('.test.ts') || name.endsWith('.test.mjs')) out.push(p);
  }
  return out;
}

const only = process.env.NARML_TEST_FILTER;
const files = collect(root).filter((f) => !only || f.includes(only)).sort();
// An absolute URL, so processes the tests spawn in other folders still find tsx.
process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --import ${import.meta.resolve('tsx')}`.trim();

let passed = 0;
let failed = 0;
const stream = run({ files, concurrency: 2, timeout: 20 * 60 * 1000 });
stream.on('test:pass', (e) => { if (e.details?.type !== 'suite' && e.file) passed++; });
stream.on('test:fail', (e) => { if (e.details?.type !== 'suite' && e.file) failed++; });
stream.compose(spec).pipe(process.stdout);
stream.on('end', () => {
  if (files.length === 0) failed++;
  console.log(`\n${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 ? 1 : 0;
});
