// The Lineage panel and the panel layout in real VS Code (code-server, the packaged .vsix):
// after a run, the Metrics and Lineage panels share one editor group beside the editor; the
// lineage fits the panel (every node's box inside the view), shows each declaration's status
// against the run (datasets too: nothing is left "not run"), reveals a declaration on click, and
// marks a declaration stale as soon as its text changes. Screenshots in Light, Dark and High
// Contrast; the Lineage panel logs no CSP violation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { copySample, hostSkipReason, Workbench, type Frame } from './harness';

/** Status of each node as the panel draws it. */
async function statuses(frame: Frame): Promise<Record<string, string>> {
  return frame.evaluate(() => Object.fromEntries(Array.from(document.querySelectorAll('g.node'), (g) => [g.getAttribute('data-name') ?? '', g.getAttribute('data-status') ?? ''])));
}

test('lineage: one panel group, fitted graph, statuses after a run, click reveals, stale on edit, three themes', { timeout: 600_000 }, async (t) => {
  const skipReason = hostSkipReason();
  if (skipReason) { t.skip(`the e2e host could not be installed: ${skipReason}`); return; }
  const wb = await Workbench.open({ workspace: (dir) => copySample('penguins', dir) });
  const page = wb.page;
  try {
    await wb.openFile('penguins.narml');
    await page.waitForTimeout(3000);
    await wb.focusEditor();
    await wb.palette('NarML: Run Pipeline');
    await wb.frameWith(/accuracy/, 180_000);
    await wb.focusEditor();
    await wb.palette('NarML: Show Lineage');
    const lineage = await wb.frameWith(/Lineage \(10 declarations\)/, 60_000);
    await lineage.waitForSelector('g.node', { timeout: 60_000 });
    await page.waitForTimeout(1000);

    // Two groups: the editor and, beside it, one group holding both NarML panels.
    const groups = await page.evaluate(() => Array.from(document.querySelectorAll('.part.editor .editor-group-container'), (g) => Array.from(g.querySelectorAll('.tab'), (x) => (x.textContent ?? '').trim())));
    assert.equal(groups.length, 2, `editor groups: ${JSON.stringify(groups)}`);
    const panelGroup = groups.find((tabs) => tabs.some((x) => /Lineage/.test(x)));
    assert.ok(panelGroup?.some((x) => /NarML Metrics/.test(x)), `the Metrics and Lineage panels share a group: ${JSON.stringify(groups)}`);
    assert.ok(groups.some((tabs) => tabs.some((x) => /penguins\.narml/.test(x)) && !tabs.some((x) => /Lineage/.test(x))), `the editor keeps its own group: ${JSON.stringify(groups)}`);

    // Fitted: every node's box is inside the panel's drawing area.
    const fit = await lineage.evaluate(() => {
      const area = document.querySelector('.canvas')!.getBoundingClientRect();
      const outside = Array.from(document.querySelectorAll('g.node')).filter((g) => {
        const r = g.getBoundingClientRect();
        return r.left < area.left - 0.5 || r.top < area.top - 0.5 || r.right > area.right + 0.5 || r.bottom > area.bottom + 0.5;
      }).map((g) => g.getAttribute('data-name'));
      return { outside, width: area.width, height: area.height };
    });
    assert.deepEqual(fit.outside, [], `nodes outside the ${fit.width}×${fit.height} view`);

    // Statuses after a full run: everything computed, datasets included.
    const after = await statuses(lineage);
    assert.equal(Object.keys(after).length, 10);
    for (const [name, s] of Object.entries(after)) assert.ok(s === 'fresh' || s === 'reused', `${name} is ${s} after the run`);
    await wb.shot('lineage-dark');

    // Hover shows the table's rows and columns.
    await lineage.hover('g.node[data-name="penguins"]');
    const tip = await lineage.waitForSelector('.tip:not([hidden])', { timeout: 10_000 });
    assert.match(await tip.innerText(), /344 rows[\s\S]*columns[\s\S]*Species/);
    await wb.shot('lineage-hover');

    // Click reveals the declaration: the cursor goes to its line in the editor.
    const text = readFileSync(join(wb.workspace, 'penguins.narml'), 'utf8');
    const line = text.split('\n').findIndex((l) => l.startsWith('model species_forest')) + 1;
    await lineage.click('g.node[data-name="species_forest"]');
    await page.waitForFunction((n) => Array.from(document.querySelectorAll('.statusbar-item')).some((e) => (e as HTMLElement).innerText.includes(`Ln ${n},`)), line, { timeout: 15_000 });

    // An edit of the model's text (max_depth 8 → 6, two lines below its header, where the cursor
    // now is) makes it and what reads it stale, before any save or run.
    assert.match(text.split('\n')[line + 1], /max_depth: 8\)$/);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('End');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Backspace');
    await page.keyboard.type('6');
    await lineage.waitForFunction(() => document.querySelector('g.node[data-name="species_forest"]')?.getAttribute('data-status') === 'stale', null, { timeout: 30_000 });
    const stale = await statuses(lineage);
    assert.equal(stale.species_logistic, after.species_logistic, 'the other model is unchanged');
    assert.equal(stale.field_survey, 'stale', 'the predict reading the model is stale too');

    // Themes picked as a user does (Preferences: Color Theme); the panel follows VS Code's colours.
    for (const [theme, label, cls] of [['light', 'Light Modern', 'vs'], ['highContrast', 'Dark High Contrast', 'hc-black'], ['dark', 'Dark Modern', 'vs-dark']] as const) {
      await wb.palette('Preferences: Color Theme');
      await page.keyboard.type(label);
      await wb.pick(label);
      await page.waitForFunction((c) => document.querySelector('.monaco-workbench')?.classList.contains(c) ?? false, cls, { timeout: 30_000 });
      await page.waitForTimeout(1000);
      await wb.shot(`lineage-${theme}`);
    }
    // A violation's message names no script, so any violation logged while Metrics and Lineage
    // were shown fails this test.
    wb.assertNoCspViolation();
  } catch (e) {
    await wb.shot('lineage-failure');
    throw e;
  } finally {
    await wb.close();
  }
});
