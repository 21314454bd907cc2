// The Metrics and Data Preview panels in real VS Code (test/e2e/harness.ts), measured as drawn:
// importance bars proportional to their values, a perfect ROC curve inside its frame, confusion
// cells shaded by count; a million-row preview whose scrollbar reaches the last row under a
// sticky header, sorted by the runner, with a hostile column name shown as text; screenshots in
// the Light, Dark and High Contrast themes; and not one Content-Security-Policy violation.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { copySample, hostSkipReason, type ThemeName, Workbench } from './harness';

const HOSTILE = '<img src=x onerror=alert(1)>';
const ROWS = 1_000_000;
/** The x of row i: a permutation of 0..ROWS-1 scaled, so the smallest x is in row SMALLEST. */
const xOf = (i: number): number => ((i * 7919 + 13) % ROWS) / 1000;
const SMALLEST = Array.from({ length: ROWS }, (_, i) => i).find((i) => (i * 7919 + 13) % ROWS === 0)!;

function writeBigCsv(file: string): void {
  const fd = openSync(file, 'w');
  writeSync(fd, `id,x,"${HOSTILE}"\n`);
  let chunk = '';
  for (let i = 0; i < ROWS; i++) {
    chunk += `${i},${xOf(i)},${i % 3 === 0 ? 'red' : i % 3 === 1 ? 'green' : ''}\n`;
    if (chunk.length > 1 << 20 || i === ROWS - 1) { writeSync(fd, chunk); chunk = ''; }
  }
  closeSync(fd);
}

let skipReason: string | undefined;
let wb: Workbench | undefined;

before(async () => {
  skipReason = hostSkipReason();
  if (skipReason) return;
  wb = await Workbench.open({
    theme: 'light',
    workspace: (dir) => {
      copySample('penguins', dir);
      writeBigCsv(join(dir, 'big.csv'));
      writeFileSync(join(dir, 'big.narml'), 'dataset big from "big.csv" {\n  missing: [""]\n}\n');
    },
  });
});

after(async () => {
  await wb?.close();
});

async function shots(name: string): Promise<void> {
  for (const theme of ['light', 'dark', 'highContrast'] as ThemeName[]) {
    await wb!.setTheme(theme);
    await wb!.shot(`${name}-${theme}`);
  }
}

test('Metrics and Data Preview drawn to scale, in every theme, under the CSP', { timeout: 900_000 }, async (t) => {
  if (skipReason) { t.skip(`the e2e host could not be installed: ${skipReason}`); return; }
  const w = wb!;
  try {
    await w.openPipeline('penguins.narml');
    await w.palette('NarML: Run Pipeline');
    const metrics = await w.frameWith(/Feature importances/, 180_000);

    // The collector sees a violation: an inline style set as an attribute is refused and logged.
    await metrics.evaluate(() => document.body.setAttribute('style', 'outline: 1px solid red'));
    await w.page.waitForTimeout(1000);
    assert.ok(w.cspViolations.some((v) => /inline style/i.test(v)), `the harness collects CSP violations: ${w.cspViolations.join('\n')}`);
    w.cspViolations.splice(0);

    // Each evaluation shows its model's importances; the bars of one figure share one scale.
    const bars = await metrics.evaluate(() => Array.from(document.querySelector('figure[data-chart="importances"]')!.querySelectorAll('rect.bar'), (r) => ({ value: Number(r.getAttribute('data-value')), width: r.getBoundingClientRect().width })));
    assert.ok(bars.length >= 4, `importance bars: ${bars.length}`);
    const top = bars[0];
    for (const b of bars) assert.ok(Math.abs(b.width - (b.value / top.value) * top.width) <= 1, `bar of ${b.value} is ${b.width}px; ${top.value} is ${top.width}px`);
    const smallest = bars[bars.length - 1];
    assert.ok(smallest.width < top.width / 2, `small importances look small: ${smallest.width} vs ${top.width}`);

    // A perfect ROC curve (the penguins are separable) runs up the left edge inside the frame.
    const roc = await metrics.evaluate(() => {
      const fig = document.querySelector('figure[data-chart="roc"]')!;
      const frame = fig.querySelector('rect.frame')!.getBoundingClientRect();
      const curve = fig.querySelector('polyline.series')!.getBoundingClientRect();
      return { frameLeft: frame.left, frameTop: frame.top, curveLeft: curve.left, curveTop: curve.top };
    });
    assert.ok(roc.curveLeft > roc.frameLeft + 2 && roc.curveTop > roc.frameTop + 2, `curve inside the frame: ${JSON.stringify(roc)}`);
    const shades = await metrics.evaluate(() => Array.from(document.querySelectorAll('figure[data-chart="confusion"] td'), (td) => ({ n: Number(td.getAttribute('data-count')), bg: getComputedStyle(td).backgroundColor })));
    const full = shades.find((s) => s.n > 20)!, empty = shades.find((s) => s.n === 0)!;
    assert.notEqual(full.bg, empty.bg, 'a cell with many rows is shaded, an empty one is not');
    assert.ok(await metrics.evaluate(() => document.querySelectorAll('section.evaluation')[0].querySelectorAll('figure[data-chart="pr"], figure[data-chart="calibration"]').length === 2), 'precision-recall and reliability curves');
    await shots('metrics');

    // A million rows: the scrollbar's bottom is the last row, under the sticky header.
    await w.openPipeline('big.narml');
    await w.palette('NarML: Preview Data');
    await w.pick('big');
    const grid = await w.frameWith(/big: 1000000 rows, 3 columns/, 180_000);
    assert.equal(await grid.evaluate(() => document.querySelectorAll('img').length), 0, 'the hostile column name is not markup');
    assert.ok(await grid.evaluate((name) => Array.from(document.querySelectorAll('thead button.sort'), (b) => b.textContent).includes(name), HOSTILE), 'it is shown as text');
    await grid.evaluate(() => { const v = document.querySelector('.viewport')!; v.scrollTop = v.scrollHeight; });
    await grid.waitForFunction((last) => document.querySelector('tbody tr:last-child')?.getAttribute('data-row') === String(last), ROWS - 1, { timeout: 60_000 });
    const bottom = await grid.evaluate(() => {
      const v = document.querySelector('.viewport')!.getBoundingClientRect();
      const last = document.querySelector('tbody tr:last-child')!;
      const head = document.querySelector('thead th')!.getBoundingClientRect();
      return { viewBottom: v.bottom, viewTop: v.top, lastBottom: last.getBoundingClientRect().bottom, lastNumber: last.querySelector('td')!.textContent, headTop: head.top };
    });
    assert.equal(bottom.lastNumber, String(ROWS), 'the last row is numbered 1,000,000');
    assert.ok(bottom.lastBottom <= bottom.viewBottom + 1 && bottom.lastBottom > bottom.viewBottom - 40, `the last row is at the bottom of the grid: ${JSON.stringify(bottom)}`);
    assert.ok(Math.abs(bottom.headTop - bottom.viewTop) <= 2, `the header sticks to the top: ${JSON.stringify(bottom)}`);
    await shots('preview-bottom');

    // Sorting by x is the runner's: the first row is the smallest x of all million.
    await grid.evaluate(() => (document.querySelectorAll('thead button.sort')[1] as HTMLElement).click());
    await grid.waitForFunction((row) => document.querySelector('tbody tr:first-child')?.getAttribute('data-row') === String(row), SMALLEST, { timeout: 120_000 });
    const first = await grid.evaluate(() => Array.from(document.querySelectorAll('tbody tr:first-child td'), (td) => td.textContent));
    assert.deepEqual(first.slice(0, 3), [String(SMALLEST + 1), String(SMALLEST), '0']);
    await shots('preview-sorted');
    w.assertNoCspViolation();
  } catch (e) {
    await w.shot('panels-failure');
    throw e;
  }
});
