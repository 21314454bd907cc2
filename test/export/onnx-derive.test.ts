// `derive` exported to ONNX: every derived column onnxruntime-node computes (exposed as an extra
// graph output) equals the runner's on every test row, missing values included, and so do the
// model's predictions; what ONNX cannot express is refused by name.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportPipelineToOnnx, onnxModel, OnnxExportError, type OnnxExportInput } from '../../server/src/export/onnx-export';
import { ModelProto } from '../../server/src/export/onnx-schema';
import { saveModel } from '../../server/src/ml/registry';
import { predictPrepared } from '../../server/src/runner/scoring';
import { applySteps } from '../../server/src/transforms/fit-steps';
import { data, trained } from './trained-pipeline';

const ort = require('onnxruntime-node') as typeof import('onnxruntime-node');
const dir = mkdtempSync(join(tmpdir(), 'narml-onnx-derive-'));
const py = '/usr/bin/python3';

before(() => {
  const onnx = spawnSync(py, ['-c', 'import onnx'], { encoding: 'utf8' });
  assert.equal(onnx.status, 0, `the onnx checker is missing (${onnx.stderr.trim()}): run \`node scripts/setup-system.mjs\` as root`);
});

/** Exports model m of `text` with its `derived` columns as extra outputs; compares them and the labels with the runner's on parts.test. */
async function agree(text: string, derived: string[]): Promise<void> {
  const { tm, test } = await trained(text, 'm', dir);
  const input: OnnxExportInput = { name: 'm', inputColumns: tm.info.inputColumns, steps: tm.steps, model: saveModel(tm.model!) };
  const model = onnxModel(input) as { graph: { node: { output: string[] }[]; output: object[] } };
  const tensors = derived.map((c) => {
    const out = model.graph.node.flatMap((n) => n.output).find((o) => o.startsWith(`derived_${c}_`));
    assert.ok(out, `no tensor for the derived column ${c}`);
    return out;
  });
  const types = new Map(tm.steps.flatMap((s) => (s.kind === 'derive' ? [[s.column, s.type] as const] : [])));
  for (const [k, c] of derived.entries()) {
    const text = types.get(c) === 'text' || types.get(c) === 'category';
    model.graph.output.push({ name: tensors[k], type: { tensorType: { elemType: text ? 8 : 1, shape: { dim: [{ dimParam: 'N' }, { dimValue: 1 }] } } } });
  }
  const proto = ModelProto();
  const path = join(dir, 'm.onnx');
  writeFileSync(path, proto.encode(proto.fromObject(model)).finish());
  assert.deepEqual(exportPipelineToOnnx(input).length > 0, true);
  const check = spawnSync(py, ['-c', 'import onnx,sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)', path], { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stderr);

  const feeds: Record<string, import('onnxruntime-node').Tensor> = {};
  for (const c of tm.info.inputColumns) {
    const col = test.columns[test.names.indexOf(c.name)];
    if ('codes' in col) feeds[c.name] = new ort.Tensor('string', Array.from(col.codes, (k) => (k < 0 ? '' : col.levels[k])), [test.rowCount, 1]);
    else feeds[c.name] = new ort.Tensor('float32', Float32Array.from(col.values), [test.rowCount, 1]);
  }
  const out = await (await ort.InferenceSession.create(path)).run(feeds);
  const prepared = applySteps(tm.steps, test, 'predict').table;
  for (const [k, c] of derived.entries()) {
    const ours = prepared.columns[prepared.names.indexOf(c)];
    const theirs = Array.from(out[tensors[k]].data as ArrayLike<number | string>);
    assert.equal(theirs.length, test.rowCount, `${c}: one value per row`);
    for (let i = 0; i < test.rowCount; i++) {
      if ('codes' in ours) { assert.equal(theirs[i], ours.codes[i] < 0 ? '' : ours.levels[ours.codes[i]], `${c}, row ${i}`); continue; }
      const [a, b] = [Number(theirs[i]), ours.values[i]];
      assert.ok(Number.isNaN(a) === Number.isNaN(b) && (Number.isNaN(b) || Math.abs(a - b) <= 1e-5 * Math.max(1, Math.abs(b))), `${c}, row ${i}: ONNX ${a}, runner ${b}`);
    }
  }
  const predicted = predictPrepared(tm, test, 'predict');
  const labels = Array.from(out.label.data as ArrayLike<string>);
  for (let i = 0; i < test.rowCount; i++) if (predicted.usable[i]) assert.equal(labels[i], tm.info.classes![predicted.pred[i]], `row ${i}: label`);
}

const weather = (derives: string, features: string[]): string => `dataset weather from "${data}/seattle-weather.csv"
transform t from weather {
${derives}
}
split parts from t { train: 70%, test: 30%, seed: 2 }
model m from parts.train { target: weather, features: [${features.join(', ')}], algorithm: gradient_boosting(rounds: 20) }`;

test('ONNX export: year, month, day, weekday and days_between of every day of four years (a leap day too) agree', async () => {
  const derives = ['y = year(date)', 'mo = month(date)', 'd = day(date)', 'wd = weekday(date)', 'since = days_between(date("2013-02-28"), date)', 'later = date + 400', 'late_wd = weekday(later)', 'late_y = year(later)', 'spring = date >= "2013-03-20" and date < "2013-06-21"'];
  const names = derives.map((x) => x.split(' ')[0]);
  await agree(weather(derives.map((x) => `  derive ${x}`).join('\n'), names.filter((n) => n !== 'later')), names);
});

test('ONNX export: round (halves away from zero, with digits), %, division by zero and log 0 as missing agree', async () => {
  const derives = ['r = round(temp_max)', 'r1 = round(temp_min / 3, 1)', 'half = round(precipitation * 2 - 0.5)', 'neg = round(-wind)', 'md = temp_min % 3', 'mdn = -temp_max % 4', 'ratio = precipitation / (wind - 4.7)', 'grown = exp(temp_max / 4)', 'lg = log(precipitation)'];
  const names = derives.map((x) => x.split(' ')[0]);
  await agree(weather(derives.map((x) => `  derive ${x}`).join('\n'), names), names);
});

const penguins = (derives: string, features: string[]): string => `dataset penguins from "${data}/penguins.csv" { missing: ["", "NA", "."] }
transform t from penguins {
  rename \`Body Mass (g)\` to mass
${derives}
}
split parts from t { train: 70%, test: 30%, stratify: Species, seed: 3 }
model m from parts.train { target: Species, features: [${features.join(', ')}], algorithm: gradient_boosting(rounds: 20) }`;

test('ONNX export: comparisons, and/or/not, if, min and is_missing of missing values are missing as in the runner (three-valued)', async () => {
  const derives = ['heavy = mass > 4000', 'male = Sex == "MALE"', 'both = heavy and male', 'either = heavy or not male', 'unknown = is_missing(Sex) or is_missing(mass)', 'pick = if(heavy, `Flipper Length (mm)`, mass / 20)', 'least = min(`Beak Length (mm)`, `Beak Depth (mm)`, 30)', 'other = Sex != "FEMALE"', 'known = coalesce(mass, 4000)'];
  const names = derives.map((x) => x.split(' ')[0]);
  await agree(penguins(derives.map((x) => `  derive ${x}`).join('\n'), names), names);
});

test('ONNX export: lower and upper of a category, a text compared with a literal, if() and coalesce() of text, and values no column feeds agree', async () => {
  const derives = ['island = lower(Island)', 'sex = upper(Sex)', 'biscoe = lower(Island) == "biscoe"', 'not_dream = upper(Island) != "DREAM"', 'named = is_missing(upper(Sex))', 'tag = upper("penguin")', 'same = "a" == lower("A")', 'constant = 2.5', 'size = if(mass > 4000, lower(Island), "light")', 'sex_or_none = coalesce(Sex, "none")', 'none = sex_or_none == "none"'];
  const features = ['biscoe', 'not_dream', 'named', 'same', 'constant', 'none', 'mass'];
  await agree(penguins(derives.map((x) => `  derive ${x}`).join('\n'), features), derives.map((x) => x.split(' ')[0]));
});

test('ONNX export: a number cast as boolean (any but 0 is true) and a derived text imputed agree', async () => {
  const weatherSteps = ['  derive rain = precipitation', '  cast rain as boolean', '  derive wet = rain'].join('\n');
  await agree(weather(weatherSteps, ['wet', 'wind']), ['wet']);
  const penguinSteps = ['  derive sex = lower(Sex)', '  impute sex with constant("unknown")', '  derive sex_known = sex', '  derive female = sex == "female"'].join('\n');
  await agree(penguins(penguinSteps, ['female', 'mass']), ['sex_known', 'female']);
});

test('ONNX export: length() and contains() are refused by name, with why', async () => {
  for (const derive of ['n = length(Island)', 'b = contains(Island, "sc")']) {
    const { tm } = await trained(penguins(`  derive ${derive}`, ['mass', derive.split(' ')[0]]), 'm', dir);
    assert.throws(
      () => exportPipelineToOnnx({ name: 'm', inputColumns: tm.info.inputColumns, steps: tm.steps, model: saveModel(tm.model!) }),
      (e: unknown) => e instanceof OnnxExportError && e.message.includes(`derive ${derive.split(' ')[0]} cannot be exported`) && /no ONNX operator does up to opset 17/.test(e.message),
    );
  }
});
