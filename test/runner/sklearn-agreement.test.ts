// Every metric `narml run` reports agrees with scikit-learn's on the same rows: the test runs the
// pipeline through the built CLI, reads back which raw rows the split put in each part (the
// runner's own membership code), and hands those rows with the same preprocessing to
// test/runner/reference/sklearn_pipeline.py. Deterministic algorithms only (forests and boosting
// are compared on accuracy bands in test/ml).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt } from '../helpers/ensure-built';
import { checkWithFullSchemas } from '../../server/src/checker/check-files';
import { infoOf } from '../../server/src/checker/checked-model';
import { MemoryEngine } from '../../server/src/engine/memory-engine';
import { PipelineData } from '../../server/src/runner/pipeline-data';

const root = join(__dirname, '..', '..');
const data = join(root, 'test', 'fixtures', 'data');
const cancerFeatures = readFileSync(join(data, 'breast_cancer.csv'), 'utf8').split('\n')[0].split(',').slice(0, -1);
const penguinNumbers = ['beak_length', 'beak_depth', 'flipper_length', 'body_mass'];

/** The penguins' preparation, shared by the clean and the stray-level pipelines. */
const penguinSteps = `  rename \`Beak Length (mm)\` to beak_length
  rename \`Beak Depth (mm)\` to beak_depth
  rename \`Flipper Length (mm)\` to flipper_length
  rename \`Body Mass (g)\` to body_mass
  impute beak_length, beak_depth, flipper_length, body_mass with median
  impute Sex with mode
  encode Island, Sex as onehot
  scale beak_length, beak_depth, flipper_length, body_mass with standard`;

const pipeline = `
dataset cancer from "breast_cancer.csv"
transform cancer_scaled from cancer {
  scale ${cancerFeatures.join(', ')} with standard
}
split cancer_parts from cancer_scaled { train: 70%, test: 30%, stratify: diagnosis, seed: 11 }
model cancer_logistic from cancer_parts.train {
  target: diagnosis
  algorithm: logistic_regression(c: 0.5)
}
evaluate cancer_logistic on cancer_parts.test {
  metrics: [accuracy, balanced_accuracy, precision, recall, f1, roc_auc, log_loss]
}
evaluate cancer_logistic on cancer_parts.test as cancer_benign {
  metrics: [precision, recall, f1, roc_auc]
  positive: "benign"
}

dataset penguins from "penguins.csv" { missing: ["", "NA", "."] }
transform penguins_prepared from penguins {
${penguinSteps}
}
split penguin_parts from penguins_prepared { train: 75%, test: 25%, stratify: Species, seed: 7 }
model penguin_logistic from penguin_parts.train {
  target: Species
  algorithm: logistic_regression(c: 1.0)
}
evaluate penguin_logistic on penguin_parts.test {
  metrics: [accuracy, balanced_accuracy, precision, recall, f1, roc_auc, log_loss]
}
model penguin_bayes from penguin_parts.train { target: Species, algorithm: naive_bayes }
model penguin_stack from penguin_parts.train { target: Species, ensemble: stacking(of: [penguin_logistic, penguin_bayes], cv: 4) }
evaluate penguin_stack on penguin_parts.test { metrics: [accuracy, f1, roc_auc, log_loss] }
model penguin_knn_sigmoid from penguin_parts.train {
  target: Species
  algorithm: knn(k: 5)
  calibrate: sigmoid
}
evaluate penguin_knn_sigmoid on penguin_parts.test { metrics: [accuracy, f1, roc_auc, log_loss] }

# "." is not declared missing, so it is a level of Sex, held by one row that seed 5 puts in the
# test part: the one-hot columns are those of the training rows, and "." encodes as all zeros.
dataset penguins_stray from "penguins.csv" { missing: ["", "NA"] }
transform penguins_stray_prepared from penguins_stray {
${penguinSteps}
}
split stray_parts from penguins_stray_prepared { train: 75%, test: 25%, stratify: Species, seed: 5 }
model stray_logistic from stray_parts.train {
  target: Species
  algorithm: logistic_regression(c: 1.0)
}
evaluate stray_logistic on stray_parts.test {
  metrics: [accuracy, balanced_accuracy, precision, recall, f1, roc_auc, log_loss]
}

dataset iris from "iris.csv"
split iris_parts from iris { train: 60%, test: 40%, stratify: species, seed: 3 }
model iris_knn from iris_parts.train {
  target: species
  algorithm: knn(k: 7)
}
model iris_bayes from iris_parts.train {
  target: species
  algorithm: naive_bayes
}
evaluate iris_knn on iris_parts.test { metrics: [accuracy, f1, precision, recall] }
evaluate iris_bayes on iris_parts.test { metrics: [accuracy, f1, roc_auc, log_loss] }
model iris_stack from iris_parts.train {
  target: species
  ensemble: stacking(of: [iris_knn, iris_bayes])
}
evaluate iris_stack on iris_parts.test { metrics: [accuracy, f1, roc_auc, log_loss] }
model iris_stack_pass from iris_parts.train {
  target: species
  ensemble: stacking(of: [iris_knn, iris_bayes], passthrough: true)
}
evaluate iris_stack_pass on iris_parts.test { metrics: [accuracy, f1, roc_auc, log_loss] }
model iris_bayes_isotonic from iris_parts.train {
  target: species
  algorithm: naive_bayes
  calibrate: isotonic
}
evaluate iris_bayes_isotonic on iris_parts.test { metrics: [accuracy, f1, roc_auc, log_loss] }
model cancer_sigmoid from cancer_parts.train {
  target: diagnosis
  algorithm: logistic_regression(c: 0.5)
  calibrate: sigmoid(cv: 3)
}
evaluate cancer_sigmoid on cancer_parts.test { metrics: [accuracy, f1, roc_auc, log_loss] }

# Without setosa the target has two classes left: a binary model, positive class virginica.
transform iris_pair from iris { filter species != "setosa" }
split pair_parts from iris_pair { train: 70%, test: 30%, seed: 4 }
model pair_logistic from pair_parts.train {
  target: species
  algorithm: logistic_regression
}
evaluate pair_logistic on pair_parts.test { metrics: [accuracy, precision, recall, f1, roc_auc, log_loss] }

dataset diabetes from "diabetes.csv"
split diabetes_parts from diabetes { train: 80%, test: 20%, seed: 5 }
model diabetes_linear from diabetes_parts.train {
  target: progression
  algorithm: linear_regression
}
model diabetes_ridge from diabetes_parts.train {
  target: progression
  algorithm: linear_regression(alpha: 10)
}
evaluate diabetes_linear on diabetes_parts.test { metrics: [rmse, mae, r2, mape] }
model diabetes_knn from diabetes_parts.train {
  target: progression
  algorithm: knn(k: 5)
}
model diabetes_stack from diabetes_parts.train {
  target: progression
  ensemble: stacking(of: [diabetes_linear, diabetes_knn], cv: 4)
}
evaluate diabetes_stack on diabetes_parts.test { metrics: [rmse, mae, r2] }
evaluate diabetes_ridge on diabetes_parts.test { metrics: [rmse, mae, r2, mape] }

# One order of 300 is of the tier "platinum"; seed 2 puts it in the training part, so the models
# learn a class that the test rows neither hold nor (mostly) get: macro averages skip it and
# log_loss clips its zero probabilities as scikit-learn does.
dataset orders from "orders.csv"
transform orders_prepared from orders {
  keep spend, member, tier
  encode member as onehot
}
split order_parts from orders_prepared { train: 80%, test: 20%, stratify: tier, seed: 2 }
model tier_bayes from order_parts.train {
  target: tier
  algorithm: naive_bayes
}
model tier_knn from order_parts.train {
  target: tier
  algorithm: knn(k: 5)
}
evaluate tier_bayes on order_parts.test { metrics: [accuracy, balanced_accuracy, precision, recall, f1, log_loss] }
evaluate tier_knn on order_parts.test { metrics: [accuracy, balanced_accuracy, precision, recall, f1, log_loss] }

# ", " between fields and unknowns written " ?" (UCI adult): missing: ["?"] reads them as missing,
# as pandas does with skipinitialspace=True.
dataset adult from "adult.csv" { missing: ["?", ""] }
transform adult_prepared from adult {
  impute workclass, occupation, native_country with mode
  encode workclass, occupation, native_country as onehot
  scale age, hours_per_week with standard
}
split adult_parts from adult_prepared { train: 80%, test: 20%, stratify: income, seed: 1 }
model income_logistic from adult_parts.train {
  target: income
  algorithm: logistic_regression
}
evaluate income_logistic on adult_parts.test { metrics: [accuracy, f1, roc_auc, log_loss] }
`;

interface Case {
  name: string; csv: string; split: string; target: string; task: string; algorithm: string;
  params?: Record<string, number>; metrics: string[]; missing?: string[]; positive?: string;
  keep?: string[]; skipinitialspace?: boolean;
  /** A stacking of these members (scikit-learn's StackingClassifier/Regressor, final logistic or OLS), or a calibrated model. */
  stack?: { members: { algorithm: string; params?: Record<string, number> }[]; cv: number; passthrough?: boolean }; calibrate?: { method: string; cv: number }; rename?: Record<string, string>; impute_median?: string[]; impute_mode?: string[]; onehot?: string[]; scale?: string[];
}

const cases: Case[] = [
  { name: 'cancer_logistic_on_cancer_parts_test', csv: 'breast_cancer.csv', split: 'cancer_parts', target: 'diagnosis', task: 'classification', algorithm: 'logistic_regression', params: { c: 0.5 }, metrics: ['accuracy', 'balanced_accuracy', 'precision', 'recall', 'f1', 'roc_auc', 'log_loss'], scale: cancerFeatures },
  { name: 'cancer_benign', csv: 'breast_cancer.csv', split: 'cancer_parts', target: 'diagnosis', task: 'classification', algorithm: 'logistic_regression', params: { c: 0.5 }, metrics: ['precision', 'recall', 'f1', 'roc_auc'], scale: cancerFeatures, positive: 'benign' },
  {
    name: 'penguin_logistic_on_penguin_parts_test', csv: 'penguins.csv', split: 'penguin_parts', target: 'Species', task: 'classification', algorithm: 'logistic_regression', params: { c: 1 },
    metrics: ['accuracy', 'balanced_accuracy', 'precision', 'recall', 'f1', 'roc_auc', 'log_loss'], missing: ['', 'NA', '.'],
    rename: { 'Beak Length (mm)': 'beak_length', 'Beak Depth (mm)': 'beak_depth', 'Flipper Length (mm)': 'flipper_length', 'Body Mass (g)': 'body_mass' },
    impute_median: penguinNumbers, impute_mode: ['Sex'], onehot: ['Island', 'Sex'], scale: penguinNumbers,
  },
  {
    name: 'penguin_stack_on_penguin_parts_test', csv: 'penguins.csv', split: 'penguin_parts', target: 'Species', task: 'classification', algorithm: 'stacking',
    stack: { members: [{ algorithm: 'logistic_regression', params: { c: 1 } }, { algorithm: 'naive_bayes' }], cv: 4 },
    metrics: ['accuracy', 'f1', 'roc_auc', 'log_loss'], missing: ['', 'NA', '.'],
    rename: { 'Beak Length (mm)': 'beak_length', 'Beak Depth (mm)': 'beak_depth', 'Flipper Length (mm)': 'flipper_length', 'Body Mass (g)': 'body_mass' },
    impute_median: penguinNumbers, impute_mode: ['Sex'], onehot: ['Island', 'Sex'], scale: penguinNumbers,
  },
  {
    name: 'penguin_knn_sigmoid_on_penguin_parts_test', csv: 'penguins.csv', split: 'penguin_parts', target: 'Species', task: 'classification', algorithm: 'knn_classifier', params: { k: 5 },
    calibrate: { method: 'sigmoid', cv: 5 }, metrics: ['accuracy', 'f1', 'roc_auc', 'log_loss'], missing: ['', 'NA', '.'],
    rename: { 'Beak Length (mm)': 'beak_length', 'Beak Depth (mm)': 'beak_depth', 'Flipper Length (mm)': 'flipper_length', 'Body Mass (g)': 'body_mass' },
    impute_median: penguinNumbers, impute_mode: ['Sex'], onehot: ['Island', 'Sex'], scale: penguinNumbers,
  },
  {
    name: 'stray_logistic_on_stray_parts_test', csv: 'penguins.csv', split: 'stray_parts', target: 'Species', task: 'classification', algorithm: 'logistic_regression', params: { c: 1 },
    metrics: ['accuracy', 'balanced_accuracy', 'precision', 'recall', 'f1', 'roc_auc', 'log_loss'], missing: ['', 'NA'],
    rename: { 'Beak Length (mm)': 'beak_length', 'Beak Depth (mm)': 'beak_depth', 'Flipper Length (mm)': 'flipper_length', 'Body Mass (g)': 'body_mass' },
    impute_median: penguinNumbers, impute_mode: ['Sex'], onehot: ['Island', 'Sex'], scale: penguinNumbers,
  },
  { name: 'pair_logistic_on_pair_parts_test', csv: 'iris.csv', split: 'pair_parts', target: 'species', task: 'classification', algorithm: 'logistic_regression', metrics: ['accuracy', 'precision', 'recall', 'f1', 'roc_auc', 'log_loss'] },
  { name: 'iris_knn_on_iris_parts_test', csv: 'iris.csv', split: 'iris_parts', target: 'species', task: 'classification', algorithm: 'knn_classifier', params: { k: 7 }, metrics: ['accuracy', 'f1', 'precision', 'recall'] },
  { name: 'iris_bayes_on_iris_parts_test', csv: 'iris.csv', split: 'iris_parts', target: 'species', task: 'classification', algorithm: 'naive_bayes', metrics: ['accuracy', 'f1', 'roc_auc', 'log_loss'] },
  { name: 'diabetes_linear_on_diabetes_parts_test', csv: 'diabetes.csv', split: 'diabetes_parts', target: 'progression', task: 'regression', algorithm: 'linear_regression', metrics: ['rmse', 'mae', 'r2', 'mape'] },
  { name: 'tier_bayes_on_order_parts_test', csv: 'orders.csv', split: 'order_parts', target: 'tier', task: 'classification', algorithm: 'naive_bayes', metrics: ['accuracy', 'balanced_accuracy', 'precision', 'recall', 'f1', 'log_loss'], keep: ['spend', 'member', 'tier'], onehot: ['member'] },
  { name: 'tier_knn_on_order_parts_test', csv: 'orders.csv', split: 'order_parts', target: 'tier', task: 'classification', algorithm: 'knn_classifier', params: { k: 5 }, metrics: ['accuracy', 'balanced_accuracy', 'precision', 'recall', 'f1', 'log_loss'], keep: ['spend', 'member', 'tier'], onehot: ['member'] },
  {
    name: 'income_logistic_on_adult_parts_test', csv: 'adult.csv', split: 'adult_parts', target: 'income', task: 'classification', algorithm: 'logistic_regression',
    metrics: ['accuracy', 'f1', 'roc_auc', 'log_loss'], missing: ['?', ''], skipinitialspace: true,
    impute_mode: ['workclass', 'occupation', 'native_country'], onehot: ['workclass', 'occupation', 'native_country'], scale: ['age', 'hours_per_week'],
  },
  { name: 'iris_stack_on_iris_parts_test', csv: 'iris.csv', split: 'iris_parts', target: 'species', task: 'classification', algorithm: 'stacking', stack: { members: [{ algorithm: 'knn_classifier', params: { k: 7 } }, { algorithm: 'naive_bayes' }], cv: 5 }, metrics: ['accuracy', 'f1', 'roc_auc', 'log_loss'] },
  { name: 'iris_stack_pass_on_iris_parts_test', csv: 'iris.csv', split: 'iris_parts', target: 'species', task: 'classification', algorithm: 'stacking', stack: { members: [{ algorithm: 'knn_classifier', params: { k: 7 } }, { algorithm: 'naive_bayes' }], cv: 5, passthrough: true }, metrics: ['accuracy', 'f1', 'roc_auc', 'log_loss'] },
  { name: 'iris_bayes_isotonic_on_iris_parts_test', csv: 'iris.csv', split: 'iris_parts', target: 'species', task: 'classification', algorithm: 'naive_bayes', calibrate: { method: 'isotonic', cv: 5 }, metrics: ['accuracy', 'f1', 'roc_auc', 'log_loss'] },
  { name: 'cancer_sigmoid_on_cancer_parts_test', csv: 'breast_cancer.csv', split: 'cancer_parts', target: 'diagnosis', task: 'classification', algorithm: 'logistic_regression', params: { c: 0.5 }, calibrate: { method: 'sigmoid', cv: 3 }, metrics: ['accuracy', 'f1', 'roc_auc', 'log_loss'], scale: cancerFeatures },
  { name: 'diabetes_stack_on_diabetes_parts_test', csv: 'diabetes.csv', split: 'diabetes_parts', target: 'progression', task: 'regression', algorithm: 'stacking', stack: { members: [{ algorithm: 'linear_regression' }, { algorithm: 'knn_regressor', params: { k: 5 } }], cv: 4 }, metrics: ['rmse', 'mae', 'r2'] },
  { name: 'diabetes_ridge_on_diabetes_parts_test', csv: 'diabetes.csv', split: 'diabetes_parts', target: 'progression', task: 'regression', algorithm: 'linear_regression', params: { alpha: 10 }, metrics: ['rmse', 'mae', 'r2', 'mape'] },
];

before(() => { ensureBuilt(); });

test('narml run metrics agree with scikit-learn within 0.01 on the same split rows', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'narml-sklearn-'));
  for (const f of ['breast_cancer.csv', 'penguins.csv', 'iris.csv', 'diabetes.csv']) copyFileSync(join(data, f), join(dir, f));
  for (const f of ['orders.csv', 'adult.csv']) copyFileSync(join(data, '..', 'pipelines', 'data', f), join(dir, f));
  const file = join(dir, 'agreement.narml');
  writeFileSync(file, pipeline);
  const run = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), 'run', file, '--json'], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(run.status, 0, run.stderr + run.stdout);
  const ours = JSON.parse(run.stdout) as { evaluations: Record<string, { metrics: Record<string, number>; rows?: number }> };

  const checked = await checkWithFullSchemas(pipeline, file);
  const pipelineData = new PipelineData(checked, new MemoryEngine());
  const withRows = [];
  for (const c of cases) {
    const parts = await pipelineData.membership(infoOf(checked, c.split, 'split')!);
    withRows.push({ ...c, csv: join(dir, c.csv), train: [...parts.train], test: [...parts.test] });
  }
  const casesFile = join(dir, 'cases.json');
  writeFileSync(casesFile, JSON.stringify(withRows));
  const py = spawnSync('/usr/bin/python3', [join(__dirname, 'reference', 'sklearn_pipeline.py'), casesFile], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(py.status, 0, py.stderr);
  const reference = JSON.parse(py.stdout) as Record<string, Record<string, number>>;

  const disagreements: string[] = [];
  for (const c of withRows) {
    const got = ours.evaluations[c.name];
    assert.ok(got, `evaluation ${c.name} missing from the run`);
    assert.equal(got.rows ?? c.test.length, c.test.length, `${c.name}: evaluated rows`);
    for (const m of c.metrics) {
      const want = reference[c.name][m];
      const have = got.metrics[m];
      // Scale-free metrics within 0.01; rmse/mae (in target units) within 0.1%.
      const tolerance = m === 'rmse' || m === 'mae' ? Math.abs(want) * 1e-3 : 0.01;
      if (process.env.NARML_SHOW_AGREEMENT) console.log(`${c.name} ${m}: narml ${have} scikit-learn ${want}`);
      if (!(Math.abs(have - want) <= tolerance)) disagreements.push(`${c.name} ${m}: narml ${have}, scikit-learn ${want}`);
    }
  }
  assert.deepEqual(disagreements, []);
});
