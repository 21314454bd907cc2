// Collects what a check finds: diagnostics, name and column references.
import type { Range } from '../language/ast';
import type { ColumnReference, NameReference } from './checked-model';
import { diagnostic, type Diagnostic } from './diagnostic';
import type { DiagnosticCode } from './diagnostic-codes';
import { closestName } from '../language/suggest';

export class CheckContext {
  readonly diagnostics: Diagnostic[] = [];
  readonly references: NameReference[] = [];
  readonly columnReferences: ColumnReference[] = [];

  report(code: DiagnosticCode, range: Range, message: string, fixes?: Diagnostic['fixes'], related?: Diagnostic['related']): void {
    this.diagnostics.push(diagnostic(code, range, message, fixes, related));
  }

  /** Message suffix and quick fix for a name that is close to a known one. */
  suggest(name: string, candidates: Iterable<string>, what: string): { text: string; fixes?: Diagnostic['fixes'] } {
    const best = closestName(name, candidates);
    if (!best) return { text: '' };
    const written = /^[A-Za-z_][A-Za-z0-9_]*$/.test(best) ? best : `\`${best}\``;
    return { text: `; did you mean ${what} "${best}"?`, fixes: [{ title: `Change to "${best}"`, data: { kind: 'replace', with: written } }] };
  }
}
