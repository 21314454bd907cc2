// For every diagnostic code of spec §5: a pipeline over real data where it must fire on the
// marked token («...»), and a near miss where it must not fire at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { checkPipeline } from '../../server/src/checker/check-pipeline';
import { CsvSchemaCache } from '../../server/src/data/csv-schema-cache';
import type { DiagnosticCode } from '../../server/src/checker/diagnostic-codes';
import { marked } from '../helpers/marked';
import { CARS, CARS_MODEL, FILE, IRIS, IRIS_MODEL, IRIS_SPLIT, PENGUINS } from '../helpers/fixture-pipelines';

const cache = new CsvSchemaCache();

interface Case {
  code: DiagnosticCode;
  fires: string;
  nearMiss: string;
}

const cases: Case[] = [
  {
    code: 'NML001',
    fires: `${IRIS}\ntransform t from iris {\n  drop «)»\n}\nmodel m from t { target: species, algorithm: knn }`,
    nearMiss: `${IRIS}\ntransform t from iris {\n  drop sepal_width_cm\n}\nmodel m from t { target: species, algorithm: knn }`,
  },
  {
    code: 'NML100',
    fires: `${IRIS}\ntransform t from «irsi» {\n  drop sepal_width_cm\n}\nmodel m from t { target: species, algorithm: knn }`,
    nearMiss: `${IRIS}\ntransform t from iris {\n  drop sepal_width_cm\n}\nmodel m from t { target: species, algorithm: knn }`,
  },
  {
    code: 'NML101',
    fires: `${IRIS}\ntransform t from iris {\n  scale «sepal_lenght_cm» with standard\n}\nmodel m from t { target: species, algorithm: knn }`,
    nearMiss: `${IRIS}\ntransform t from iris {\n  scale sepal_length_cm with standard\n}\nmodel m from t { target: species, algorithm: knn }`,
  },
  {
    code: 'NML102',
    fires: `${IRIS}\n${IRIS.replace('dataset iris', 'dataset «iris»')}\nmodel m from iris { target: species, algorithm: knn }`,
    nearMiss: `${IRIS}\n${IRIS.replace('dataset iris', 'dataset iris2')}\nmodel m from iris { target: species, algorithm: knn }\nmodel m2 from iris2 { target: species, algorithm: knn }`,
  },
  {
    code: 'NML103',
    fires: `${IRIS}\ntransform a from «b» { drop sepal_width_cm }\ntransform b from a { drop petal_width_cm }\nmodel m from b { target: species, algorithm: knn }`,
    nearMiss: `${IRIS}\ntransform a from iris { drop sepal_width_cm }\ntransform b from a { drop petal_width_cm }\nmodel m from b { target: species, algorithm: knn }`,
  },
  {
    code: 'NML104',
    fires: `dataset iris from «"../fixtures/data/iris_missing.csv"»\nmodel m from iris { target: species, algorithm: knn }`,
    nearMiss: `${IRIS}\nmodel m from iris { target: species, algorithm: knn }`,
  },
  {
    code: 'NML110',
    fires: `${IRIS}\ntransform t from iris {\n  scale sepal_length_cm, «species» with standard\n}\nmodel m from t { target: species, algorithm: knn }`,
    nearMiss: `${IRIS}\ntransform t from iris {\n  scale sepal_length_cm, sepal_width_cm with standard\n}\nmodel m from t { target: species, algorithm: knn }`,
  },
  {
    code: 'NML111',
    fires: `${CARS}\ntransform t from cars {\n  encode «Name» as onehot\n  drop Year, Origin\n  drop_missing\n}\nmodel m from t { target: Miles_per_Gallon, algorithm: gradient_boosting }`,
    nearMiss: `${CARS}\ntransform t from cars {\n  encode Origin as onehot\n  drop Year, Name\n  drop_missing\n}\nmodel m from t { target: Miles_per_Gallon, algorithm: gradient_boosting }`,
  },
  {
    code: 'NML112',
    fires: `${IRIS}\ntransform t from iris {\n  filter «sepal_length_cm + 1»\n}\nmodel m from t { target: species, algorithm: knn }`,
    nearMiss: `${IRIS}\ntransform t from iris {\n  filter sepal_length_cm + 1 > 5\n}\nmodel m from t { target: species, algorithm: knn }`,
  },
  {
    code: 'NML113',
    fires: `${PENGUINS}\ntransform t from penguins {\n  drop_missing\n}\nmodel m from t {\n  target: Species\n  features: [«Island», \`Body Mass (g)\`]\n  algorithm: random_forest\n}`,
    nearMiss: `${PENGUINS}\ntransform t from penguins {\n  drop_missing\n  encode Island as onehot\n}\nmodel m from t {\n  target: Species\n  features: [Island_Biscoe, Island_Dream, \`Body Mass (g)\`]\n  algorithm: random_forest\n}`,
  },
  {
    code: 'NML114',
    fires: `${PENGUINS}\nmodel m from penguins {\n  target: Species\n  features: [«\`Body Mass (g)\`»]\n  algorithm: knn\n}`,
    nearMiss: `${PENGUINS}\ntransform t from penguins {\n  impute \`Body Mass (g)\` with median\n}\nmodel m from t {\n  target: Species\n  features: [\`Body Mass (g)\`]\n  algorithm: knn\n}`,
  },
  {
    code: 'NML115',
    fires: `${CARS}\ntransform t from cars { drop Name, Origin }\nmodel m from t {\n  target: «Year»\n  algorithm: gradient_boosting\n}`,
    nearMiss: `${CARS}\ntransform t from cars { drop Name, Origin, Year }\nmodel m from t {\n  target: Miles_per_Gallon\n  algorithm: gradient_boosting\n}`,
  },
  {
    code: 'NML116',
    fires: `${IRIS}\nmodel m from iris {\n  target: species\n  algorithm: random_forest(«tress»: 10)\n}`,
    nearMiss: `${IRIS}\nmodel m from iris {\n  target: species\n  algorithm: random_forest(trees: 10)\n}`,
  },
  {
    code: 'NML117',
    fires: `${CARS_MODEL.replace('algorithm: linear_regression', 'algorithm: «logistic_regression»')}`,
    nearMiss: CARS_MODEL,
  },
  {
    code: 'NML118',
    fires: `${CARS}\ntransform t from cars {\n  derive name_length = length(Name)\n  drop Name, Year, Origin\n  drop_missing\n}\nmodel a from t { target: Miles_per_Gallon, algorithm: linear_regression }\nmodel b from t { target: Miles_per_Gallon, algorithm: knn }\nmodel e from t { target: Miles_per_Gallon, ensemble: voting(of: [a, b]) }\nexport «e» to "models/e.onnx"`,
    nearMiss: `${CARS}\ntransform t from cars {\n  derive heavy = Weight_in_lbs > 3000\n  drop Name, Year, Origin\n  drop_missing\n}\nmodel a from t { target: Miles_per_Gallon, algorithm: linear_regression }\nmodel b from t { target: Miles_per_Gallon, algorithm: knn }\nmodel e from t { target: Miles_per_Gallon, ensemble: voting(of: [a, b]) }\nexport e to "models/e.onnx"`,
  },
  {
    code: 'NML118',
    fires: `${IRIS_MODEL.replace('logistic_regression', 'knn')}\nexport m to «"models/m.pmml"»`,
    nearMiss: `${IRIS_MODEL}\nexport m to "models/m.pmml"`,
  },
  {
    code: 'NML118',
    fires: `${CARS}\ntransform t from cars {\n  drop Name, Year, Origin\n  drop_missing\n}\ntransform named from cars {\n  derive name_length = length(Name)\n  drop Name, Year, Origin\n  drop_missing\n}\nmodel a from t { target: Miles_per_Gallon, algorithm: linear_regression }\nmodel b from t { target: Miles_per_Gallon, algorithm: knn }\nmodel e from named { target: Miles_per_Gallon, ensemble: stacking(of: [a, b], passthrough: true) }\nexport «e» to "models/e.onnx"`,
    nearMiss: `${CARS}\ntransform t from cars {\n  drop Name, Year, Origin\n  drop_missing\n}\ntransform named from cars {\n  derive name_length = length(Name)\n  drop Name, Year, Origin\n  drop_missing\n}\nmodel a from t { target: Miles_per_Gallon, algorithm: linear_regression }\nmodel b from t { target: Miles_per_Gallon, algorithm: knn }\nmodel e from named { target: Miles_per_Gallon, ensemble: stacking(of: [a, b], passthrough: false) }\nexport e to "models/e.onnx"`,
  },
  {
    code: 'NML118',
    fires: `${CARS}\ntransform t from cars {\n  derive ford = contains(Name, "ford")\n  drop Name, Year, Origin\n  drop_missing\n}\nmodel m from t { target: Miles_per_Gallon, algorithm: linear_regression }\nexport «m» to "models/m.onnx"`,
    nearMiss: `${CARS}\ntransform t from cars {\n  derive model_year = year(Year)\n  derive ford = lower(Name) == "ford pinto"\n  drop Name, Year, Origin\n  drop_missing\n}\nmodel m from t { target: Miles_per_Gallon, algorithm: linear_regression }\nexport m to "models/m.onnx"`,
  },
  {
    code: 'NML119',
    fires: `${CARS}\ntransform t from cars { drop Name, Year, Origin }\nmodel m from t {\n  target: Miles_per_Gallon\n  features: [«Horsepower», Weight_in_lbs]\n  algorithm: auto(candidates: [linear_regression, knn])\n}`,
    nearMiss: `${CARS}\ntransform t from cars { drop Name, Year, Origin }\nmodel m from t {\n  target: Miles_per_Gallon\n  features: [Horsepower, Weight_in_lbs]\n  algorithm: auto(candidates: [linear_regression, gradient_boosting])\n}`,
  },
  {
    code: 'NML120',
    fires: `${CARS_MODEL}\nevaluate reg on parts.test { metrics: [rmse, «accuracy»] }`,
    nearMiss: `${CARS_MODEL}\nevaluate reg on parts.test { metrics: [rmse, r2] }`,
  },
  {
    code: 'NML121',
    fires: `${IRIS_MODEL}\ntransform narrow from iris { drop petal_length_cm }\nevaluate m on «narrow» { metrics: [accuracy] }`,
    nearMiss: `${IRIS_MODEL}\nevaluate m on parts.test { metrics: [accuracy] }`,
  },
  {
    code: 'NML122',
    fires: `${IRIS_SPLIT}\nmodel a from parts.train { target: species, algorithm: knn }\nmodel b from parts.train { target: petal_width_cm, algorithm: knn }\ncompare a, «b» on parts.test { metric: accuracy }`,
    nearMiss: `${IRIS_SPLIT}\nmodel a from parts.train { target: species, algorithm: knn }\nmodel b from parts.train { target: species, algorithm: naive_bayes }\ncompare a, b on parts.test { metric: accuracy }`,
  },
  {
    code: 'NML123',
    fires: `${IRIS}\ntransform setosa from iris { filter species == "setosa" }\nmodel m from setosa { target: «species», algorithm: knn }`,
    nearMiss: `${IRIS}\ntransform two from iris { filter species == "setosa" or species == "virginica" }\nmodel m from two { target: species, algorithm: knn }`,
  },
  {
    code: 'NML124',
    fires: `${IRIS}\ntransform t from iris { filter «sepal_length_cm > 5 and sepal_length_cm < 3» }\nmodel m from t { target: species, algorithm: knn }`,
    nearMiss: `${IRIS}\ntransform t from iris { filter sepal_length_cm > 5 or sepal_length_cm < 3 }\nmodel m from t { target: species, algorithm: knn }`,
  },
  {
    code: 'NML124',
    fires: `${IRIS}\ntransform t from iris { filter «false» }\nmodel m from t { target: species, algorithm: knn }`,
    nearMiss: `${IRIS}\ntransform t from iris { filter true }\nmodel m from t { target: species, algorithm: knn }`,
  },
  {
    code: 'NML125',
    fires: `${IRIS_SPLIT}\nmodel a from parts.train { target: species, algorithm: knn }\nmodel b from parts.train { target: species, algorithm: naive_bayes }\ncompare a, b on parts.test { metric: f1, test: «mcnemar» }`,
    nearMiss: `${IRIS_SPLIT}\nmodel a from parts.train { target: species, algorithm: knn }\nmodel b from parts.train { target: species, algorithm: naive_bayes }\ncompare a, b on parts.test { metric: f1, test: bootstrap, alpha: 0.01 }`,
  },
  {
    code: 'NML130',
    fires: `${IRIS_MODEL}\npredict p with m from "../fixtures/data/iris.csv" {\n  output: "out/p.csv"\n  schedule: «"0 25 * * *"»\n}`,
    nearMiss: `${IRIS_MODEL}\npredict p with m from "../fixtures/data/iris.csv" {\n  output: "out/p.csv"\n  schedule: "0 23 * * 1-5"\n}`,
  },
  {
    code: 'NML131',
    fires: `${IRIS}\nsplit parts from iris { train: «80%, test: 30%» }\nmodel m from parts.train { target: species, algorithm: knn }`,
    nearMiss: `${IRIS}\nsplit parts from iris { train: 70%, test: 30% }\nmodel m from parts.train { target: species, algorithm: knn }`,
  },
  {
    code: 'NML135',
    fires: `${IRIS_MODEL}\nevaluate m on parts.test\nmonitor w for m {\n  notify: [vscode, «webhook "ftp://example.com/hook"»]\n}`,
    nearMiss: `${IRIS_MODEL}\nevaluate m on parts.test\nmonitor w for m {\n  notify: [vscode, webhook "https://example.com/hook", command "cat > alert.json"]\n}`,
  },
  {
    code: 'NML136',
    fires: `${IRIS}\nmodel m from iris { target: species, algorithm: knn }\nmonitor w for m {\n  «retrain: on_drift»\n}`,
    nearMiss: `${IRIS_MODEL}\nmonitor w for m {\n  retrain: schedule "0 3 * * 0"\n}`,
  },
  {
    code: 'NML140',
    fires: `${IRIS_MODEL}\npredict p with m from "../fixtures/data/iris.csv" { output: «"../p-{date}.csv"» }`,
    nearMiss: `${IRIS_MODEL}\npredict p with m from "../fixtures/data/iris.csv" { output: "./out/../out/p-{date}.csv" }`,
  },
  {
    code: 'NML141',
    fires: `${IRIS_MODEL}\npredict p with m from "../fixtures/data/iris.csv" { output: «"case.narml"» }`,
    nearMiss: `${IRIS_MODEL}\npredict p with m from "../fixtures/data/iris.csv" { output: "out/case.csv" }`,
  },
  {
    code: 'NML142',
    fires: `${IRIS_MODEL}\nexport m to «"~/m.onnx"»`,
    nearMiss: `${IRIS_MODEL}\nexport m to "models/~m.onnx"`,
  },
  {
    code: 'NML200',
    fires: `${IRIS_MODEL}\nevaluate m on «parts.train» { metrics: [accuracy] }`,
    nearMiss: `${IRIS_MODEL}\nevaluate m on parts.test { metrics: [accuracy] }`,
  },
  {
    code: 'NML201',
    fires: `${IRIS}\ntransform t from iris {\n  derive is_setosa = species == "setosa"\n}\nmodel m from t {\n  target: species\n  features: [sepal_length_cm, «is_setosa»]\n  algorithm: knn\n}`,
    nearMiss: `${IRIS}\ntransform t from iris {\n  derive long_sepal = sepal_length_cm > 6\n}\nmodel m from t {\n  target: species\n  features: [sepal_length_cm, long_sepal]\n  algorithm: knn\n}`,
  },
  {
    code: 'NML202',
    fires: `${IRIS}\ntransform «unused» from iris { drop sepal_width_cm }\nmodel m from iris { target: species, algorithm: knn }`,
    nearMiss: `${IRIS}\ntransform used from iris { drop sepal_width_cm }\nmodel m from used { target: species, algorithm: knn }`,
  },
  {
    code: 'NML203',
    fires: `${IRIS_MODEL}\npredict p with m from «"../fixtures/data/wine.csv"» { output: "out/p.csv" }`,
    nearMiss: `${IRIS_MODEL}\npredict p with m from "../fixtures/data/iris.csv" { output: "out/p.csv" }`,
  },
  {
    code: 'NML206',
    fires: `${IRIS_MODEL}\nevaluate m on parts.test\nmonitor w for m {\n  notify: «webhook "http://example.com/hook"»\n}`,
    nearMiss: `${IRIS_MODEL}\nevaluate m on parts.test\nmonitor w for m {\n  notify: webhook "http://127.0.0.1:8080/hook"\n}`,
  },
];

for (const c of cases) {
  test(`${c.code} fires on the marked token`, () => {
    const { text, start, end } = marked(c.fires);
    const found = checkPipeline(text, FILE, cache).diagnostics;
    const hit = found.find((d) => d.code === c.code);
    assert.ok(hit, `${c.code} expected; got ${found.map((d) => `${d.code} ${d.message}`).join(' | ') || 'nothing'}`);
    assert.equal(hit.range.start.offset, start, `${c.code} starts at the marked token: ${hit.message}`);
    assert.equal(hit.range.end.offset, end, `${c.code} ends at the marked token: ${hit.message}`);
    assert.ok(hit.message.length > 20, 'the message explains');
  });
  test(`${c.code} stays silent on the near miss`, () => {
    const found = checkPipeline(c.nearMiss, FILE, cache).diagnostics;
    assert.deepEqual(found.map((d) => `${d.code} ${d.message}`), []);
  });
}

test('a did-you-mean offers a replacement fix', () => {
  const { text } = marked(cases.find((c) => c.code === 'NML101')!.fires);
  const d = checkPipeline(text, FILE, cache).diagnostics.find((x) => x.code === 'NML101')!;
  assert.match(d.message, /did you mean column "sepal_length_cm"/);
  assert.deepEqual(d.fixes?.[0].data, { kind: 'replace', with: 'sepal_length_cm' });
});

test('several syntax errors: later declarations are still checked', () => {
  const text = `${IRIS}\ntransform t from iris {\n  drop )\n  scale sepal_length_cm with (\n}\nmodel m from t {\n  target: species\n  algorithm: knn(k: )\n}\nevaluate m on t { metrics: [accuracy, rmse] }\ntransform u from iris { drop nope }\nmodel n from u { target: species, algorithm: knn }`;
  const found = checkPipeline(text, FILE, cache).diagnostics;
  assert.ok(found.filter((d) => d.code === 'NML001').length >= 2, 'two syntax errors');
  const rmse = found.find((d) => d.code === 'NML120');
  assert.ok(rmse, 'metric error after the syntax errors');
  const nope = found.find((d) => d.code === 'NML101');
  assert.equal(nope?.range.start.line, 10);
});

test('the spec example and the samples check clean', () => {
  for (const f of ['../fixtures/pipelines/spec-example.narml', '../../samples/penguins/penguins.narml', '../../samples/cars/cars.narml', '../../samples/seattle-weather/seattle-weather.narml']) {
    const file = join(__dirname, f);
    const text = require('node:fs').readFileSync(file, 'utf8') as string;
    assert.deepEqual(checkPipeline(text, file, cache).diagnostics.map((d) => `${d.code} ${d.message}`), [], f);
  }
});

test('compare takes two models: a third is reported, not silently left out of the verdict', () => {
  const text = `${IRIS_SPLIT}\nmodel a from parts.train { target: species, algorithm: knn }\nmodel b from parts.train { target: species, algorithm: naive_bayes }\nmodel c from parts.train { target: species, algorithm: decision_tree }\ncompare a, b, c on parts.test`;
  const found = checkPipeline(text, FILE, cache).diagnostics;
  assert.deepEqual(found.map((d) => d.code), ['NML116']);
  assert.match(found[0].message, /compare takes two models, not 3/);
});

test('NML118: a split of a split part (through a transform too) is refused at check time, as the runner refuses it', () => {
  const text = `${IRIS_SPLIT}\ntransform again from parts.train { drop sepal_width_cm }\nsplit inner from again { train: 50%, test: 50% }\nmodel m from inner.train { target: species, algorithm: knn }`;
  const found = checkPipeline(text, FILE, cache).diagnostics;
  assert.deepEqual(found.map((d) => d.code), ['NML118']);
  assert.equal(text.slice(found[0].range.start.offset, found[0].range.end.offset), 'again');
  assert.match(found[0].message, /which comes from a part of split "parts"/);
});
