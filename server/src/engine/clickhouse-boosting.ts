// Gradient boosting trained inside ClickHouse: the training rows never leave the server. The
// features (the fitted steps compiled to SQL) are binned by SQL with the memory path's edges
// (histogram-binning.ts: the same order statistics and midpoints, chosen here from what the
// server returns), the bins, the target and the current margins are kept in a temporary table,
// and each level of a tree is ONE `GROUP BY node, feature, bin` query whose gradient and hessian
// sums go to the memory path's split search (gradient-boosting.ts growTreeByLevels). After each
// round the margins are updated by an INSERT … SELECT into a fresh table (the old one dropped).
// What comes back: row counts, per-feature order statistics, histograms, nothing per row.
import { baseMargins, boostOptions, growTreeByLevels, linkOf, outputsOf, FEATURE_WORDS, STRIDE, type Binning, type LevelNode, type PathStep } from '../ml/gradient-boosting';
import { MISSING_BIN } from '../ml/histogram-binning';
import { normalise, treeEnsembleModel } from '../ml/decision-tree';
import { throwIfCancelled, type CancelSignal } from '../ml/cancellation';
import type { AlgorithmOptions, FittedModel, TreeParams } from '../ml/model-types';
import type { TreeEnsembleParams } from '../ml/tree-ensemble';
import { execute, queryBytes, queryFloat64, queryRows, sqlName, sqlString, type ClickHouseConnection } from './clickhouse-http';
import { f64 } from './clickhouse-scoring';

const MAX_BINS = 255;
/** Values after a quantile position read to find the next distinct value above it. */
const NEAR = 4;

export interface ClusterBoosting {
  /** What the training rows are read from: a table or a parenthesised subquery of the server. */
  source: string;
  /** The database (quoted) where the temporary tables are made. */
  database: string;
  /** The features as numeric SQL over `source` (NaN for missing), in the model's order. */
  features: { name: string; sql: string }[];
  /** The target: the SQL of its value (a number, or a text compared with the classes) and the task. */
  target: { sql: string; task: 'classification' | 'regression'; classes?: string[] };
  options: AlgorithmOptions;
  signal?: CancelSignal;
  onProgress?: (fraction: number) => void;
}

let made = 0;

/** Trains gradient boosting on the server; returns the model and how many rows it was trained on. */
export async function boostInCluster(conn: ClickHouseConnection, spec: ClusterBoosting): Promise<{ model: FittedModel; trainRows: number }> {
  const temp = (): string => `${spec.database}.${sqlName(`__narml_gb_${process.pid}_${Date.now().toString(36)}_${made++}`)}`;
  const live = new Set<string>();
  const create = async (sql: (name: string) => string): Promise<string> => {
    const name = temp();
    live.add(name);
    await execute(conn, sql(name));
    return name;
  };
  const drop = async (name: string): Promise<void> => {
    await execute(conn, `DROP TABLE IF EXISTS ${name}`);
    live.delete(name);
  };
  try {
    return await train(conn, spec, create, drop);
  } finally {
    // Also after a failure or a cancellation: a connection without the run's signal.
    const { signal: _cancelled, ...cleanup } = conn;
    for (const name of live) await execute(cleanup, `DROP TABLE IF EXISTS ${name}`).catch(() => undefined);
  }
}

async function train(
  conn: ClickHouseConnection, spec: ClusterBoosting, create: (sql: (name: string) => string) => Promise<string>, drop: (name: string) => Promise<void>,
): Promise<{ model: FittedModel; trainRows: number }> {
  const { target, features, signal } = spec;
  const p = features.length;
  const K = outputsOf(target);
  const classes = target.classes ?? [];
  // The target as the memory path holds it: the class's index (-1 unknown or missing) or the number (NaN missing).
  const y = target.task === 'classification'
    ? `toFloat64(indexOf([${classes.map(sqlString).join(', ')}], ifNull(toString(${target.sql}), '')) - 1)`
    : `ifNull(toFloat64(${target.sql}), nan)`;
  const usable = target.task === 'classification' ? '__y >= 0' : 'NOT isNaN(__y)';
  const xs = features.map((_, j) => `__x${j}`);
  const values = await create((t) => `CREATE TABLE ${t} ENGINE = MergeTree() ORDER BY tuple() AS SELECT * FROM (SELECT ${features.map((f, j) => `toFloat64(${f.sql}) AS ${xs[j]}`).join(', ')}${p > 0 ? ', ' : ''}${y} AS __y FROM ${spec.source}) WHERE ${usable}`);
  const [[rowsText, ...sumsText]] = await queryRows(conn, `SELECT count(), ${target.task === 'regression' ? 'sum(__y)' : classes.map((_, c) => `countIf(__y = ${c})`).join(', ')} FROM ${values}`);
  const n = Number(rowsText);
  if (n === 0) throw new Error('no training rows left (every row lacks the target)');
  const sums = sumsText.map(Number);
  const base = baseMargins(target, sums, target.task === 'regression' ? n : sums.reduce((a, b) => a + b, 0));
  throwIfCancelled(signal);
  const binning = await binningOf(conn, values, xs);
  const bins = xs.map((_, j) => `__b${j}`);
  const raws = Array.from({ length: K }, (_, k) => `__r${k}`);
  let current = await create((t) => `CREATE TABLE ${t} ENGINE = MergeTree() ORDER BY tuple() AS SELECT ${[
    ...bins, '__y', ...base.map((b, k) => `${f64(b)} AS ${raws[k]}`),
  ].join(', ')} FROM ${binnedSource(values, xs, binning.thresholds, bins)}`);
  await drop(values);

  const opts = boostOptions(spec.options);
  const rounds = Number(spec.options.rounds ?? 100);
  const trees: TreeParams[] = [];
  const treeOutput: number[] = [];
  const importance = new Float64Array(p);
  for (let round = 0; round < rounds; round++) {
    const grown: TreeParams[] = [];
    for (let k = 0; k < K; k++) {
      const [g, h] = gradients(target.task, K, k, raws);
      const source = levelSource(conn, current, bins, g, h, p);
      grown.push(await growTreeByLevels(source, binning, opts, importance, signal));
      treeOutput.push(k);
    }
    trees.push(...grown);
    // Every margin of the round moves at once (the round's gradients were all taken before it).
    const previous = current;
    current = await create((t) => `CREATE TABLE ${t} ENGINE = MergeTree() ORDER BY tuple() AS SELECT ${[
      ...bins, '__y', ...raws.map((r, k) => `${r} + ${leafSql(grown[k], binning, bins)} AS ${r}`),
    ].join(', ')} FROM ${previous}`);
    await drop(previous);
    spec.onProgress?.((round + 1) / rounds);
  }
  await drop(current);
  const params: TreeEnsembleParams = { kind: 'tree-ensemble', trees, aggregate: 'sum', base, ...(K > 1 ? { treeOutput } : {}), link: linkOf(target) };
  const model = treeEnsembleModel('gradient_boosting', params, features.map((f) => f.name), target.task === 'classification' ? classes : undefined, normalise(importance));
  return { model, trainRows: n };
}

/** A row's gradient and hessian for output `k` as SQL over the margins, with the memory path's arithmetic. */
function gradients(task: 'classification' | 'regression', K: number, k: number, raws: string[]): [string, string] {
  if (task === 'regression') return [`${raws[0]} - __y`, 'toFloat64(1)'];
  // softmaxInPlace: exp of each margin less the largest, over their sum taken in class order.
  const max = raws.slice(1).reduce((m, r) => `greatest(${m}, ${r})`, raws[0]);
  const q = K === 1 ? `1 / (1 + exp(-${raws[0]}))` : `exp(${raws[k]} - ${max}) / (${raws.map((r) => `exp(${r} - ${max})`).join(' + ')})`;
  const hit = K === 1 ? '__y' : `toFloat64(__y = ${k})`;
  return [`(${q}) - ${hit}`, `(${q}) * (1 - (${q}))`];
}

/** Whether a row of a node goes left at one step of a path: by its bin, missing values as the split says. */
function goesLeft(step: Pick<PathStep, 'f' | 'bin' | 'missingLeft'>, bins: string[]): string {
  return `if(${bins[step.f]} = ${MISSING_BIN}, ${step.missingLeft ? 1 : 0}, ${bins[step.f]} <= ${step.bin})`;
}

/** Histograms of the nodes of a level from one GROUP BY over the current table. */
function levelSource(conn: ClickHouseConnection, table: string, bins: string[], g: string, h: string, p: number): { level(nodes: readonly LevelNode[]): Promise<Float64Array> } {
  return {
    async level(nodes) {
      const conds = nodes.map((node) => (node.path.length === 0 ? '1' : node.path.map((s) => (s.left ? goesLeft(s, bins) : `NOT ${goesLeft(s, bins)}`)).join(' AND ')));
      const node = nodes.length === 1 && nodes[0].path.length === 0 ? '0' : `multiIf(${conds.map((c, i) => `${c}, ${i}`).join(', ')}, -1)`;
      const body = await queryBytes(conn, `SELECT toUInt32(__node), toUInt32(__f - 1), toUInt32(__bin), sum(__g), sum(__h), toFloat64(count()) FROM (SELECT ${node} AS __node, ${g} AS __g, ${h} AS __h, [${bins.join(', ')}] AS __bins FROM ${table} WHERE __node >= 0) ARRAY JOIN __bins AS __bin, arrayEnumerate(__bins) AS __f GROUP BY __node, __f, __bin FORMAT RowBinary`);
      const hist = new Float64Array(nodes.length * p * FEATURE_WORDS);
      const view = new DataView(body.buffer, body.byteOffset, body.length);
      for (let at = 0; at + 36 <= body.length; at += 36) {
        const w = (view.getUint32(at, true) * p + view.getUint32(at + 4, true)) * FEATURE_WORDS + view.getUint32(at + 8, true) * STRIDE;
        hist[w] = view.getFloat64(at + 12, true);
        hist[w + 1] = view.getFloat64(at + 20, true);
        hist[w + 2] = view.getFloat64(at + 28, true);
      }
      return hist;
    },
  };
}

/** A grown tree's leaf value for a row, as nested ifs over its bins (a threshold is the last bin going left). */
function leafSql(tree: TreeParams, binning: Binning, bins: string[], node = 0): string {
  const f = tree.feature[node];
  if (f < 0) return f64(tree.value[node][0]);
  const at = binning.thresholds[f].indexOf(tree.threshold[node]);
  const bin = at >= 0 ? at : binning.nBins[f] - 1;
  return `if(${goesLeft({ f, bin, missingLeft: tree.missingLeft[node] }, bins)}, ${leafSql(tree, binning, bins, tree.left[node])}, ${leafSql(tree, binning, bins, tree.right[node])})`;
}

/**
 * The bins of features `xs` of `table` as a FROM clause with columns `bins` and `__y`: for each,
 * the number of thresholds below its float32 value, found by the memory path's eight halvings
 * over the thresholds padded with +∞, and 255 for a missing value. Each halving is a nested
 * SELECT (an alias would be expanded into its uses, doubling the expression per halving) and
 * reads only the thresholds it can reach (halving s, at step 2^s: every 2^(s+1)-th from 2^s - 1),
 * so the thresholds are written once in all, not once per halving.
 */
function binnedSource(table: string, xs: string[], thresholds: Float64Array[], bins: string[]): string {
  const v = (j: number): string => `__v${j}`;
  const at = (s: number, j: number): string => `__h${s}_${j}`;
  const padded = thresholds.map((t) => {
    const a = new Float64Array(MAX_BINS).fill(Infinity);
    a.set(t);
    return a;
  });
  let from = `(SELECT ${[...xs.flatMap((x, j) => [`toFloat64(toFloat32(${x})) AS ${v(j)}`, `toUInt16(0) AS ${at(8, j)}`]), '__y'].join(', ')} FROM ${table})`;
  for (let s = 7; s >= 0; s--) {
    const step = 1 << s;
    const reach = (j: number): string => `[${Array.from({ length: 128 / step }, (_, k) => f64(padded[j][k * 2 * step + step - 1])).join(', ')}]`;
    from = `(SELECT ${[...xs.flatMap((_, j) => [v(j), `${at(s + 1, j)} + toUInt16(arrayElement(${reach(j)}, intDiv(${at(s + 1, j)}, ${2 * step}) + 1) < ${v(j)}) * ${step} AS ${at(s, j)}`]), '__y'].join(', ')} FROM ${from})`;
  }
  return `(SELECT ${[...xs.map((_, j) => `toUInt8(if(isNaN(${v(j)}), ${MISSING_BIN}, ${at(0, j)})) AS ${bins[j]}`), '__y'].join(', ')} FROM ${from})`;
}

/**
 * The memory path's bin edges (histogram-binning.ts binFeature) of each feature of `table`,
 * from order statistics the server computes: with at most 255 distinct values, midpoints between
 * neighbouring values; otherwise at 254 quantile positions, midway between the value there and
 * the next distinct value above it (below it, for the largest).
 */
export async function binningOf(conn: ClickHouseConnection, table: string, xs: string[]): Promise<Binning> {
  const out: Binning = { thresholds: [], nBins: [], hasMissing: [] };
  if (xs.length === 0) return out;
  // -0 and 0 are one value to the memory path (x + 0 makes -0 into 0).
  const [stats] = await queryRows(conn, `SELECT ${xs.map((x) => `countIf(NOT isNaN(${x})), uniqExactIf(${x} + 0, NOT isNaN(${x})), countIf(isNaN(${x}))`).join(', ')} FROM ${table}`);
  for (const [j, x] of xs.entries()) {
    const m = Number(stats[3 * j]);
    const distinct = Number(stats[3 * j + 1]);
    let cuts: number[] = [];
    if (distinct <= MAX_BINS) {
      const sorted = (await queryFloat64(conn, `SELECT DISTINCT ${x} + 0 FROM ${table} WHERE NOT isNaN(${x})`)).sort();
      for (let i = 0; i + 1 < sorted.length; i++) cuts.push(Math.fround((sorted[i] + sorted[i + 1]) / 2));
    } else {
      const positions = Array.from({ length: MAX_BINS - 1 }, (_, i) => Math.floor(((i + 1) / MAX_BINS) * (m - 1)));
      // From the sorted present values: the value at each position and the few after it, by
      // constant slices (a lambda would copy the sorted array once per position; a function per
      // value costs the 18.16 analyser more than the query).
      const sorted = `(SELECT arraySort(groupArrayIf(${x}, NOT isNaN(${x}))) AS s FROM ${table})`;
      const got = await queryFloat64(conn, `SELECT arrayJoin(arrayConcat(${positions.map((p) => `arraySlice(s, ${p + 1}, ${NEAR + 1})`).join(', ')}, [s[-1]])) FROM ${sorted}`);
      const max = got[got.length - 1];
      const starts: number[] = [];
      positions.reduce((at, p) => { starts.push(at); return at + Math.min(NEAR + 1, m - p); }, 0);
      const lows = starts.map((at) => got[at]);
      // The next distinct value above each low (below it, for the largest), found among the
      // values after it, else by an aggregate over the feature (a value repeated more often).
      const above = lows.map((lo, i) => {
        for (let w = 1; w <= NEAR && positions[i] + w < m; w++) if (got[starts[i] + w] > lo) return got[starts[i] + w];
        return undefined;
      });
      const missing = [...new Set(lows.filter((lo, i) => lo < max && above[i] === undefined))];
      const below = lows.some((lo) => lo === max);
      if (missing.length > 0 || below) {
        const near = await queryFloat64(conn, `SELECT ${[...missing.map((lo) => `minIf(${x}, ${x} > ${f64(lo)})`), `maxIf(${x}, ${x} < ${f64(max)})`].join(', ')} FROM ${table}`);
        missing.forEach((lo, k) => lows.forEach((l, i) => { if (l === lo && above[i] === undefined) above[i] = near[k]; }));
        lows.forEach((lo, i) => { if (lo === max) above[i] = near[missing.length]; });
      }
      lows.forEach((lo, i) => cuts.push(Math.fround((lo + above[i]!) / 2)));
      cuts = [...new Set(cuts)].sort((a, b) => a - b);
    }
    out.thresholds.push(Float64Array.from(cuts));
    out.nBins.push(cuts.length + 1);
    out.hasMissing.push(Number(stats[3 * j + 2]) > 0);
  }
  return out;
}
