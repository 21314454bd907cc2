import type { DiagnosticJson } from '../contracts/cli-json';
import type { Range } from '../language/ast';
import { CODES, type DiagnosticCode, type Severity } from './diagnostic-codes';

/** Data a quick fix needs, attached by the check that found the problem. */
export type FixData =
  /** Replace the diagnostic's range, or `range` when the fix changes another place. */
  | { kind: 'replace'; with: string; range?: Range }
  /** Remove an item: a list element, a property or a step (with its line or separating comma). */
  | { kind: 'remove'; range: Range }
  | { kind: 'insert-step'; transform: string; step: string; beforeStepIndex?: number }
  | { kind: 'cast-category'; column: string }
  /** Add `property` (`thousands: ","`, `test: 20%`) to the body of the named declaration. */
  | { kind: 'add-property'; declaration: string; property: string }
  /** Edits at several places that make one fix (a step, and the listed features it renames). */
  | { kind: 'several'; fixes: Exclude<FixData, { kind: 'several' }>[] };

export interface Diagnostic {
  code: DiagnosticCode;
  severity: Severity;
  /** One line: names the thing and says how to fix it. */
  message: string;
  range: Range;
  /** Candidate fixes (did-you-mean replacements, steps to add). */
  fixes?: { title: string; data: FixData }[];
  /** Other places the problem involves (the rest of a cycle), for the editor to link to. */
  related?: { range: Range; message: string }[];
}

/** The fix with every range it holds passed through `move` (a reused declaration's fixes move with it). */
export function moveFix(data: FixData, move: (r: Range) => Range): FixData {
  switch (data.kind) {
    case 'replace': return data.range ? { ...data, range: move(data.range) } : data;
    case 'remove': return { ...data, range: move(data.range) };
    case 'several': return { ...data, fixes: data.fixes.map((f) => moveFix(f, move) as typeof f) };
    default: return data;
  }
}

/** The ranges a fix holds (one walk of the fix: moveFix's, with a move that only records). */
export function fixRanges(data: FixData): Range[] {
  const out: Range[] = [];
  moveFix(data, (r) => { out.push(r); return r; });
  return out;
}

/** One fix per valid word: "Use accuracy", "Use f1", ... replacing the diagnostic's range (or `range`). */
export function useEach(words: readonly string[], range?: Range): NonNullable<Diagnostic['fixes']> {
  return words.map((w) => ({ title: `Use ${w}`, data: { kind: 'replace', with: w, ...(range ? { range } : {}) } }));
}

export function diagnostic(code: DiagnosticCode, range: Range, message: string, fixes?: Diagnostic['fixes'], related?: Diagnostic['related']): Diagnostic {
  return {
    code, severity: CODES[code].severity, message, range,
    ...(fixes && fixes.length > 0 ? { fixes } : {}),
    ...(related && related.length > 0 ? { related } : {}),
  };
}

function rangeJson(r: Range): DiagnosticJson['range'] {
  return { start: { line: r.start.line, character: r.start.character }, end: { line: r.end.line, character: r.end.character } };
}

/** The JSON form the CLI prints (`check --format json`, `run --json`) and the run store keeps. */
export function diagnosticJson(d: Diagnostic): DiagnosticJson {
  return {
    code: d.code,
    severity: d.severity,
    message: d.message,
    range: rangeJson(d.range),
    ...(d.related ? { related: d.related.map((r) => ({ message: r.message, range: rangeJson(r.range) })) } : {}),
  };
}
