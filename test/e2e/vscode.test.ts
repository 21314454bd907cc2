// End to end in real VS Code (code-server, offline) driven through Debian's Chromium with
// playwright-core: the packaged .vsix is installed, a sample is opened, an edit shows an error
// squiggle and the Problems panel lists its NML code, the palette runs "NarML: Run Pipeline",
// and the Metrics, Data Preview and Lineage panels show their content. Screenshots go to
// test/e2e/screenshots/ (git-ignored). Skipped, with the reason, only when the host cannot be
// installed on this machine.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM, CODE_SERVER, NODE24, packageExtension, setupHost } from './setup';

const root = join(__dirname, '..', '..');
/** The text editor (not the chat input, which is a Monaco editor too). */
const EDITOR = '.part.editor .monaco-editor';
const shots = join(__dirname, 'screenshots');
type Page = import('playwright-core').Page;
type Frame = import('playwright-core').Frame;

let skipReason: string | undefined;
let server: ChildProcess | undefined;
let browser: import('playwright-core').Browser | undefined;
let page: Page;
let workspace: string;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`code-server did not answer at ${url}`);
}

async function frameWith(text: RegExp, ms = 60_000): Promise<Frame> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    for (const f of page.frames()) {
      if (f === page.mainFrame()) continue;
      try {
        const body = await f.evaluate(() => document.body?.innerText ?? '');
        if (text.test(body)) return f;
      } catch {
        // frame navigating
      }
    }
    await page.waitForTimeout(500);
  }
  throw new Error(`no panel shows ${text}`);
}

async function palette(command: string): Promise<void> {
  await page.keyboard.press('F1');
  await page.waitForSelector('.quick-input-widget input', { state: 'visible' });
  await page.keyboard.type(command);
  // Pick the entry whose label is exactly the command (fuzzy matches may rank others first).
  const row = page.locator('.quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: new RegExp(`^${command.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) }).first();
  await row.waitFor({ state: 'visible', timeout: 15_000 });
  await row.click();
}

/** Clicks the quick-pick entry whose label is exactly `label`. */
async function pick(label: string): Promise<void> {
  const row = page.locator('.quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: new RegExp(`^${label}$`) }) }).first();
  await row.waitFor({ state: 'visible', timeout: 30_000 });
  await row.click();
}

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(shots, `${name}.png`) });
}

before(async () => {
  skipReason = setupHost((s) => process.stderr.write(`e2e: ${s}\n`));
  if (skipReason) return;
  mkdirSync(shots, { recursive: true });
  const vsix = packageExtension(root);
  const data = mkdtempSync(join(tmpdir(), 'narml-e2e-'));
  workspace = join(data, 'workspace');
  cpSync(join(root, 'samples', 'penguins'), workspace, { recursive: true, filter: (src) => !/[\\/](\.narml|out|models)$/.test(src) });
  const env = { ...process.env, XDG_CONFIG_HOME: join(data, 'config'), XDG_DATA_HOME: join(data, 'data'), XDG_CACHE_HOME: join(data, 'cache'), NODE_OPTIONS: '' };
  const common = ['--config', '/dev/null', '--user-data-dir', join(data, 'user'), '--extensions-dir', join(data, 'extensions')];
  const install = spawnSync(NODE24, [CODE_SERVER, ...common, '--install-extension', vsix], { env, encoding: 'utf8', timeout: 120_000 });
  assert.equal(install.status, 0, `installing the vsix failed: ${install.stderr}`);
  const port = await freePort();
  server = spawn(NODE24, [CODE_SERVER, ...common, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check',
    '--disable-workspace-trust', '--disable-getting-started-override', '--ignore-last-opened', workspace], { env, detached: true, stdio: 'ignore' });
  await waitForHttp(`http://127.0.0.1:${port}/healthz`, 60_000);
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  page = await browser.newPage({ viewport: { width: 1500, height: 950 } });
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
  await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
  await page.waitForTimeout(3000);
});

after(async () => {
  await browser?.close();
  if (server?.pid) {
    try { process.kill(-server.pid, 'SIGTERM'); } catch { /* already gone */ }
  }
  if (workspace) rmSync(join(workspace, '..'), { recursive: true, force: true });
});

test('NarML in real VS Code: squiggles, Problems, run, metrics, preview, lineage', { timeout: 600_000 }, async (t) => {
  if (skipReason) { t.skip(`the e2e host could not be installed: ${skipReason}`); return; }
  try {
    await uiScenario();
  } catch (e) {
    await shot('failure');
    throw e;
  }
});

async function uiScenario(): Promise<void> {
  // Open the sample by double-clicking it in the Explorer.
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'penguins.narml' }).dblclick();
  await page.waitForSelector(`${EDITOR} .view-lines`, { timeout: 60_000 });
  await page.waitForTimeout(4000);
  await shot('01-opened');

  // An edit with an unknown column: a squiggle and an NML101 in the Problems panel.
  await page.click(`${EDITOR} .view-lines`);
  await page.keyboard.press('Control+End');
  await page.keyboard.type('\nmodel broken from parts.train { target: Speciez, algorithm: knn }');
  await page.waitForSelector('.squiggly-error', { timeout: 60_000 });
  await shot('02-squiggle');
  await page.keyboard.press('Control+Shift+M');
  await page.waitForFunction(() => /NML101/.test(document.querySelector('.markers-panel')?.textContent ?? ''), null, { timeout: 30_000 });
  await shot('03-problems');

  // Undo the edit and save, then run the pipeline from the palette.
  for (let i = 0; i < 8; i++) await page.keyboard.press('Control+Z');
  await page.click(`${EDITOR} .view-lines`);
  for (let i = 0; i < 8; i++) await page.keyboard.press('Control+Z');
  await page.keyboard.press('Control+S');
  await page.waitForFunction(() => document.querySelectorAll('.squiggly-error').length === 0, null, { timeout: 30_000 });
  // The language server has re-checked: the Problems panel is empty again.
  await page.waitForFunction(() => /No problems have been detected/.test(document.querySelector('.markers-panel')?.textContent ?? ''), null, { timeout: 30_000 });
  await palette('NarML: Run Pipeline');
  const metrics = await frameWith(/accuracy/, 120_000);
  const accuracy = await metrics.evaluate(() => document.querySelector('[data-metric="accuracy"]')?.textContent ?? '');
  assert.match(accuracy, /^(1|0\.\d+)$/, `accuracy shown: ${accuracy}`);
  await shot('04-metrics');

  // Data Preview of the prepared table.
  await page.click(`${EDITOR} .view-lines`);
  await palette('NarML: Preview Data');
  await pick('prepared');
  const preview = await frameWith(/prepared: 344 rows/, 90_000);
  const rows = await preview.evaluate(() => document.querySelectorAll('tbody tr').length);
  assert.ok(rows > 5, `preview rows drawn: ${rows}`);
  await shot('05-preview');

  // Lineage graph with every declaration.
  await page.click(`${EDITOR} .view-lines`);
  await palette('NarML: Show Lineage');
  const lineage = await frameWith(/Lineage \(\d+ declarations\)/, 60_000);
  const nodes = await lineage.evaluate(() => document.querySelectorAll('g.node').length);
  assert.ok(nodes >= 9, `lineage nodes: ${nodes}`);
  await shot('06-lineage');
}

test('the mocha suite passes inside the real extension host', { timeout: 600_000 }, async (t) => {
  if (skipReason) { t.skip(`the e2e host could not be installed: ${skipReason}`); return; }
  // A second code-server, without the installed .vsix, running the extension from this
  // checkout (extensionDevelopmentPath) and the suite (extensionTestsPath) with the smoke-test
  // driver, which reports the suite's output and exit code to the page.
  const data = mkdtempSync(join(tmpdir(), 'narml-e2e-host-'));
  const ws = join(data, 'workspace');
  cpSync(join(root, 'samples', 'penguins'), ws, { recursive: true, filter: (src) => !/[\\/](\.narml|out|models)$/.test(src) });
  const env = { ...process.env, XDG_CONFIG_HOME: join(data, 'config'), XDG_DATA_HOME: join(data, 'data'), XDG_CACHE_HOME: join(data, 'cache'), NODE_OPTIONS: '' };
  const port = await freePort();
  const host = spawn(NODE24, [CODE_SERVER, '--config', '/dev/null', '--user-data-dir', join(data, 'user'), '--extensions-dir', join(data, 'extensions'),
    '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
    '--disable-getting-started-override', '--ignore-last-opened', '--vscode-option', 'enable-smoke-test-driver'], { env, detached: true, stdio: 'ignore' });
  try {
    await waitForHttp(`http://127.0.0.1:${port}/healthz`, 60_000);
    const p = await browser!.newPage();
    const logs: string[] = [];
    let exitCode: number | undefined;
    await p.exposeFunction('codeAutomationLog', (...args: unknown[]) => { logs.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')); });
    await p.exposeFunction('codeAutomationExit', (code: number) => { exitCode = code; });
    const remote = `vscode-remote://127.0.0.1:${port}`;
    const payload = JSON.stringify([['extensionDevelopmentPath', `${remote}${root}`], ['extensionTestsPath', `${remote}${join(__dirname, 'suite', 'index.js')}`]]);
    await p.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}&payload=${encodeURIComponent(payload)}`);
    const end = Date.now() + 300_000;
    while (exitCode === undefined && Date.now() < end) await p.waitForTimeout(500);
    const output = logs.join('\n');
    writeFileSync(join(shots, 'extension-host-suite.log'), output);
    assert.equal(exitCode, 0, `extension-host suite failed or timed out:\n${output.slice(-4000)}`);
    assert.match(output, /passing/);
    await p.close();
  } finally {
    if (host.pid) { try { process.kill(-host.pid, 'SIGTERM'); } catch { /* gone */ } }
    rmSync(data, { recursive: true, force: true });
  }
});
