// The syntax tree of a .narml file. Pure data: no types, no files, no LSP.
// Every node carries its exact source range. Fields a half-typed line may lack are optional:
// the parser recovers and still returns a tree, and every consumer must accept holes.

export interface Position {
  /** 0-based line, as in LSP. */
  line: number;
  /** 0-based UTF-16 column, as in LSP. */
  character: number;
  /** 0-based offset into the text. */
  offset: number;
}

export interface Range {
  start: Position;
  end: Position;
}

interface NodeBase {
  range: Range;
}

/** A plain name or a backquoted one (`` `monthly fee` `` has name "monthly fee", quoted true). */
export interface Identifier extends NodeBase {
  kind: 'Identifier';
  name: string;
  quoted: boolean;
}

/** `parts.train` or `customers`. */
export interface QualifiedName extends NodeBase {
  kind: 'QualifiedName';
  parts: Identifier[];
  /** The dotted text, e.g. "parts.train". */
  text: string;
}

// ---------------------------------------------------------------- expressions

export interface NumberLiteral extends NodeBase { kind: 'Number'; value: number; text: string }
/** `80%`; value is the fraction (0.8). */
export interface PercentLiteral extends NodeBase { kind: 'Percent'; value: number; text: string }
/** `500ms`, `60s`, `5m`, `2h`, `7d`; ms is the duration in milliseconds. */
export interface DurationLiteral extends NodeBase { kind: 'Duration'; ms: number; text: string }
export interface StringLiteral extends NodeBase { kind: 'String'; value: string; terminated: boolean }
export interface BooleanLiteral extends NodeBase { kind: 'Boolean'; value: boolean }
/** A name used as a value: a column, a table (`parts.train`), an enum word (`median`, `on_drift`). */
export interface NameExpr extends NodeBase { kind: 'Name'; name: QualifiedName }
export interface ListExpr extends NodeBase { kind: 'List'; items: Expr[] }
export interface CallArgument extends NodeBase { name?: Identifier; value?: Expr }
/**
 * `name(args)`, or in a property value `name "text"` (`notify: webhook "https://…"`,
 * `retrain: schedule "0 3 * * 0"`), which is the call `name("text")` written without
 * parentheses (`bare`).
 */
export interface CallExpr extends NodeBase { kind: 'Call'; callee: Identifier; args: CallArgument[]; bare?: true }
export type BinaryOperator = '+' | '-' | '*' | '/' | '%' | '==' | '!=' | '<' | '<=' | '>' | '>=' | 'and' | 'or';
export interface BinaryExpr extends NodeBase {
  kind: 'Binary';
  operator: BinaryOperator;
  operatorRange: Range;
  left: Expr;
  right?: Expr;
}
export interface UnaryExpr extends NodeBase { kind: 'Unary'; operator: 'not' | '-'; operand?: Expr }
export interface ParenExpr extends NodeBase { kind: 'Paren'; inner?: Expr }
/** `number?` in a type position (columns block, cast). */
export interface NullableExpr extends NodeBase { kind: 'Nullable'; inner: Expr }

export type Expr =
  | NumberLiteral
  | PercentLiteral
  | DurationLiteral
  | StringLiteral
  | BooleanLiteral
  | NameExpr
  | ListExpr
  | CallExpr
  | BinaryExpr
  | UnaryExpr
  | ParenExpr
  | NullableExpr;

// ---------------------------------------------------------------- properties

/**
 * `key: value`, `key { ... }` or `key: value { ... }` (e.g. `tune: grid { depth: [3, 5] }`,
 * `columns { age: number? }`).
 */
export interface Property extends NodeBase {
  kind: 'Property';
  key: Identifier;
  value?: Expr;
  /** `actuals: "labels/*.csv" on id`: the key column named after the value. */
  on?: Identifier;
  block?: Property[];
  /** Range of the block's braces, when there is a block. */
  blockRange?: Range;
}

// ---------------------------------------------------------------- transform steps

interface StepBase extends NodeBase {
  /** The step keyword token (`drop`, `impute`, ...). */
  keyword: Identifier;
}

export type ColumnListStepName = 'drop' | 'keep' | 'drop_missing' | 'dedupe';
export interface ColumnListStep extends StepBase { kind: ColumnListStepName; columns: Identifier[] }
export interface RenameStep extends StepBase { kind: 'rename'; from?: Identifier; to?: Identifier }
export interface TypeRef extends NodeBase { name: Identifier; nullable: boolean }
export interface CastStep extends StepBase { kind: 'cast'; columns: Identifier[]; type?: TypeRef }
/** `impute a, b with median` / `with constant(0)`: method is a Name or a Call. */
export interface ImputeStep extends StepBase { kind: 'impute'; columns: Identifier[]; method?: Expr }
export interface EncodeStep extends StepBase { kind: 'encode'; columns: Identifier[]; method?: Identifier }
export interface ScaleStep extends StepBase { kind: 'scale'; columns: Identifier[]; method?: Identifier }
/** `clip a to [0, 100]`, or learned bounds such as `clip a to quantile(0.01, 0.99)`. */
export interface ClipStep extends StepBase { kind: 'clip'; columns: Identifier[]; bounds?: Expr }
export interface DeriveStep extends StepBase { kind: 'derive'; target?: Identifier; expr?: Expr }
export interface FilterStep extends StepBase { kind: 'filter'; expr?: Expr }
/** A line that starts with a word that is no step: kept so the checker can say so. */
export interface UnknownStep extends StepBase { kind: 'unknown' }

export type Step =
  | ColumnListStep
  | RenameStep
  | CastStep
  | ImputeStep
  | EncodeStep
  | ScaleStep
  | ClipStep
  | DeriveStep
  | FilterStep
  | UnknownStep;

export type StepKind = Step['kind'];

// ---------------------------------------------------------------- declarations

interface DeclarationBase extends NodeBase {
  /** The declaration keyword token (`dataset`, `model`, ...). */
  keyword: Range;
  /** Range of the `{ ... }` body, if any. */
  bodyRange?: Range;
}

export interface DatasetDeclaration extends DeclarationBase {
  kind: 'dataset';
  name?: Identifier;
  /** The file path, or with `table` the engine's table name (`from table "db.events"`). */
  source?: StringLiteral;
  /** The range of the word `table` in `from table "db.events"`: the dataset is a table of the pipeline's engine. */
  table?: Range;
  properties: Property[];
}

/**
 * `engine: memory` or `engine: clickhouse("http://127.0.0.1:8123", cluster: "two_shards")`: where
 * the pipeline's datasets live and its steps run. At most one per file; it names nothing.
 */
export interface EngineDeclaration extends DeclarationBase {
  kind: 'engine';
  value?: Expr;
  properties: Property[];
}

export interface TransformDeclaration extends DeclarationBase {
  kind: 'transform';
  name?: Identifier;
  from?: QualifiedName;
  steps: Step[];
}

export interface SplitDeclaration extends DeclarationBase {
  kind: 'split';
  name?: Identifier;
  from?: QualifiedName;
  properties: Property[];
}

export interface ModelDeclaration extends DeclarationBase {
  kind: 'model';
  name?: Identifier;
  from?: QualifiedName;
  properties: Property[];
}

export interface EvaluateDeclaration extends DeclarationBase {
  kind: 'evaluate';
  model?: QualifiedName;
  on?: QualifiedName;
  /** `as N`; without it the name is derived (`churn_rf_on_parts_test`). */
  alias?: Identifier;
  properties: Property[];
}

export interface CompareDeclaration extends DeclarationBase {
  kind: 'compare';
  models: QualifiedName[];
  on?: QualifiedName;
  alias?: Identifier;
  properties: Property[];
}

/**
 * `@production` or `@v3` after a model name: a version the run store's registry holds, used
 * instead of the model the run trains. `text` is the part after `@` ('' while only `@` is typed);
 * the range covers the `@` too.
 */
export interface VersionRef extends NodeBase { text: string }

export interface PredictDeclaration extends DeclarationBase {
  kind: 'predict';
  name?: Identifier;
  model?: QualifiedName;
  version?: VersionRef;
  /** A path string (may be a glob) or a table name. */
  source?: StringLiteral | QualifiedName;
  properties: Property[];
}

export interface MonitorDeclaration extends DeclarationBase {
  kind: 'monitor';
  name?: Identifier;
  model?: QualifiedName;
  version?: VersionRef;
  properties: Property[];
}

export interface ExportDeclaration extends DeclarationBase {
  kind: 'export';
  model?: QualifiedName;
  target?: StringLiteral;
  properties: Property[];
}

export type Declaration =
  | DatasetDeclaration
  | TransformDeclaration
  | SplitDeclaration
  | ModelDeclaration
  | EvaluateDeclaration
  | CompareDeclaration
  | PredictDeclaration
  | MonitorDeclaration
  | ExportDeclaration
  | EngineDeclaration;

export type DeclarationKind = Declaration['kind'];

export const DECLARATION_KINDS: readonly DeclarationKind[] = [
  'dataset', 'transform', 'split', 'model', 'evaluate', 'compare', 'predict', 'monitor', 'export', 'engine',
];

export interface SyntaxError {
  message: string;
  range: Range;
  /** When the fix is plain: the text the range should read (a misspelt keyword, a missing quote). */
  fix?: { title: string; replacement: string };
}

export interface Comment {
  text: string;
  range: Range;
}

export interface Document {
  declarations: Declaration[];
  /** NML001 material: the parser recovered from each of these. */
  syntaxErrors: SyntaxError[];
  comments: Comment[];
}
