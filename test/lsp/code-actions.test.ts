// Every quick fix on real data (test/fixtures/data): the diagnostic fires on the marked token
// («...»), the fix is offered, its edit is applied, and the re-checked text no longer has that
// diagnostic nor any error it did not have before.
import { test } from 'node:test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DiagnosticSeverity, type Diagnostic as LspDiagnostic } from 'vscode-languageserver/node';
import { checkPipeline } from '../../server/src/checker/check-pipeline';
import { DeclarationReuse } from '../../server/src/checker/check-reuse';
import type { CheckedPipeline } from '../../server/src/checker/checked-model';
import type { DiagnosticCode } from '../../server/src/checker/diagnostic-codes';
import { CsvSchemaCache } from '../../server/src/data/csv-schema-cache';
import { codeActions } from '../../server/src/lsp/code-actions';
import { lspRange } from '../../server/src/lsp/features';
import { marked } from '../helpers/marked';
import { CARS, CARS_MODEL, FILE, IRIS, IRIS_MODEL, IRIS_SPLIT, PENGUINS } from '../helpers/fixture-pipelines';

const URI = 'file:///case.narml';
const cache = new CsvSchemaCache();


interface Case {
  code: DiagnosticCode;
  /** The pipeline, with the diagnostic's token marked. */
  source: string;
  /** The title of the fix to apply. */
  fix: RegExp;
  /** Text the fixed pipeline must hold. */
  expect?: string;
}

const cases: Case[] = [
  { code: 'NML001', source: `${IRIS}\ntransform t from iris {\n  «dorp» sepal_width_cm\n}\nmodel m from t { target: species, algorithm: knn }`, fix: /Change to "drop"/, expect: '  drop sepal_width_cm' },
  { code: 'NML001', source: `${IRIS}\n«modle» m from iris { target: species, algorithm: knn }`, fix: /Change to "model"/ },
  { code: 'NML001', source: `dataset iris from «"../fixtures/data/iris.csv»\nmodel m from iris { target: species, algorithm: knn }`, fix: /closing "/ },
  { code: 'NML001', source: `${PENGUINS}\ntransform t from penguins {\n  drop «\`Body Mass (g)»\n}\nmodel m from t { target: Species, algorithm: gradient_boosting, exclude: [Island, Sex] }`, fix: /closing `/ },
  { code: 'NML100', source: `${IRIS}\ntransform t from «irsi» {\n  drop sepal_width_cm\n}\nmodel m from t { target: species, algorithm: knn }`, fix: /Change to "iris"/ },
  { code: 'NML100', source: `${IRIS_SPLIT}\nmodel m from parts.«trian» { target: species, algorithm: knn }`, fix: /Change to "train"/ },
  { code: 'NML101', source: `${IRIS}\ntransform t from iris {\n  scale «sepal_lenght_cm» with standard\n}\nmodel m from t { target: species, algorithm: knn }`, fix: /sepal_length_cm/ },
  { code: 'NML101', source: `${PENGUINS}\ntransform t from penguins {\n  impute «\`Body Mas (g)\`» with median\n}\nmodel m from t { target: Species, algorithm: gradient_boosting, exclude: [Island, Sex] }`, fix: /Body Mass/, expect: 'impute `Body Mass (g)` with median' },
  { code: 'NML102', source: `${IRIS}\ndataset «iris» from "../fixtures/data/iris.csv"\nmodel m from iris { target: species, algorithm: knn }`, fix: /Rename to iris_2/ },
  { code: 'NML102', source: `${IRIS_MODEL}\nevaluate m on parts.test { metrics: [accuracy] }\n«evaluate m on parts.test» { metrics: [f1] }`, fix: /Rename to m_on_parts_test_2/, expect: 'evaluate m on parts.test as m_on_parts_test_2 { metrics: [f1] }' },
  { code: 'NML110', source: `${IRIS}\ntransform t from iris {\n  impute «species» with mean\n}\nmodel m from t { target: species, algorithm: knn }`, fix: /Use mode/, expect: 'impute species with mode' },
  { code: 'NML110', source: `${IRIS}\ntransform t from iris {\n  scale sepal_length_cm, «species» with standard\n}\nmodel m from t { target: species, algorithm: knn }`, fix: /Remove species/, expect: 'scale sepal_length_cm with standard' },
  { code: 'NML111', source: `${CARS}\ntransform t from cars {\n  encode «Cylinders» as onehot\n  drop Name, Year, Origin\n  drop_missing\n}\nmodel m from t { target: Miles_per_Gallon, algorithm: gradient_boosting }`, fix: /cast Cylinders as category/ },
  { code: 'NML112', source: `${IRIS}\ntransform t from iris {\n  derive r = «sqr»(petal_length_cm)\n}\nmodel m from t { target: species, algorithm: knn }`, fix: /Change to "sqrt"/ },
  { code: 'NML113', source: `${PENGUINS}\ntransform t from penguins {\n  drop_missing\n}\nmodel m from t {\n  target: Species\n  features: [«Island», \`Body Mass (g)\`]\n  algorithm: random_forest\n}`, fix: /encode Island as onehot/, expect: 'encode Island as onehot' },
  { code: 'NML114', source: `${PENGUINS}\ntransform t from penguins {\n  drop Island, Sex\n}\nmodel m from t {\n  target: Species\n  features: [«\`Body Mass (g)\`»]\n  algorithm: knn\n}`, fix: /impute Body Mass \(g\) with median/, expect: 'impute `Body Mass (g)` with median' },
  { code: 'NML114', source: `${PENGUINS}\ntransform t from penguins {\n  drop Island, Sex\n}\nmodel m from t {\n  target: Species\n  features: [«\`Body Mass (g)\`»]\n  algorithm: knn(k: 3)\n}`, fix: /Use gradient_boosting/, expect: 'algorithm: gradient_boosting\n' },
  { code: 'NML115', source: `dataset p from "../fixtures/data/penguins.csv" { missing: ["", "NA", "."], columns { Species: text } }\ntransform t from p { drop Island, Sex }\nmodel m from t { target: «Species», algorithm: gradient_boosting }`, fix: /cast Species as category/ },
  { code: 'NML116', source: `${IRIS}\nmodel m from iris {\n  target: species\n  algorithm: random_forest(«tress»: 10)\n}`, fix: /Change to "trees"/ },
  { code: 'NML116', source: `${IRIS}\nmodel m from iris {\n  target: species\n  algorithm: random_forest(trees: «0»)\n}`, fix: /Use the default 100/, expect: 'random_forest(trees: 100)' },
  { code: 'NML116', source: `${IRIS}\nmodel m from iris {\n  target: species\n  algorithm: knn\n  «algorithm»: random_forest\n}`, fix: /Remove this algorithm/, expect: 'model m from iris {\n  target: species\n  algorithm: knn\n}' },
  { code: 'NML116', source: `${IRIS}\nmodel m from iris {\n  «targt»: species\n  algorithm: knn\n}`, fix: /Change to "target"/ },
  { code: 'NML116', source: `${IRIS_MODEL}\npredict «p» with m from "../fixtures/data/iris.csv"`, fix: /Add output/, expect: 'predict p with m from "../fixtures/data/iris.csv" { output: "out/p-{date}.csv" }' },
  { code: 'NML116', source: `${IRIS_MODEL}\nmonitor w for m {\n  baseline: parts.train\n  current: parts.test\n  retrain: «weekly»\n}`, fix: /Use never/ },
  { code: 'NML116', source: `${IRIS_SPLIT}\nmodel a from parts.train { target: species, algorithm: knn }\nmodel b from parts.train { target: species, algorithm: naive_bayes }\nmodel e from parts.train {\n  target: species\n  «algorithm»: knn\n  ensemble: voting(of: [a, b])\n}`, fix: /Remove algorithm/ },
  { code: 'NML117', source: CARS_MODEL.replace('algorithm: linear_regression', 'algorithm: «logistic_regression»(c: 0.5)'), fix: /Use random_forest/, expect: 'algorithm: random_forest\n' },
  { code: 'NML117', source: CARS_MODEL.replace('algorithm: linear_regression', 'algorithm: linear_regression\n  resample: «smote»'), fix: /Remove resample/ },
  { code: 'NML117', source: CARS_MODEL.replace('algorithm: linear_regression', 'algorithm: auto(candidates: [linear_regression, «naive_bayes»])'), fix: /Remove naive_bayes/, expect: 'auto(candidates: [linear_regression])' },
  { code: 'NML117', source: CARS_MODEL.replace('algorithm: linear_regression', 'algorithm: linear_regression\n  calibrate: «isotonic»'), fix: /Remove calibrate/ },
  { code: 'NML118', source: `${IRIS_MODEL.replace('logistic_regression', 'knn')}\nexport m to «"models/m.pmml"»`, fix: /Export to models\/m.py/, expect: 'export m to "models/m.py"' },
  { code: 'NML119', source: `${CARS}\ntransform t from cars { drop Name, Year, Origin }\nmodel m from t {\n  target: Miles_per_Gallon\n  features: [«Horsepower», Weight_in_lbs]\n  algorithm: auto(candidates: [linear_regression, knn])\n}`, fix: /Add gradient_boosting/, expect: '[linear_regression, knn, gradient_boosting]' },
  { code: 'NML120', source: `${CARS_MODEL}\nevaluate reg on parts.test { metrics: [«accuracy»] }`, fix: /Use rmse/, expect: 'metrics: [rmse]' },
  { code: 'NML120', source: `${IRIS_MODEL}\nevaluate m on parts.test { metrics: [«acuracy»] }`, fix: /Change to "accuracy"/ },
  { code: 'NML124', source: `${IRIS}\ntransform t from iris {\n  filter «sepal_length_cm > 5 and sepal_length_cm < 4»\n  drop petal_width_cm\n}\nmodel m from t { target: species, algorithm: knn }`, fix: /Remove this filter/, expect: 'transform t from iris {\n  drop petal_width_cm\n}' },
  { code: 'NML125', source: `${IRIS_SPLIT}\nmodel a from parts.train { target: species, algorithm: knn }\nmodel b from parts.train { target: species, algorithm: naive_bayes }\ncompare a, b on parts.test {\n  metric: f1\n  test: «mcnemar»\n}`, fix: /bootstrap/ },
  { code: 'NML131', source: `${IRIS}\nsplit parts from iris { train: «80%, test: 30%» }\nmodel m from parts.train { target: species, algorithm: knn }`, fix: /Make test 20%/, expect: 'train: 80%, test: 20%' },
  { code: 'NML131', source: `${IRIS}\nsplit «parts» from iris { train: 70%, validation: 10% }\nmodel m from parts.train { target: species, algorithm: knn }`, fix: /Add test: 20%/, expect: '{ train: 70%, validation: 10%, test: 20% }' },
  { code: 'NML140', source: `${IRIS_MODEL}\npredict p with m from "../fixtures/data/iris.csv" { output: «"../p-{date}.csv"» }`, fix: /Change to/ },
  { code: 'NML200', source: `${IRIS_MODEL}\nevaluate m on «parts.train» { metrics: [accuracy] }`, fix: /Use parts.test/, expect: 'evaluate m on parts.test' },
  { code: 'NML201', source: `${IRIS}\nmodel m from iris {\n  target: species\n  features: [petal_length_cm, «species»]\n  algorithm: knn\n}`, fix: /Remove species from the features/, expect: 'features: [petal_length_cm]' },
];

function published(p: CheckedPipeline): LspDiagnostic[] {
  return p.diagnostics.map((d) => ({
    range: lspRange(d.range), message: d.message, code: d.code,
    severity: d.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    ...(d.fixes ? { data: JSON.parse(JSON.stringify(d.fixes)) } : {}),
  }));
}

const errors = (p: CheckedPipeline): Set<string> => new Set(p.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code));

for (const c of cases) {
  test(`${c.code} quick fix "${c.fix.source}" clears the diagnostic`, () => {
    const { text, start } = marked(c.source);
    const before = checkPipeline(text, FILE, cache);
    const diags = published(before);
    const d = diags.find((x) => x.code === c.code && before.diagnostics[diags.indexOf(x)].range.start.offset === start);
    assert.ok(d, `${c.code} fires at the marker; got ${JSON.stringify(before.diagnostics.map((x) => [x.code, x.range.start.offset, x.message]))}`);
    const actions = codeActions(before, URI, [d]);
    const action = actions.find((a) => c.fix.test(a.title));
    assert.ok(action?.edit?.changes, `a fix matching ${c.fix} among ${JSON.stringify(actions.map((a) => a.title))}`);
    const fixed = TextDocument.applyEdits(TextDocument.create(URI, 'narml', 1, text), action.edit.changes[URI]);
    if (c.expect) assert.ok(fixed.includes(c.expect), `the fixed text holds ${JSON.stringify(c.expect)}:\n${fixed}`);
    const after = checkPipeline(fixed, FILE, cache);
    const left = after.diagnostics.filter((x) => x.code === c.code);
    assert.deepEqual(left.map((x) => x.message), [], `no ${c.code} after the fix:\n${fixed}`);
    const had = errors(before);
    const added = [...errors(after)].filter((code) => !had.has(code));
    assert.deepEqual(added, [], `the fix adds no new error:\n${fixed}\n${JSON.stringify(after.diagnostics.map((x) => x.message))}`);
  });
}

test('a metric of the wrong task offers every metric of the model\'s task, and nothing else', () => {
  const { text } = marked(`${CARS_MODEL}\nevaluate reg on parts.test { metrics: [«f1»] }`);
  const p = checkPipeline(text, FILE, cache);
  const d = published(p).find((x) => x.code === 'NML120');
  assert.ok(d);
  assert.deepEqual(codeActions(p, URI, [d]).map((a) => a.title).sort(), ['Use mae', 'Use mape', 'Use r2', 'Use rmse']);
});

test('a fix of a declaration reused from the previous check edits where the declaration is now', () => {
  const reuse = new DeclarationReuse();
  const { text } = marked(CARS_MODEL.replace('algorithm: linear_regression', 'algorithm: «logistic_regression»(c: 0.5)'));
  checkPipeline(text, FILE, cache, { reuse });
  // Two lines above every declaration: the model's result is reused, its fix must move too.
  const moved = `# cars\n# by weight\n${text}`;
  const p = checkPipeline(moved, FILE, cache, { reuse });
  const d = published(p).find((x) => x.code === 'NML117');
  assert.ok(d);
  const action = codeActions(p, URI, [d]).find((a) => a.title === 'Use gradient_boosting');
  assert.ok(action?.edit?.changes);
  const fixed = TextDocument.applyEdits(TextDocument.create(URI, 'narml', 1, moved), action.edit.changes[URI]);
  assert.ok(fixed.includes('  algorithm: gradient_boosting\n}'), fixed);
  assert.deepEqual(checkPipeline(fixed, FILE, cache).diagnostics.filter((x) => x.severity === 'error').map((x) => x.message), []);
});

test('NML105: a marker read as missing is added to the dataset\'s missing list, or to a new one with the defaults', () => {
  const dir = mkdtempSync(join(tmpdir(), 'narml-fix-'));
  const rows = Array.from({ length: 40 }, (_, i) => `${i === 3 ? '?' : i * 1.5},${i % 2 ? 'a' : 'b'}`);
  writeFileSync(join(dir, 'd.csv'), `x,y\n${rows.join('\n')}\n`);
  const file = join(dir, 'd.narml');
  for (const [source, expect] of [
    ['dataset d from "d.csv"\nmodel m from d { target: y, algorithm: gradient_boosting }', 'dataset d from "d.csv" { missing: ["", "NA", "N/A", "null", "NaN", "?"] }'],
    ['dataset d from "d.csv" {\n  missing: [""]\n}\nmodel m from d { target: y, algorithm: gradient_boosting }', 'missing: ["", "?"]'],
  ]) {
    const p = checkPipeline(source, file, cache);
    const d = published(p).find((x) => x.code === 'NML105');
    assert.ok(d, JSON.stringify(p.diagnostics.map((x) => x.message)));
    const action = codeActions(p, URI, [d]).find((a) => /Read "\?" as missing/.test(a.title));
    assert.ok(action?.edit?.changes);
    const fixed = TextDocument.applyEdits(TextDocument.create(URI, 'narml', 1, source), action.edit.changes[URI]);
    assert.ok(fixed.includes(expect), fixed);
    assert.deepEqual(checkPipeline(fixed, file, cache).diagnostics.map((x) => x.code), []);
  }
});
