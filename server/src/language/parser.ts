// Recursive-descent parser over chevrotain's tokens. Hand-written rather than a chevrotain
// grammar because the language is newline-sensitive with contextual keywords, and because a
// half-typed line must still give a partial node the editor can complete on: each rule keeps
// what it has parsed, records one syntax error at the exact token, and resynchronises at the
// end of the line (or at the next declaration keyword), so the rest of the file is parsed.
import type {
  BinaryOperator, CallArgument, Declaration, DeclarationKind, Document, Expr, Identifier, Property,
  QualifiedName, Range, Step, StringLiteral, VersionRef, SyntaxError, TypeRef, Comment,
} from './ast';
import { DECLARATION_KINDS } from './ast';
import { lex, lexPart, positionAt, type Token } from './lexer';
import { closestName } from './suggest';

export const STEP_KEYWORDS = [
  'drop', 'keep', 'rename', 'cast', 'impute', 'drop_missing', 'encode', 'scale', 'clip', 'derive', 'filter', 'dedupe',
] as const;

const KIND_SET = new Set<string>(DECLARATION_KINDS);
const STEP_SET = new Set<string>(STEP_KEYWORDS);
/** Deeper nesting than this is reported instead of recursed into (10k-deep brackets must not overflow the stack). */
const MAX_DEPTH = 200;

const EOF_TOKEN_TEXT = '';

class ParseAbort extends Error {}

type StepFields = Step extends infer S ? (S extends Step ? Omit<S, 'range' | 'keyword'> : never) : never;

class Parser {
  private readonly tokens: Token[];
  private pos = 0;
  private depth = 0;
  /** Inside ( ) or [ ], newlines are not terminators. */
  private bracketDepth = 0;
  /** Inside a property's value, where `name "text"` is a call without parentheses. */
  private inPropertyValue = 0;
  readonly errors: SyntaxError[] = [];
  readonly comments: Comment[] = [];
  /** Characters the lexer could not read (their errors come first in `errors`). */
  readonly lexErrors: number;
  /** For each declaration, how many errors were reported before it. */
  readonly marks: number[] = [];
  /** Where the declaration loop stopped: the offset of the token at `part.stop`, or of the end. */
  stoppedAt = -1;
  private readonly eof: Token;
  private readonly stop: number;
  /** The error reported just before this part of the text (errors at the same spot are dropped). */
  private readonly before: SyntaxError | undefined;

  constructor(text: string, part?: TextPart) {
    const { tokens, errors, lineStarts } = part ? lexPart(text, part.lineStarts, part.from, part.to) : lex(text);
    this.errors.push(...errors);
    this.lexErrors = errors.length;
    this.tokens = [];
    for (const t of tokens) {
      if (t.kind === 'comment') this.comments.push({ text: t.text, range: t.range });
      else this.tokens.push(t);
    }
    const endPos = positionAt(lineStarts, part ? part.to : text.length);
    this.eof = { kind: 'eof', text: EOF_TOKEN_TEXT, range: { start: endPos, end: endPos } };
    this.stop = part ? part.stop : Infinity;
    this.before = part?.before;
  }

  // ------------------------------------------------------------ token access

  private peek(ahead = 0): Token {
    let i = this.pos;
    let seen = 0;
    while (i < this.tokens.length) {
      const t = this.tokens[i];
      if (t.kind === 'newline' && this.bracketDepth > 0) { i++; continue; }
      if (seen === ahead) return t;
      seen++;
      i++;
    }
    return this.eof;
  }

  private next(): Token {
    while (this.pos < this.tokens.length && this.bracketDepth > 0 && this.tokens[this.pos].kind === 'newline') this.pos++;
    const t = this.pos < this.tokens.length ? this.tokens[this.pos] : this.eof;
    if (this.pos < this.tokens.length) this.pos++;
    return t;
  }

  private isPunct(t: Token, p: string): boolean {
    return t.kind === 'punct' && t.text === p;
  }

  private isWord(t: Token, w: string): boolean {
    return t.kind === 'name' && t.text === w;
  }

  private atLineEnd(): boolean {
    const t = this.peek();
    return t.kind === 'newline' || t.kind === 'eof' || this.isPunct(t, '}') || this.isPunct(t, ',');
  }

  private error(message: string, range: Range, fix?: SyntaxError['fix']): void {
    // One error per spot is enough; a cascade at the same place says nothing new.
    const last = this.errors.length > 0 ? this.errors[this.errors.length - 1] : this.before;
    if (last && last.range.start.offset === range.start.offset) return;
    this.errors.push({ message, range, ...(fix ? { fix } : {}) });
  }

  private describe(t: Token): string {
    if (t.kind === 'eof') return 'the end of the file';
    if (t.kind === 'newline') return 'the end of the line';
    return `"${t.text}"`;
  }

  /** True when the current token starts a new declaration: a kind word first on its line. */
  private atDeclarationStart(): boolean {
    const t = this.peek();
    if (t.kind !== 'name' || !KIND_SET.has(t.text)) return false;
    const i = this.pos;
    if (this.tokens[i] !== t) return false;
    const prev = i > 0 ? this.tokens[i - 1] : undefined;
    if (prev && prev.kind !== 'newline') return false;
    // `model` alone on a line inside a body could be a half-typed column; a header has a word after it.
    const after = this.tokens[i + 1];
    if (t.text === 'engine') return after !== undefined && after.kind === 'punct' && after.text === ':';
    return after === undefined || after.kind === 'name' || after.kind === 'quoted' || after.kind === 'newline';
  }

  /** Skips to the end of the current line (not past a closing brace that ends the body). */
  private skipLine(): void {
    const saved = this.bracketDepth;
    this.bracketDepth = 0;
    while (true) {
      const t = this.peek();
      if (t.kind === 'eof' || t.kind === 'newline' || this.isPunct(t, '}')) break;
      this.next();
    }
    this.bracketDepth = saved;
  }

  private skipNewlines(): void {
    while (this.peek().kind === 'newline') this.next();
  }

  // ------------------------------------------------------------ document

  parseDocument(): Document {
    const declarations: Declaration[] = [];
    while (true) {
      this.skipNewlines();
      const t = this.peek();
      if (t.kind === 'eof' || t.range.start.offset >= this.stop) {
        this.stoppedAt = t.range.start.offset;
        break;
      }
      if (t.kind === 'name' && KIND_SET.has(t.text)) {
        const before = this.errors.length;
        try {
          declarations.push(this.parseDeclaration(t.text as DeclarationKind));
          this.marks.push(before);
        } catch (e) {
          if (!(e instanceof ParseAbort)) throw e;
          this.skipToNextDeclaration();
        }
        continue;
      }
      const suggestion = t.kind === 'name' ? closestName(t.text, DECLARATION_KINDS) : undefined;
      this.error(
        `expected a declaration (${DECLARATION_KINDS.join(', ')}) but found ${this.describe(t)}` +
          (suggestion ? `: did you mean "${suggestion}"?` : ''),
        t.range,
        suggestion ? { title: `Change to "${suggestion}"`, replacement: suggestion } : undefined,
      );
      this.next();
      this.skipLine();
      if (this.isPunct(this.peek(), '}')) this.next();
    }
    return { declarations, syntaxErrors: this.errors, comments: this.comments };
  }

  private parseDeclaration(kind: DeclarationKind): Declaration {
    const kw = this.next();
    const start = kw.range.start;
    const keyword = kw.range;
    switch (kind) {
      case 'dataset': {
        const name = this.expectIdentifier('a dataset name', 'dataset customers from "data/customers.csv"');
        let source: StringLiteral | undefined;
        let table: Range | undefined;
        if (name && this.expectWord('from', 'after the dataset name', 'dataset customers from "data/customers.csv"')) {
          if (this.isWord(this.peek(), 'table')) {
            table = this.next().range;
            source = this.expectString('the table name', 'dataset events from table "db.events"');
          } else {
            source = this.expectString('the CSV path (or table "db.name" for a table of the engine)', 'dataset customers from "data/customers.csv"');
          }
        }
        const body = this.parsePropertyBody(name !== undefined);
        return { kind, keyword, name, source, ...(table ? { table } : {}), properties: body.items, bodyRange: body.range, range: this.rangeFrom(start) };
      }
      case 'transform': {
        const name = this.expectIdentifier('a transform name', 'transform clean from customers { ... }');
        const from = name && this.expectWord('from', 'after the transform name', 'transform clean from customers { ... }')
          ? this.expectQualifiedName('the table to transform', 'transform clean from customers { ... }') : undefined;
        const body = this.parseStepBody(from !== undefined);
        return { kind, keyword, name, from, steps: body.items, bodyRange: body.range, range: this.rangeFrom(start) };
      }
      case 'split':
      case 'model': {
        const example = kind === 'split' ? 'split parts from clean { train: 80%, test: 20% }' : 'model churn from parts.train { target: churned }';
        const name = this.expectIdentifier(`a ${kind} name`, example);
        const from = name && this.expectWord('from', `after the ${kind} name`, example)
          ? this.expectQualifiedName(kind === 'split' ? 'the table to split' : 'the table to train on', example) : undefined;
        const body = this.parsePropertyBody(from !== undefined);
        return { kind, keyword, name, from, properties: body.items, bodyRange: body.range, range: this.rangeFrom(start) };
      }
      case 'evaluate': {
        const example = 'evaluate churn_rf on parts.test { metrics: [accuracy] }';
        const model = this.expectQualifiedName('the model to evaluate', example);
        const on = model && this.expectWord('on', 'after the model name', example) ? this.expectQualifiedName('the table to evaluate on', example) : undefined;
        const alias = this.parseAlias();
        const body = this.parsePropertyBody(on !== undefined);
        return { kind, keyword, model, on, alias, properties: body.items, bodyRange: body.range, range: this.rangeFrom(start) };
      }
      case 'compare': {
        const example = 'compare model_a, model_b on parts.test { metric: f1 }';
        const models: QualifiedName[] = [];
        const first = this.expectQualifiedName('the first model to compare', example);
        if (first) models.push(first);
        while (first && this.isPunct(this.peek(), ',')) {
          this.next();
          const m = this.expectQualifiedName('a model name after ","', example);
          if (!m) break;
          models.push(m);
        }
        const on = first && this.expectWord('on', 'after the compared models', example) ? this.expectQualifiedName('the table to compare on', example) : undefined;
        const alias = this.parseAlias();
        const body = this.parsePropertyBody(on !== undefined);
        return { kind, keyword, models, on, alias, properties: body.items, bodyRange: body.range, range: this.rangeFrom(start) };
      }
      case 'predict': {
        const example = 'predict nightly with churn_rf from "data/incoming/*.csv" { output: "out/scores.csv" }';
        const name = this.expectIdentifier('a prediction name', example);
        const model = name && this.expectWord('with', 'after the prediction name', example) ? this.expectQualifiedName('the model to predict with', example) : undefined;
        const version = model ? this.parseVersionRef() : undefined;
        let source: StringLiteral | QualifiedName | undefined;
        if (model && this.expectWord('from', 'after the model name', example)) {
          const t = this.peek();
          if (t.kind === 'string') source = this.stringLiteral(this.next());
          else source = this.expectQualifiedName('a CSV path in quotes or a table name', example);
        }
        const body = this.parsePropertyBody(source !== undefined);
        return { kind, keyword, name, model, ...(version ? { version } : {}), source, properties: body.items, bodyRange: body.range, range: this.rangeFrom(start) };
      }
      case 'monitor': {
        const example = 'monitor watch for churn_rf { baseline: parts.train, current: nightly }';
        const name = this.expectIdentifier('a monitor name', example);
        const model = name && this.expectWord('for', 'after the monitor name', example) ? this.expectQualifiedName('the model to monitor', example) : undefined;
        const version = model ? this.parseVersionRef() : undefined;
        const body = this.parsePropertyBody(model !== undefined);
        return { kind, keyword, name, model, ...(version ? { version } : {}), properties: body.items, bodyRange: body.range, range: this.rangeFrom(start) };
      }
      case 'engine': {
        const example = 'engine: clickhouse("http://127.0.0.1:8123", cluster: "two_shards")';
        let value: Expr | undefined;
        if (this.isPunct(this.peek(), ':')) {
          this.next();
          value = this.propertyValue();
          if (!value) this.error(`expected an engine after "engine:", e.g. ${example}`, this.errorRange(this.peek()));
        } else {
          this.error(`expected ":" after "engine", e.g. ${example}`, this.errorRange(this.peek()));
        }
        if (!this.atLineEnd()) {
          const extra = this.peek();
          this.error(`unexpected ${this.describe(extra)}: the engine statement is one line, e.g. ${example}`, extra.range);
        }
        this.skipLine();
        return { kind, keyword, ...(value ? { value } : {}), properties: [], range: this.rangeFrom(start) };
      }
      case 'export': {
        const example = 'export churn_rf to "models/churn.onnx"';
        const model = this.expectQualifiedName('the model to export', example);
        const target = model && this.expectWord('to', 'after the model name', example) ? this.expectString('the output path', example) : undefined;
        const body = this.parsePropertyBody(target !== undefined);
        return { kind, keyword, model, target, properties: body.items, bodyRange: body.range, range: this.rangeFrom(start) };
      }
    }
  }

  private parseAlias(): Identifier | undefined {
    if (!this.isWord(this.peek(), 'as')) return undefined;
    this.next();
    return this.expectIdentifier('a name after "as"', 'evaluate m on t as m_report');
  }

  // ------------------------------------------------------------ header pieces

  private lastEnd(): Range['end'] {
    for (let i = this.pos - 1; i >= 0; i--) {
      const t = this.tokens[i];
      if (t.kind !== 'newline') return t.range.end;
    }
    return this.eof.range.start;
  }

  private rangeFrom(start: Range['start']): Range {
    return { start, end: this.lastEnd() };
  }

  private expectWord(word: string, where: string, example: string): boolean {
    const t = this.peek();
    if (this.isWord(t, word)) {
      this.next();
      return true;
    }
    this.error(`expected "${word}" ${where} but found ${this.describe(t)}, e.g. ${example}`, this.errorRange(t));
    this.recoverHeader();
    return false;
  }

  /** After a broken header: skip to the body's "{" on this line, or to the end of the line. */
  private recoverHeader(): void {
    while (true) {
      const t = this.peek();
      if (t.kind === 'eof' || t.kind === 'newline' || this.isPunct(t, '{')) return;
      this.next();
    }
  }

  /** An empty range at a line end is invisible in editors; point at the previous token's end instead. */
  private errorRange(t: Token): Range {
    if (t.kind === 'newline' || t.kind === 'eof') {
      const end = this.lastEnd();
      return { start: end, end };
    }
    return t.range;
  }

  private identifier(t: Token): Identifier {
    if (t.kind === 'quoted') {
      if (!t.text.endsWith('`') || t.text.length < 2) this.error('unterminated backquoted name: add the closing `', t.range, { title: 'Add the closing `', replacement: `${t.text}\`` });
      const name = t.text.length >= 2 && t.text.endsWith('`') ? t.text.slice(1, -1) : t.text.slice(1);
      return { kind: 'Identifier', name, quoted: true, range: t.range };
    }
    return { kind: 'Identifier', name: t.text, quoted: false, range: t.range };
  }

  private expectIdentifier(what: string, example: string): Identifier | undefined {
    const t = this.peek();
    if (t.kind === 'name' || t.kind === 'quoted') return this.identifier(this.next());
    this.error(`expected ${what} but found ${this.describe(t)}, e.g. ${example}`, this.errorRange(t));
    this.recoverHeader();
    return undefined;
  }

  private qualifiedNameFrom(first: Token): QualifiedName {
    const parts = [this.identifier(first)];
    while (this.isPunct(this.peek(), '.') && (this.peek(1).kind === 'name' || this.peek(1).kind === 'quoted')) {
      this.next();
      parts.push(this.identifier(this.next()));
    }
    if (this.isPunct(this.peek(), '.')) {
      const dot = this.next();
      this.error(`expected a name after "." (e.g. parts.train)`, dot.range);
    }
    return {
      kind: 'QualifiedName',
      parts,
      text: parts.map((p) => p.name).join('.'),
      range: { start: parts[0].range.start, end: parts[parts.length - 1].range.end },
    };
  }

  private expectQualifiedName(what: string, example: string): QualifiedName | undefined {
    const t = this.peek();
    if (t.kind === 'name' || t.kind === 'quoted') return this.qualifiedNameFrom(this.next());
    this.error(`expected ${what} but found ${this.describe(t)}, e.g. ${example}`, this.errorRange(t));
    this.recoverHeader();
    return undefined;
  }

  /** `@production`, `@v3` right after a model name; the checker judges the word. */
  private parseVersionRef(): VersionRef | undefined {
    const at = this.peek();
    if (!this.isPunct(at, '@')) return undefined;
    this.next();
    const word = this.peek();
    // `from` is the predict's next word, never a version: `with churn@ from ...` lacks the version.
    if (word.kind === 'name' && word.text !== 'from') {
      this.next();
      return { text: word.text, range: { start: at.range.start, end: word.range.end } };
    }
    this.error(`expected a stage (production, staging, archived) or a version such as v3 after "@", but found ${this.describe(word)}, e.g. with churn@production`, this.errorRange(word));
    return { text: '', range: at.range };
  }

  private stringLiteral(t: Token): StringLiteral {
    const terminated = t.text.length >= 2 && t.text.endsWith('"') && !closingQuoteEscaped(t.text);
    if (!terminated) this.error('unterminated string: add the closing double quote', t.range, { title: 'Add the closing "', replacement: `${t.text}"` });
    const inner = terminated ? t.text.slice(1, -1) : t.text.slice(1);
    const value = inner.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
    return { kind: 'String', value, terminated, range: t.range };
  }

  private expectString(what: string, example: string): StringLiteral | undefined {
    const t = this.peek();
    if (t.kind === 'string') return this.stringLiteral(this.next());
    this.error(`expected ${what} as a "quoted string" but found ${this.describe(t)}, e.g. ${example}`, this.errorRange(t));
    this.recoverHeader();
    return undefined;
  }

  // ------------------------------------------------------------ bodies

  /**
   * `{ item (sep item)* }` where sep is a newline or a comma. Returns the items and the brace range.
   * A missing "}" is reported at the "{" and the body ends at the next declaration keyword.
   */
  private parseBody<T>(item: () => T | undefined): { items: T[]; range?: Range } {
    const items: T[] = [];
    const open = this.peek();
    if (!this.isPunct(open, '{')) {
      if (open.kind !== 'newline' && open.kind !== 'eof') {
        this.error(`expected "{" or the end of the line but found ${this.describe(open)}`, open.range);
        this.skipLine();
      }
      return { items };
    }
    this.next();
    this.depth++;
    while (true) {
      const t = this.peek();
      if (t.kind === 'newline' || this.isPunct(t, ',')) { this.next(); continue; }
      if (this.isPunct(t, '}')) {
        const close = this.next();
        this.depth--;
        return { items, range: { start: open.range.start, end: close.range.end } };
      }
      if (t.kind === 'eof' || this.atDeclarationStart()) {
        this.error('missing "}" to close this body', open.range);
        this.depth--;
        return { items, range: { start: open.range.start, end: this.lastEnd() } };
      }
      const before = this.pos;
      const it = item();
      if (it !== undefined) items.push(it);
      if (!this.atLineEnd()) {
        const extra = this.peek();
        this.error(`unexpected ${this.describe(extra)}: end the line here, or separate items with a comma`, extra.range);
        this.skipLine();
      }
      if (this.pos === before) this.next();
    }
  }

  private parsePropertyBody(headerOk: boolean): { items: Property[]; range?: Range } {
    if (!headerOk && !this.isPunct(this.peek(), '{')) {
      this.skipLine();
      return { items: [] };
    }
    return this.parseBody(() => this.parseProperty());
  }

  /** The value after `key:`, where `name "text"` is a call without parentheses. */
  private propertyValue(): Expr | undefined {
    this.inPropertyValue++;
    try {
      return this.parseExpression();
    } finally {
      this.inPropertyValue--;
    }
  }

  private parseProperty(): Property | undefined {
    const t = this.peek();
    if (t.kind !== 'name' && t.kind !== 'quoted') {
      this.error(`expected a property such as "key: value" but found ${this.describe(t)}`, t.range);
      this.skipLine();
      return undefined;
    }
    const key = this.identifier(this.next());
    let value: Expr | undefined;
    // `key: { ... }` is the block form with a colon (a map such as class_weight: { A: 2, B: 1 }).
    const colonBlock = this.isPunct(this.peek(), ':') && this.isPunct(this.peek(1), '{');
    if (colonBlock) this.next();
    else if (this.isPunct(this.peek(), ':')) {
      this.next();
      value = this.propertyValue();
      if (!value) this.error(`expected a value after "${key.name}:"`, this.errorRange(this.peek()));
    }
    let on: Identifier | undefined;
    if (value && this.peek().kind === 'name' && this.peek().text === 'on') {
      this.next();
      const col = this.peek();
      if (col.kind === 'name' || col.kind === 'quoted') on = this.identifier(this.next());
      else this.error(`expected a key column after "on", e.g. ${key.name}: "labels/*.csv" on id`, this.errorRange(col));
    }
    let block: Property[] | undefined;
    let blockRange: Range | undefined;
    if (this.isPunct(this.peek(), '{')) {
      const b = this.parseBody(() => this.parseProperty());
      block = b.items;
      blockRange = b.range;
    } else if (value === undefined) {
      this.error(`expected ":" after "${key.name}", e.g. ${key.name}: value`, this.errorRange(this.peek()));
    }
    return { kind: 'Property', key, value, ...(on ? { on } : {}), block, blockRange, range: this.rangeFrom(key.range.start) };
  }

  private parseStepBody(headerOk: boolean): { items: Step[]; range?: Range } {
    if (!headerOk && !this.isPunct(this.peek(), '{')) {
      this.skipLine();
      return { items: [] };
    }
    return this.parseBody(() => this.parseStep());
  }

  // ------------------------------------------------------------ steps

  private parseColumnList(optional: boolean, what: string): Identifier[] {
    const cols: Identifier[] = [];
    const first = this.peek();
    if (first.kind !== 'name' && first.kind !== 'quoted') {
      if (!optional) this.error(`expected ${what} but found ${this.describe(first)}`, this.errorRange(first));
      return cols;
    }
    cols.push(this.identifier(this.next()));
    while (this.isPunct(this.peek(), ',')) {
      const after = this.peek(1);
      if (after.kind !== 'name' && after.kind !== 'quoted') break;
      // `drop a, keep b`: a step keyword followed by a column starts a new step.
      if (after.kind === 'name' && STEP_SET.has(after.text) && (this.peek(2).kind === 'name' || this.peek(2).kind === 'quoted')) break;
      this.next();
      cols.push(this.identifier(this.next()));
    }
    return cols;
  }

  private parseStep(): Step | undefined {
    const t = this.peek();
    if (t.kind !== 'name') {
      this.error(`expected a step (${STEP_KEYWORDS.join(', ')}) but found ${this.describe(t)}`, t.range);
      this.skipLine();
      return undefined;
    }
    const kwTok = this.next();
    const keyword = this.identifier(kwTok);
    const start = kwTok.range.start;
    const done = (s: StepFields): Step => ({ ...s, keyword, range: this.rangeFrom(start) }) as Step;
    switch (kwTok.text) {
      case 'drop':
      case 'keep':
        return done({ kind: kwTok.text, columns: this.parseColumnList(false, `the columns to ${kwTok.text}, e.g. ${kwTok.text} a, b`) });
      case 'drop_missing':
      case 'dedupe':
        return done({ kind: kwTok.text, columns: this.parseColumnList(true, 'columns') });
      case 'rename': {
        const from = this.parseColumnList(false, 'the column to rename, e.g. rename old_name to new_name')[0];
        let to: Identifier | undefined;
        if (from && this.expectStepWord('to', 'rename old_name to new_name')) to = this.expectStepIdentifier('the new column name', 'rename old_name to new_name');
        return done({ kind: 'rename', from, to });
      }
      case 'cast': {
        const columns = this.parseColumnList(false, 'the columns to cast, e.g. cast plan as category');
        let type: TypeRef | undefined;
        if (columns.length > 0 && this.expectStepWord('as', 'cast plan as category')) {
          const name = this.expectStepIdentifier('a type (number, category, boolean, text, date)', 'cast plan as category');
          if (name) {
            let nullable = false;
            let end = name.range.end;
            if (this.isPunct(this.peek(), '?')) { end = this.next().range.end; nullable = true; }
            type = { name, nullable, range: { start: name.range.start, end } };
          }
        }
        return done({ kind: 'cast', columns, type });
      }
      case 'impute': {
        const columns = this.parseColumnList(false, 'the columns to impute, e.g. impute age with median');
        const method = columns.length > 0 && this.expectStepWord('with', 'impute age with median') ? this.parseExpression() : undefined;
        if (columns.length > 0 && method === undefined && this.isWord(this.tokens[this.pos - 1] ?? this.eof, 'with')) {
          this.error('expected a method after "with": mean, median, mode or constant(V)', this.errorRange(this.peek()));
        }
        return done({ kind: 'impute', columns, method });
      }
      case 'encode':
      case 'scale': {
        const link = kwTok.text === 'encode' ? 'as' : 'with';
        const example = kwTok.text === 'encode' ? 'encode plan as onehot' : 'scale age with standard';
        const columns = this.parseColumnList(false, `the columns to ${kwTok.text}, e.g. ${example}`);
        const method = columns.length > 0 && this.expectStepWord(link, example) ? this.expectStepIdentifier(`a method after "${link}"`, example) : undefined;
        return done({ kind: kwTok.text, columns, method });
      }
      case 'clip': {
        const columns = this.parseColumnList(false, 'the columns to clip, e.g. clip age to [0, 100]');
        const bounds = columns.length > 0 && this.expectStepWord('to', 'clip age to [0, 100]') ? this.parseExpression() : undefined;
        return done({ kind: 'clip', columns, bounds });
      }
      case 'derive': {
        const target = this.expectStepIdentifier('the new column name', 'derive ratio = a / b');
        let expr: Expr | undefined;
        if (target) {
          if (this.isPunct(this.peek(), '=')) {
            this.next();
            expr = this.parseExpression();
            if (!expr) this.error('expected an expression after "="', this.errorRange(this.peek()));
          } else {
            this.error(`expected "=" after the column name, e.g. derive ${target.name} = a / b`, this.errorRange(this.peek()));
            this.skipLine();
          }
        }
        return done({ kind: 'derive', target, expr });
      }
      case 'filter': {
        const expr = this.parseExpression();
        if (!expr) this.error('expected a condition after "filter", e.g. filter age > 18', this.errorRange(this.peek()));
        return done({ kind: 'filter', expr });
      }
      default: {
        const suggestion = closestName(kwTok.text, STEP_KEYWORDS);
        this.error(
          `unknown step "${kwTok.text}"` + (suggestion ? `: did you mean "${suggestion}"?` : `; steps are ${STEP_KEYWORDS.join(', ')}`),
          kwTok.range,
          suggestion ? { title: `Change to "${suggestion}"`, replacement: suggestion } : undefined,
        );
        this.skipLine();
        return { kind: 'unknown', keyword, range: this.rangeFrom(start) };
      }
    }
  }

  private expectStepWord(word: string, example: string): boolean {
    const t = this.peek();
    if (this.isWord(t, word)) { this.next(); return true; }
    this.error(`expected "${word}" but found ${this.describe(t)}, e.g. ${example}`, this.errorRange(t));
    this.skipLine();
    return false;
  }

  private expectStepIdentifier(what: string, example: string): Identifier | undefined {
    const t = this.peek();
    if (t.kind === 'name' || t.kind === 'quoted') return this.identifier(this.next());
    this.error(`expected ${what} but found ${this.describe(t)}, e.g. ${example}`, this.errorRange(t));
    this.skipLine();
    return undefined;
  }

  // ------------------------------------------------------------ expressions

  parseExpression(): Expr | undefined {
    return this.nested(() => this.parseOr());
  }

  private parseBinaryLevel(operators: readonly string[], operand: () => Expr | undefined): Expr | undefined {
    let left = operand();
    if (!left) return undefined;
    while (true) {
      const op = this.peek();
      if (!((op.kind === 'punct' || op.kind === 'name') && operators.includes(op.text))) return left;
      this.next();
      const right = operand();
      if (!right) this.error(`expected a value after "${op.text}"`, this.errorRange(this.peek()));
      left = {
        kind: 'Binary',
        operator: op.text as BinaryOperator,
        operatorRange: op.range,
        left,
        right,
        range: { start: left.range.start, end: right ? right.range.end : op.range.end },
      };
    }
  }

  private parseOr(): Expr | undefined {
    return this.parseBinaryLevel(['or'], () => this.parseAnd());
  }

  private parseAnd(): Expr | undefined {
    return this.parseBinaryLevel(['and'], () => this.parseNot());
  }

  /** `not` binds looser than comparisons: `not a > b` is `not (a > b)`. */
  private parseNot(): Expr | undefined {
    const t = this.peek();
    if (this.isWord(t, 'not')) {
      this.next();
      const operand = this.nested(() => this.parseNot());
      if (!operand) this.error('expected a condition after "not"', this.errorRange(this.peek()));
      return { kind: 'Unary', operator: 'not', operand, range: { start: t.range.start, end: operand ? operand.range.end : t.range.end } };
    }
    return this.parseBinaryLevel(['==', '!=', '<', '<=', '>', '>='], () =>
      this.parseBinaryLevel(['+', '-'], () => this.parseBinaryLevel(['*', '/', '%'], () => this.parseUnary())));
  }

  /** Runs a rule one nesting level deeper, refusing to go past MAX_DEPTH. */
  private nested<T>(rule: () => T): T {
    if (this.depth >= MAX_DEPTH) {
      this.error(`expression nested more than ${MAX_DEPTH} levels deep: simplify it`, this.peek().range);
      throw new ParseAbort();
    }
    this.depth++;
    try {
      return rule();
    } finally {
      this.depth--;
    }
  }

  private parseUnary(): Expr | undefined {
    const t = this.peek();
    if (this.isPunct(t, '-')) {
      this.next();
      const operand = this.nested(() => this.parseUnary());
      if (!operand) this.error('expected a value after "-"', this.errorRange(this.peek()));
      if (operand && (operand.kind === 'Number' || operand.kind === 'Percent')) {
        return { ...operand, value: -operand.value, text: `-${operand.text}`, range: { start: t.range.start, end: operand.range.end } };
      }
      return { kind: 'Unary', operator: '-', operand, range: { start: t.range.start, end: operand ? operand.range.end : t.range.end } };
    }
    return this.parsePostfix();
  }

  private parsePostfix(): Expr | undefined {
    const e = this.parsePrimary();
    if (e && this.isPunct(this.peek(), '?')) {
      const q = this.next();
      return { kind: 'Nullable', inner: e, range: { start: e.range.start, end: q.range.end } };
    }
    return e;
  }

  private parsePrimary(): Expr | undefined {
    const t = this.peek();
    switch (t.kind) {
      case 'number': {
        this.next();
        return { kind: 'Number', value: Number(t.text), text: t.text, range: t.range };
      }
      case 'percent': {
        this.next();
        return { kind: 'Percent', value: Number(t.text.slice(0, -1)) / 100, text: t.text, range: t.range };
      }
      case 'duration': {
        this.next();
        const m = /^([\d.]+)(ms|s|m|h|d)$/.exec(t.text);
        const unit = m ? { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'] : 1;
        return { kind: 'Duration', ms: Number(m ? m[1] : 0) * unit, text: t.text, range: t.range };
      }
      case 'string':
        return this.stringLiteral(this.next());
      case 'quoted':
      case 'name': {
        if (t.kind === 'name' && (t.text === 'true' || t.text === 'false')) {
          this.next();
          return { kind: 'Boolean', value: t.text === 'true', range: t.range };
        }
        const first = this.next();
        if (first.kind === 'name' && this.isPunct(this.peek(), '(')) return this.parseCall(this.identifier(first));
        // The string must follow on the same line: a newline inside a list still separates items.
        if (first.kind === 'name' && this.inPropertyValue > 0 && this.tokens[this.pos]?.kind === 'string') {
          const callee = this.identifier(first);
          const text = this.stringLiteral(this.next());
          return { kind: 'Call', callee, args: [{ value: text, range: text.range }], bare: true, range: { start: callee.range.start, end: text.range.end } };
        }
        const name = this.qualifiedNameFrom(first);
        return { kind: 'Name', name, range: name.range };
      }
      case 'punct': {
        if (t.text === '(') {
          const open = this.next();
          this.bracketDepth++;
          const inner = this.parseExpression();
          const close = this.expectClose(')', open);
          this.bracketDepth--;
          if (!inner) this.error('expected an expression inside "( )"', open.range);
          return { kind: 'Paren', inner, range: { start: open.range.start, end: close ?? this.lastEnd() } };
        }
        if (t.text === '[') {
          const open = this.next();
          this.bracketDepth++;
          const items: Expr[] = [];
          while (!this.isPunct(this.peek(), ']')) {
            const item = this.parseExpression();
            if (!item) break;
            items.push(item);
            if (!this.isPunct(this.peek(), ',')) break;
            this.next();
          }
          const close = this.expectClose(']', open);
          this.bracketDepth--;
          return { kind: 'List', items, range: { start: open.range.start, end: close ?? this.lastEnd() } };
        }
        return undefined;
      }
      default:
        return undefined;
    }
  }

  /** Consumes the closing bracket, or reports it missing and skips to it on this line. */
  private expectClose(close: string, open: Token): Range['end'] | undefined {
    const t = this.peek();
    if (this.isPunct(t, close)) return this.next().range.end;
    this.error(`expected "${close}" to close the "${open.text}" but found ${this.describe(t)}`, this.errorRange(t));
    // Skip to the matching bracket if it is on this line.
    const saved = this.bracketDepth;
    this.bracketDepth = 0;
    while (true) {
      const n = this.peek();
      if (n.kind === 'eof' || n.kind === 'newline' || this.isPunct(n, '}')) break;
      this.next();
      if (this.isPunct(n, close)) { this.bracketDepth = saved; return n.range.end; }
    }
    this.bracketDepth = saved;
    return undefined;
  }

  private parseCall(callee: Identifier): Expr {
    const open = this.next();
    this.bracketDepth++;
    const args: CallArgument[] = [];
    while (!this.isPunct(this.peek(), ')')) {
      const t = this.peek();
      let name: Identifier | undefined;
      if ((t.kind === 'name' || t.kind === 'quoted') && this.isPunct(this.peek(1), ':')) {
        name = this.identifier(this.next());
        this.next();
      }
      const value = this.parseExpression();
      if (!name && !value) break;
      if (name && !value) this.error(`expected a value after "${name.name}:"`, this.errorRange(this.peek()));
      const start = name ? name.range.start : value!.range.start;
      args.push({ name, value, range: { start, end: value ? value.range.end : name!.range.end } });
      if (!this.isPunct(this.peek(), ',')) break;
      this.next();
    }
    const close = this.expectClose(')', open);
    this.bracketDepth--;
    return { kind: 'Call', callee, args, range: { start: callee.range.start, end: close ?? this.lastEnd() } };
  }

  /** After nesting too deep to parse: drop the declaration and go on with the next one. */
  private skipToNextDeclaration(): void {
    this.depth = 0;
    this.bracketDepth = 0;
    this.next();
    while (this.peek().kind !== 'eof' && !(this.tokens[this.pos - 1]?.kind === 'newline' && this.atDeclarationStart())) this.next();
  }
}

/** `"a\\"` ends with an escaped backslash and a real quote; `"a\"` ends with an escaped quote. */
function closingQuoteEscaped(text: string): boolean {
  let backslashes = 0;
  for (let i = text.length - 2; i > 0 && text.charCodeAt(i) === 92; i--) backslashes++;
  return backslashes % 2 === 1;
}

/** Parses a whole file. Never throws: broken text gives a partial tree plus syntax errors. */
export function parse(text: string): Document {
  return new Parser(text).parseDocument();
}

/** A part of a file to parse on its own (reparse.ts): from a declaration's start to `stop`. */
export interface TextPart {
  lineStarts: number[];
  from: number;
  /** Where lexing ends: past `stop`, so the last declaration before it sees what follows. */
  to: number;
  /** The declaration loop stops at the first token at or after this offset. */
  stop: number;
  before?: SyntaxError;
}

export interface ParsedPart {
  document: Document;
  /** See Parser: errors before each declaration, lexer errors, where the loop stopped. */
  marks: number[];
  lexErrors: number;
  stoppedAt: number;
}

/** Parses a whole file, or a part of it, keeping what reparse.ts needs to parse only part of the next version. */
export function parseParts(text: string, part?: TextPart): ParsedPart {
  const parser = new Parser(text, part);
  const document = parser.parseDocument();
  return { document, marks: parser.marks, lexErrors: parser.lexErrors, stoppedAt: parser.stoppedAt };
}
