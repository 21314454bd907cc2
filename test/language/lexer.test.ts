// The lexer's tokens state the characters they start with and whether they hold line breaks, so
// that chevrotain need not work both out from the patterns at start-up. Wrong hints would lose
// or change tokens silently: here a lexer made from the same patterns without hints, which
// chevrotain analyses and validates itself, must lex every pipeline of the repository and
// random text over every character class the patterns name exactly alike.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createToken, Lexer, type TokenType } from 'chevrotain';
import { lex, TOKEN_TYPES } from '../../server/src/language/lexer';

const root = join(__dirname, '..', '..');

const KIND_BY_NAME: Record<string, string> = {
  Newline: 'newline', Comment: 'comment', String: 'string', QuotedName: 'quoted', Duration: 'duration',
  Percent: 'percent', Number: 'number', Name: 'name', Punct: 'punct',
};

const reference = new Lexer(
  TOKEN_TYPES.map((t) => createToken({ name: t.name, pattern: t.PATTERN as RegExp, ...(t.GROUP !== undefined ? { group: t.GROUP as string } : {}) })),
  { positionTracking: 'full', ensureOptimizations: false, recoveryEnabled: true },
);

function referenceLex(text: string): { tokens: [string, string, number][]; errors: [number, number][] } {
  const r = reference.tokenize(text);
  return {
    tokens: r.tokens.map((t: { tokenType: TokenType; image: string; startOffset: number }) => [KIND_BY_NAME[t.tokenType.name], t.image, t.startOffset]),
    errors: r.errors.map((e) => [e.offset, e.length]),
  };
}

function ours(text: string): { tokens: [string, string, number][]; errors: [number, number][] } {
  const r = lex(text);
  return {
    tokens: r.tokens.map((t) => [t.kind, t.text, t.range.start.offset]),
    errors: r.errors.map((e) => [e.range.start.offset, e.range.end.offset - e.range.start.offset]),
  };
}

function pipelines(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.') || name === 'dist') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...pipelines(p));
    else if (name.endsWith('.narml')) out.push(p);
  }
  return out;
}

test('every pipeline of the repository lexes as without the start-character hints', () => {
  const files = [...pipelines(join(root, 'samples')), ...pipelines(join(root, 'test', 'fixtures'))];
  assert.ok(files.length >= 5, `pipelines found: ${files.length}`);
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    assert.deepEqual(ours(text), referenceLex(text), f);
  }
});

test('random text over every character the patterns name lexes as without the hints', () => {
  // Pieces of every token kind, lone characters that start or continue them, and characters no
  // token takes, joined at random: each piece stands at a token start many times.
  const pieces = [
    '.5%', '5%', '1.5%', '12.%', '.5', '1e5', '2E-3', '12.', '7', '5ms', '1.5h', '3s', '2m', '"str"', '"a\\"b"', '"open', '`quoted name`', '`open',
    '# note', 'name', '_x1', 'Z9', '==', '!=', '<=', '>=', ...'{}[]().,:?=<>+-*/%!',
    ...' \t\f\v\u00a0\ufeff', '\r\n', '\r', '\n', ...'#"`\\0123456789eEmsh_azAZ;@$~^|&\'', 'é', '\u2028', '😀',
  ];
  let seed = 11;
  const next = (): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
  for (let i = 0; i < 5000; i++) {
    let text = '';
    const length = 1 + Math.floor(next() * 12);
    for (let j = 0; j < length; j++) text += pieces[Math.floor(next() * pieces.length)];
    assert.deepEqual(ours(text), referenceLex(text), JSON.stringify(text));
  }
});
