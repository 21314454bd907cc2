// Predictions written back by SQL (`predict … { output: table "db.scores" }` under the ClickHouse
// engine): the model's fitted steps and parameters are compiled into one SELECT over the source
// table, run by the server (through a Distributed table, each shard scores its own rows), and its
// result becomes a table of the engine's server. No row leaves the cluster. The SQL follows the
// memory engine's arithmetic term by term (same order of sums, float32 tree comparisons, first
// class on ties), and every learned number is written with its exact bits, so the scores equal
// the in-memory ones to rounding of exp.
import type { ColumnSchema } from '../language/schema';
import type { SavedModel, TreeParams } from '../ml/model-types';
import type { FittedStep } from '../transforms/fitted-step';
import { execute, queryRows, sqlName, sqlString, type ClickHouseConnection } from './clickhouse-http';
import { splitTableName } from './clickhouse-schema';
import { EngineError } from './engine-error';

/** The algorithms whose fitted parameters compile to SQL. */
export const SQL_SCORED = ['linear_regression', 'logistic_regression', 'decision_tree', 'gradient_boosting'];

/**
 * A Float64 literal with exactly the bits of `x`. A normal number is its shortest decimal text
 * (ClickHouse reads it with strtod, correctly rounded; a test checks thousands of bit patterns),
 * made a float by a fraction or exponent; -0 and subnormals (which the parser refuses) are
 * written as their bytes, whose literal costs the server about a hundred times more to analyse.
 */
export function f64(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (Number.isInteger(x) && Math.abs(x) < 2 ** 53 && !Object.is(x, -0)) return `toFloat64(${x})`;
  if (Math.abs(x) >= 2.2250738585072014e-308) {
    const text = /^-?\d+$/.test(String(x)) ? `${x}.0` : String(x);
    return x < 0 ? `(${text})` : text;
  }
  const b = Buffer.alloc(8);
  b.writeDoubleLE(x);
  return `reinterpretAsFloat64(unhex('${b.toString('hex').toUpperCase()}'))`;
}

export interface Expr { sql: string; numeric: boolean }

/** The raw columns as the memory engine holds them: numbers (NaN for missing) or nullable strings. */
export function rawExprs(columns: readonly ColumnSchema[], chTypes: readonly string[]): Map<string, Expr> {
  return new Map(columns.map((c, i): [string, Expr] => {
    const q = sqlName(c.name);
    if (c.type === 'category' || c.type === 'text') return [c.name, { sql: `toString(${q})`, numeric: false }];
    if (c.type === 'date') return [c.name, { sql: /DateTime/.test(chTypes[i]) ? `ifNull(toFloat64(toUInt32(${q})) / 86400, nan)` : `ifNull(toFloat64(toUInt16(${q})), nan)`, numeric: true }];
    return [c.name, { sql: `ifNull(toFloat64(${q}), nan)`, numeric: true }];
  }));
}

/** Applies fitted steps to column expressions, as applySteps does in 'predict' mode (row steps skipped). */
export function applyToExprs(steps: readonly FittedStep[], cols: Map<string, Expr>): Map<string, Expr> {
  const get = (name: string): Expr => {
    const e = cols.get(name);
    if (!e) throw new EngineError(`SQL scoring: column "${name}" is not there when a step needs it`);
    return e;
  };
  for (const s of steps) {
    switch (s.kind) {
      case 'filter':
      case 'drop_missing':
      case 'dedupe':
        break;
      case 'drop':
        for (const c of s.columns) cols.delete(c);
        break;
      case 'keep': {
        const kept = new Map<string, Expr>();
        for (const c of s.columns) kept.set(c, get(c));
        cols = kept;
        break;
      }
      case 'rename': {
        const e = get(s.from);
        cols.delete(s.from);
        cols.set(s.to, e);
        break;
      }
      case 'impute': {
        const e = get(s.column);
        cols.set(s.column, e.numeric
          ? { sql: `if(isNaN(${e.sql}), ${f64(typeof s.value === 'number' ? s.value : Number(s.value))}, ${e.sql})`, numeric: true }
          : { sql: `ifNull(${e.sql}, ${sqlString(String(s.value))})`, numeric: false });
        break;
      }
      case 'onehot': {
        const e = get(s.column);
        const outputs = s.levels.map((level) => (e.numeric
          ? { sql: `if(isNaN(${e.sql}), toFloat64(0), toFloat64(${e.sql} = ${f64(level === 'true' ? 1 : level === 'false' ? 0 : Number(level))}))`, numeric: true }
          : { sql: `toFloat64(ifNull(${e.sql} = ${sqlString(level)}, 0))`, numeric: true }));
        const next = new Map<string, Expr>();
        for (const [name, x] of cols) {
          if (name !== s.column) { next.set(name, x); continue; }
          s.outputs.forEach((o, i) => next.set(o, outputs[i]));
        }
        cols = next;
        break;
      }
      case 'scale': {
        const e = get(s.column);
        cols.set(s.column, { sql: `((${e.sql}) - ${f64(s.center)}) / ${f64(s.scale)}`, numeric: true });
        break;
      }
      case 'clip': {
        const e = get(s.column);
        cols.set(s.column, { sql: `if(isNaN(${e.sql}), ${e.sql}, least(${f64(s.hi)}, greatest(${f64(s.lo)}, ${e.sql})))`, numeric: true });
        break;
      }
      default:
        throw new EngineError(`SQL scoring does not compile the step "${s.kind}" yet; write the predictions to a file instead`);
    }
  }
  return cols;
}

/**
 * One tree as nested ifs giving its leaf's values, comparing as float32 like the memory engine.
 * Where missing values go is part of each node's condition, so a subtree is written once.
 */
function treeSql(tree: TreeParams, feature: (j: number) => string, leaf: (values: number[]) => string, node = 0): string {
  if (tree.feature[node] < 0) return leaf(tree.value[node]);
  const f = feature(tree.feature[node]);
  const left = treeSql(tree, feature, leaf, tree.left[node]);
  const right = treeSql(tree, feature, leaf, tree.right[node]);
  return `if(if(isNaN(${f}), ${tree.missingLeft[node] ? 1 : 0}, toFloat64(toFloat32(${f})) <= ${f64(tree.threshold[node])}), ${left}, ${right})`;
}

/** The outputs of a model: prediction, one probability per class, and the margins they read (`__narml_z<o>`), computed a layer below. */
interface ModelOutputs { margins: string[]; prediction: string; probabilities?: string[] }

/** The output columns' SQL over the feature aliases: prediction, then one probability per class. */
function modelSql(saved: SavedModel, feature: (j: number) => string): ModelOutputs {
  const p = saved.params;
  const classes = saved.classes;
  const argmax = (probs: string): string => `arrayElement([${(classes ?? []).map(sqlString).join(', ')}], indexOf(${probs}, arrayReduce('max', ${probs})))`;
  if (p.kind === 'tree-ensemble' && p.trees.length === 1 && p.aggregate === 'average') {
    const leaf = treeSql(p.trees[0], feature, (v) => `[${v.map(f64).join(', ')}]`);
    if (!classes) return { margins: [], prediction: `arrayElement(${leaf}, 1)` };
    const probs = classes.map((_, c) => `arrayElement(${leaf}, ${c + 1})`);
    return { margins: [], prediction: argmax(`[${probs.join(', ')}]`), probabilities: probs };
  }
  // Margins before the link: a linear model's, or boosting's base plus its trees in order (as
  // treeEnsembleMargins adds them).
  let z: string[];
  if (p.kind === 'linear') z = p.coef.map((w, o) => w.reduce((s, wj, j) => (wj === 0 ? s : `${s} + ${f64(wj)} * ${feature(j)}`), f64(p.intercept[o])));
  else if (p.kind === 'tree-ensemble' && p.aggregate === 'sum') {
    z = p.base.map((b) => f64(b));
    p.trees.forEach((t, i) => {
      const o = p.treeOutput?.[i] ?? 0;
      z[o] = `${z[o]} + ${treeSql(t, feature, (v) => f64(v[0]))}`;
    });
  } else throw new EngineError(`SQL scoring covers ${SQL_SCORED.join(', ')}; ${saved.algorithm} is scored in memory: write its predictions to a file`);
  // The link reads the margins as columns: a large ensemble's sum is written once.
  const margins = z;
  const m = margins.map((_, o) => `__narml_z${o}`);
  if (p.link === 'identity') return { margins, prediction: m[0] };
  if (p.link === 'logistic') {
    const q = `(1 / (1 + exp(-${m[0]})))`;
    const probs = [`(1 - ${q})`, q];
    return { margins, prediction: argmax(`[${probs.join(', ')}]`), probabilities: probs };
  }
  const max = `arrayReduce('max', [${m.join(', ')}])`;
  const e = m.map((zo) => `exp(${zo} - ${max})`);
  const sum = e.reduce((s, x) => `${s} + ${x}`);
  const probs = e.map((x) => `(${x}) / (${sum})`);
  return { margins, prediction: argmax(`[${probs.join(', ')}]`), probabilities: probs };
}

/**
 * A SELECT scoring the rows of `from` with the model: the columns `carry` ([SQL over the raw
 * columns, name]) and then `outputs` of the model's outputs, whose `usable` says the row has what
 * the model needs (every feature, except for gradient boosting, which takes missing values) and
 * `index` is the predicted class's position (the first on ties, as argmax).
 */
export function scoredSelect(
  from: string, carry: readonly (readonly [string, string])[], cols: Map<string, Expr>, saved: SavedModel,
  outputs: (o: ModelOutputs & { usable: string; index?: string }) => string[],
): string {
  const features = saved.featureNames.map((name) => {
    const e = cols.get(name);
    if (!e || !e.numeric) throw new EngineError(`SQL scoring: feature "${name}" is not a number after the steps`);
    return e.sql;
  });
  const alias = (j: number): string => `__narml_f${j}`;
  const usable = features.length === 0 || saved.algorithm === 'gradient_boosting' ? '1' : `NOT (${features.map((_, j) => `isNaN(${alias(j)})`).join(' OR ')})`;
  const model = modelSql(saved, alias);
  const names = carry.map(([, name]) => name);
  const inner = `SELECT ${[...carry.map(([sql, name]) => (sql === name ? sql : `${sql} AS ${name}`)), ...features.map((f, j) => `${f} AS ${alias(j)}`)].join(', ')} FROM ${from}`;
  const middle = model.margins.length === 0 ? inner : `SELECT *, ${model.margins.map((z, o) => `${z} AS __narml_z${o}`).join(', ')} FROM (${inner})`;
  const probs = model.probabilities && `[${model.probabilities.join(', ')}]`;
  return `SELECT ${[...names, ...outputs({ ...model, usable, ...(probs ? { index: `toFloat64(indexOf(${probs}, arrayReduce('max', ${probs})) - 1)` } : {}) })].join(', ')} FROM (${middle})`;
}

/**
 * The SELECT that scores every row of `table`: its columns as they are, then `prediction` and
 * `probability_<class>` (NULL where the model cannot score a row, as the memory engine leaves them empty).
 */
export function scoringQuery(table: string, columns: readonly ColumnSchema[], chTypes: readonly string[], steps: readonly FittedStep[], saved: SavedModel): string {
  const parts = splitTableName(table);
  if (!parts) throw new EngineError(`"${table}" is not a table name`);
  const raw = columns.map((c) => sqlName(c.name));
  return scoredSelect(`${sqlName(parts[0])}.${sqlName(parts[1])}`, raw.map((r) => [r, r] as const), applyToExprs(steps, rawExprs(columns, chTypes)), saved, ({ usable, prediction, probabilities }) => [
    `if(${usable}, ${prediction}, NULL) AS prediction`,
    ...(probabilities ?? []).map((p, c) => `if(${usable}, ${p}, NULL) AS ${sqlName(`probability_${saved.classes![c]}`)}`),
  ]);
}

/**
 * Scores `source` into the table `output` of the server: built under a temporary name, then put
 * in place of the old one (dropped only once the new one is complete). Returns its row count and
 * the rows without a prediction.
 */
export async function scoreToTable(conn: ClickHouseConnection, output: string, query: string): Promise<{ rows: number; empty: number }> {
  const parts = splitTableName(output);
  if (!parts) throw new EngineError(`"${output}" is not a table name`);
  const target = `${sqlName(parts[0])}.${sqlName(parts[1])}`;
  const fresh = `${sqlName(parts[0])}.${sqlName(`${parts[1]}__narml_new`)}`;
  await execute(conn, `DROP TABLE IF EXISTS ${fresh}`);
  await execute(conn, `CREATE TABLE ${fresh} ENGINE = MergeTree() ORDER BY tuple() AS ${query}`);
  await execute(conn, `DROP TABLE IF EXISTS ${target}`);
  await execute(conn, `RENAME TABLE ${fresh} TO ${target}`);
  const [[rows, empty]] = await queryRows(conn, `SELECT count(), countIf(isNull(prediction)) FROM ${target}`);
  return { rows: Number(rows), empty: Number(empty) };
}
