// Code lenses on the penguins sample: every declaration can run in a trusted folder; in
// VS Code's Restricted Mode no lens runs anything, and the first says how to run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkPipeline } from '../../server/src/checker/check-pipeline';
import { COMMANDS } from '../../server/src/contracts/lsp-requests';
import { CsvSchemaCache } from '../../server/src/data/csv-schema-cache';
import { codeLenses, RESTRICTED_LENS_TITLE } from '../../server/src/lsp/features';
import { root } from '../helpers/cli';

const file = join(root, 'samples', 'penguins', 'penguins.narml');
const p = checkPipeline(readFileSync(file, 'utf8'), file, new CsvSchemaCache());
const RUNNING = [COMMANDS.runDeclaration, COMMANDS.previewData, COMMANDS.predictNow, COMMANDS.exportModel];

test('in a trusted folder every declaration has a Run lens, and tables a Preview', () => {
  const lenses = codeLenses(p, 'file:///penguins.narml');
  const runs = lenses.filter((l) => l.command?.command === COMMANDS.runDeclaration);
  assert.equal(runs.length, p.symbols.size);
  assert.ok(lenses.some((l) => l.command?.command === COMMANDS.previewData));
  assert.ok(!lenses.some((l) => l.command?.command === COMMANDS.manageTrust));
});

test('in Restricted Mode no lens runs the pipeline, and the first declaration says how to run', () => {
  const lenses = codeLenses(p, 'file:///penguins.narml', false);
  assert.deepEqual(lenses.filter((l) => RUNNING.includes(l.command!.command as typeof RUNNING[number])), []);
  const restricted = lenses.filter((l) => l.command?.command === COMMANDS.manageTrust);
  assert.equal(restricted.length, 1);
  assert.equal(restricted[0].command!.title, RESTRICTED_LENS_TITLE);
  assert.equal(restricted[0].range.start.line, p.document.declarations[0].keyword.start.line);
  // Metrics only read what earlier runs recorded: they stay.
  assert.ok(lenses.some((l) => l.command?.command === COMMANDS.showMetrics));
});

test('a monitor has a Trends lens (in Restricted Mode too: it only reads recorded reports), and the extension declares its command and panel', () => {
  const weatherFile = join(root, 'samples', 'seattle-weather', 'seattle-weather.narml');
  const weather = checkPipeline(readFileSync(weatherFile, 'utf8'), weatherFile, new CsvSchemaCache());
  for (const trusted of [true, false]) {
    const trends = codeLenses(weather, 'file:///w.narml', trusted).filter((l) => l.command?.command === COMMANDS.showMonitorTrends);
    assert.deepEqual(trends.map((l) => [l.command!.title, l.command!.arguments]), [['Trends', ['file:///w.narml', 'weather_watch']]]);
  }
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { activationEvents: string[]; contributes: { commands: { command: string; title: string }[] } };
  assert.equal(pkg.contributes.commands.find((c) => c.command === COMMANDS.showMonitorTrends)?.title, 'Show Monitor Trends');
  assert.ok(pkg.activationEvents.includes('onWebviewPanel:narml.trends'));
});
