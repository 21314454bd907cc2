// The search budget's rule on a clock the test moves: a trial starts only when the time spent plus
// the mean trial so far fits and the longest would end within 10 % over the budget, the first
// always starts, and once refused the search is over.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SearchBudget } from '../../server/src/runner/search-budget';

function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000_000;
  return { now: () => t, advance: (ms) => { t += ms; } };
}

/** Runs trials of the given lengths under the budget until it refuses one; returns how many ran. */
function search(budget: SearchBudget, c: ReturnType<typeof clock>, lengths: number[]): number {
  let ran = 0;
  for (const ms of lengths) {
    if (!budget.allows()) break;
    c.advance(ms);
    budget.ranTrial(ms);
    ran++;
  }
  return ran;
}

test('trials of 300 ms under a 1 s budget: three run (900 ms), a fourth would end at 1.2 s', () => {
  const c = clock();
  const b = new SearchBudget('tune', 1000, c.now);
  assert.equal(search(b, c, Array(10).fill(300)), 3);
  assert.equal(b.stopped, true);
  assert.deepEqual(b.record(10), { search: 'tune', budgetMs: 1000, elapsedMs: 900, ran: 3, planned: 10, stopped: true });
  assert.equal(b.stoppedBy(10, 'option combinations'), 'the budget of 1 s ran out after 3 of 10 option combinations: no further trial could end within it');
  assert.equal(b.allows(), false, 'a refused search stays stopped');
});

test('the mean trial so far is the prediction: a short trial after a long one does not slip in past the budget', () => {
  const c = clock();
  const b = new SearchBudget('auto', 1000, c.now);
  // 100 + 600 = 700 spent, mean 350: 1,050 > 1,000, so the 50 ms candidate does not start.
  assert.equal(search(b, c, [100, 600, 50, 50]), 2);
  assert.equal(b.record(4)!.elapsedMs, 700);
});

test('one slow trial among quick ones does not stop the search early; none may end more than 10 % over', () => {
  const c = clock();
  const b = new SearchBudget('tune', 1000, c.now);
  // Seven trials (900 ms spent, mean 129): 900 + 129 would pass 1,000, so the eighth does not start.
  assert.equal(search(b, c, [100, 300, ...Array(20).fill(100)]), 7);
  assert.equal(b.record(22)!.elapsedMs, 900, 'the longest-trial rule alone stopped at 700');
  // Trials of 300 after 600 spent: 900 + 300 = 1,200 is more than 10 % over.
  const d = clock();
  const tight = new SearchBudget('tune', 1000, d.now);
  assert.equal(search(tight, d, [300, 300, 300, 300]), 3);
});

test('the first trial runs even when it alone exceeds the budget, and the search stops after it', () => {
  const c = clock();
  const b = new SearchBudget('tune', 1000, c.now);
  assert.equal(search(b, c, [5000, 10]), 1);
  assert.equal(b.record(2)!.stopped, true);
});

test('a search that fits its budget, or has none, runs every trial and records no stop', () => {
  const c = clock();
  const fits = new SearchBudget('tune', 1000, c.now);
  assert.equal(search(fits, c, [200, 200, 200]), 3);
  assert.deepEqual(fits.record(3), { search: 'tune', budgetMs: 1000, elapsedMs: 600, ran: 3, planned: 3, stopped: false });
  assert.equal(fits.stoppedBy(3, 'option combinations'), undefined);
  const none = new SearchBudget('tune', undefined, c.now);
  assert.equal(search(none, c, Array(50).fill(1000)), 50);
  assert.equal(none.record(50), undefined);
});
