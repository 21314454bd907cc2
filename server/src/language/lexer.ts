// Tokens of the .narml language (spec §2), lexed with chevrotain. Keywords are contextual, so
// every word is a Name here and the parser decides what it means where it stands.
import { createToken, Lexer, type TokenType } from 'chevrotain';
import type { Position, Range } from './ast';

// Each token states the characters it can start with and whether it can hold a line break:
// chevrotain otherwise works both out by parsing every pattern with regexp-to-ast when the lexer
// is made, which was most of the start-up of a one-row `narml predict`. The lexer test checks
// these hints against chevrotain's own analysis (a lexer made without them lexes alike).
const DIGITS = [...'0123456789'];
const LETTERS = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_'];
const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\f\v\u00a0\ufeff]+/, group: Lexer.SKIPPED, start_chars_hint: [...' \t\f\v\u00a0\ufeff'], line_breaks: false });
export const Newline = createToken({ name: 'Newline', pattern: /\r\n|\r|\n/, start_chars_hint: ['\r', '\n'], line_breaks: true });
export const Comment = createToken({ name: 'Comment', pattern: /#[^\r\n]*/, start_chars_hint: ['#'], line_breaks: false });
/** Terminated or not: an unterminated string runs to the end of the line, so the parser can say so. */
export const StringLit = createToken({ name: 'String', pattern: /"(?:[^"\\\r\n]|\\.)*"?/, start_chars_hint: ['"'], line_breaks: false });
export const QuotedName = createToken({ name: 'QuotedName', pattern: /`[^`\r\n]*`?/, start_chars_hint: ['`'], line_breaks: false });
export const Duration = createToken({ name: 'Duration', pattern: /\d+(?:\.\d+)?(?:ms|s|m|h|d)(?![A-Za-z0-9_])/, start_chars_hint: DIGITS, line_breaks: false });
export const Percent = createToken({ name: 'Percent', pattern: /(?:\d+(?:\.\d*)?|\.\d+)%/, start_chars_hint: [...DIGITS, '.'], line_breaks: false });
export const NumberLit = createToken({ name: 'Number', pattern: /(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/, start_chars_hint: [...DIGITS, '.'], line_breaks: false });
const NAME = /[A-Za-z_][A-Za-z0-9_]*/;
export const Name = createToken({ name: 'Name', pattern: NAME, start_chars_hint: LETTERS, line_breaks: false });
const BARE_NAME = new RegExp(`^${NAME.source}$`);

/** Can `name` be written bare (one Name token), or does it need backquotes? */
export function isBareName(name: string): boolean {
  return BARE_NAME.test(name);
}

/** A column name as NarML text: bare when it can be, else in backquotes. */
export function quoteName(name: string): string {
  return isBareName(name) ? name : `\`${name}\``;
}
export const Punct = createToken({ name: 'Punct', pattern: /==|!=|<=|>=|[{}[\]().,:?=<>+\-*/%@]/, start_chars_hint: [...'{}[]().,:?=<>+-*/%@!'], line_breaks: false });

/** Every token type, in matching order. */
export const TOKEN_TYPES: TokenType[] = [WhiteSpace, Newline, Comment, StringLit, QuotedName, Duration, Percent, NumberLit, Name, Punct];

// skipValidations: chevrotain's checks of the token definitions cost more than every other start-up
// step of a one-row `narml predict`; the definitions are fixed, and the lexer tests lex every token kind.
const lexer = new Lexer(TOKEN_TYPES, { positionTracking: 'full', ensureOptimizations: false, recoveryEnabled: true, skipValidations: true });

export type TokenKind = 'newline' | 'comment' | 'string' | 'quoted' | 'duration' | 'percent' | 'number' | 'name' | 'punct' | 'eof';

const KIND_OF = new Map<TokenType, TokenKind>([
  [Newline, 'newline'], [Comment, 'comment'], [StringLit, 'string'], [QuotedName, 'quoted'],
  [Duration, 'duration'], [Percent, 'percent'], [NumberLit, 'number'], [Name, 'name'], [Punct, 'punct'],
]);

export interface Token {
  kind: TokenKind;
  text: string;
  range: Range;
}

export interface LexResult {
  tokens: Token[];
  /** Characters no token matches, each with its range. */
  errors: { message: string; range: Range }[];
  /** Offsets of line starts (see `lineStarts`). */
  lineStarts: number[];
}

/** Offsets of line starts, to turn offsets into LSP positions (0-based line, UTF-16 column). */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  return starts;
}

export function positionAt(starts: number[], offset: number): Position {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo, character: offset - starts[lo], offset };
}

/**
 * Positions of increasing offsets, from the line starts. Chevrotain's own line/column counts
 * drift after a character it could not lex, so ranges are computed from offsets here.
 */
class PositionCursor {
  constructor(private readonly starts: number[], private line = 0) {}

  at(offset: number): Position {
    while (this.line + 1 < this.starts.length && this.starts[this.line + 1] <= offset) this.line++;
    return { line: this.line, character: offset - this.starts[this.line], offset };
  }
}

export function lex(text: string): LexResult {
  return lexPart(text, lineStarts(text), 0, text.length);
}

/**
 * Lexes `text` from `from` to `to`, both where a token starts or ends (the parser re-reads part
 * of an edited file this way): tokens do not depend on what comes before them.
 */
export function lexPart(text: string, starts: number[], from: number, to: number): LexResult {
  const result = lexer.tokenize(from === 0 && to === text.length ? text : text.slice(from, to));
  const cursor = new PositionCursor(starts, positionAt(starts, from).line);
  const tokens: Token[] = [];
  for (const t of result.tokens) {
    const kind = KIND_OF.get(t.tokenType) ?? 'punct';
    const offset = from + t.startOffset;
    const start = cursor.at(offset);
    // A newline ends on its own line (not at the start of the next), as editors expect.
    const end = kind === 'newline'
      ? { line: start.line, character: start.character + t.image.length, offset: offset + t.image.length }
      : cursor.at(offset + t.image.length);
    tokens.push({ kind, text: t.image, range: { start, end } });
  }
  const errors = result.errors.map((e) => {
    const offset = from + e.offset;
    const start = positionAt(starts, offset);
    const end = positionAt(starts, offset + Math.max(1, e.length));
    const ch = text.slice(offset, offset + Math.min(e.length, 20));
    return { message: `unexpected character ${JSON.stringify(ch)}: remove it, or put text in "double quotes" and odd column names in \`backquotes\``, range: { start, end } };
  });
  return { tokens, errors, lineStarts: starts };
}

/** Tokens for semantic highlighting and the formatter (comments included, no whitespace). */
export function lexTokens(text: string): Token[] {
  return lex(text).tokens;
}
