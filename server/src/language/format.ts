// Canonical layout of a .narml file, computed from tokens so comments are kept: one blank line
// between declarations, two-space indentation per brace level, one space after commas and
// colons, spaces around operators, none inside brackets. A file with syntax errors is returned
// unchanged: reformatting broken text could move what the user is still typing.
import { lex, type Token } from './lexer';
import { parse } from './parser';
import { DECLARATION_KINDS } from './ast';

const KINDS = new Set<string>(DECLARATION_KINDS);

function needsSpace(prev: Token, cur: Token, prevPrev: Token | undefined): boolean {
  const p = prev.text;
  const c = cur.text;
  if (prev.kind === 'punct' && (p === '(' || p === '[' || p === '.' || p === '@')) return false;
  if (cur.kind === 'punct' && c === '@') return false;
  if (cur.kind === 'punct' && (c === ')' || c === ']' || c === ',' || c === ':' || c === '.' || c === '?')) return false;
  if (cur.kind === 'punct' && c === '(' && (prev.kind === 'name')) return false;
  if (p === '-' && prev.kind === 'punct' && (!prevPrev || (prevPrev.kind === 'punct' && !/[)\]]/.test(prevPrev.text)) || (prevPrev.kind === 'name' && /^(and|or|not)$/.test(prevPrev.text)))) return false;
  return true;
}

export function formatDocument(text: string): string {
  if (parse(text).syntaxErrors.length > 0) return text;
  const { tokens } = lex(text);
  const lines: { depth: number; tokens: Token[] }[] = [];
  let depth = 0;
  let current: Token[] = [];
  let lineDepth = 0;
  const flush = (): void => {
    lines.push({ depth: lineDepth, tokens: current });
    current = [];
  };
  for (const t of tokens) {
    if (t.kind === 'newline') { flush(); lineDepth = depth; continue; }
    if (current.length === 0) lineDepth = t.kind === 'punct' && t.text === '}' ? depth - 1 : depth;
    if (t.kind === 'punct' && t.text === '{') depth++;
    if (t.kind === 'punct' && t.text === '}') depth = Math.max(0, depth - 1);
    current.push(t);
  }
  flush();
  const out: string[] = [];
  let blank = false;
  for (const line of lines) {
    if (line.tokens.length === 0) { blank = out.length > 0; continue; }
    const first = line.tokens[0];
    const startsDeclaration = line.depth === 0 && first.kind === 'name' && KINDS.has(first.text);
    if (out.length > 0 && (blank || startsDeclaration) && out[out.length - 1] !== '' && !(startsDeclaration && out[out.length - 1].startsWith('#') && !blank)) out.push('');
    blank = false;
    let s = '  '.repeat(Math.max(0, line.depth));
    line.tokens.forEach((t, i) => {
      if (i > 0 && needsSpace(line.tokens[i - 1], t, line.tokens[i - 2])) s += ' ';
      s += t.text;
    });
    out.push(s.replace(/\s+$/, ''));
  }
  return `${out.join('\n')}\n`;
}

