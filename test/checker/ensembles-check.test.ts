// Stacking, blending and calibrate at check time: what runs is accepted with its options resolved,
// and every combination the runner could not train is a diagnostic on the token at fault.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkPipeline } from '../../server/src/checker/check-pipeline';
import { infoOf } from '../../server/src/checker/checked-model';
import { CsvSchemaCache } from '../../server/src/data/csv-schema-cache';
import { CARS_MODEL, FILE, IRIS, IRIS_SPLIT, PENGUINS } from '../helpers/fixture-pipelines';
import { marked } from '../helpers/marked';

const cache = new CsvSchemaCache();
const MEMBERS = `${IRIS_SPLIT}\nmodel a from parts.train { target: species, algorithm: knn }\nmodel b from parts.train { target: species, algorithm: naive_bayes }`;

async function check(text: string) {
  return checkPipeline(text, FILE, cache);
}

test('stacking and blending check clean with their defaults resolved by task', async () => {
  const p = await check(`${MEMBERS}\nmodel s from parts.train { target: species, ensemble: stacking(of: [a, b]) }\nmodel bl from parts.train { target: species, ensemble: blending(of: [a, b], holdout: 25%, final: naive_bayes, passthrough: true) }`);
  assert.deepEqual(p.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
  assert.deepEqual(infoOf(p, 's', 'model')?.ensemble, { method: 'stacking', members: ['a', 'b'], soft: true, final: 'logistic_regression', passthrough: false, cv: 5 });
  assert.deepEqual(infoOf(p, 'bl', 'model')?.ensemble, { method: 'blending', members: ['a', 'b'], soft: true, final: 'naive_bayes', passthrough: true, holdout: 0.25 });
  const reg = await check(`${CARS_MODEL}\nmodel k from parts.train { target: Miles_per_Gallon, algorithm: knn }\nmodel s from parts.train { target: Miles_per_Gallon, ensemble: stacking(of: [reg, k], cv: 3) }`);
  assert.deepEqual(reg.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
  // scikit-learn's RidgeCV: linear_regression whose alpha the run chooses; an explicit final is plain.
  assert.equal(infoOf(reg, 's', 'model')?.ensemble?.final, 'linear_regression');
  assert.deepEqual(infoOf(reg, 's', 'model')?.ensemble?.finalAlphas, [0.1, 1, 10]);
  const ols = await check(`${CARS_MODEL}\nmodel k from parts.train { target: Miles_per_Gallon, algorithm: knn }\nmodel s from parts.train { target: Miles_per_Gallon, ensemble: blending(of: [reg, k], final: linear_regression) }`);
  assert.equal(infoOf(ols, 's', 'model')?.ensemble?.finalAlphas, undefined);
});

test('calibrated models and ensembles of them export to ONNX', async () => {
  const p = await check(`${MEMBERS.replace('algorithm: knn', 'algorithm: knn, calibrate: isotonic')}\nmodel s from parts.train { target: species, ensemble: stacking(of: [a, b], passthrough: true) }\nmodel v from parts.train { target: species, ensemble: voting(of: [s, b], soft: false) }\nexport a to "models/a.onnx"\nexport v to "models/v.onnx"`);
  assert.deepEqual(p.diagnostics.map((d) => d.message), []);
});

test('calibrate resolves its method and folds, with tune and with threshold: tune', async () => {
  const p = await check(`${IRIS_SPLIT}\nmodel m from parts.train {\n  target: species\n  algorithm: random_forest\n  tune: grid { trees: [10, 20] }\n  calibrate: isotonic(cv: 3)\n}\nevaluate m on parts.test { threshold: tune(f1) }`);
  assert.deepEqual(infoOf(p, 'm', 'model')?.calibrate, { name: 'isotonic', options: { cv: 3 } });
  assert.ok(!p.diagnostics.some((d) => d.severity === 'error' && /calibrat/.test(d.message)), p.diagnostics.map((d) => d.message).join('\n'));
});

const wrong: { why: string; code: string; source: string; message: RegExp }[] = [
  { why: 'a final model of the other task', code: 'NML117', source: `${MEMBERS}\nmodel s from parts.train { target: species, ensemble: stacking(of: [a, b], final: «linear_regression») }`, message: /does only regression/ },
  { why: 'a final model that is not an algorithm', code: 'NML116', source: `${MEMBERS}\nmodel s from parts.train { target: species, ensemble: stacking(of: [a, b], final: «logistc_regression») }`, message: /must be an algorithm name.*did you mean/i },
  { why: 'auto as the final model', code: 'NML116', source: `${MEMBERS}\nmodel s from parts.train { target: species, ensemble: blending(of: [a, b], final: «auto») }`, message: /algorithm name/ },
  { why: 'one fold', code: 'NML116', source: `${MEMBERS}\nmodel s from parts.train { target: species, ensemble: stacking(of: [a, b], cv: «1») }`, message: /at least 2/ },
  { why: 'more folds than training rows', code: 'NML116', source: `${MEMBERS}\nmodel s from parts.train { target: species, ensemble: stacking(of: [a, b], cv: «500») }`, message: /500 folds need at least 500 training rows/ },
  { why: 'a holdout of every row', code: 'NML116', source: `${MEMBERS}\nmodel s from parts.train { target: species, ensemble: blending(of: [a, b], holdout: «100%») }`, message: /between 0 and 0.9/ },
  { why: 'the ensemble as its own member', code: 'NML103', source: `${MEMBERS}\nmodel «s» from parts.train { target: species, ensemble: stacking(of: [a, s]) }`, message: /cycle in the pipeline: s → s/ },
  { why: 'an ensemble as a member', code: 'NML116', source: `${MEMBERS}\nmodel v from parts.train { target: species, ensemble: voting(of: [a, b]) }\nmodel s from parts.train { target: species, ensemble: stacking(of: [a, «v»]) }`, message: /is itself an ensemble/ },
  { why: 'a member of another dataset', code: 'NML122', source: `${MEMBERS}\n${PENGUINS}\ntransform pg from penguins { keep species }\nmodel p from pg { target: species, algorithm: naive_bayes }\nmodel s from parts.train { target: species, ensemble: blending(of: [a, «p»]) }`, message: /trained from the dataset "penguins"/ },
  { why: 'tune on an ensemble', code: 'NML116', source: `${MEMBERS}\nmodel s from parts.train {\n  target: species\n  ensemble: stacking(of: [a, b])\n  «tune»: grid { k: [3] }\n}`, message: /"tune" does not apply/ },
  { why: 'calibrate on an ensemble', code: 'NML116', source: `${MEMBERS}\nmodel s from parts.train {\n  target: species\n  ensemble: stacking(of: [a, b])\n  «calibrate»: sigmoid\n}`, message: /"calibrate" does not apply/ },
  { why: 'calibrate on a regression', code: 'NML117', source: CARS_MODEL.replace('algorithm: linear_regression', 'algorithm: linear_regression\n  calibrate: «sigmoid»'), message: /is a regression/ },
  { why: 'an unknown calibration', code: 'NML116', source: `${IRIS_SPLIT}\nmodel m from parts.train {\n  target: species\n  algorithm: knn\n  calibrate: «platt»\n}`, message: /unknown calibrate "platt"/ },
  { why: 'more calibration folds than rows', code: 'NML116', source: `${IRIS}\nsplit few from iris { train: 5%, test: 95%, seed: 1 }\nmodel m from few.train {\n  target: species\n  algorithm: knn(k: 1)\n  calibrate: sigmoid(cv: «9»)\n}`, message: /9 folds need at least 9 training rows, but "few.train" holds 7/ },
  { why: 'an evaluation\'s cv of an ensemble', code: 'NML118', source: `${MEMBERS}\nmodel s from parts.train { target: species, ensemble: stacking(of: [a, b]) }\nevaluate s on parts.test { cv: «5» }`, message: /not implemented for stacking ensembles/ },
  { why: 'exporting an ensemble with a member ONNX cannot express', code: 'NML118', source: `${MEMBERS}\ntransform named from parts.train { derive name_length = length(species) }\nmodel c from named { target: species, algorithm: knn, exclude: [species] }\nmodel s from parts.train { target: species, ensemble: stacking(of: [a, c]) }\nmodel v from parts.train { target: species, ensemble: voting(of: [b, s]) }\nexport «v» to "models/v.onnx"`, message: /its member "s" cannot be: its member "c" cannot be: derive name_length cannot be exported to ONNX/ },
];

for (const c of wrong) {
  test(`${c.code} for ${c.why}`, async () => {
    const { text, start, end } = marked(c.source);
    const p = await check(text);
    const at = p.diagnostics.filter((d) => d.code === c.code && d.range.start.offset === start && d.range.end.offset === end);
    assert.equal(at.length, 1, `expected ${c.code} on "${text.slice(start, end)}"; got ${p.diagnostics.map((d) => `${d.code} "${text.slice(d.range.start.offset, d.range.end.offset)}" ${d.message}`).join('\n')}`);
    assert.match(at[0].message, c.message);
  });
}
