// Semantic highlighting from the lexer's tokens and the checked pipeline: declaration and step
// keywords, declared names, columns, functions, strings, numbers, comments, operators.
import type { SemanticTokensLegend } from 'vscode-languageserver/node';
import { SemanticTokensBuilder } from 'vscode-languageserver/node';
import { DECLARATION_KINDS } from '../language/ast';
import { lexTokens } from '../language/lexer';
import { STEP_KEYWORDS } from '../language/parser';
import { FUNCTIONS } from '../language/functions';
import { ALGORITHMS, METRICS } from '../ml/catalog';
import type { CheckedPipeline } from '../checker/checked-model';
import { COLUMN_TYPES } from '../language/schema';

const TYPES = ['keyword', 'type', 'function', 'variable', 'property', 'string', 'number', 'comment', 'operator', 'parameter', 'enumMember', 'class'] as const;
export const TOKEN_LEGEND: SemanticTokensLegend = { tokenTypes: [...TYPES], tokenModifiers: ['declaration'] };
const T = Object.fromEntries(TYPES.map((t, i) => [t, i])) as Record<(typeof TYPES)[number], number>;
const LINK_WORDS = new Set(['from', 'with', 'to', 'as', 'on', 'for', 'and', 'or', 'not', 'true', 'false']);
const KEYWORDS = new Set<string>([...DECLARATION_KINDS, ...STEP_KEYWORDS]);

export function semanticTokens(p: CheckedPipeline): { data: number[] } {
  const builder = new SemanticTokensBuilder();
  const columns = new Map<number, boolean>();
  for (const c of p.columnReferences) columns.set(c.range.start.offset, c.isDefinition);
  const names = new Map<number, boolean>();
  for (const r of p.references) names.set(r.range.start.offset, false);
  for (const s of p.symbols.values()) names.set(s.nameRange.start.offset, true);
  const tokens = lexTokens(p.text);
  let parens = 0;
  tokens.forEach((t, i) => {
    if (t.kind === 'punct') parens = Math.max(0, parens + (t.text === '(' ? 1 : t.text === ')' ? -1 : 0));
    if (t.kind === 'newline' || t.range.start.line !== t.range.end.line) return;
    // `key:` is a body key the language defines (a keyword), or an option name inside a call.
    const isKey = tokens[i + 1]?.text === ':' && tokens[i + 1].kind === 'punct';
    const off = t.range.start.offset;
    let type: number | undefined;
    let mods = 0;
    switch (t.kind) {
      case 'comment': type = T.comment; break;
      case 'string': type = T.string; break;
      case 'number': case 'percent': case 'duration': type = T.number; break;
      case 'punct': type = /^[=<>!+\-*/%]+$/.test(t.text) ? T.operator : undefined; break;
      case 'quoted':
      case 'name':
        if (columns.has(off)) { type = T.property; if (columns.get(off)) mods = 1; }
        else if (names.has(off)) { type = T.variable; if (names.get(off)) mods = 1; }
        else if (isKey && t.kind === 'name') type = parens > 0 ? T.parameter : T.keyword;
        else if (KEYWORDS.has(t.text) || LINK_WORDS.has(t.text)) type = T.keyword;
        else if ((COLUMN_TYPES as readonly string[]).includes(t.text)) type = T.type;
        else if (FUNCTIONS[t.text] || ALGORITHMS[t.text]) type = T.function;
        else if (METRICS[t.text]) type = T.enumMember;
        else type = T.parameter;
        break;
    }
    if (type !== undefined) builder.push(t.range.start.line, t.range.start.character, t.text.length, type, mods);
  });
  return builder.build();
}
