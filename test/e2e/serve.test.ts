// Serving from real VS Code (code-server, test/e2e/harness.ts): a penguins workspace trained by
// the CLI, then "NarML: Serve Model" (the notification and status bar give the URL), "NarML: Try
// Served Model": the request box holds an example row of the model's input columns, Send shows
// the server's prediction, an edited request with a wrong type shows the 400 naming the column;
// the same Serve Model command stops it. Screenshots in Light, Dark and High Contrast; no
// Content-Security-Policy violation.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { copySample, ROOT, workbenchTest, type ThemeName } from './harness';

function trained(dir: string): void {
  copySample('penguins', dir);
  const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'run', 'penguins.narml', 'species_forest'], { cwd: dir, encoding: 'utf8', timeout: 180_000 });
  assert.equal(r.status, 0, r.stderr);
}

workbenchTest('Serve Model, then Try it: a prediction, a refusal naming the column, stopped by the same command; three themes', { theme: 'light', workspace: trained, timeout: 600_000, failureShot: 'serve-failure' }, async (w) => {
  await w.openPipeline('penguins.narml');
  await w.palette('NarML: Serve Model');
  await w.page.waitForFunction(() => /NarML is serving species_forest at http:\/\/127\.0\.0\.1:\d+/.test(document.body.innerText), undefined, { timeout: 90_000 });
  await w.palette('NarML: Try Served Model');
  const panel = await w.frameWith(/Try it — http:\/\/127\.0\.0\.1:\d+/, 60_000);
  const request = JSON.parse(await panel.locator('textarea.request').inputValue()) as { rows: Record<string, unknown>[] };
  assert.deepEqual(Object.keys(request.rows[0]), ['Island', 'Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)', 'Sex']);
  await panel.locator('button.send').click();
  await panel.waitForSelector('.status[data-status="200"]', { timeout: 30_000 });
  const answer = JSON.parse(await panel.locator('pre.answer').innerText()) as { model: string; predictions: { prediction: string }[] };
  assert.equal(answer.model, 'species_forest');
  assert.ok(['Adelie', 'Chinstrap', 'Gentoo'].includes(answer.predictions[0].prediction));
  for (const theme of ['light', 'dark', 'highContrast'] as ThemeName[]) {
    if (theme !== 'light') await w.setTheme(theme);
    await w.shot(`tryit-${theme}`);
  }

  await panel.locator('textarea.request').fill(JSON.stringify({ rows: [{ ...request.rows[0], 'Body Mass (g)': 'heavy' }] }));
  await panel.locator('button.send').click();
  await panel.waitForSelector('.status[data-status="400"]', { timeout: 30_000 });
  const refusal = JSON.parse(await panel.locator('pre.answer').innerText()) as { column: string; expected: string };
  assert.deepEqual([refusal.column, refusal.expected], ['Body Mass (g)', 'number?']);
  assert.equal(await panel.evaluate(() => document.querySelectorAll('img, [onerror]').length), 0);

  await w.focusEditor();
  await w.palette('NarML: Serve Model');
  await w.page.waitForFunction(() => /NarML serving stopped\./.test(document.body.innerText), undefined, { timeout: 30_000 });
  w.assertNoCspViolation();
});
