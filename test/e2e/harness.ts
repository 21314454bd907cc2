// Reusable driver for end-to-end tests in real VS Code (code-server, offline) through Debian's
// Chromium with playwright-core. A test file starts one workbench (each start costs 20–40 s of
// CI), drives it like a user (Explorer, palette, quick picks), finds webview panels by their
// text, switches the colour theme from the palette (so one workbench serves Light, Dark and
// High Contrast; the first theme comes from the user settings), takes screenshots into
// test/e2e/screenshots/, and collects every Content-Security-Policy violation a webview logs.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CHROMIUM, CODE_SERVER, NODE24, packageExtension, setupHost } from './setup';

export type Page = import('playwright-core').Page;
export type Frame = import('playwright-core').Frame;
export type Browser = import('playwright-core').Browser;

export const ROOT = join(__dirname, '..', '..');
export const SHOTS = join(__dirname, 'screenshots');
/** The text editor (not the chat input, which is a Monaco editor too). */
export const EDITOR = '.part.editor .monaco-editor';

export const THEMES = { light: 'Default Light Modern', dark: 'Default Dark Modern', highContrast: 'Default High Contrast' } as const;
export type ThemeName = keyof typeof THEMES;
/** The themes' labels in the Color Theme picker. */
const THEME_PICK: Record<ThemeName, string> = { light: 'Light Modern', dark: 'Dark Modern', highContrast: 'Dark High Contrast' };
/** The class VS Code puts on the workbench for each kind of theme. */
const THEME_CLASS: Record<ThemeName, string> = { light: 'vs', dark: 'vs-dark', highContrast: 'hc-black' };

/** Undefined when the host is installed (installing it once if needed), else why not: the caller skips with it. */
export function hostSkipReason(): string | undefined {
  return setupHost((s) => process.stderr.write(`e2e: ${s}\n`));
}

let packaged: string | undefined;
/**
 * The packaged extension: built once by scripts/run-tests.mjs before any e2e file starts (two files
 * packaging into dist/ at the same time handed code-server a half-written .vsix), else once here.
 */
export function vsix(): string {
  packaged ??= process.env.NARML_E2E_VSIX ?? packageExtension(ROOT);
  return packaged;
}

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

/** Copies a sample folder without what running it leaves behind (store, outputs, models). */
export function copySample(sample: string, to: string): void {
  cpSync(join(ROOT, 'samples', sample), to, { recursive: true, filter: (src) => !/[\\/](\.narml|out|models)$/.test(src) });
}

export interface ServerOptions {
  /** Fills the workspace folder (e.g. `(dir) => copySample('penguins', dir)`). */
  workspace: (dir: string) => void;
  /** Install the packaged .vsix (default), or load nothing (the extension comes with extensionDevelopmentPath). */
  installVsix?: boolean;
  /** User settings (settings.json); the theme is set with `theme`. */
  settings?: Record<string, unknown>;
  theme?: ThemeName;
  /** Workspace trust stays enabled and the folder untrusted: Restricted Mode. */
  untrusted?: boolean;
  extraArgs?: string[];
}

/** A code-server process with its own data folders, serving one workspace folder. */
export class CodeServer {
  private constructor(readonly port: number, readonly data: string, readonly workspace: string, private readonly proc: ChildProcess) {}

  static async start(o: ServerOptions): Promise<CodeServer> {
    const data = mkdtempSync(join(tmpdir(), 'narml-e2e-'));
    const workspace = join(data, 'workspace');
    mkdirSync(workspace, { recursive: true });
    o.workspace(workspace);
    const user = join(data, 'user');
    mkdirSync(join(user, 'User'), { recursive: true });
    const settingsFile = join(user, 'User', 'settings.json');
    const settings: Record<string, unknown> = {
      'workbench.startupEditor': 'none',
      'security.workspace.trust.enabled': o.untrusted === true,
      ...(o.untrusted ? { 'security.workspace.trust.startupPrompt': 'never' } : {}),
      'workbench.colorTheme': THEMES[o.theme ?? 'dark'],
      ...o.settings,
    };
    writeFileSync(settingsFile, JSON.stringify(settings, null, 2));
    const env = { ...process.env, XDG_CONFIG_HOME: join(data, 'config'), XDG_DATA_HOME: join(data, 'data'), XDG_CACHE_HOME: join(data, 'cache'), NODE_OPTIONS: '' };
    const common = ['--config', '/dev/null', '--user-data-dir', user, '--extensions-dir', join(data, 'extensions')];
    if (o.installVsix !== false) {
      const install = spawnSync(NODE24, [CODE_SERVER, ...common, '--install-extension', vsix()], { env, encoding: 'utf8', timeout: 120_000 });
      assert.equal(install.status, 0, `installing the vsix failed: ${install.stderr}`);
    }
    const port = await freePort();
    const proc = spawn(NODE24, [CODE_SERVER, ...common, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check',
      ...(o.untrusted ? [] : ['--disable-workspace-trust']), '--disable-getting-started-override', '--ignore-last-opened', ...(o.extraArgs ?? [])],
    { env, detached: true, stdio: 'ignore' });
    const server = new CodeServer(port, data, workspace, proc);
    try {
      await waitForHttp(`http://127.0.0.1:${port}/healthz`, 60_000);
    } catch (e) {
      server.stop();
      throw e;
    }
    return server;
  }

  url(query: Record<string, string> = {}): string {
    const q = new URLSearchParams({ folder: this.workspace, ...query });
    return `http://127.0.0.1:${this.port}/?${q.toString()}`;
  }

  stop(): void {
    if (this.proc.pid) {
      try { process.kill(-this.proc.pid, 'SIGTERM'); } catch { /* already gone */ }
    }
    rmSync(this.data, { recursive: true, force: true });
  }
}

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A message a webview's console logged because the page's Content-Security-Policy blocked something. */
export function isCspViolation(text: string): boolean {
  return /Content Security Policy|Refused to/.test(text);
}

/** One browser tab on a code-server workbench, driven as a user would. */
export class Workbench {
  /** CSP violations logged by any frame (in practice the webviews'), with the location given. */
  readonly cspViolations: string[] = [];

  private constructor(readonly server: CodeServer, readonly browser: Browser, readonly page: Page) {}

  static async open(o: ServerOptions): Promise<Workbench> {
    const server = await CodeServer.start(o);
    let browser: Browser | undefined;
    try {
      browser = await launchChromium();
      const page = await browser.newPage({ viewport: { width: 1500, height: 950 } });
      const wb = new Workbench(server, browser, page);
      // Every frame's console reaches the page's console event (a webview's violation comes
      // with no usable location, so it is not filtered by frame); the workbench itself logs none.
      page.on('console', (m) => {
        if (isCspViolation(m.text())) wb.cspViolations.push(`${m.text()} (${m.location().url})`);
      });
      await page.goto(server.url());
      await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
      await page.waitForTimeout(3000);
      return wb;
    } catch (e) {
      await browser?.close();
      server.stop();
      throw e;
    }
  }

  get workspace(): string {
    return this.server.workspace;
  }

  async close(): Promise<void> {
    await this.browser.close();
    this.server.stop();
  }

  /** Opens a file of the workspace by double-clicking it in the Explorer, and waits for its text. */
  async openFile(name: string): Promise<void> {
    await this.page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first().dblclick();
    await this.page.waitForSelector(`${EDITOR} .view-lines`, { timeout: 60_000 });
  }

  /** Opens a pipeline, gives the language server a moment to check it, and focuses its editor. */
  async openPipeline(name: string): Promise<void> {
    await this.openFile(name);
    await this.page.waitForTimeout(3000);
    await this.focusEditor();
  }

  /** Focuses the text editor (palette commands act on the active pipeline). */
  async focusEditor(): Promise<void> {
    await this.page.click(`${EDITOR} .view-lines`);
  }

  /** Runs a command from the palette by its exact label (fuzzy matches may rank others first). */
  async palette(command: string): Promise<void> {
    await this.page.keyboard.press('F1');
    await this.page.waitForSelector('.quick-input-widget input', { state: 'visible' });
    await this.page.keyboard.type(command);
    await this.pick(command, 15_000);
  }

  /** Clicks the quick-pick entry whose label is exactly `label`. */
  async pick(label: string, timeout = 30_000): Promise<void> {
    const row = this.page.locator('.quick-input-list .monaco-list-row', { has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }) }).first();
    await row.waitFor({ state: 'visible', timeout });
    await row.click();
  }

  /** The webview frame whose text matches (webviews are nested iframes; the innermost holds the panel). */
  async frameWith(text: RegExp, ms = 60_000): Promise<Frame> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      for (const f of this.page.frames()) {
        if (f === this.page.mainFrame()) continue;
        try {
          const body = await f.evaluate(() => document.body?.innerText ?? '');
          if (text.test(body)) return f;
        } catch {
          // frame navigating
        }
      }
      await this.page.waitForTimeout(500);
    }
    throw new Error(`no panel shows ${text}`);
  }

  /** Switches the colour theme as a user does (Preferences: Color Theme) and waits until the workbench shows it. */
  async setTheme(theme: ThemeName): Promise<void> {
    await this.palette('Preferences: Color Theme');
    await this.page.waitForSelector('.quick-input-widget input', { state: 'visible' });
    await this.page.keyboard.type(THEME_PICK[theme]);
    await this.pick(THEME_PICK[theme], 15_000);
    await this.page.waitForFunction((cls) => document.querySelector('.monaco-workbench')?.classList.contains(cls) ?? false, THEME_CLASS[theme], { timeout: 30_000 });
    // Webviews receive the new colours by message after the workbench repaints.
    await this.page.waitForTimeout(1000);
  }

  async shot(name: string): Promise<string> {
    mkdirSync(SHOTS, { recursive: true });
    const path = join(SHOTS, `${name}.png`);
    await this.page.screenshot({ path });
    return path;
  }

  /** The notification toasts' text (messages the extension showed). */
  async notifications(): Promise<string> {
    return this.page.evaluate(() => Array.from(document.querySelectorAll('.notification-toast'), (n) => (n as HTMLElement).innerText).join('\n'));
  }

  /** Fails the test if a webview logged a CSP violation so far. */
  assertNoCspViolation(): void {
    assert.deepEqual(this.cspViolations, [], `webviews logged Content-Security-Policy violations:\n${this.cspViolations.join('\n')}`);
  }
}

/**
 * One test on its own workbench: opened before (or skipped, with the reason, when the host cannot
 * be installed), closed after, with a screenshot `failureShot` when the test fails.
 */
export function workbenchTest(name: string, options: ServerOptions & { timeout: number; failureShot: string }, body: (w: Workbench) => Promise<void>): void {
  let skipReason: string | undefined;
  let wb: Workbench | undefined;
  before(async () => {
    skipReason = hostSkipReason();
    if (!skipReason) wb = await Workbench.open(options);
  });
  after(async () => { await wb?.close(); });
  test(name, { timeout: options.timeout }, async (t) => {
    if (skipReason) { t.skip(`the e2e host could not be installed: ${skipReason}`); return; }
    try {
      await body(wb!);
    } catch (e) {
      await wb!.shot(options.failureShot);
      throw e;
    }
  });
}
