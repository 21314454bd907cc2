// Quick fixes: each diagnostic carries the fixes its check found (FixData); here they become
// text edits on the document the diagnostic was published for.
import { CodeActionKind, TextEdit, type CodeAction, type Diagnostic as LspDiagnostic, type Position as LspPosition } from 'vscode-languageserver/node';
import type { Range } from '../language/ast';
import { lineStarts, positionAt, quoteName } from '../language/lexer';
import type { CheckedPipeline } from '../checker/checked-model';
import type { FixData } from '../checker/diagnostic';
import { lspRange } from './features';

/** The code actions for the given diagnostics (as published, with their fixes in `data`). */
export function codeActions(p: CheckedPipeline, uri: string, diagnostics: readonly LspDiagnostic[]): CodeAction[] {
  const actions: CodeAction[] = [];
  const at = positions(p.text);
  for (const d of diagnostics) {
    const fixes = (d.data as { title: string; data: FixData }[] | undefined) ?? [];
    for (const fix of fixes) {
      const edits = fix.data.kind === 'several' ? fix.data.fixes.map((f) => fixEdit(p, at, d, f)) : [fixEdit(p, at, d, fix.data)];
      if (edits.every((e) => e !== undefined)) actions.push({ title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: fixes.length === 1, edit: { changes: { [uri]: edits } } });
    }
  }
  return actions;
}

function positions(text: string): (offset: number) => LspPosition {
  const starts = lineStarts(text);
  return (offset) => {
    const { line, character } = positionAt(starts, offset);
    return { line, character };
  };
}

/** Where a new step goes in a transform: before the given step, or after its last step. */
function insertStepEdit(p: CheckedPipeline, at: (offset: number) => LspPosition, transform: string, step: string, before?: number): TextEdit | undefined {
  const sym = p.symbols.get(transform);
  const decl = sym ? p.document.declarations[sym.declarationIndex] : undefined;
  if (!decl || decl.kind !== 'transform' || !decl.bodyRange) return undefined;
  const anchor = before !== undefined ? decl.steps[before] : undefined;
  if (anchor) {
    const line = anchor.range.start.line;
    const indent = ' '.repeat(anchor.range.start.character);
    return TextEdit.insert({ line, character: 0 }, `${indent}${step}\n`);
  }
  const last = decl.steps[decl.steps.length - 1];
  const indent = last ? ' '.repeat(last.range.start.character) : '  ';
  const closeLine = decl.bodyRange.end.line;
  if (closeLine === decl.bodyRange.start.line) {
    return last ? TextEdit.insert(at(last.range.end.offset), `, ${step}`) : TextEdit.insert(at(decl.bodyRange.end.offset - 1), ` ${step} `);
  }
  return TextEdit.insert({ line: closeLine, character: 0 }, `${indent}${step}\n`);
}

/** Adds `property` (e.g. `thousands: ","`) to a declaration's body, creating the body when it has none. */
function addPropertyEdit(p: CheckedPipeline, at: (offset: number) => LspPosition, declaration: string, property: string): TextEdit | undefined {
  const sym = p.symbols.get(declaration);
  const decl = sym ? p.document.declarations[sym.declarationIndex] : undefined;
  if (!decl || !('properties' in decl)) return undefined;
  if (!decl.bodyRange) return TextEdit.insert(at(decl.range.end.offset), ` { ${property} }`);
  const last = decl.properties[decl.properties.length - 1];
  if (decl.bodyRange.end.line === decl.bodyRange.start.line) {
    return last ? TextEdit.insert(at(last.range.end.offset), `, ${property}`) : TextEdit.insert(at(decl.bodyRange.end.offset - 1), ` ${property} `);
  }
  const indent = last ? ' '.repeat(last.range.start.character) : '  ';
  return TextEdit.insert({ line: decl.bodyRange.end.line, character: 0 }, `${indent}${property}\n`);
}

/**
 * Removes an item (a list element, a property, a step): its whole lines when it stands alone
 * on them, else the item with the comma that separates it from its neighbour.
 */
function removeEdit(text: string, at: (offset: number) => LspPosition, r: Range): TextEdit {
  const lineStart = text.lastIndexOf('\n', r.start.offset - 1) + 1;
  const lineEndAt = text.indexOf('\n', r.end.offset);
  const lineEnd = lineEndAt < 0 ? text.length : lineEndAt;
  if (text.slice(lineStart, r.start.offset).trim() === '' && text.slice(r.end.offset, lineEnd).trim() === '') {
    return TextEdit.del({ start: at(lineStart), end: at(Math.min(text.length, lineEnd + 1)) });
  }
  const after = /^\s*,\s*/.exec(text.slice(r.end.offset, lineEnd));
  if (after) return TextEdit.del({ start: at(r.start.offset), end: at(r.end.offset + after[0].length) });
  const before = /\s*,\s*$/.exec(text.slice(lineStart, r.start.offset));
  if (before) return TextEdit.del({ start: at(r.start.offset - before[0].length), end: at(r.end.offset) });
  return TextEdit.del({ start: at(r.start.offset), end: at(r.end.offset) });
}

function fixEdit(p: CheckedPipeline, at: (offset: number) => LspPosition, d: LspDiagnostic, fix: Exclude<FixData, { kind: 'several' }>): TextEdit | undefined {
  switch (fix.kind) {
    case 'replace':
      return TextEdit.replace(fix.range ? lspRange(fix.range) : d.range, fix.with);
    case 'remove':
      return removeEdit(p.text, at, fix.range);
    case 'insert-step':
      return insertStepEdit(p, at, fix.transform, fix.step, fix.beforeStepIndex);
    case 'cast-category': {
      const model = p.document.declarations.find((x) => x.range.start.line <= d.range.start.line && d.range.end.line <= x.range.end.line);
      const input = model && model.kind === 'model' ? model.from?.text.split('.')[0] : undefined;
      let transform = input;
      const info = input ? p.infos[p.symbols.get(input)?.declarationIndex ?? -1] : undefined;
      if (info?.kind === 'split') transform = info.input;
      return transform ? insertStepEdit(p, at, transform, `cast ${quoteName(fix.column)} as category`) : undefined;
    }
    case 'add-property':
      return addPropertyEdit(p, at, fix.declaration, fix.property);
  }
}
