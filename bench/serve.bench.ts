// `narml serve`: latency of one-row prediction requests over one keep-alive connection on
// loopback (target: p95 < 5 ms), the penguins sample's 200-tree forest. The reference, measured
// in the same run and interleaved request by request, is an empty `GET /health` on the same
// connection: what HTTP and the two processes cost without parsing rows or scoring.
// NARML_BENCH_N requests of each kind (default 2000) after 200 of warm-up.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const N = Number(process.env.NARML_BENCH_N ?? 2000);
const TARGET_P95_MS = 5;
const root = join(__dirname, '..');
const cli = join(root, 'dist', 'cli.js');
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function send(url: URL, method: string, body?: string): Promise<number> {
  return new Promise((done, fail) => {
    const t0 = performance.now();
    const req = request(url, { method, agent, headers: body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {} }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? done(performance.now() - t0) : fail(new Error(`${method} ${url.pathname}: ${res.statusCode}`))));
    });
    req.on('error', fail);
    req.end(body);
  });
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'narml-serve-bench-'));
  cpSync(join(root, 'samples', 'penguins'), dir, { recursive: true, filter: (src) => !/[\\/](\.narml|out|models)$/.test(src) });
  const trained = spawnSync(process.execPath, [cli, 'run', 'penguins.narml', 'species_forest'], { cwd: dir, encoding: 'utf8' });
  if (trained.status !== 0) throw new Error(trained.stderr);
  const child = spawn(process.execPath, [cli, 'serve', 'penguins.narml', 'species_forest', '--port', '0', '--json'], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
  const first = await new Promise<string>((done) => createInterface({ input: child.stdout! }).once('line', done));
  const base = (JSON.parse(first) as { url: string }).url;
  const [header, row] = readFileSync(join(dir, 'data', 'new-penguins.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
  const body = JSON.stringify(Object.fromEntries(header.map((h, i) => [h, Number.isNaN(Number(row[i])) ? row[i] : Number(row[i])])));
  const predictUrl = new URL(`${base}/predict/species_forest`);
  const healthUrl = new URL(`${base}/health`);
  for (let i = 0; i < 200; i++) { await send(healthUrl, 'GET'); await send(predictUrl, 'POST', body); }
  const health: number[] = [];
  const predict: number[] = [];
  for (let i = 0; i < N; i++) {
    health.push(await send(healthUrl, 'GET'));
    predict.push(await send(predictUrl, 'POST', body));
  }
  child.kill('SIGTERM');
  agent.destroy();
  const p = (xs: number[], q: number): string => quantile(xs, q).toFixed(3);
  console.log(`one-row POST /predict/species_forest (200-tree forest), ${N} requests, one keep-alive connection on loopback:`);
  console.log(`  reference GET /health   p50 ${p(health, 0.5)} ms  p95 ${p(health, 0.95)} ms  p99 ${p(health, 0.99)} ms`);
  console.log(`  predict one row         p50 ${p(predict, 0.5)} ms  p95 ${p(predict, 0.95)} ms  p99 ${p(predict, 0.99)} ms`);
  console.log(`  ratio to the reference  p50 ${(quantile(predict, 0.5) / quantile(health, 0.5)).toFixed(2)}x  p95 ${(quantile(predict, 0.95) / quantile(health, 0.95)).toFixed(2)}x`);
  console.log(`  target p95 < ${TARGET_P95_MS} ms: ${quantile(predict, 0.95) < TARGET_P95_MS ? 'met' : 'not met'} in this run (load average ${(await import('node:os')).loadavg()[0].toFixed(1)})`);
}

void main();
