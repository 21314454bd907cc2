// Editing in real VS Code (test/e2e/harness.ts) in Restricted Mode: workspace trust is on and
// the folder untrusted. Checking works (an unknown column is underlined), the quick fix from
// the light bulb clears it, completion offers functions after `derive x = `, the Run lenses are
// gone and one lens says to trust the folder, Run Pipeline says the same instead of running,
// and the walkthrough's first step copies the sample into the workspace. Screenshots in the
// three themes go to test/e2e/screenshots/editing-*.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { copySample, EDITOR, hostSkipReason, type ThemeName, Workbench } from './harness';

let skipReason: string | undefined;
let wb: Workbench | undefined;

before(async () => {
  skipReason = hostSkipReason();
  if (skipReason) return;
  wb = await Workbench.open({ untrusted: true, theme: 'dark', workspace: (dir) => copySample('penguins', dir) });
});

after(async () => {
  await wb?.close();
});

/**
 * Picks a colour theme as a user does (Preferences: Color Theme). The harness's settings-file
 * switch does not reach an untrusted window, whose workbench waits for the theme in vain.
 */
const THEME_LABELS: Record<ThemeName, string> = { light: 'Light Modern', dark: 'Dark Modern', highContrast: 'Dark High Contrast' };
async function pickTheme(w: Workbench, theme: ThemeName): Promise<void> {
  await w.palette('Preferences: Color Theme');
  // The list is virtual: filter it so the entry is drawn.
  await w.page.keyboard.type(THEME_LABELS[theme]);
  await w.pick(THEME_LABELS[theme]);
  await w.page.waitForTimeout(1000);
}

/** The code lenses' titles in the editor, in order. */
async function lensTitles(w: Workbench): Promise<string[]> {
  return w.page.evaluate(() => Array.from(document.querySelectorAll('.codelens-decoration a, .codelens-decoration span'), (e) => (e as HTMLElement).innerText.trim()).filter(Boolean));
}

test('Restricted Mode: checking, quick fixes and completion work; nothing runs and the editor says how to', { timeout: 600_000 }, async (t) => {
  if (skipReason) { t.skip(`the e2e host could not be installed: ${skipReason}`); return; }
  const w = wb!;
  const page = w.page;
  try {
    await w.openFile('penguins.narml');
    // Lenses arrive after the first check.
    await page.waitForFunction(() => /Restricted Mode/.test(Array.from(document.querySelectorAll('.codelens-decoration'), (e) => e.textContent).join(' ')), null, { timeout: 60_000 });
    const lenses = await lensTitles(w);
    assert.ok(lenses.includes('Restricted Mode: checking works; trust the folder to run'), JSON.stringify(lenses));
    assert.ok(!lenses.some((l) => /Run|Preview|Predict now|Export/.test(l.replace('Restricted Mode: checking works; trust the folder to run', ''))), JSON.stringify(lenses));
    await w.shot('editing-restricted-dark');

    // An unknown column: underlined, and the light bulb's "did you mean" fixes it.
    await w.focusEditor();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\nmodel broken from parts.train { target: Speciez, algorithm: knn }');
    await page.waitForSelector(`${EDITOR} .squiggly-error`, { timeout: 60_000 });
    await page.keyboard.press('Home');
    for (let i = 0; i < 'model broken from parts.train { target: '.length + 2; i++) await page.keyboard.press('ArrowRight');
    await page.waitForSelector(`${EDITOR} .lightBulbWidget`, { timeout: 30_000 });
    await page.click(`${EDITOR} .lightBulbWidget`);
    const fix = page.locator('.action-widget .monaco-list-row', { hasText: 'Change to "Species"' }).first();
    await fix.waitFor({ state: 'visible', timeout: 30_000 });
    await w.shot('editing-quick-fix-dark');
    // The menu is drawn again whenever diagnostics arrive, so a click can land on a row already
    // replaced (CI under load timed out so): the fix is chosen with the keyboard, as users do.
    const focusedIsFix = () => page.evaluate(() => document.querySelector('.action-widget .monaco-list-row.focused')?.textContent?.includes('Change to "Species"') === true);
    for (let i = 0; i < 5 && !(await focusedIsFix()); i++) await page.keyboard.press('ArrowDown');
    assert.ok(await focusedIsFix(), 'the quick fix is in the menu');
    await page.keyboard.press('Enter');
    await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 0, `${EDITOR} .squiggly-error`, { timeout: 60_000 });
    assert.ok(await page.locator(`${EDITOR} .view-lines`, { hasText: 'target: Species, algorithm: knn' }).count() > 0);

    // Completion after `derive x = `: the columns of that step and the functions with signatures.
    await pickTheme(w, 'light');
    await w.focusEditor();
    await page.keyboard.press('Control+End');
    await page.keyboard.press('End');
    await page.keyboard.type('\ntransform more from prepared {\n  derive ratio = ');
    await page.keyboard.press('Control+Space');
    const suggest = page.locator('.suggest-widget .monaco-list-row', { hasText: 'days_between' }).first();
    await suggest.waitFor({ state: 'visible', timeout: 30_000 });
    const labels = await page.evaluate(() => Array.from(document.querySelectorAll('.suggest-widget .monaco-list-row .label-name'), (e) => (e as HTMLElement).innerText));
    assert.ok(labels.includes('beak_depth') && labels.includes('abs'), `columns and functions: ${JSON.stringify(labels)}`);
    assert.ok(!labels.includes('dataset') && !labels.includes('model'), `no declarations in an expression: ${JSON.stringify(labels)}`);
    await w.shot('editing-completion-light');
    await page.keyboard.press('Escape');

    // Running says to trust the folder instead of running.
    await w.palette('NarML: Run Pipeline');
    await page.waitForFunction(() => /Restricted Mode/.test(Array.from(document.querySelectorAll('.notification-toast'), (n) => (n as HTMLElement).innerText).join('\n')), null, { timeout: 30_000 });
    assert.match(await w.notifications(), /Trust this workspace to run it; checking still works/);
    assert.ok(!existsSync(join(w.workspace, '.narml')), 'nothing ran: no run store');

    // The walkthrough: its first step copies the sample into the workspace and opens it.
    await pickTheme(w, 'highContrast');
    await w.palette('Welcome: Open Walkthrough...');
    await w.pick('Get started with NarML');
    await page.locator('.getting-started-step', { hasText: 'Open the penguins sample' }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await w.shot('editing-walkthrough-highContrast');
    await page.locator('.getting-started-step a, .getting-started-step button', { hasText: 'Open the sample' }).first().click();
    const copied = join(w.workspace, 'penguins', 'penguins.narml');
    const end = Date.now() + 30_000;
    while (!existsSync(copied) && Date.now() < end) await page.waitForTimeout(500);
    assert.ok(existsSync(copied), 'the sample is copied into the workspace');
    assert.ok(existsSync(join(w.workspace, 'penguins', 'data', 'penguins.csv')), 'with its data');
    await page.locator('.tab', { hasText: 'penguins.narml' }).first().waitFor({ state: 'visible', timeout: 30_000 });
  } catch (e) {
    await w.shot('editing-failure');
    throw e;
  }
});
