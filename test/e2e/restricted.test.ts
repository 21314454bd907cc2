// A real untrusted window (workspace trust on, the folder not trusted: Restricted Mode): the
// extension still checks — an unknown column is squiggled — but Run Pipeline is refused with a
// message that says why and how to trust the folder, and no run is recorded.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { copySample, hostSkipReason, Workbench } from './harness';

let skipReason: string | undefined;
let wb: Workbench | undefined;

before(async () => {
  skipReason = hostSkipReason();
  if (skipReason) return;
  wb = await Workbench.open({ workspace: (dir) => copySample('penguins', dir), untrusted: true });
});

after(async () => {
  await wb?.close();
});

test('Restricted Mode: checking works, running is refused with the reason', { timeout: 600_000 }, async (t) => {
  if (skipReason) { t.skip(`the e2e host could not be installed: ${skipReason}`); return; }
  const w = wb!;
  try {
    await w.openPipeline('penguins.narml');
    await w.page.keyboard.press('Control+End');
    await w.page.keyboard.type('\nmodel broken from parts.train { target: Speciez, algorithm: knn }');
    await w.page.waitForSelector('.squiggly-error', { timeout: 60_000 });
    // Trust is judged before the errors: even this broken file is refused for Restricted Mode.
    await w.palette('NarML: Run Pipeline');
    await w.page.waitForFunction(() => /Restricted Mode/.test(Array.from(document.querySelectorAll('.notification-toast'), (n) => (n as HTMLElement).innerText).join('\n')), null, { timeout: 30_000 });
    assert.match(await w.notifications(), /Running pipelines is disabled in Restricted Mode.*Trust this workspace/s);
    await w.shot('restricted-run-refused');
    assert.equal(existsSync(join(w.workspace, '.narml')), false, 'nothing ran: no run store');
    w.assertNoCspViolation();
  } catch (e) {
    await w.shot('restricted-failure');
    throw e;
  }
});
