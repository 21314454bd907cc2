// End to end in real VS Code (code-server, offline) driven through Debian's Chromium with
// playwright-core (test/e2e/harness.ts): the packaged .vsix is installed, a sample is opened, an
// edit shows an error squiggle and the Problems panel lists its NML code, the palette runs
// "NarML: Run Pipeline", and the Metrics, Data Preview and Lineage panels show their content
// without a Content-Security-Policy violation. Screenshots go to test/e2e/screenshots/
// (git-ignored). Skipped, with the reason, only when the host cannot be installed here.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CodeServer, copySample, hostSkipReason, ROOT, SHOTS, Workbench } from './harness';

let skipReason: string | undefined;
let wb: Workbench | undefined;

before(async () => {
  skipReason = hostSkipReason();
  if (skipReason) return;
  wb = await Workbench.open({ workspace: (dir) => copySample('penguins', dir) });
});

after(async () => {
  await wb?.close();
});

test('NarML in real VS Code: squiggles, Problems, run, metrics, preview, lineage', { timeout: 600_000 }, async (t) => {
  if (skipReason) { t.skip(`the e2e host could not be installed: ${skipReason}`); return; }
  try {
    await uiScenario(wb!);
  } catch (e) {
    await wb!.shot('failure');
    throw e;
  }
});

async function uiScenario(w: Workbench): Promise<void> {
  const page = w.page;
  await w.openFile('penguins.narml');
  await page.waitForTimeout(4000);
  await w.shot('01-opened');

  // An edit with an unknown column: a squiggle and an NML101 in the Problems panel.
  await w.focusEditor();
  await page.keyboard.press('Control+End');
  await page.keyboard.type('\nmodel broken from parts.train { target: Speciez, algorithm: knn }');
  // The code lenses the check adds above the new line push it out of view whenever they arrive
  // (late under load: CI saw both errors counted with the line scrolled away): reveal it until the
  // squiggle is drawn.
  const deadline = Date.now() + 60_000;
  while (!(await page.$('.squiggly-error'))) {
    assert.ok(Date.now() < deadline, 'no squiggle drawn within 60 s');
    await page.keyboard.press('Control+End');
    await page.waitForTimeout(1000);
  }
  await w.shot('02-squiggle');
  await page.keyboard.press('Control+Shift+M');
  await page.waitForFunction(() => /NML101/.test(document.querySelector('.markers-panel')?.textContent ?? ''), null, { timeout: 30_000 });
  await w.shot('03-problems');

  // Undo the edit and save, then run the pipeline from the palette.
  for (let i = 0; i < 8; i++) await page.keyboard.press('Control+Z');
  await w.focusEditor();
  for (let i = 0; i < 8; i++) await page.keyboard.press('Control+Z');
  await page.keyboard.press('Control+S');
  await page.waitForFunction(() => document.querySelectorAll('.squiggly-error').length === 0, null, { timeout: 30_000 });
  // The language server has re-checked: the Problems panel is empty again.
  await page.waitForFunction(() => /No problems have been detected/.test(document.querySelector('.markers-panel')?.textContent ?? ''), null, { timeout: 30_000 });
  await w.palette('NarML: Run Pipeline');
  const metrics = await w.frameWith(/accuracy/, 120_000);
  const accuracy = await metrics.evaluate(() => document.querySelector('[data-metric="accuracy"]')?.textContent ?? '');
  assert.match(accuracy, /^(1|0\.\d+)$/, `accuracy shown: ${accuracy}`);
  await w.shot('04-metrics');

  // Data Preview of the prepared table.
  await w.focusEditor();
  await w.palette('NarML: Preview Data');
  await w.pick('prepared');
  const preview = await w.frameWith(/prepared: 344 rows/, 90_000);
  const rows = await preview.evaluate(() => document.querySelectorAll('tbody tr').length);
  assert.ok(rows > 5, `preview rows drawn: ${rows}`);
  await w.shot('05-preview');

  // Lineage graph with every declaration.
  await w.focusEditor();
  await w.palette('NarML: Show Lineage');
  const lineage = await w.frameWith(/Lineage \(\d+ declarations\)/, 60_000);
  const nodes = await lineage.evaluate(() => document.querySelectorAll('g.node').length);
  assert.ok(nodes >= 9, `lineage nodes: ${nodes}`);
  await w.shot('06-lineage');
  w.assertNoCspViolation();
}

test('the mocha suite passes inside the real extension host', { timeout: 600_000 }, async (t) => {
  if (skipReason) { t.skip(`the e2e host could not be installed: ${skipReason}`); return; }
  // A second code-server, without the installed .vsix, running the extension from this
  // checkout (extensionDevelopmentPath) and the suite (extensionTestsPath) with the smoke-test
  // driver, which reports the suite's output and exit code to the page.
  const host = await CodeServer.start({ workspace: (dir) => copySample('penguins', dir), installVsix: false, extraArgs: ['--vscode-option', 'enable-smoke-test-driver'] });
  try {
    const p = await wb!.browser.newPage();
    const logs: string[] = [];
    let exitCode: number | undefined;
    await p.exposeFunction('codeAutomationLog', (...args: unknown[]) => { logs.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')); });
    await p.exposeFunction('codeAutomationExit', (code: number) => { exitCode = code; });
    const remote = `vscode-remote://127.0.0.1:${host.port}`;
    const payload = JSON.stringify([['extensionDevelopmentPath', `${remote}${ROOT}`], ['extensionTestsPath', `${remote}${join(__dirname, 'suite', 'index.js')}`]]);
    await p.goto(host.url({ payload }));
    const end = Date.now() + 300_000;
    while (exitCode === undefined && Date.now() < end) await p.waitForTimeout(500);
    const output = logs.join('\n');
    mkdirSync(SHOTS, { recursive: true });
    writeFileSync(join(SHOTS, 'extension-host-suite.log'), output);
    assert.equal(exitCode, 0, `extension-host suite failed or timed out:\n${output.slice(-4000)}`);
    assert.match(output, /passing/);
    await p.close();
  } finally {
    host.stop();
  }
});
