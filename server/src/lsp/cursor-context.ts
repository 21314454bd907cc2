// What the cursor stands in, decided from the syntax tree: the declaration around it, the step
// or property, the call and list of a value, and the one token before the word being typed (a
// link word such as `from`, an operator, a comma). The parser keeps half-typed lines as
// partial nodes, so `derive x = ` is a derive step whose expression is still missing, and
// `algorithm: random_forest(` a call with no arguments yet. Completion maps each place to the
// words valid there and nothing else.
import type { CallExpr, Declaration, Expr, Property, Step } from '../language/ast';
import { lex, type Token } from '../language/lexer';

/** The word the cursor is in or after (what the editor replaces), possibly empty. */
export interface TypedWord {
  start: number;
  end: number;
  text: string;
}

export type Place =
  /** A new declaration: the first word of a line outside any body. */
  | { kind: 'declaration' }
  /** A header's link word comes next (`from`, `on`, `with`, `for`, `to`, `as`). */
  | { kind: 'link'; words: readonly string[] }
  /** A table or a model named in a header. */
  | { kind: 'header-ref'; wants: 'table' | 'model' }
  /** The first word of a line in a transform body. */
  | { kind: 'step' }
  /** A column of the step's list; `link` is the word that may follow the list (`as`, `with`, `to`). */
  | { kind: 'step-column'; step: Step; link?: string }
  /** The link word of a step comes next. */
  | { kind: 'step-link'; step: Step; word: string }
  /** The method or type after a step's link word. */
  | { kind: 'step-method'; step: Step }
  /** An expression: at the start of an operand, or after one (where only an operator fits). */
  | { kind: 'expression'; afterOperand: boolean; of: 'columns' | 'metrics' }
  /** A property key of a body, or of a nested block (`columns { ... }`, `tune: grid { ... }`). */
  | { kind: 'property-key'; block?: string }
  /**
   * A property's value. `call` is the call the cursor is inside, with the named argument whose
   * value it is in (`argument`), or `newArgument` where an argument (or its name) starts.
   */
  | { kind: 'value'; key: string; block?: string; call?: { name: string; argument?: string; newArgument: boolean }; inList: boolean; afterValue: boolean }
  /** Nowhere a completion fits: a new name, a string, a comment, a number. */
  | { kind: 'none' };

export interface CursorContext {
  place: Place;
  /** The declaration the cursor is in, with its index in the document. */
  declaration?: { decl: Declaration; index: number };
  word: TypedWord;
}

/** Tokens after which an operand starts. */
const OPERAND_START_PUNCT = new Set(['+', '-', '*', '/', '%', '==', '!=', '<', '<=', '>', '>=', '(', '[', ',', '=', ':']);
const OPERAND_START_WORDS = new Set(['and', 'or', 'not']);
const STEP_LINK: Partial<Record<Step['kind'], string>> = { rename: 'to', cast: 'as', impute: 'with', encode: 'as', scale: 'with', clip: 'to' };

function typedWord(text: string, offset: number): TypedWord {
  let start = offset;
  while (start > 0 && /[A-Za-z0-9_]/.test(text[start - 1])) start--;
  // `parts.tr` is one qualified name: the items (`parts.train`) replace all of it.
  while (text[start - 1] === '.' && /[A-Za-z0-9_]/.test(text[start - 2] ?? '')) {
    let s = start - 1;
    while (s > 0 && /[A-Za-z0-9_]/.test(text[s - 1])) s--;
    if (!/[A-Za-z_]/.test(text[s])) break;
    start = s;
  }
  // A backquoted name being typed (`` `Body Ma ``) is one word from its backquote.
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const line = text.slice(lineStart, offset);
  if ((line.split('`').length - 1) % 2 === 1) start = lineStart + line.lastIndexOf('`');
  return { start, end: offset, text: text.slice(start, offset) };
}

function lastDeclarationBefore(decls: readonly Declaration[], offset: number): number {
  let lo = 0;
  let hi = decls.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (decls[mid].range.start.offset <= offset) { found = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return found;
}

function isWord(t: Token | undefined, word: string): boolean {
  return t !== undefined && t.kind === 'name' && t.text === word;
}

function isPunct(t: Token | undefined, p: string): boolean {
  return t !== undefined && t.kind === 'punct' && t.text === p;
}

/** After `t`, does an operand start (true) or has one just ended (false)? */
function operandStarts(t: Token | undefined): boolean {
  if (!t) return true;
  if (t.kind === 'punct') return OPERAND_START_PUNCT.has(t.text);
  return t.kind === 'name' && OPERAND_START_WORDS.has(t.text);
}

/** The tokens of one declaration up to the word being typed, and questions about them. */
class Locator {
  readonly tokens: Token[];
  /** The last token before the typed word that is not a newline. */
  readonly before: Token | undefined;

  constructor(readonly text: string, from: number, readonly at: number) {
    this.tokens = lex(text.slice(from, at)).tokens
      .filter((t) => t.kind !== 'comment')
      .map((t) => ({ ...t, range: { start: { ...t.range.start, offset: t.range.start.offset + from }, end: { ...t.range.end, offset: t.range.end.offset + from } } }));
    this.before = [...this.tokens].reverse().find((t) => t.kind !== 'newline');
  }

  private between(from: number, to = this.at): Token[] {
    return this.tokens.filter((t) => t.range.start.offset >= from && t.range.end.offset <= to);
  }

  /** The brackets open at the cursor among the tokens from `from` (innermost last). */
  openBrackets(from: number): string[] {
    const stack: string[] = [];
    for (const t of this.between(from)) {
      if (t.kind !== 'punct') continue;
      if (t.text === '(' || t.text === '[') stack.push(t.text);
      else if ((t.text === ')' || t.text === ']') && stack.length > 0) stack.pop();
    }
    return stack;
  }

  /** Does a newline (or, unless `commaContinues`, a comma) outside brackets stand between `from` and the cursor? */
  separated(from: number, commaContinues = false): boolean {
    let depth = 0;
    for (const t of this.between(from)) {
      if (t.kind === 'punct' && (t.text === '(' || t.text === '[')) depth++;
      else if (t.kind === 'punct' && (t.text === ')' || t.text === ']')) depth = Math.max(0, depth - 1);
      else if (depth === 0 && (t.kind === 'newline' || (!commaContinues && isPunct(t, ',')))) return true;
    }
    return false;
  }

  has(from: number, test: (t: Token) => boolean): Token | undefined {
    return this.between(from).find(test);
  }

  /** Is the body or call ending at `end` closed by `close`? (An unclosed one runs on to the cursor.) */
  closedBy(end: number, close: string): boolean {
    return this.text[end - 1] === close;
  }
}

export function cursorContext(text: string, decls: readonly Declaration[], offset: number): CursorContext {
  const word = typedWord(text, offset);
  const at = word.start;
  const i = lastDeclarationBefore(decls, at);
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  const firstOnLine = text.slice(lineStart, at).trim() === '';
  if (i < 0) return { place: firstOnLine ? { kind: 'declaration' } : { kind: 'none' }, word };
  const decl = decls[i];
  const declaration = { decl, index: i };
  const result = (place: Place): CursorContext => ({ place, declaration, word });
  if (decl.keyword.start.offset === at) return result({ kind: 'declaration' });
  const nextStart = i + 1 < decls.length ? decls[i + 1].range.start.offset : text.length;
  const loc = new Locator(text, decl.range.start.offset, at);
  const body = decl.bodyRange;
  const inBody = body !== undefined && body.start.offset < at && (at < body.end.offset || (!loc.closedBy(body.end.offset, '}') && at <= nextStart));
  if (!inBody) {
    // Headers are one line: on a later line, a new declaration starts.
    const laterLine = loc.has(decl.range.end.offset, (t) => t.kind === 'newline');
    if (laterLine) return result(firstOnLine ? { kind: 'declaration' } : { kind: 'none' });
    if (loc.before?.kind === 'string') return result({ kind: 'none' });
    return result(body && at >= body.end.offset ? { kind: 'none' } : headerPlace(decl, loc.before));
  }
  if (decl.kind === 'transform') return result(stepPlace(decl.steps, loc));
  if (!('properties' in decl)) return result({ kind: 'none' });
  return result(propertyPlace(decl.properties, undefined, loc, decl.kind));
}

function headerPlace(decl: Declaration, before: Token | undefined): Place {
  if (!before) return { kind: 'none' };
  const ends = (node: { range: { end: { offset: number } } } | undefined): boolean => node !== undefined && before.range.end.offset === node.range.end.offset;
  const afterKeyword = before.range.end.offset === decl.keyword.end.offset;
  switch (decl.kind) {
    case 'evaluate':
      if (afterKeyword) return { kind: 'header-ref', wants: 'model' };
      if (isWord(before, 'on')) return { kind: 'header-ref', wants: 'table' };
      if (ends(decl.on)) return { kind: 'link', words: ['as'] };
      return ends(decl.model) ? { kind: 'link', words: ['on'] } : { kind: 'none' };
    case 'compare':
      if (afterKeyword || (isPunct(before, ',') && !decl.on)) return { kind: 'header-ref', wants: 'model' };
      if (isWord(before, 'on')) return { kind: 'header-ref', wants: 'table' };
      if (ends(decl.on)) return { kind: 'link', words: ['as'] };
      return ends(decl.models[decl.models.length - 1]) ? { kind: 'link', words: ['on'] } : { kind: 'none' };
    case 'export':
      if (afterKeyword) return { kind: 'header-ref', wants: 'model' };
      return ends(decl.model) ? { kind: 'link', words: ['to'] } : { kind: 'none' };
    case 'predict':
      if (isWord(before, 'with')) return { kind: 'header-ref', wants: 'model' };
      if (isWord(before, 'from') && decl.model) return { kind: 'header-ref', wants: 'table' };
      if (ends(decl.name)) return { kind: 'link', words: ['with'] };
      return ends(decl.model) ? { kind: 'link', words: ['from'] } : { kind: 'none' };
    case 'monitor':
      if (isWord(before, 'for')) return { kind: 'header-ref', wants: 'model' };
      return ends(decl.name) ? { kind: 'link', words: ['for'] } : { kind: 'none' };
    case 'engine':
      return { kind: 'none' };
    default:
      // dataset, transform, split, model: `KIND name from REF` (a dataset reads a "path").
      if (isWord(before, 'from') && decl.kind !== 'dataset') return { kind: 'header-ref', wants: 'table' };
      return ends(decl.name) ? { kind: 'link', words: ['from'] } : { kind: 'none' };
  }
}

// ------------------------------------------------------------------ transform bodies

function stepPlace(steps: readonly Step[], loc: Locator): Place {
  const at = loc.at;
  let step: Step | undefined;
  for (let k = steps.length - 1; k >= 0 && !step; k--) if (steps[k].range.start.offset < at) step = steps[k];
  const before = loc.before;
  if (!step || at <= step.keyword.range.end.offset) return { kind: 'step' };
  // A newline ends a step; so does a comma, except after a column of a list (`drop a, b`).
  const listStep = step.kind !== 'derive' && step.kind !== 'filter' && step.kind !== 'unknown';
  if (loc.separated(step.keyword.range.end.offset, listStep)) return { kind: 'step' };
  if (step.kind === 'unknown') return { kind: 'none' };
  if (step.kind === 'derive' || step.kind === 'filter') {
    const started = step.kind === 'filter' || loc.has(step.keyword.range.end.offset, (t) => isPunct(t, '='));
    if (!started) return { kind: 'none' };
    return { kind: 'expression', afterOperand: !operandStarts(before) && !isWord(before, 'filter'), of: 'columns' };
  }
  const link = STEP_LINK[step.kind];
  const listContinues = isWord(before, step.kind) || isPunct(before, ',');
  if (!link) return listContinues ? { kind: 'step-column', step } : { kind: 'none' };
  if (isWord(before, link)) return step.kind === 'rename' ? { kind: 'none' } : { kind: 'step-method', step };
  if (loc.has(step.keyword.range.end.offset, (t) => isWord(t, link))) {
    // Past the link word: only an impute method's call or a clip's bounds, which take values.
    return { kind: 'none' };
  }
  if (listContinues) return step.kind === 'rename' ? { kind: 'step-column', step } : { kind: 'step-column', step, link };
  return { kind: 'step-link', step, word: link };
}

// ------------------------------------------------------------------ property bodies

/** The innermost call whose parentheses hold the cursor. */
function callAt(e: Expr | undefined, loc: Locator): CallExpr | undefined {
  let found: CallExpr | undefined;
  const visit = (x: Expr | undefined): void => {
    if (!x) return;
    switch (x.kind) {
      case 'Call': {
        const open = x.callee.range.end.offset;
        if (open < loc.at && (loc.at < x.range.end.offset || !loc.closedBy(x.range.end.offset, ')'))) found = x;
        for (const a of x.args) visit(a.value);
        return;
      }
      case 'List': x.items.forEach(visit); return;
      case 'Binary': visit(x.left); visit(x.right); return;
      case 'Unary': visit(x.operand); return;
      case 'Paren':
      case 'Nullable': visit(x.inner); return;
      default:
    }
  };
  visit(e);
  return found;
}

function propertyPlace(properties: readonly Property[], block: string | undefined, loc: Locator, kind: Declaration['kind']): Place {
  const at = loc.at;
  const key = (): Place => ({ kind: 'property-key', ...(block ? { block } : {}) });
  let prop: Property | undefined;
  for (let k = properties.length - 1; k >= 0 && !prop; k--) if (properties[k].range.start.offset < at) prop = properties[k];
  if (!prop) return key();
  const br = prop.blockRange;
  if (br && br.start.offset < at && (at < br.end.offset || !loc.closedBy(br.end.offset, '}'))) return propertyPlace(prop.block ?? [], prop.key.name, loc, kind);
  if (br && at >= br.end.offset) return loc.separated(br.end.offset) ? key() : { kind: 'none' };
  if (loc.separated(prop.key.range.end.offset)) return key();
  const colon = loc.has(prop.key.range.end.offset, (t) => isPunct(t, ':'));
  if (!colon) return { kind: 'none' };
  const name = prop.key.name;
  const before = loc.before;
  const afterValue = !operandStarts(before);
  if (name === 'alert' && kind === 'monitor' && !block) return { kind: 'expression', afterOperand: afterValue, of: 'metrics' };
  const open = loc.openBrackets(colon.range.end.offset);
  const inList = open[open.length - 1] === '[';
  const base = { kind: 'value' as const, key: name, ...(block ? { block } : {}), inList, afterValue };
  const call = callAt(prop.value, loc);
  if (!call) return base;
  // Where in the call: a new argument (or its name) after "(" or ",", else the value of the last named one.
  const newArgument = isPunct(before, '(') || (isPunct(before, ',') && !inList);
  const args = call.args.filter((a) => a.range.start.offset < at);
  const argument = newArgument ? undefined : args[args.length - 1]?.name?.name;
  return { ...base, call: { name: call.callee.name, ...(argument ? { argument } : {}), newArgument } };
}
