// Output paths as an attacker writes them: every escape from the workspace folder is NML140, a
// path no file can have is NML142, an output over something the pipeline reads (or over another
// output) is NML141 — each on the exact string token. Near misses stay silent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, realpathSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkPipeline } from '../../server/src/checker/check-pipeline';
import { CsvSchemaCache } from '../../server/src/data/csv-schema-cache';
import { workspaceOf, type Workspace } from '../../server/src/workspace/output-paths';
import { marked } from '../helpers/marked';

const cache = new CsvSchemaCache();
const IRIS = join(__dirname, '..', 'fixtures', 'data', 'iris.csv');

/** A fresh workspace: the pipeline in `proj/`, iris copied to `proj/data/`, an `outside/` folder beside it. */
function workspace(): { root: string; file: string; outside: string } {
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'narml-outputs-')));
  const root = join(base, 'proj');
  mkdirSync(join(root, 'data', 'incoming'), { recursive: true });
  mkdirSync(join(base, 'outside'));
  copyFileSync(IRIS, join(root, 'data', 'iris.csv'));
  copyFileSync(IRIS, join(root, 'data', 'incoming', 'batch-1.csv'));
  return { root, file: join(root, 'pipeline.narml'), outside: join(base, 'outside') };
}

const ws = workspace();

/** A pipeline whose predict writes to the marked «output» (and whose export writes models/m.onnx). */
function pipeline(output: string, source = 'data/iris.csv', exportTo = '"models/m.onnx"'): string {
  return `dataset iris from "data/iris.csv"
split parts from iris { train: 80%, test: 20%, stratify: species, seed: 1 }
model m from parts.train { target: species, algorithm: logistic_regression }
evaluate m on parts.test { metrics: [accuracy] }
predict p with m from "${source}" { output: ${output} }
export m to ${exportTo}
`;
}

function diagnostics(text: string, file = ws.file, space?: Workspace): { code: string; message: string; start: number; end: number; fixes?: unknown }[] {
  return checkPipeline(text, file, cache, space ? { workspace: space } : {}).diagnostics.map((d) => ({ code: d.code, message: d.message, start: d.range.start.offset, end: d.range.end.offset, fixes: d.fixes?.map((f) => f.data) }));
}

function assertFires(code: string, source: string, file = ws.file, space?: Workspace): string {
  const { text, start, end } = marked(source);
  const found = diagnostics(text, file, space);
  const hit = found.find((d) => d.code === code);
  assert.ok(hit, `${code} expected; got ${found.map((d) => `${d.code} ${d.message}`).join(' | ') || 'nothing'}`);
  assert.equal(hit.start, start, `${code} starts at the marked token: ${hit.message}`);
  assert.equal(hit.end, end, `${code} ends at the marked token: ${hit.message}`);
  assert.equal(found.filter((d) => d.code.startsWith('NML14')).length, 1, `one output diagnostic: ${found.map((d) => d.message).join(' | ')}`);
  return hit.message;
}

function assertSilent(text: string, file = ws.file, space?: Workspace): void {
  assert.deepEqual(diagnostics(text, file, space).map((d) => `${d.code} ${d.message}`), []);
}

test('near misses: paths inside the workspace, {date} templates, a ./ and .. that stay inside', () => {
  for (const output of ['"out/x.csv"', '"./out/../out/x.csv"', '"out/scores-{date}.csv"', '"x.csv"', `"${join(ws.root, 'out', 'abs.csv')}"`, '"data/incoming-copy/x.csv"']) {
    assertSilent(pipeline(output));
  }
});

test('NML140: .. escapes, absolute paths, Windows drives and {date} tricks leave the workspace', () => {
  for (const output of ['"../x.csv"', '"out/../../x.csv"', '"/etc/x.csv"', '"C:/Windows/x.csv"', '"{date}/../../x.csv"', `"${join(ws.outside, 'x.csv')}"`]) {
    const message = assertFires('NML140', pipeline(`«${output}»`));
    assert.match(message, /outside the workspace folder/);
    assert.match(message, /--allow-outside-workspace/);
  }
  assertFires('NML140', pipeline('"out/x.csv"', 'data/iris.csv', '«"../../m.onnx"»'));
});

test('NML140 offers to write into out/ (predict) or models/ (export)', () => {
  const { text } = marked(pipeline('«"../scores-{date}.csv"»'));
  assert.deepEqual(diagnostics(text).find((d) => d.code === 'NML140')?.fixes, [{ kind: 'replace', with: '"out/scores-{date}.csv"' }]);
  const exported = marked(pipeline('"out/x.csv"', 'data/iris.csv', '«"/tmp/m.onnx"»')).text;
  assert.deepEqual(diagnostics(exported).find((d) => d.code === 'NML140')?.fixes, [{ kind: 'replace', with: '"models/m.onnx"' }]);
});

test('NML140: a folder in the workspace that is a symbolic link to outside it', () => {
  const w = workspace();
  symlinkSync(w.outside, join(w.root, 'linked'));
  const message = assertFires('NML140', pipeline('«"linked/x.csv"»'), w.file);
  assert.match(message, /symbolic link .*linked/);
  // A dangling link that would lead out, and one deeper in the path.
  symlinkSync(join(w.outside, 'not-yet'), join(w.root, 'dangling'));
  assertFires('NML140', pipeline('«"dangling/x.csv"»'), w.file);
  mkdirSync(join(w.root, 'deep'));
  symlinkSync('../../outside', join(w.root, 'deep', 'up'));
  assertFires('NML140', pipeline('«"deep/up/sub/x.csv"»'), w.file);
  // A link that stays inside is fine, and so is a link as the output file itself (a write renames over it).
  symlinkSync(join(w.root, 'data'), join(w.root, 'data-link'));
  symlinkSync(join(w.outside, 'target.csv'), join(w.root, 'out-link.csv'));
  assertSilent(pipeline('"data-link/new.csv"'), w.file);
  assertSilent(pipeline('"out-link.csv"'), w.file);
});

test('NML142: NUL, backslashes, ~, folders and over-long names are no file paths', () => {
  assertFires('NML142', pipeline('«"out/x\u0000.csv"»'));
  const back = assertFires('NML142', pipeline('«"..\\\\..\\\\x.csv"»'));
  assert.match(back, /write \/ instead/);
  const { text } = marked(pipeline('«"out\\\\x.csv"»'));
  assert.deepEqual(diagnostics(text).find((d) => d.code === 'NML142')?.fixes, [{ kind: 'replace', with: '"out/x.csv"' }]);
  assert.match(assertFires('NML142', pipeline('«"~/.bashrc"»')), /does not expand/);
  assertFires('NML142', pipeline('«"out/"»'));
  assertFires('NML142', pipeline('«"out/.."»'));
  assertFires('NML142', pipeline(`«"out/${'a'.repeat(201)}.csv"»`));
  assertFires('NML142', pipeline(`«"${'d'.repeat(256)}/x.csv"»`));
  assertSilent(pipeline(`"${'d'.repeat(255)}/${'a'.repeat(196)}.csv"`));
});

test('NML141: an output over a dataset file, a prediction source, the pipeline file or the run store', () => {
  assert.match(assertFires('NML141', pipeline('«"data/iris.csv"»')), /dataset "iris"/);
  assertFires('NML141', pipeline('«"./data/../data/iris.csv"»'));
  assert.match(assertFires('NML141', pipeline('«"data/incoming/batch-1.csv"»', 'data/incoming/batch-1.csv')), /source file of predict "p"/);
  assert.match(assertFires('NML141', pipeline('«"pipeline.narml"»')), /pipeline file itself/);
  assert.match(assertFires('NML141', pipeline('«".narml/runs/x.json"»')), /run store/);
});

test('NML141: an output that the input glob would read back on the next run', () => {
  const message = assertFires('NML141', pipeline('«"data/incoming/scores-{date}.csv"»', 'data/incoming/*.csv'));
  assert.match(message, /read its own predictions/);
  assertFires('NML141', pipeline('«"data/incoming/deeper/s.csv"»', 'data/**/*.csv'));
  assertSilent(pipeline('"data/scores-{date}.csv"', 'data/incoming/*.csv'));
});

test('NML141: a symbolic link that makes an output land on an input, and two declarations writing one file', () => {
  const w = workspace();
  symlinkSync(join(w.root, 'data'), join(w.root, 'out'));
  assertFires('NML141', pipeline('«"out/iris.csv"»'), w.file);
  const text = `${pipeline('"out2/m.csv"')}predict q with m from "data/iris.csv" { output: «"./out2/m.csv"» }\n`;
  assert.match(assertFires('NML141', text, w.file), /also written by predict "p"/);
});

test('the workspace may be wider than the pipeline folder; the override lifts only NML140', () => {
  const w = workspace();
  const wider = workspaceOf(w.file, join(w.root, '..'));
  assertSilent(pipeline('"../shared/x.csv"'), w.file, wider);
  assertFires('NML140', pipeline('«"../../x.csv"»'), w.file, wider);
  const allowed = workspaceOf(w.file, undefined, true);
  assertSilent(pipeline('"/tmp/narml-allowed/x.csv"'), w.file, allowed);
  symlinkSync(w.outside, join(w.root, 'linked'));
  assertSilent(pipeline('"linked/x.csv"'), w.file, allowed);
  assertFires('NML142', pipeline('«"~/.bashrc"»'), w.file, allowed);
  assertFires('NML141', pipeline('«"data/iris.csv"»'), w.file, allowed);
});
