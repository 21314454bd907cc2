// Exports a fitted pipeline (transform steps + model) as one standalone Python module that needs
// numpy alone: the fitted parameters as literals, the steps as calls into a fixed runtime
// (python-prelude.ts) that mirrors the runner's semantics, and `predict(rows)` over a list of
// dicts keyed by the raw input columns. Row steps (filter, drop_missing, dedupe) shape training
// data only, so every row passed in is scored, as the runner's predict does; a row whose features
// are missing where the model takes none gets the label None.
import type { Expr } from '../language/ast';
import { leftSpine } from '../language/left-spine';
import type { ColumnSchema } from '../language/schema';
import type { ModelParams, SavedModel } from '../ml/model-types';
import type { FittedStep } from '../transforms/fitted-step';
import { PYTHON_PRELUDE } from './python-prelude';

export class PythonExportError extends Error {}

export interface PythonExportInput {
  name: string;
  inputColumns: ColumnSchema[];
  steps: FittedStep[];
  model: SavedModel;
}

/** A Python literal for a number (exact: JavaScript's shortest text reads back to the same double). */
function pyNum(x: number): string {
  if (Number.isNaN(x)) return '_NAN';
  if (!Number.isFinite(x)) return x > 0 ? 'float("inf")' : 'float("-inf")';
  return String(x);
}

/** JSON's string syntax is also Python's. */
const pyStr = (s: string): string => JSON.stringify(s);
const pyNums = (xs: readonly number[]): string => `[${xs.map(pyNum).join(', ')}]`;
const pyStrs = (xs: readonly string[]): string => `[${xs.map(pyStr).join(', ')}]`;

function describeStep(s: FittedStep): string {
  switch (s.kind) {
    case 'drop':
    case 'keep': return `${s.kind} ${s.columns.join(', ')}`;
    case 'rename': return `rename ${s.from} to ${s.to}`;
    case 'cast': return `cast ${s.column} as ${s.to}`;
    case 'impute': return `impute ${s.column} with ${s.method} (${s.value})`;
    case 'onehot': return `encode ${s.column} as onehot`;
    case 'ordinal': return `encode ${s.column} as ordinal`;
    case 'scale': return `scale ${s.column} with ${s.method}`;
    case 'clip': return `clip ${s.column} to [${s.lo}, ${s.hi}]`;
    case 'derive': return `derive ${s.column}`;
    case 'filter': return 'filter';
    case 'drop_missing': return `drop_missing ${s.columns.join(', ')}`.trim();
    case 'dedupe': return `dedupe ${s.columns.join(', ')}`.trim();
  }
}

/**
 * Statements that compute `e` into temporaries (one per node, so a long chain of operators is a
 * run of lines, not deep nesting); returns the temporary holding the value.
 */
class ExprWriter {
  lines: string[] = [];
  private counter = 0;
  constructor(private readonly step: string) {}

  private fail(why: string): never {
    throw new PythonExportError(`${this.step} cannot be exported to Python: ${why}`);
  }

  private emit(code: string): string {
    const t = `v${this.counter++}`;
    this.lines.push(`    ${t} = ${code}`);
    return t;
  }

  write(e: Expr | undefined): string {
    if (!e) return this.fail('the expression is incomplete');
    switch (e.kind) {
      case 'Number':
      case 'Percent':
        return this.emit(`("snum", "number", ${pyNum(e.value)})`);
      case 'Boolean':
        return this.emit(`("snum", "boolean", ${e.value ? '1.0' : '0.0'})`);
      case 'String':
        return this.emit(`("sstr", "text", ${pyStr(e.value)})`);
      case 'Paren':
        return this.write(e.inner);
      case 'Name':
        return this.emit(`_col(cols, ${pyStr(e.name.text)})`);
      case 'Unary': {
        const v = this.write(e.operand);
        return this.emit(`${e.operator === 'not' ? '_not' : '_neg'}(${v}, n)`);
      }
      case 'Binary': {
        const spine = leftSpine(e);
        let v = this.write(spine[0].left);
        for (const node of spine) v = this.emit(`_op(${pyStr(node.operator)}, ${v}, ${this.write(node.right)}, n)`);
        return v;
      }
      case 'Call': {
        const args = e.args.map((a) => this.write(a.value));
        return this.emit(`_call(${pyStr(e.callee.name)}, [${args.join(', ')}], n)`);
      }
      default:
        return this.fail(`${e.kind} expressions are not supported`);
    }
  }
}

function stepLines(s: FittedStep): string[] {
  const head = `    # ${describeStep(s).replace(/\n/g, ' ')}`;
  const col = (c: string): string => `cols[${pyStr(c)}]`;
  switch (s.kind) {
    case 'filter':
    case 'drop_missing':
    case 'dedupe':
      return [`${head}: shapes the training rows only; every row passed in is scored`];
    case 'drop':
      return [head, ...s.columns.map((c) => `    cols.pop(${pyStr(c)}, None)`)];
    case 'keep':
      return [head, `    for name in [c for c in cols if c not in ${pyStrs(s.columns)}]:`, '        del cols[name]'];
    case 'rename':
      return [head, `    ${col(s.to)} = cols.pop(${pyStr(s.from)})`];
    case 'cast':
      return [head, `    ${col(s.column)} = _cast(${col(s.column)}, ${pyStr(s.to)})`];
    case 'impute':
      return [head, `    _impute(cols, ${pyStr(s.column)}, ${typeof s.value === 'number' ? pyNum(s.value) : pyStr(s.value)})`];
    case 'onehot':
      return [head, `    _onehot(cols, ${pyStr(s.column)}, ${pyStrs(s.levels)}, ${pyStrs(s.outputs)})`];
    case 'ordinal':
      return [head, `    _ordinal(cols, ${pyStr(s.column)}, ${pyStrs(s.levels)})`];
    case 'scale':
      return [head, `    _scale(cols, ${pyStr(s.column)}, ${pyNum(s.center)}, ${pyNum(s.scale)})`];
    case 'clip':
      return [head, `    _clip(cols, ${pyStr(s.column)}, ${pyNum(s.lo)}, ${pyNum(s.hi)})`];
    case 'derive': {
      const w = new ExprWriter(`derive ${s.column}`);
      const v = w.write(s.expr);
      return [head, ...w.lines, `    ${col(s.column)} = _as_column(${v}, n)`];
    }
  }
}

/** The model's parameters as a Python literal and the expression that scores a feature matrix X. */
function modelCode(p: ModelParams, m: SavedModel, where: string): { params: string; score: string } {
  const classification = m.task === 'classification';
  switch (p.kind) {
    case 'linear':
      return {
        params: `{\n    "coef": [\n${p.coef.map((w) => `        ${pyNums(w)},`).join('\n')}\n    ],\n    "intercept": ${pyNums(p.intercept)},\n}`,
        score: `_linked(_linear_scores(${where}, X), ${pyStr(p.link)})`,
      };
    case 'tree-ensemble': {
      // One tuple per tree: (feature, threshold, left, right, missing goes left, leaf values).
      const trees = p.trees.map((t) => `        (${pyNums(t.feature)}, ${pyNums(t.threshold)}, ${pyNums(t.left)}, ${pyNums(t.right)}, [${t.missingLeft.map((b) => (b ? 'True' : 'False')).join(', ')}], [${t.value.map(pyNums).join(', ')}]),`);
      return {
        params: `{\n    "sum": ${p.aggregate === 'sum' ? 'True' : 'False'},\n    "base": ${pyNums(p.base)},\n    "tree_output": ${p.treeOutput ? pyNums(p.treeOutput) : 'None'},\n    "link": ${pyStr(p.link)},\n    "classification": ${classification ? 'True' : 'False'},\n    "trees": [\n${trees.join('\n')}\n    ],\n}`,
        score: `_tree_ensemble(${where}, X)`,
      };
    }
    case 'knn':
      return {
        params: `{\n    "k": ${p.k},\n    "classification": ${classification ? 'True' : 'False'},\n    "classes": ${p.nClasses ?? 2},\n    "y": ${pyNums(p.y)},\n    "train": [\n${p.train.map((r) => `        ${pyNums(r)},`).join('\n')}\n    ],\n}`,
        score: `_knn(${where}, X)`,
      };
    case 'gaussian-nb':
      return {
        params: `{\n    "priors": ${pyNums(p.priors)},\n    "means": [${p.means.map(pyNums).join(', ')}],\n    "variances": [${p.variances.map(pyNums).join(', ')}],\n}`,
        score: `_naive_bayes(${where}, X)`,
      };
    case 'calibrated':
      throw new PythonExportError(`calibrated ${m.algorithm} models cannot be exported to Python yet; export the model without calibrate`);
  }
}

/** The module's text; throws PythonExportError for what it cannot express. */
export function exportPipelineToPython(input: PythonExportInput): string {
  const m = input.model;
  const classes = m.classes;
  const prepare = input.steps.flatMap(stepLines);
  const model = modelCode(m.params, m, 'MODEL');
  const allowsMissing = m.algorithm === 'gradient_boosting';
  const header = [
    `"""${input.name}: a NarML pipeline (its transform steps and its ${m.algorithm} model) exported as a standalone module.`,
    '',
    'Needs numpy alone. predict(rows) takes a list of dicts keyed by the input columns',
    `(${input.inputColumns.map((c) => c.name).join(', ')})`,
    'with numbers, booleans, ISO dates or text (None or "" for missing) and returns one dict per row:',
    classes
      ? '{"label": class name, "probabilities": [one per CLASSES]}; label None when the model cannot score the row.'
      : '{"label": predicted value}; None when the model cannot score the row.',
    'predict_csv(path, missing) scores a CSV file; `python3 this_file.py data.csv [missing tokens...]` prints one JSON line per row.',
    '"""',
  ];
  return [
    ...header,
    'import csv',
    'import datetime',
    'import json',
    'import math',
    'import re',
    'import sys',
    '',
    'import numpy as np',
    '',
    `INPUT_COLUMNS = [${input.inputColumns.map((c) => `(${pyStr(c.name)}, ${pyStr(c.type)})`).join(', ')}]`,
    `FEATURES = ${pyStrs(m.featureNames)}`,
    `CLASSES = ${classes ? pyStrs(classes) : 'None'}`,
    `MODEL = ${model.params}`,
    PYTHON_PRELUDE,
    '',
    '# ---- this pipeline ----',
    '',
    'def _prepare(cols, n):',
    '    """The fitted transform steps, in order."""',
    ...prepare,
    '    return cols',
    '',
    '',
    'def _score(X):',
    `    return ${model.score}`,
    '',
    '',
    'def predict(rows):',
    '    rows = list(rows)',
    '    n = len(rows)',
    '    cols = _prepare(_read(rows), n)',
    '    X = np.column_stack([_numbers(cols, f) for f in FEATURES]) if n else np.zeros((0, len(FEATURES)))',
    allowsMissing ? '    usable = np.ones(n, dtype=bool)' : '    usable = ~np.isnan(X).any(axis=1)',
    '    out = [{"label": None} for _ in range(n)]',
    '    if not usable.any():',
    '        return out',
    '    scores = _score(X[usable])',
    '    for i, s in zip(np.nonzero(usable)[0], scores):',
    classes
      ? '        out[i] = {"label": CLASSES[int(np.argmax(s))], "probabilities": [float(p) for p in s]}'
      : '        out[i] = {"label": float(s[0])}',
    '    return out',
    '',
    '',
    'def predict_csv(path, missing=("",)):',
    '    # Cells equal to one of `missing` are missing: pass the dataset\'s missing: list.',
    '    with open(path, newline="", encoding="utf-8") as f:',
    '        return predict([{k: None if v in missing else v for k, v in row.items()} for row in csv.DictReader(f)])',
    '',
    '',
    'if __name__ == "__main__":',
    '    for row in predict_csv(sys.argv[1], tuple(sys.argv[2:]) or ("",)):',
    '        print(json.dumps(row))',
    '',
  ].join('\n');
}
