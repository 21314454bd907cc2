// CSV load of 1M rows × 20 columns (numbers, categories, booleans, dates, some missing) with
// NarML's reader, in one thread and on worker threads, vs pandas.read_csv on the same file, and
// NarML's peak RSS. Each is run three times and the median printed; CPU time (of all threads)
// is printed beside the wall clock, which a machine shared with other work disturbs far more.
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { readCsv } from '../server/src/data/read-csv';
import { DEFAULT_CSV_OPTIONS } from '../server/src/data/csv-options';
import { createRng } from '../server/src/ml/random';

const ROWS = Number(process.env.ROWS ?? 1_000_000);

async function generate(path: string): Promise<void> {
  if (existsSync(path)) return;
  const rng = createRng(1);
  const out = createWriteStream(path);
  const header = [...Array.from({ length: 12 }, (_, i) => `x${i}`), 'cat_a', 'cat_b', 'cat_c', 'flag', 'flag2', 'day', 'score', 'label'];
  out.write(`${header.join(',')}\n`);
  const cats = ['north', 'south', 'east', 'west', 'centre'];
  let buf = '';
  for (let r = 0; r < ROWS; r++) {
    const cells: string[] = [];
    for (let i = 0; i < 12; i++) cells.push(rng.next() < 0.01 ? '' : (rng.next() * 1000 - 500).toFixed(4));
    cells.push(cats[rng.int(5)], `k${rng.int(12)}`, rng.next() < 0.02 ? 'NA' : cats[rng.int(3)]);
    cells.push(rng.next() < 0.5 ? 'true' : 'false', String(rng.int(2)));
    cells.push(`2024-${String(1 + rng.int(12)).padStart(2, '0')}-${String(1 + rng.int(28)).padStart(2, '0')}`);
    cells.push(String(rng.int(100000)), rng.next() < 0.3 ? 'yes' : 'no');
    buf += `${cells.join(',')}\n`;
    if (buf.length > 1 << 20) { if (!out.write(buf)) await new Promise<void>((r) => out.once('drain', () => r())); buf = ''; }
  }
  out.end(buf);
  await new Promise<void>((r) => out.on('finish', () => r()));
}

async function main(): Promise<void> {
  const dir = join(__dirname, '.tmp');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `load-${ROWS}.csv`);
  await generate(file);
  const mb = statSync(file).size / 1e6;
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 20);
  let types = '';
  const measure = async (workers: number): Promise<{ wall: number; cpu: number }> => {
    const runs: { wall: number; cpu: number }[] = [];
    for (let k = 0; k < 3; k++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const table = await readCsv(file, DEFAULT_CSV_OPTIONS, { workers });
      const c = process.cpuUsage(c0);
      runs.push({ wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 });
      types = table.columns.map((col) => col.type).join(' ');
      global.gc?.();
    }
    return runs.sort((a, b) => a.wall - b.wall)[1];
  };
  const one = await measure(1);
  const workers = availableParallelism();
  const many = await measure(workers);
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  console.log(`file: ${ROWS.toLocaleString()} rows × 20 columns, ${mb.toFixed(0)} MB; types: ${types}`);
  console.log(`narml readCsv, one thread: ${one.wall.toFixed(2)} s (${(mb / one.wall).toFixed(0)} MB/s), CPU ${one.cpu.toFixed(2)} s`);
  console.log(`narml readCsv, ${workers} worker threads: ${many.wall.toFixed(2)} s (${(mb / many.wall).toFixed(0)} MB/s), CPU ${many.cpu.toFixed(2)} s; peak RSS ${(peak / 1e6).toFixed(0)} MB`);
  const py = spawnSync('/usr/bin/python3', ['-c', `import time, pandas as pd\nr=[]\nfor _ in range(3):\n  t=time.perf_counter(); c=time.process_time(); d=pd.read_csv(${JSON.stringify(file)}); r.append((time.perf_counter()-t, time.process_time()-c))\nr.sort()\nprint(r[1][0], r[1][1])`], { encoding: 'utf8' });
  if (py.status !== 0) { console.log(`pandas: not available (${py.stderr.trim().split('\n').pop()}); install python3-pandas to compare`); return; }
  const [wall, cpu] = py.stdout.trim().split(' ').map(Number);
  console.log(`pandas.read_csv: ${wall.toFixed(2)} s, CPU ${cpu.toFixed(2)} s`);
  console.log(`ratio narml/pandas (target ≤ 1×): wall ${(one.wall / wall).toFixed(2)}× in one thread, ${(many.wall / wall).toFixed(2)}× on ${workers} threads; CPU ${(one.cpu / cpu).toFixed(2)}× in one thread`);
}

void main();
