// Parsing an edited file again from its previous parse: only the text from the last declaration
// that starts before the edit to the first that starts after it is lexed and parsed; the
// declarations before are kept as they are, those after are kept with their positions moved (in
// place: `previous` is consumed, and must not be used again).
// The parser's declaration loop carries nothing from one declaration to the next but the last
// error (an error at the same spot is dropped) and a look at the next declaration's first two
// tokens, so parsing resumes at a declaration that starts a line, one before the edited one, and
// stops where the old parse had a declaration start; when it does not land there, or
// a character could not be lexed, the whole file is parsed. The result equals `parse(text)`.
import type { Declaration, Document, Position } from './ast';
import { lineStarts } from './lexer';
import { parseParts, type ParsedPart } from './parser';

/** Tokens the parser may look at past the one it is at (`peek(2)`). */
const LOOK_AHEAD = 3;

export interface ParsedText extends ParsedPart {
  text: string;
  lineStarts: number[];
}

export function parseText(text: string): ParsedText {
  const starts = lineStarts(text);
  return { ...parseParts(text, { lineStarts: starts, from: 0, to: text.length, stop: Infinity }), text, lineStarts: starts };
}

/**
 * The parse of `text`, re-using `previous` (the parse of an earlier version of it) where the edit
 * cannot reach. The nodes below the edit are `previous`'s, moved: it must not be used afterwards.
 */
export function reparse(previous: ParsedText | undefined, text: string): ParsedText {
  if (!previous || previous.lexErrors > 0) return parseText(text);
  const old = previous.text;
  if (old === text) return previous;
  const shortest = Math.min(old.length, text.length);
  let p = 0;
  while (p < shortest && old.charCodeAt(p) === text.charCodeAt(p)) p++;
  let q = 0;
  while (q < shortest - p && old.charCodeAt(old.length - 1 - q) === text.charCodeAt(text.length - 1 - q)) q++;
  /** The edit replaced old[p, oldEnd) with text[p, text.length - q). */
  const oldEnd = old.length - q;
  const delta = text.length - old.length;
  const decls = previous.document.declarations;
  const errors = previous.document.syntaxErrors;
  // Parsing resumes at a declaration that starts a line and ends before the edit, with enough
  // tokens of its own that the look-ahead of the declaration before it (up to three tokens)
  // does not reach the edit; it stops at a declaration starting a line after the edit.
  let first = firstStartingAt(decls, p - 1) - 1;
  while (first >= 0 && !(decls[first].range.start.character === 0 && decls[first].range.end.offset < p - 1 && holdsTokens(old, decls[first], LOOK_AHEAD))) first--;
  let next = firstStartingAt(decls, oldEnd + 1);
  while (next < decls.length && decls[next].range.start.character !== 0) next++;
  const from = first >= 0 ? decls[first].range.start.offset : 0;
  const keep = Math.max(first, 0);
  const prefixErrors = first >= 0 ? previous.marks[first] : 0;
  const tail = next < decls.length;
  const starts = lineStarts(text);
  const part = parseParts(text, {
    lineStarts: starts,
    from,
    // The last declaration of the part may look ahead three tokens, through declarations of one.
    to: tail ? decls[Math.min(next + LOOK_AHEAD - 1, decls.length - 1)].range.end.offset + delta : text.length,
    stop: tail ? decls[next].range.start.offset + delta : Infinity,
    ...(prefixErrors > 0 ? { before: errors[prefixErrors - 1] } : {}),
  });
  if (part.lexErrors > 0) return parseText(text);
  const stop = tail ? decls[next].range.start.offset + delta : text.length;
  if (part.stoppedAt !== stop) return parseText(text);
  const tailErrors = tail ? errors.slice(previous.marks[next]) : [];
  if (tailErrors.length > 0) {
    // The first error after the part was kept or dropped beside the error before it: that must not change.
    const at = tailErrors[0].range.start.offset;
    const oldBefore = errors[previous.marks[next] - 1];
    const newBefore = part.document.syntaxErrors[part.document.syntaxErrors.length - 1] ?? (prefixErrors > 0 ? errors[prefixErrors - 1] : undefined);
    if (oldBefore?.range.start.offset === at || newBefore?.range.start.offset === at + delta) return parseText(text);
  }
  const lines = starts.length - previous.lineStarts.length;
  const oldStop = tail ? decls[next].range.start.offset : old.length;
  const windowErrors = part.document.syntaxErrors.length;
  const tailDecls = decls.slice(next);
  const tailComments = previous.document.comments.filter((c) => c.range.start.offset >= oldStop);
  if (delta !== 0 || lines !== 0) shift(tailDecls, tailErrors, tailComments, delta, lines);
  const document: Document = {
    declarations: [...decls.slice(0, keep), ...part.document.declarations, ...tailDecls],
    syntaxErrors: [...errors.slice(0, prefixErrors), ...part.document.syntaxErrors, ...tailErrors],
    comments: [
      ...previous.document.comments.filter((c) => c.range.start.offset < from),
      ...part.document.comments.filter((c) => c.range.start.offset < stop),
      ...tailComments,
    ],
  };
  const marks = [
    ...previous.marks.slice(0, keep),
    ...part.marks.map((m) => m + prefixErrors),
    ...(tail ? previous.marks.slice(next).map((m) => m - previous.marks[next] + prefixErrors + windowErrors) : []),
  ];
  return { document, marks, lexErrors: 0, stoppedAt: text.length, text, lineStarts: starts };
}

/** Index of the first declaration starting at or after `offset` (declarations are in text order). */
function firstStartingAt(decls: Declaration[], offset: number): number {
  let lo = 0;
  let hi = decls.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (decls[mid].range.start.offset < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * True when `decl`'s text holds at least `n` tokens: counted as runs of non-space characters
 * outside comments, which are never more than the tokens.
 */
function holdsTokens(text: string, decl: Declaration, n: number): boolean {
  let count = 0;
  let inRun = false;
  for (let i = decl.range.start.offset; i < decl.range.end.offset; i++) {
    const c = text.charCodeAt(i);
    if (c === 35 && !inRun) {
      while (i < decl.range.end.offset && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) i++;
      continue;
    }
    const space = c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12 || c === 0xa0 || c === 0xfeff;
    if (!space && !inRun && ++count >= n) return true;
    inRun = !space;
  }
  return false;
}

function isPosition(v: object): v is Position {
  return typeof (v as Position).offset === 'number' && typeof (v as Position).line === 'number' && typeof (v as Position).character === 'number';
}

/** Each kept declaration's distinct position objects, found by its first move and moved by every later one. */
const positionsOf = new WeakMap<Declaration, Position[]>();

/** The distinct position objects under `roots` (positions are shared between ranges). Iterative: a flat chain is 100,000 nodes deep. */
function positionsUnder(roots: unknown[]): Position[] {
  const found = new Set<Position>();
  const stack: unknown[] = [roots];
  while (stack.length > 0) {
    const v = stack.pop() as Record<string, unknown> | unknown[];
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) if (v[i] !== null && typeof v[i] === 'object') stack.push(v[i]);
    } else if (isPosition(v)) {
      found.add(v);
    } else {
      for (const k in v) if (v[k] !== null && typeof v[k] === 'object') stack.push(v[k]);
    }
  }
  return [...found];
}

/**
 * Moves the declarations, syntax errors and comments below an edit by `delta` characters and
 * `lines` lines (their start line untouched by the edit, so characters stay), in place: the
 * previous parse is consumed. Copying them made a keystroke near the top allocate the whole
 * file's syntax again, and the garbage collections of those copies were most of a re-check's
 * slow tail; a declaration's positions are listed once and then only counted up.
 */
function shift(decls: Declaration[], errors: unknown[], comments: unknown[], delta: number, lines: number): void {
  // Errors and comments are few and may share a position with a declaration's syntax: each position is moved once.
  const loose = new Set(positionsUnder([errors, comments]));
  for (const p of loose) {
    p.line += lines;
    p.offset += delta;
  }
  for (const d of decls) {
    let positions = positionsOf.get(d);
    if (!positions) positionsOf.set(d, (positions = positionsUnder([d])));
    for (const p of positions) {
      if (loose.size > 0 && loose.has(p)) continue;
      p.line += lines;
      p.offset += delta;
    }
  }
}
