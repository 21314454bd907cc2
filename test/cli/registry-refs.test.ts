// `predict P with MODEL@production` / `@v2` on the penguins sample (real data), through the built
// CLI: the check reports a stage no version holds, a version the store lacks and a word that is
// no stage (NML132/NML133) before any run; the run predicts with the stored version without
// training the model, follows a promotion, and writes what the version itself predicted.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunJson } from '../../server/src/contracts/cli-json';
import { formatDocument } from '../../server/src/language/format';
import { parse } from '../../server/src/language/parser';
import { ensureBuilt } from '../helpers/ensure-built';
import { narml, sample } from '../helpers/cli';

before(() => { ensureBuilt(); });

const EVAL = 'species_logistic_on_parts_test';
const STAGED = `
predict staged with species_logistic@REF from "data/new-penguins.csv" {
  output: "out/staged.csv"
}
`;

function codes(dir: string): { code: string; message: string }[] {
  const r = narml(['check', 'penguins.narml', '--format', 'json'], dir);
  return (JSON.parse(r.stdout) as { files: { diagnostics: { code: string; message: string }[] }[] }).files[0].diagnostics.filter((d) => d.code === 'NML132' || d.code === 'NML133');
}

function setRef(file: string, base: string, ref: string): void {
  writeFileSync(file, base + STAGED.replace('REF', ref));
}

test('the parser keeps the @ part with its range; the formatter writes it without spaces', () => {
  const text = 'predict p with churn @ production from "x.csv" { output: "o.csv" }\nmonitor w for churn@v3 { baseline: t }\n';
  const doc = parse(text);
  assert.deepEqual(doc.syntaxErrors, []);
  const [p, m] = doc.declarations;
  assert.ok(p.kind === 'predict' && m.kind === 'monitor');
  assert.equal(p.version?.text, 'production');
  assert.equal(text.slice(m.version!.range.start.offset, m.version!.range.end.offset), '@v3');
  assert.match(formatDocument('predict p with churn@production from "x.csv" { output: "o.csv" }\n'), /with churn@production from/);
  const half = parse('predict p with churn@ from "x.csv"\n');
  assert.match(half.syntaxErrors[0].message, /expected a stage \(production, staging, archived\) or a version such as v3 after "@"/);
});

test('@production and @v2: checked against the store, predicted with the stored version, following promotions', () => {
  const dir = sample('penguins');
  const file = join(dir, 'penguins.narml');
  const base = readFileSync(file, 'utf8');
  setRef(file, base, 'production');
  let found = codes(dir);
  assert.deepEqual(found.map((d) => d.code), ['NML133']);
  assert.match(found[0].message, /no run store beside this pipeline yet.*train it first \(narml run .* species_logistic\), then promote a version: narml promote species_logistic v1 --stage production/);

  // Train v1 (c: 1.0) and v2 (c: 0.01), evaluating both. The staged predict's error is in no
  // declaration the evaluation needs: named, the evaluation runs; the whole file does not.
  const whole = narml(['run', 'penguins.narml'], dir);
  assert.equal(whole.status, 1);
  assert.match(whole.stderr, /narml: penguins\.narml has errors; fix them before running/);
  const trained = narml(['run', 'penguins.narml', EVAL], dir);
  assert.equal(trained.status, 0, trained.stderr);
  assert.match(trained.stderr, new RegExp(`narml: running ${EVAL}: the errors above are in declarations it does not need`));
  setRef(file, base, 'v2');
  found = codes(dir);
  assert.match(found[0]?.message ?? '', /species_logistic has no version v2 in the run store \(versions: v1\)/);
  const v2Text = base.replace('logistic_regression(c: 1.0)', 'logistic_regression(c: 0.01)');
  writeFileSync(file, v2Text);
  assert.equal(narml(['run', 'penguins.narml', EVAL], dir).status, 0);
  setRef(file, base, 'production');
  found = codes(dir);
  assert.match(found[0]?.message ?? '', /no version of species_logistic is in production; promote one: narml promote species_logistic v2 --stage production \(versions: v1, v2\)/);
  setRef(file, base, 'prod');
  assert.match(codes(dir)[0]?.message ?? '', /"@prod" is no stage and no version: write @production/);
  setRef(file, base, 'production');
  const refused = narml(['predict', 'penguins.narml', 'staged', '--json'], dir);
  assert.equal(refused.status, 1, 'the run refuses what the check reports');

  assert.equal(narml(['promote', 'species_logistic', 'v1'], dir).status, 0);
  assert.deepEqual(codes(dir), []);
  const first = JSON.parse(narml(['predict', 'penguins.narml', 'staged', '--json'], dir).stdout) as RunJson;
  assert.equal(first.status, 'succeeded', first.error);
  assert.deepEqual(first.predictions.staged.registry, { model: 'species_logistic', ref: 'production', version: 'v1', run: first.predictions.staged.registry!.run });
  assert.deepEqual(Object.keys(first.models), [], 'the stored version predicted; nothing was trained');
  const v1Out = readFileSync(join(dir, 'out', 'staged.csv'), 'utf8');

  // The declaration's own model (the text now trains v1's twin) is not what predicts: v2 is, once promoted.
  setRef(file, base, 'v2');
  const byNumber = JSON.parse(narml(['predict', 'penguins.narml', 'staged', '--json'], dir).stdout) as RunJson;
  assert.equal(byNumber.predictions.staged.registry?.version, 'v2');
  const v2Out = readFileSync(join(dir, 'out', 'staged.csv'), 'utf8');
  assert.notEqual(v2Out, v1Out, 'c: 0.01 gives other probabilities than c: 1.0');
  setRef(file, base, 'production');
  // The pipeline where a user types it counts as --file.
  const listed = JSON.parse(narml(['models', 'penguins.narml', '--json'], dir).stdout) as { models: { model: string; version: string }[] };
  assert.deepEqual(listed.models.filter((m) => m.model === 'species_logistic').map((m) => m.version), ['v1', 'v2']);
  assert.equal(narml(['promote', 'penguins.narml', 'species_logistic', 'v2'], dir).status, 0);
  const promoted = JSON.parse(narml(['predict', 'penguins.narml', 'staged', '--json'], dir).stdout) as RunJson;
  assert.equal(promoted.predictions.staged.registry?.version, 'v2');
  assert.equal(readFileSync(join(dir, 'out', 'staged.csv'), 'utf8'), v2Out, 'the same version predicts the same file');
  assert.equal(narml(['rollback', 'species_logistic'], dir).status, 0);
  narml(['predict', 'penguins.narml', 'staged'], dir);
  assert.equal(readFileSync(join(dir, 'out', 'staged.csv'), 'utf8'), v1Out, 'after the rollback, v1 predicts again');
  const audit = JSON.parse(narml(['audit', 'penguins.narml', '--json'], dir).stdout) as { events: { action: string; outcome: string }[] };
  assert.deepEqual(audit.events.map((e) => `${e.action}:${e.outcome}`), [
    'run:succeeded', 'run:succeeded', 'promote:ok', 'run:succeeded', 'run:succeeded', 'promote:ok', 'run:succeeded', 'rollback:ok', 'run:succeeded',
  ]);
});

test('a scheduled predict of @production follows a promotion made between two firings', () => {
  const dir = sample('penguins');
  const file = join(dir, 'penguins.narml');
  const base = readFileSync(file, 'utf8');
  assert.equal(narml(['run', 'penguins.narml', EVAL], dir).status, 0);
  writeFileSync(file, base.replace('logistic_regression(c: 1.0)', 'logistic_regression(c: 0.01)'));
  assert.equal(narml(['run', 'penguins.narml', EVAL], dir).status, 0);
  writeFileSync(file, `${base}
predict nightly with species_logistic@production from "data/new-*.csv" {
  output: "out/nightly.csv"
  schedule: "0 6 * * *"
}
`);
  const fire = (): { version?: string; text: string } => {
    const r = narml(['scheduler', 'penguins.narml', '--once-now'], dir);
    assert.equal(r.status, 0, r.stderr);
    const runs = JSON.parse(narml(['history', 'penguins.narml', '--json'], dir).stdout).runs as RunJson[];
    return { version: runs.at(-1)!.predictions.nightly?.registry?.version, text: readFileSync(join(dir, 'out', 'nightly.csv'), 'utf8') };
  };
  assert.equal(narml(['promote', 'species_logistic', 'v1'], dir).status, 0);
  const first = fire();
  assert.equal(first.version, 'v1');
  // The pipeline where a user types it counts as --file.
  const listed = JSON.parse(narml(['models', 'penguins.narml', '--json'], dir).stdout) as { models: { model: string; version: string }[] };
  assert.deepEqual(listed.models.filter((m) => m.model === 'species_logistic').map((m) => m.version), ['v1', 'v2']);
  assert.equal(narml(['promote', 'penguins.narml', 'species_logistic', 'v2'], dir).status, 0);
  const second = fire();
  assert.equal(second.version, 'v2');
  assert.notEqual(second.text, first.text);
});
