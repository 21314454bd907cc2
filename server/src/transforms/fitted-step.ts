// A transform step after fitting: the parameters it learned from training rows, as plain data.
// The runner applies these to every split part and to prediction inputs; the ONNX exporter
// turns them into graph nodes; the run store saves them. Row steps (filter, drop_missing, dedupe)
// appear with `rowStep: true`: they shape training data and are skipped at prediction.
import type { Expr } from '../language/ast';
import type { ColumnType } from '../language/schema';

export type FittedStep =
  | { kind: 'drop'; columns: string[] }
  | { kind: 'keep'; columns: string[] }
  | { kind: 'rename'; from: string; to: string }
  | { kind: 'cast'; column: string; to: ColumnType }
  /** Numbers/booleans/dates: a number; categories/text: the level string. */
  | { kind: 'impute'; column: string; method: 'mean' | 'median' | 'mode' | 'constant'; value: number | string }
  /** Replaces `column` by one 0/1 number column per level, named outputs[i] (`C_level`). */
  | { kind: 'onehot'; column: string; levels: string[]; outputs: string[] }
  /** Replaces each value by its index in `levels` (missing stays missing, unseen → missing). */
  | { kind: 'ordinal'; column: string; levels: string[] }
  /** y = (x - center) / scale. */
  | { kind: 'scale'; column: string; method: 'standard' | 'minmax' | 'robust'; center: number; scale: number }
  | { kind: 'clip'; column: string; lo: number; hi: number }
  | { kind: 'derive'; column: string; expr: Expr; type: ColumnType }
  | { kind: 'filter'; expr: Expr; rowStep: true }
  | { kind: 'drop_missing'; columns: string[]; rowStep: true }
  | { kind: 'dedupe'; columns: string[]; rowStep: true };

/** Filter, drop_missing and dedupe, fitted or as written (the AST's step kinds are the same words). */
export function isRowStep(s: { kind: string }): boolean {
  return s.kind === 'filter' || s.kind === 'drop_missing' || s.kind === 'dedupe';
}
