// One-row `narml predict` through the CLI, after a run stored the model (target: < 100 ms wall,
// of which < 1 ms scoring). Two pipelines: the penguins sample with a one-row prediction input,
// and the same pipeline naming also a 1M-row prediction input (another predict, which a
// one-row predict must not read). Wall times are medians of N runs, interleaved with the
// reference `node -e 0` (Node's own start-up) measured in the same run; the scoring time is
// measured in this process on the stored model. NARML_BENCH_CLI=path/to/cli.js measures another
// build; NARML_BENCH_BASE_CLI=path/to/cli.js measures one more build (e.g. the commit before a
// change) in the same loop, interleaved, for a before/after comparison under the same load.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelInfo } from '../server/src/checker/checked-model';
import { readCsv } from '../server/src/data/read-csv';
import { restoreModel } from '../server/src/ml/registry';
import type { SavedModel } from '../server/src/ml/model-types';
import { predictPrepared } from '../server/src/runner/scoring';
import { readRegistry } from '../server/src/store/registry';
import { RunStore } from '../server/src/store/run-store';
import type { FittedStep } from '../server/src/transforms/fitted-step';

const N = Number(process.env.NARML_BENCH_N ?? 9);
const BIG_ROWS = Number(process.env.NARML_BENCH_ROWS ?? 1_000_000);
const TARGET_MS = 100;
const root = join(__dirname, '..');
const cli = process.env.NARML_BENCH_CLI ?? join(root, 'dist', 'cli.js');
const baseCli = process.env.NARML_BENCH_BASE_CLI;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * The environment without NODE_EXTRA_CA_CERTS: where it is set (this machine sets it), Node 20 parses
 * that certificate bundle at every start (80 of node -e 0's 100 ms here), which a user's machine
 * seldom does; both figures are printed.
 */
const withoutExtraCerts = (() => {
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
})();

function wallMs(args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', env });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

/** The penguins sample with a one-row prediction input, its files dated a minute back (as data files are). */
function workspace(bigRows: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'narml-predict-cli-'));
  cpSync(join(root, 'samples', 'penguins'), dir, { recursive: true, filter: (src) => !/[\\/](\.narml|out|models)$/.test(src) });
  const rows = readFileSync(join(dir, 'data', 'new-penguins.csv'), 'utf8').trim().split('\n');
  writeFileSync(join(dir, 'data', 'one.csv'), `${rows[0]}\n${rows[1]}\n`);
  let text = `${readFileSync(join(dir, 'penguins.narml'), 'utf8')}\npredict one_row with species_forest from "data/one.csv" {\n  output: "out/one.csv"\n}\n`;
  const files = ['penguins.csv', 'new-penguins.csv', 'one.csv'];
  if (bigRows > 0) {
    const body = rows.slice(1);
    const lines = [rows[0]];
    for (let i = 0; i < bigRows; i++) lines.push(body[i % body.length]);
    writeFileSync(join(dir, 'data', 'big.csv'), `${lines.join('\n')}\n`);
    text += `\npredict archive with species_forest from "data/big.csv" {\n  output: "out/big.csv"\n}\n`;
    files.push('big.csv');
  }
  writeFileSync(join(dir, 'penguins.narml'), text);
  const past = new Date(Date.now() - 60_000);
  for (const f of files) utimesSync(join(dir, 'data', f), past, past);
  // Stores the model; the big input is not in this run's plan. Each build stores its own (a model is
  // reused only by the code that trained it).
  for (const c of baseCli ? [cli, baseCli] : [cli]) wallMs([c, 'run', 'penguins.narml', 'species_forest', 'one_row'], dir);
  return dir;
}

/**
 * Scoring one row in this process with the stored model and fitted steps, in microseconds: the
 * first call (as a CLI predict makes it: the model restored from its artifact, the forest's flat
 * layout built) and the median of 200 more.
 */
async function scoringMicros(dir: string): Promise<{ first: number; warm: number }> {
  const file = join(dir, 'penguins.narml');
  const version = readRegistry(file).versions.find((m) => m.model === 'species_forest')!;
  const artifact = RunStore.lookup(file).getArtifact<{ saved: SavedModel; steps: FittedStep[] }>(version.artifact)!;
  const table = await readCsv(join(dir, 'data', 'one.csv'), { delimiter: ',', header: true, encoding: 'utf8', missing: ['', 'NA', '.'], columnTypes: {} });
  const t0 = performance.now();
  const model = restoreModel(artifact.saved);
  const info = { kind: 'model', name: 'species_forest', task: 'classification', classes: model.classes } as ModelInfo;
  const tm = { info, steps: artifact.steps, model, trainRows: 0, options: {} };
  predictPrepared(tm, table, 'predict');
  const first = (performance.now() - t0) * 1000;
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t1 = performance.now();
    predictPrepared(tm, table, 'predict');
    times.push((performance.now() - t1) * 1000);
  }
  return { first, warm: median(times) };
}

async function main(): Promise<void> {
  const small = workspace(0);
  const big = workspace(BIG_ROWS);
  const node0: number[] = [];
  const oneSmall: number[] = [];
  const oneBig: number[] = [];
  const predict = [cli, 'predict', 'penguins.narml', 'one_row'];
  const extraCerts = process.env.NODE_EXTRA_CA_CERTS !== undefined;
  const node0Plain: number[] = [];
  const oneSmallPlain: number[] = [];
  const base = { small: [] as number[], big: [] as number[], smallPlain: [] as number[] };
  const basePredict = baseCli ? [baseCli, ...predict.slice(1)] : [];
  for (let i = 0; i < N; i++) {
    node0.push(wallMs(['-e', '0'], small));
    oneSmall.push(wallMs(predict, small));
    oneBig.push(wallMs(predict, big));
    if (baseCli) {
      base.small.push(wallMs(basePredict, small));
      base.big.push(wallMs(basePredict, big));
    }
    if (extraCerts) {
      node0Plain.push(wallMs(['-e', '0'], small, withoutExtraCerts));
      oneSmallPlain.push(wallMs(predict, small, withoutExtraCerts));
      if (baseCli) base.smallPlain.push(wallMs(basePredict, small, withoutExtraCerts));
    }
  }
  const lineFor = (ref: number) => (name: string, ms: number): string => `${name.padEnd(44)} ${ms.toFixed(0).padStart(6)} ms  ${(ms / ref).toFixed(2)}x node start, ${(ms / TARGET_MS).toFixed(2)}x the ${TARGET_MS} ms target, ${(ms - ref).toFixed(0)} ms over node start`;
  const ref = median(node0);
  const line = lineFor(ref);
  console.log(`cli: ${cli}; median of ${N}`);
  console.log(`${'node -e 0 (reference)'.padEnd(44)} ${ref.toFixed(0).padStart(6)} ms`);
  console.log(line('predict one row (penguins)', median(oneSmall)));
  console.log(line(`predict one row (pipeline names ${BIG_ROWS} rows)`, median(oneBig)));
  if (baseCli) {
    console.log(`base: ${baseCli}`);
    console.log(line('base: predict one row (penguins)', median(base.small)));
    console.log(line(`base: predict one row (names ${BIG_ROWS} rows)`, median(base.big)));
  }
  if (extraCerts) {
    const plain = median(node0Plain);
    console.log(`without NODE_EXTRA_CA_CERTS (set here: Node parses ${process.env.NODE_EXTRA_CA_CERTS} at every start):`);
    console.log(`${'node -e 0 (reference)'.padEnd(44)} ${plain.toFixed(0).padStart(6)} ms`);
    console.log(lineFor(plain)('predict one row (penguins)', median(oneSmallPlain)));
    if (baseCli) console.log(lineFor(plain)('base: predict one row (penguins)', median(base.smallPlain)));
  }
  const scoring = await scoringMicros(small);
  console.log(`scoring one row (stored forest of 200 trees): first call ${scoring.first.toFixed(0)} µs (restore + flat layout), then ${scoring.warm.toFixed(1)} µs (median of 200)`);
  rmSync(small, { recursive: true, force: true });
  rmSync(big, { recursive: true, force: true });
}

void main();
