// The Experiments panel and Runs & Models in real VS Code (code-server, test/e2e/harness.ts): a
// penguins workspace run twice by the CLI (the second time with a stronger penalty and the forest
// renamed to a hostile name), then "NarML: Show Experiments": sorted by accuracy from the
// keyboard, two rows selected, the diff names the changed option and shows both confusion
// matrices; the hostile name is text; Runs & Models lists the versions with their key metric.
// Screenshots in Light, Dark and High Contrast; no Content-Security-Policy violation.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copySample, hostSkipReason, ROOT, THEMES, Workbench, type ThemeName } from './harness';

const HOSTILE = '<img src=x onerror=alert(1)>';
let skipReason: string | undefined;
let wb: Workbench | undefined;

function cli(dir: string, args: string[]): void {
  const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), ...args], { cwd: dir, encoding: 'utf8', timeout: 180_000 });
  assert.equal(r.status, 0, r.stderr);
}

/** Two recorded runs: the logistic model alone, then with c: 0.01 beside the forest under a hostile name. */
function twoRuns(dir: string): void {
  copySample('penguins', dir);
  cli(dir, ['run', 'penguins.narml', 'species_logistic_on_parts_test']);
  const file = join(dir, 'penguins.narml');
  writeFileSync(file, readFileSync(file, 'utf8').replace('logistic_regression(c: 1.0)', 'logistic_regression(c: 0.01)').replace(/species_forest/g, `\`${HOSTILE}\``));
  cli(dir, ['run', 'penguins.narml', 'species_logistic_on_parts_test', `${HOSTILE}_on_parts_test`]);
}

before(async () => {
  skipReason = hostSkipReason();
  if (skipReason) return;
  // Without the chat side bar, so the panel has the width a user would give a table.
  wb = await Workbench.open({ workspace: twoRuns, theme: 'light', settings: { 'workbench.secondarySideBar.defaultVisibility': 'hidden', 'chat.disableAIFeatures': true } });
});

after(async () => {
  await wb?.close();
});

test('Experiments table after two runs: sort, select two, diff; Runs & Models versions; three themes', { timeout: 600_000 }, async (t) => {
  if (skipReason) { t.skip(`the e2e host could not be installed: ${skipReason}`); return; }
  try {
    await scenario(wb!);
  } catch (e) {
    await wb!.shot('experiments-failure');
    throw e;
  }
});

/** The palette lists an extension's commands once the extension host has loaded it: on a busy machine that can lag the workbench. */
async function paletteWhenLoaded(w: Workbench, command: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await w.palette(command);
      return;
    } catch (e) {
      if (attempt === 4) throw e;
      await w.page.keyboard.press('Escape');
      await w.page.waitForTimeout(5000);
    }
  }
}

/**
 * Switches the colour theme as a user does, from "Preferences: Color Theme": a rewritten settings
 * file is not always noticed on a machine whose file watchers are used up by other workbenches.
 */
async function pickTheme(w: Workbench, theme: ThemeName, cls: string): Promise<void> {
  await paletteWhenLoaded(w, 'Preferences: Color Theme');
  // The picker labels "Default Dark Modern" as "Dark Modern" and "Default High Contrast" as "Dark High Contrast".
  const label = { light: 'Light Modern', dark: 'Dark Modern', highContrast: 'Dark High Contrast' }[theme];
  await w.page.keyboard.type(label);
  const row = w.page.locator('.quick-input-list .monaco-list-row', { has: w.page.locator('.label-name', { hasText: new RegExp(`^(${THEMES[theme]}|${label})$`) }) }).first();
  await row.waitFor({ state: 'visible', timeout: 30_000 });
  await row.click();
  await w.page.waitForFunction((c) => document.querySelector('.monaco-workbench')?.classList.contains(c) ?? false, cls, { timeout: 30_000 });
  // Webviews receive the new colours by message after the workbench repaints.
  await w.page.waitForTimeout(1500);
}

async function scenario(w: Workbench): Promise<void> {
  await w.openFile('penguins.narml');
  await w.focusEditor();
  await paletteWhenLoaded(w, 'NarML: Show Experiments');
  const panel = await w.frameWith(/Experiments: penguins\.narml/, 90_000);
  await panel.waitForSelector('table.experiments tbody tr');
  const models = (): Promise<string[]> => panel.$$eval('table.experiments tbody tr td.key', (cells) => cells.map((c) => (c as HTMLElement).innerText));
  assert.deepEqual((await models()).sort(), [HOSTILE, 'species_logistic', 'species_logistic'].sort());
  assert.equal(await panel.evaluate(() => document.querySelectorAll('img, [onerror]').length), 0, 'the hostile model name is text, not an element');

  // Sorting from the keyboard: focus the accuracy header's button, Enter sorts best first.
  const header = panel.locator('th button.sort[data-focus="sort:metric:accuracy · parts.test"]');
  await header.focus();
  await header.press('Enter');
  await panel.waitForSelector('th[aria-sort="descending"]');
  const shown = await panel.$$eval('table.experiments thead th', (ths) => ths.map((th) => (th as HTMLElement).innerText));
  const at = shown.findIndex((h) => h.startsWith('accuracy · parts.test'));
  const column = await panel.$$eval('table.experiments tbody tr', (rows, i) => rows.map((r) => Number((r.children[i] as HTMLElement).innerText)), at);
  assert.deepEqual(column, [...column].sort((a, b) => b - a), 'best accuracy first');
  // The keyboard focus stays on the header after the table is redrawn.
  assert.equal(await panel.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.focus), 'sort:metric:accuracy · parts.test');

  // Select the two logistic rows: the diff shows c changed and both confusion matrices.
  const logistic = panel.locator('table.experiments tbody tr', { hasText: 'species_logistic' });
  await logistic.nth(0).locator('input[type=checkbox]').check();
  await panel.locator('table.experiments tbody tr', { hasText: 'species_logistic' }).nth(1).locator('input[type=checkbox]').check();
  await panel.waitForSelector('section.diff');
  const changed = await panel.$$eval('section.diff tr.changed th', (ths) => ths.map((th) => (th as HTMLElement).innerText));
  assert.deepEqual(changed, ['c']);
  assert.equal(await panel.locator('section.diff table.confusion').count(), 2);
  assert.match(await panel.locator('section.diff').innerText(), /the pipeline text changed between the runs/);
  assert.match(await panel.locator('section.plot figcaption').innerText(), /across runs/);

  // The workbench opened in Light; then Dark and High Contrast, applied live.
  await w.page.waitForTimeout(1000);
  await w.shot('experiments-light');
  for (const [theme, cls] of [['dark', 'vs-dark'], ['highContrast', 'hc-black']] as [ThemeName, string][]) {
    await pickTheme(w, theme, cls);
    await w.shot(`experiments-${theme}`);
  }

  // Runs & Models: the logistic model with two versions, each with its key metric.
  await w.palette('NarML: Show Run History');
  const tree = w.page.locator('.pane', { hasText: 'Runs & Models' });
  await tree.locator('.monaco-list-row', { hasText: 'species_logistic' }).first().waitFor({ timeout: 60_000 });
  const rows = await tree.locator('.monaco-list-row').allInnerTexts();
  assert.ok(rows.some((r) => /species_logistic/.test(r) && /logistic_regression · accuracy/.test(r)), rows.join('\n'));
  assert.equal(rows.filter((r) => /accuracy [\d.]+ on parts\.test · run \d{8}T\d{6}-/.test(r)).length, 3, rows.join('\n'));
  await w.shot('experiments-runs-and-models');
  w.assertNoCspViolation();
}
