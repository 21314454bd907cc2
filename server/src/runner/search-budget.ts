// The time budget of a search (`auto(budget: 60s)`, `tune: random(budget: 30s)`): checked between
// trials, never inside one. A trial starts only when the time spent so far plus the mean trial so
// far fits in the budget, and the longest trial so far would still end within 10 % over it: the
// search uses its budget (the longest alone stopped searches a quarter early) without running
// past it by more than 10 % unless one trial takes far longer than all before it. The first trial
// always runs (a search needs a best); a trial longer than the whole budget still runs to its
// end: interrupting it would leave nothing.
import type { SearchBudgetJson, TrialJson } from '../contracts/cli-json';

/** How far past its budget a search may end when its trials take as long as the longest so far. */
const OVERRUN = 1.1;

export class SearchBudget {
  private readonly started: number;
  private longest = 0;
  private total = 0;
  private ran = 0;
  private refused = false;

  constructor(
    private readonly search: TrialJson['search'],
    /** Milliseconds, or undefined for no limit. */
    readonly ms: number | undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
  }

  /** Whether the next trial may start; once it may not, no later one may either. */
  allows(): boolean {
    if (this.refused) return false;
    if (this.ms === undefined || this.ran === 0) return true;
    const spent = this.now() - this.started;
    this.refused = spent + this.total / this.ran > this.ms || spent + this.longest > this.ms * OVERRUN;
    return !this.refused;
  }

  /** A trial that ran, and how long it took. */
  ranTrial(ms: number): void {
    this.ran++;
    this.total += ms;
    this.longest = Math.max(this.longest, ms);
  }

  /** Whether the budget stopped the search before all of its planned trials. */
  get stopped(): boolean {
    return this.refused;
  }

  /** What the run records of the budget (undefined without one). */
  record(planned: number): SearchBudgetJson | undefined {
    if (this.ms === undefined) return undefined;
    return { search: this.search, budgetMs: this.ms, elapsedMs: this.now() - this.started, ran: this.ran, planned, stopped: this.refused };
  }

  /** The reason's clause when the budget stopped the search, e.g. "the budget of 30 s ran out after 12 of 200 option combinations". */
  stoppedBy(planned: number, what: string): string | undefined {
    return this.refused ? `the budget of ${this.ms! / 1000} s ran out after ${this.ran} of ${planned} ${what}: no further trial could end within it` : undefined;
  }
}
