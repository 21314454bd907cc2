// The Monitor Trends panel in real VS Code (code-server, the packaged .vsix), on the three-day
// ground-truth scenario (test/fixtures/monitor-days): the CLI runs the pipeline on four simulated
// days (each day's inputs in inbox/, the previous day's labels in arrived/, day 3 drifted and
// mislabelled), then the user opens the panel from the monitor's Trends lens. It shows the alert
// raised for day 3 with f1 0.5116, ks drift of mean_texture above its threshold line on the third
// run only, f1 per day below the alert's line on the last day only, and the windows' table; a run
// from the editor refreshes it. The palette command opens the same panel. Three themes, each
// followed by the panel's colours; not one Content-Security-Policy violation.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { EDITOR, ROOT, workbenchTest, type Frame, type ThemeName } from './harness';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'monitor-days');

/** Day n of the scenario run by the CLI: that day's inputs (none on day 4), the labels of the day before. */
function simulateDays(dir: string): void {
  cpSync(join(FIXTURE, 'data'), join(dir, 'data'), { recursive: true });
  cpSync(join(FIXTURE, 'monitor-days.narml'), join(dir, 'monitor-days.narml'));
  mkdirSync(join(dir, 'arrived'));
  for (let n = 1; n <= 4; n++) {
    rmSync(join(dir, 'inbox'), { recursive: true, force: true });
    mkdirSync(join(dir, 'inbox'));
    if (n <= 3) cpSync(join(FIXTURE, 'incoming', `day${n}.csv`), join(dir, 'inbox', `day${n}.csv`));
    if (n >= 2) cpSync(join(FIXTURE, 'labels', `day${n - 1}.csv`), join(dir, 'arrived', `day${n - 1}.csv`));
    const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'run', 'monitor-days.narml'], { cwd: dir, encoding: 'utf8', timeout: 180_000 });
    assert.equal(r.status, 0, `day ${n}: ${r.stderr}`);
  }
}

/** The points of a chart's series (svg y grows downwards) and of its reference line. */
async function chart(panel: Frame, name: string): Promise<{ series: Record<string, { x: number; y: number }[]>; reference: number | null; title: string }> {
  return panel.evaluate((n) => {
    const fig = document.querySelector(`figure[data-chart="${n}"]`);
    if (!fig) throw new Error(`no chart ${n}`);
    const series: Record<string, { x: number; y: number }[]> = {};
    for (const p of Array.from(fig.querySelectorAll('polyline.series'))) {
      series[p.getAttribute('data-label') ?? ''] = (p.getAttribute('points') ?? '').split(' ').filter(Boolean).map((xy) => { const [x, y] = xy.split(',').map(Number); return { x, y }; });
    }
    const ref = fig.querySelector('line.reference');
    return { series, reference: ref ? Number(ref.getAttribute('y1')) : null, title: fig.querySelector('figcaption')?.textContent ?? '' };
  }, name);
}

/** A computed CSS colour as [r, g, b, a] (Chromium gives rgb(), rgba() or color(srgb …) for relative colours). */
function rgba(css: string): number[] {
  const n = (css.match(/[\d.]+/g) ?? []).map(Number);
  if (css.startsWith('color(srgb')) return [n[0] * 255, n[1] * 255, n[2] * 255, n[3] ?? 1];
  return [n[0], n[1], n[2], n[3] ?? 1];
}

/** WCAG contrast ratio of `fg` (composited over `bg` by its alpha) against `bg`. */
function contrast(fg: string, bg: string): number {
  const [br, bgG, bb] = rgba(bg);
  const [r, g, b, a] = rgba(fg);
  const mixed = [r * a + br * (1 - a), g * a + bgG * (1 - a), b * a + bb * (1 - a)];
  const lum = (c: number[]): number => {
    const [x, y, z] = c.map((v) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * x + 0.7152 * y + 0.0722 * z;
  };
  const [l1, l2] = [lum(mixed), lum([br, bgG, bb])].sort((p, q) => q - p);
  return (l1 + 0.05) / (l2 + 0.05);
}

/** Colours the panel computes from the theme: its text and background, the raised alert's border, every series line and threshold line. */
async function colours(panel: Frame): Promise<{ text: string; background: string; border: string; lines: Record<string, string> }> {
  return panel.evaluate(() => {
    const lines: Record<string, string> = {};
    for (const fig of Array.from(document.querySelectorAll('figure[data-chart]'))) {
      for (const l of Array.from(fig.querySelectorAll('polyline.series, line.reference'))) {
        lines[`${fig.getAttribute('data-chart')} ${l.getAttribute('data-label') ?? 'reference'}`] = getComputedStyle(l).stroke;
      }
    }
    return {
      text: getComputedStyle(document.body).color,
      background: getComputedStyle(document.body).backgroundColor,
      border: getComputedStyle(document.querySelector('.alert-state')!).borderLeftColor,
      lines,
    };
  });
}

workbenchTest('Monitor Trends: alert for day 3, drift and f1 against their lines, refreshed by a run, three themes, no CSP violation', { theme: 'light', workspace: simulateDays, timeout: 600_000, failureShot: 'trends-failure' }, async (w) => {
  const page = w.page;
  await w.openPipeline('monitor-days.narml');
  const lens = page.locator(`${EDITOR} .codelens-decoration a`, { hasText: /^Trends$/ }).first();
  await lens.waitFor({ state: 'visible', timeout: 60_000 });
  await lens.click();
  const panel = await w.frameWith(/Monitor watch — 4 runs/, 90_000);

  // The alert: raised, on day 3's window, with the value it was judged on.
  assert.equal(await panel.getAttribute('.alert-state', 'data-alert'), 'raised');
  const reason = await panel.locator('.alert-state p').innerText();
  assert.match(reason, /^alert: f1 < 0\.7 holds on window 2026-12-03 to 2026-12-04 \(90 labelled rows of 90 predictions\): f1 = 0\.5116$/);

  // ks drift of mean_texture: one point per run with inputs (the fourth had none), above the
  // threshold line (smaller svg y) on the third run only.
  const ks = await chart(panel, 'drift-ks');
  assert.match(ks.title, /^ks \(threshold 0\.25\)$/);
  const texture = ks.series.mean_texture;
  assert.equal(texture.length, 3, JSON.stringify(ks.series));
  assert.ok(ks.reference !== null);
  assert.deepEqual(texture.map((p) => p.y < ks.reference!), [false, false, true], `mean_texture against the threshold line at y=${ks.reference}: ${JSON.stringify(texture)}`);
  assert.ok((await chart(panel, 'drift-psi')).series.mean_texture.length === 3);

  // f1 per day: above the alert's line on days 1 and 2, below it on day 3.
  const f1 = await chart(panel, 'metric-f1');
  assert.match(f1.title, /^f1 \(alert when < 0\.7\); windows 2026-12-01 … 2026-12-03$/);
  assert.deepEqual(f1.series.f1.map((p) => p.y > f1.reference!), [false, false, true], JSON.stringify(f1));
  const rows = await panel.evaluate(() => Array.from(document.querySelectorAll('table.windows tr'), (tr) => Array.from(tr.children, (c) => c.textContent)));
  assert.deepEqual(rows.map((r) => r.slice(0, 3)), [['window', 'labelled', 'predictions'], ['2026-12-01', '90', '90'], ['2026-12-02', '90', '90'], ['2026-12-03', '90', '90']]);

  // Each theme's colours reach the panel: text, the alert's border, the lines.
  // Each theme's colours reach the panel, and every line (each column's, the prediction's, the
  // thresholds') stands out from the background: 3:1, WCAG's contrast for graphics; the text 4.5:1.
  const seen: Record<string, string> = {};
  let previous: string | null = null;
  for (const theme of ['light', 'dark', 'highContrast'] as ThemeName[]) {
    if (theme !== 'light') await w.setTheme(theme);
    await panel.waitForFunction((before) => before === null || getComputedStyle(document.body).color !== before, previous, { timeout: 30_000 });
    const c = await colours(panel);
    previous = c.text;
    seen[theme] = c.background;
    assert.ok(contrast(c.text, c.background) >= 4.5, `${theme}: text ${c.text} on ${c.background}`);
    assert.ok(contrast(c.border, c.background) >= 3, `${theme}: the raised alert's border ${c.border} on ${c.background}`);
    assert.ok(Object.keys(c.lines).length >= 10, JSON.stringify(c.lines));
    const faint = Object.entries(c.lines).filter(([, colour]) => contrast(colour, c.background) < 3);
    assert.deepEqual(faint, [], `${theme}: lines that do not stand out from ${c.background}`);
    await w.shot(`trends-${theme}`);
  }
  assert.equal(new Set(Object.values(seen)).size, 3, `each theme its own background: ${JSON.stringify(seen)}`);

  // A run from the editor adds a report; the open panel shows it without being reopened.
  await w.focusEditor();
  await w.palette('NarML: Run Pipeline');
  await w.frameWith(/Monitor watch — 5 runs/, 180_000);

  // The palette command asks for the monitor and shows the same panel.
  await w.focusEditor();
  await w.palette('NarML: Show Monitor Trends');
  await w.pick('watch');
  await w.frameWith(/Monitor watch — 5 runs[\s\S]*Alert raised/, 60_000);
  w.assertNoCspViolation();
});
