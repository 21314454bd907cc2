// Exports a fitted pipeline (transform steps + model) as one standalone Python module that needs
// numpy alone: the fitted parameters as literals, the steps as calls into a fixed runtime
// (python-prelude.ts) that mirrors the runner's semantics, and `predict(rows)` over a list of
// dicts keyed by the raw input columns. An ensemble is a nested pipeline: each member prepares the
// input with its own steps, as the runner scores it. Row steps (filter, drop_missing, dedupe) shape
// training data only, so every row passed in is scored, as the runner's predict does; a row whose
// features are missing where the model takes none gets the label None.
import type { Expr } from '../language/ast';
import { leftSpine } from '../language/left-spine';
import type { Calibrator, ModelParams, SavedModel } from '../ml/model-types';
import { rawColumns, type OnnxEnsembleInput, type OnnxExportInput } from './onnx-export';
import type { FittedStep } from '../transforms/fitted-step';
import { PYTHON_PRELUDE } from './python-prelude';

export class PythonExportError extends Error {}

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

/** The model's parameters as a Python literal (a dict with its "kind", which _scores dispatches on). */
function paramsLiteral(p: ModelParams, m: SavedModel, indent: string): string {
  const classification = m.task === 'classification';
  const i2 = `${indent}    `;
  const dict = (entries: [string, string][]): string => `{\n${entries.map(([k, v]) => `${i2}${pyStr(k)}: ${v},`).join('\n')}\n${indent}}`;
  switch (p.kind) {
    case 'linear':
      return dict([['kind', '"linear"'], ['coef', `[\n${p.coef.map((w) => `${i2}    ${pyNums(w)},`).join('\n')}\n${i2}]`], ['intercept', pyNums(p.intercept)], ['link', pyStr(p.link)]]);
    case 'tree-ensemble': {
      // One tuple per tree: (feature, threshold, left, right, missing goes left, leaf values).
      const trees = p.trees.map((t) => `${i2}    (${pyNums(t.feature)}, ${pyNums(t.threshold)}, ${pyNums(t.left)}, ${pyNums(t.right)}, [${t.missingLeft.map((b) => (b ? 'True' : 'False')).join(', ')}], [${t.value.map(pyNums).join(', ')}]),`);
      return dict([
        ['kind', '"tree-ensemble"'], ['sum', p.aggregate === 'sum' ? 'True' : 'False'], ['base', pyNums(p.base)],
        ['tree_output', p.treeOutput ? pyNums(p.treeOutput) : 'None'], ['link', pyStr(p.link)],
        ['classification', classification ? 'True' : 'False'], ['trees', `[\n${trees.join('\n')}\n${i2}]`],
      ]);
    }
    case 'knn':
      return dict([
        ['kind', '"knn"'], ['k', String(p.k)], ['classification', classification ? 'True' : 'False'], ['classes', String(p.nClasses ?? 2)],
        ['y', pyNums(p.y)], ['train', `[\n${p.train.map((r) => `${i2}    ${pyNums(r)},`).join('\n')}\n${i2}]`],
      ]);
    case 'gaussian-nb':
      return dict([['kind', '"gaussian-nb"'], ['priors', pyNums(p.priors)], ['means', `[${p.means.map(pyNums).join(', ')}]`], ['variances', `[${p.variances.map(pyNums).join(', ')}]`]]);
    case 'calibrated': {
      // One (copy, calibrators) pair per fold; a calibrator is ("sigmoid", a, b) or ("isotonic", xs, ys).
      const calibrator = (c: Calibrator): string => (c.kind === 'sigmoid' ? `("sigmoid", ${pyNum(c.a)}, ${pyNum(c.b)})` : `("isotonic", ${pyNums(c.x)}, ${pyNums(c.y)})`);
      const folds = p.folds.map((f) => `${i2}    (${paramsLiteral(f.params, m, `${i2}    `)}, [${f.calibrators.map(calibrator).join(', ')}]),`);
      return dict([['kind', '"calibrated"'], ['classes', String(m.classes?.length ?? 2)], ['folds', `[\n${folds.join('\n')}\n${i2}]`]]);
    }
  }
}

/** What the Python exporter writes: the same model or ensemble the ONNX exporter takes. */
export type PythonExportInput = OnnxExportInput | OnnxEnsembleInput;

/**
 * The Python definitions of a model or ensemble: the prepare function of its steps (numbered by
 * `fns`; an ensemble's are its passed-through features') and the literal that _output scores.
 */
function nodeCode(node: PythonExportInput, fns: string[], indent: string): string {
  const fn = `_prepare_${fns.length}`;
  const steps = 'members' in node ? (node.combine.method === 'voting' ? [] : node.combine.steps) : node.steps;
  fns.push([`def ${fn}(cols, n):`, `    """${node.name}: its fitted transform steps, in order."""`, ...steps.flatMap(stepLines), '    return cols', '', ''].join('\n'));
  const i2 = `${indent}    `;
  const entries: [string, string][] = [['name', pyStr(node.name)], ['prepare', fn]];
  if (!('members' in node)) {
    const m = node.model;
    entries.push(
      ['kind', '"model"'], ['features', pyStrs(m.featureNames)], ['outputs', String(m.classes?.length ?? 1)], ['missing', m.algorithm === 'gradient_boosting' ? 'True' : 'False'],
      ['params', paramsLiteral(m.params, m, i2)],
    );
  } else {
    const c = node.combine;
    const final = c.method === 'voting' ? undefined : c.final;
    entries.push(
      ['kind', '"ensemble"'], ['soft', c.method === 'voting' && c.soft ? 'True' : 'False'], ['classes', node.classes ? String(node.classes.length) : 'None'],
      ['members', `[\n${node.members.map((mm) => `${i2}    ${nodeCode(mm, fns, `${i2}    `)},`).join('\n')}\n${i2}]`],
      ['final', final ? `{\n${i2}    "features": ${pyStrs(final.featureNames)},\n${i2}    "missing": ${final.algorithm === 'gradient_boosting' ? 'True' : 'False'},\n${i2}    "params": ${paramsLiteral(final.params, final, `${i2}    `)},\n${i2}}` : 'None'],
    );
  }
  return `{\n${entries.map(([k, v]) => `${i2}${pyStr(k)}: ${v},`).join('\n')}\n${indent}}`;
}

/** What the module's docstring says of the pipeline. */
function describeNode(node: PythonExportInput): string {
  if (!('members' in node)) return `${node.model.algorithm} model`;
  const c = node.combine;
  return `${c.method} ensemble of ${node.members.map((m) => `${m.name} (${describeNode(m)})`).join(', ')}${c.method === 'voting' ? '' : ` with a final ${c.final.algorithm} model`}`;
}

/** The module's text; throws PythonExportError for what it cannot express. */
export function exportPipelineToPython(input: PythonExportInput): string {
  const classes = 'members' in input ? input.classes : input.model.classes;
  const columns = [...rawColumns(input).values()];
  const fns: string[] = [];
  const pipeline = nodeCode(input, fns, '');
  const header = [
    `"""${input.name}: a NarML pipeline (its transform steps and its ${describeNode(input)}) exported as a standalone module.`,
    '',
    'Needs numpy alone. predict(rows) takes a list of dicts keyed by the input columns',
    `(${columns.map((c) => c.name).join(', ')})`,
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
    `INPUT_COLUMNS = [${columns.map((c) => `(${pyStr(c.name)}, ${pyStr(c.type)})`).join(', ')}]`,
    `CLASSES = ${classes ? pyStrs(classes) : 'None'}`,
    PYTHON_PRELUDE,
    '',
    '# ---- this pipeline ----',
    '',
    ...fns,
    `PIPELINE = ${pipeline}`,
    '',
    '',
    'def predict(rows):',
    '    rows = list(rows)',
    '    n = len(rows)',
    '    scores, usable = _output(PIPELINE, _read(rows), n)',
    '    out = [{"label": None} for _ in range(n)]',
    '    for i in np.nonzero(usable)[0]:',
    classes
      ? '        out[i] = {"label": CLASSES[int(np.argmax(scores[i]))], "probabilities": [float(p) for p in scores[i]]}'
      : '        out[i] = {"label": float(scores[i, 0])}',
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
