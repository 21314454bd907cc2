// Collects what a check finds: diagnostics, name and column references.
import type { Range } from '../language/ast';
import type { ColumnReference, NameReference } from './checked-model';
import { diagnostic, type Diagnostic } from './diagnostic';
import type { DiagnosticCode } from './diagnostic-codes';
import { quoteName } from '../language/lexer';
import { closestName } from '../language/suggest';

/** Name comparisons for "did you mean" per check (a few hundred milliseconds at most). */
const SUGGESTION_BUDGET = 1_000_000;

export class CheckContext {
  readonly diagnostics: Diagnostic[] = [];
  readonly references: NameReference[] = [];
  readonly columnReferences: ColumnReference[] = [];

  report(code: DiagnosticCode, range: Range, message: string, fixes?: Diagnostic['fixes'], related?: Diagnostic['related']): void {
    this.diagnostics.push(diagnostic(code, range, message, fixes, related));
  }

  /**
   * Candidate names "did you mean" may still compare in this check. Each unknown name is
   * compared with every candidate: 20,000 unknown references among 20,000 declarations would
   * take minutes. Past the budget the diagnostics stay, without a suggestion.
   */
  private suggestionBudget = SUGGESTION_BUDGET;

  /**
   * How many suggestions were asked for: a declaration that asked depends on every name in the
   * file and on the budget left, so its result is never reused (check-reuse.ts).
   */
  suggestionsAsked = 0;

  /** How many references asked the run store's registry: its answer changes without an edit, so such a result is never reused. */
  storeAsked = 0;

  /** Message suffix and quick fix for a name that is close to a known one. */
  suggest(name: string, candidates: Iterable<string>, what: string): { text: string; fixes?: Diagnostic['fixes'] } {
    this.suggestionsAsked++;
    const list = [...candidates];
    if (list.length > this.suggestionBudget) return { text: '' };
    this.suggestionBudget -= list.length;
    const best = closestName(name, list);
    if (!best) return { text: '' };
    return { text: `; did you mean ${what} "${best}"?`, fixes: [{ title: `Change to "${best}"`, data: { kind: 'replace', with: quoteName(best) } }] };
  }
}
