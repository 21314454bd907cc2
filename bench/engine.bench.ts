// The engines on one large pipeline (impute, encode, scale, split, gradient boosting, evaluate,
// predict every row): wall time and peak RSS (process.resourceUsage().maxRSS: the whole process,
// DuckDB's native memory and the worker threads included) of a run through DuckDB, against the
// memory engine on the same file in the same run. Each run is its own child process, so each
// peak is that run's alone; the peak is printed after the check (which reads the whole file to
// type it) and at the end. The file is generated once per row count into the OS temp folder and
// reused by later runs (never committed).
//   node scripts/run-bench.mjs engine                      # 1,000,000 rows × 20 columns
//   NARML_ENGINE_ROWS=10000000 node scripts/run-bench.mjs engine
//   NARML_ENGINE_MEMORY=0 ...                              # DuckDB only (the memory engine at 10M rows needs several GB)
//   NARML_ENGINE_TRACE=1 ...                               # RSS and peak at each stage of each run
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProgressEvent } from '../server/src/contracts/cli-json';
import { createRng } from '../server/src/ml/random';

const NUMBERS = 14;

function generate(file: string, rows: number): void {
  const rng = createRng(7);
  const fd = openSync(file, 'w');
  const header = ['id', ...Array.from({ length: NUMBERS }, (_, i) => `n${i}`), 'c0', 'c1', 'c2', 'flag', 'label'];
  writeSync(fd, `${header.join(',')}\n`);
  let block: string[] = [];
  for (let r = 0; r < rows; r++) {
    const cells: string[] = [String(r)];
    let signal = 0;
    for (let i = 0; i < NUMBERS; i++) {
      const v = rng.next() * 10 - 5;
      if (i < 3) signal += v;
      cells.push(i < 4 && rng.next() < 0.05 ? '' : v.toFixed(3));
    }
    cells.push(rng.next() < 0.03 ? '' : `g${rng.int(6)}`, `h${rng.int(12)}`, r % 100_000 === 0 ? 'rare' : `k${rng.int(3)}`, rng.next() < 0.5 ? 'true' : 'false');
    cells.push(signal + rng.next() * 4 > 0 ? 'yes' : 'no');
    block.push(cells.join(','));
    if (block.length === 50_000) { writeSync(fd, `${block.join('\n')}\n`); block = []; }
  }
  if (block.length) writeSync(fd, `${block.join('\n')}\n`);
  closeSync(fd);
}

const PIPELINE = `
dataset big from "big.csv"
transform prepared from big {
  drop id
  impute n0, n1, n2, n3 with median
  impute c0 with mode
  encode c0, c1, c2, flag as onehot
  scale ${Array.from({ length: NUMBERS }, (_, i) => `n${i}`).join(', ')} with standard
}
split parts from prepared { train: 80%, test: 20%, seed: 1 }
model boosted from parts.train {
  target: label
  algorithm: gradient_boosting(rounds: 20, learning_rate: 0.2, max_depth: 3)
}
evaluate boosted on parts.test { metrics: [accuracy, roc_auc] }
predict everyone with boosted from "big.csv" { output: "out/predictions.csv" }
`;

interface ChildResult { engine: string; status: string; error?: string; ms: number; checkMs: number; checkRssMb: number; maxRssMb: number; runPeakMb?: number; metrics: Record<string, number> }

/**
 * The run's own peak: Linux resets the process's high-water mark (VmHWM) when 5 is written to
 * /proc/self/clear_refs, so the check's peak (it reads the whole file with the CSV reader to type
 * it) and the run's are told apart. Undefined elsewhere.
 */
function resetPeak(): boolean {
  // The check's table is garbage by now: collected first, so the mark restarts from what the run holds.
  (globalThis as { gc?: () => void }).gc?.();
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

function peakSinceResetMb(): number | undefined {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : undefined;
}

async function child(engine: 'memory' | 'duckdb', dir: string): Promise<void> {
  const { checkWithFullSchemas } = await import('../server/src/checker/check-files');
  const { runPipeline } = await import('../server/src/runner/run-pipeline');
  const file = join(dir, 'big.narml');
  const t = performance.now();
  const checked = await checkWithFullSchemas(readFileSync(file, 'utf8'), file);
  const checkMs = performance.now() - t;
  const checkRssMb = process.resourceUsage().maxRSS / 1024;
  const reset = resetPeak();
  // Where the peak is: the process's RSS and peak so far at each stage event, on stderr.
  const stages = (e: ProgressEvent): void => {
    if (e.type !== 'stage' || (e.fraction !== 0 && e.fraction !== 1)) return;
    process.stderr.write(`  ${((performance.now() - t) / 1000).toFixed(1).padStart(6)} s ${e.stage} ${e.declaration} ${e.fraction === 0 ? 'starts' : 'ends'}: RSS ${(process.memoryUsage.rss() / 2 ** 20).toFixed(0)} MB, peak ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB\n`);
  };
  const run = await runPipeline(checked, { engine, onEvent: stages });
  const result: ChildResult = {
    engine, status: run.status, ...(run.error ? { error: run.error } : {}), ms: performance.now() - t, checkMs, checkRssMb,
    maxRssMb: process.resourceUsage().maxRSS / 1024, ...(reset ? { runPeakMb: peakSinceResetMb() } : {}), metrics: Object.values(run.evaluations)[0]?.metrics ?? {},
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') return child(process.argv[3] as 'memory' | 'duckdb', process.argv[4]);
  const rows = Number(process.env.NARML_ENGINE_ROWS ?? 1_000_000);
  const withMemory = process.env.NARML_ENGINE_MEMORY !== '0';
  // Generated once per row count (10M rows take minutes), renamed into place when complete.
  const dir = join(tmpdir(), `narml-bench-engine-${rows}`);
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, 'big.csv'))) {
    const g = performance.now();
    generate(join(dir, 'big.csv.part'), rows);
    renameSync(join(dir, 'big.csv.part'), join(dir, 'big.csv'));
    console.log(`${rows.toLocaleString('en')} rows × 20 columns generated in ${((performance.now() - g) / 1000).toFixed(1)} s (${dir})`);
  } else console.log(`${rows.toLocaleString('en')} rows × 20 columns from ${dir}`);
  writeFileSync(join(dir, 'big.narml'), PIPELINE);
  const results: ChildResult[] = [];
  for (const engine of withMemory ? ['memory', 'duckdb'] : ['duckdb']) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', __filename, '--child', engine, dir], { encoding: 'utf8', maxBuffer: 1 << 26 });
    const line = r.stdout.trim().split('\n').pop() ?? '';
    if (process.env.NARML_ENGINE_TRACE === '1') process.stdout.write(r.stderr);
    if (r.status !== 0 || !line.startsWith('{')) { console.log(`${engine}: exited ${r.status}${r.signal ? ` (${r.signal})` : ''}: ${r.stderr.slice(-2000)}`); continue; }
    const res = JSON.parse(line) as ChildResult;
    results.push(res);
    console.log(`${engine.padEnd(7)} ${res.status}${res.error ? ` (${res.error})` : ''}: ${(res.ms / 1000).toFixed(1)} s (check ${(res.checkMs / 1000).toFixed(1)} s), peak RSS ${res.maxRssMb.toFixed(0)} MB (${res.checkRssMb.toFixed(0)} MB after the check${res.runPeakMb ? `, ${res.runPeakMb.toFixed(0)} MB in the run after it` : ''}), accuracy ${res.metrics.accuracy?.toFixed(6)}, roc_auc ${res.metrics.roc_auc?.toFixed(6)}`);
  }
  const [m, d] = [results.find((r) => r.engine === 'memory'), results.find((r) => r.engine === 'duckdb')];
  if (m && d) console.log(`duckdb / memory: time ${(d.ms / m.ms).toFixed(2)}×, peak RSS ${(d.maxRssMb / m.maxRssMb).toFixed(2)}×; metrics equal: ${JSON.stringify(m.metrics) === JSON.stringify(d.metrics)}`);
  if (d) console.log(`target: peak RSS under 1,536 MB at 10M rows: ${d.maxRssMb < 1536 ? 'met' : 'NOT met'} at ${rows.toLocaleString('en')} rows`);
}

main().catch((e) => { console.error(e); process.exit(1); });
