// The reviewer's exports (issue 14): every model of the review pipelines (test/helpers/review-pipelines.ts:
// binary with missing values and categories, three classes, regression; single models, class
// weights, early stopping, calibration, tuning, voting, stacking, blending) exported to .onnx and
// .py, and the linear and tree models to .pmml, each scored in its own runtime on every test row
// and compared with the run's prediction file: onnx.checker and onnxruntime-node (labels equal,
// probabilities within 1e-5: the graph computes in float), Debian's python3 with numpy (labels
// equal, probabilities within 1e-9), xmllint against the PMML 4.4 schema and our evaluator (1e-9).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkWithFullSchemas } from '../../server/src/checker/check-files';
import { hasErrors } from '../../server/src/checker/checked-model';
import { MemoryEngine } from '../../server/src/engine/memory-engine';
import { PipelineData } from '../../server/src/runner/pipeline-data';
import { runPipeline } from '../../server/src/runner/run-pipeline';
import { REVIEW, reviewData } from '../helpers/review-pipelines';
import { parseXml, scorePmml } from './pmml-evaluator';
import { csvCells } from './trained-pipeline';

const ort = require('onnxruntime-node') as typeof import('onnxruntime-node');
const py = '/usr/bin/python3';
const xsd = join(__dirname, '..', 'fixtures', 'pmml', 'pmml-4-4.xsd');

before(() => {
  const onnx = spawnSync(py, ['-c', 'import onnx, numpy'], { encoding: 'utf8' });
  assert.equal(onnx.status, 0, `onnx or numpy is missing for ${py} (${onnx.stderr.trim()}): run \`node scripts/setup-system.mjs\` as root`);
  assert.equal(spawnSync('xmllint', ['--version']).status, 0, 'xmllint is missing: run `node scripts/setup-system.mjs` as root (Debian package libxml2-utils)');
});

interface Scored { label: string | number | null; probabilities?: ArrayLike<number> }

for (const p of REVIEW) {
  test(`${p.name}: every model's .onnx, .py and .pmml export scores every test row as the run does`, async () => {
    const dir = mkdtempSync(join(tmpdir(), `narml-review-export-${p.name}-`));
    const file = join(dir, 'p.narml');
    const text = `${p.text}${p.models.map((m) => `export ${m} to "x/${m}.onnx"\nexport ${m} to "x/${m}.py"\n`).join('')}${p.pmml.map((m) => `export ${m} to "x/${m}.pmml"\n`).join('')}`;
    writeFileSync(file, text);
    const checked = await checkWithFullSchemas(text, file);
    assert.ok(!hasErrors(checked), checked.diagnostics.map((d) => d.message).join('; '));
    const run = await runPipeline(checked);
    assert.equal(run.status, 'succeeded', run.error);

    const input = join(reviewData, `${p.data}_test.csv`);
    const pd = new PipelineData(checked, new MemoryEngine());
    const raw = await pd.rawTable(pd.chain('te').dataset);
    const [names, ...cells] = readFileSync(input, 'utf8').trim().split('\n').map(csvCells);
    for (const model of p.models) {
      const [header, ...rows] = readFileSync(join(dir, 'out', `${model}.csv`), 'utf8').trim().split('\n').map(csvCells);
      const at = header.indexOf('prediction');
      assert.equal(header.length - at - 1, p.classes);
      assert.equal(rows.length, raw.rowCount);
      const agree = (format: string, scored: Scored[], tolerance: number): void => {
        assert.equal(scored.length, rows.length, `${model}.${format}: one output per row`);
        rows.forEach((r, i) => {
          const o = scored[i];
          const where = `${p.name} ${model}.${format} row ${i}`;
          if (p.classes === 0) {
            const v = Number(r[at]);
            assert.ok(Math.abs(Number(o.label) - v) <= tolerance * Math.max(1, Math.abs(v)), `${where}: ${o.label} vs ${v}`);
            return;
          }
          assert.equal(String(o.label), r[at], where);
          for (let c = 0; c < p.classes; c++) assert.ok(Math.abs(o.probabilities![c] - Number(r[at + 1 + c])) <= tolerance, `${where} class ${c}: ${o.probabilities![c]} vs ${r[at + 1 + c]}`);
        });
      };

      const onnxPath = join(dir, 'x', `${model}.onnx`);
      const checker = spawnSync(py, ['-c', 'import onnx,sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)', onnxPath], { encoding: 'utf8' });
      assert.equal(checker.status, 0, `${model}.onnx: ${checker.stderr}`);
      const session = await ort.InferenceSession.create(onnxPath);
      const feeds: Record<string, import('onnxruntime-node').Tensor> = {};
      for (const name of session.inputNames) {
        const col = raw.columns[raw.names.indexOf(name)];
        feeds[name] = 'codes' in col
          ? new ort.Tensor('string', Array.from(col.codes, (k) => (k < 0 ? '' : col.levels[k])), [raw.rowCount, 1])
          : new ort.Tensor('float32', Float32Array.from(col.values), [raw.rowCount, 1]);
      }
      const out = await session.run(feeds);
      const labels = Array.from(out.label.data as ArrayLike<string | number>);
      const proba = out.probabilities?.data as Float32Array | undefined;
      agree('onnx', labels.map((label, i) => ({ label, ...(proba ? { probabilities: proba.subarray(i * p.classes, (i + 1) * p.classes) } : {}) })), 1e-5);

      const module = spawnSync(py, [join(dir, 'x', `${model}.py`), input], { encoding: 'utf8', maxBuffer: 1 << 28 });
      assert.equal(module.status, 0, `${model}.py: ${module.stderr}`);
      agree('py', module.stdout.trim().split('\n').map((l) => JSON.parse(l) as Scored), 1e-9);

      if (!p.pmml.includes(model)) continue;
      const pmmlPath = join(dir, 'x', `${model}.pmml`);
      const valid = spawnSync('xmllint', ['--noout', '--schema', xsd, pmmlPath], { encoding: 'utf8' });
      assert.equal(valid.status, 0, `${model}.pmml: ${valid.stderr}`);
      const doc = parseXml(readFileSync(pmmlPath, 'utf8'));
      agree('pmml', cells.map((line) => {
        // The datasets' default missing markers, as the run reads them.
        const row = Object.fromEntries(names.map((name, j) => [name, ['', 'NA', 'N/A', 'null', 'NaN'].includes(line[j]) ? null : line[j]]));
        const o = scorePmml(doc, row);
        assert.ok(o, `${model}.pmml: no prediction for a row the run scored`);
        return o;
      }), 1e-9);
    }
  });
}
