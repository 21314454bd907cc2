// The reviewer's pipelines (issue 14): written from docs/language.md alone, on the data sets of
// test/ml/reference/review_data.py, which no other ML test uses. Each trains on NAME_train.csv and
// is evaluated and predicted on NAME_test.csv, so scikit-learn (review_reference.py) sees the same
// rows; every model kind the language has is declared, for the exports' test.
import { join } from 'node:path';

export const reviewData = join(__dirname, '..', 'fixtures', 'data', 'review');

export interface ReviewPipeline {
  /** What the test names it by. */
  name: string;
  /** Whether review_reference.py has scikit-learn's figures for its models. */
  sklearn: boolean;
  data: 'imb' | 'three' | 'fried';
  target: string;
  /** Number of classes (0: regression). */
  classes: number;
  models: string[];
  /** The models PMML expresses (linear models and trees, no calibration or ensemble). */
  pmml: string[];
  text: string;
}

const classifier = (data: 'imb' | 'three', target: string, steps: string, minority: string): string => `transform prep from tr {
${steps}
}
model lr from prep { target: ${target}, algorithm: logistic_regression }
model knn from prep { target: ${target}, algorithm: knn(k: 7) }
model nb from prep { target: ${target}, algorithm: naive_bayes }
model dt from prep { target: ${target}, algorithm: decision_tree(max_depth: 5), class_weight: balanced }
model rf from prep { target: ${target}, algorithm: random_forest(trees: 30), class_weight: { ${minority}: 3 } }
model gb from prep { target: ${target}, algorithm: gradient_boosting(rounds: 50), class_weight: balanced }
model stack from prep { target: ${target}, ensemble: stacking(of: [lr, knn, nb]) }
model stackp from prep { target: ${target}, ensemble: stacking(of: [lr, dt, gb], final: gradient_boosting, passthrough: true) }
model blend from prep { target: ${target}, ensemble: blending(of: [lr, knn, nb], holdout: 25%) }
model vote from prep { target: ${target}, ensemble: voting(of: [lr, rf, gb], soft: ${data === 'imb'}) }
model lrw from prep { target: ${target}, algorithm: logistic_regression, class_weight: balanced }
model gbes from prep { target: ${target}, algorithm: gradient_boosting(rounds: 300, early_stopping: 10) }
model cal_s from prep { target: ${target}, algorithm: naive_bayes, calibrate: sigmoid }
model cal_i from prep { target: ${target}, algorithm: knn(k: 7), calibrate: isotonic }
model cal_l from prep { target: ${target}, algorithm: logistic_regression, calibrate: sigmoid(cv: 3) }
model cal_g from prep { target: ${target}, algorithm: gradient_boosting(rounds: 40), calibrate: isotonic(cv: 3) }
model tg from prep { target: ${target}, algorithm: knn, tune: grid(metric: f1) { k: [1, 3, 5, 9, 15] }, cv: 5 }
model tr_auc from prep { target: ${target}, algorithm: logistic_regression, tune: random(trials: 3, metric: roc_auc) { c: [0.01, 0.1, 1, 10] }, cv: 4 }
model th from prep { target: ${target}, algorithm: decision_tree, tune: halving(metric: f1) { max_depth: [1, 2, 3, 4, 6, 8], min_samples_leaf: [1, 5, 20] }, cv: 3 }
`;

const CLASSIFIERS = ['lr', 'knn', 'nb', 'dt', 'rf', 'gb', 'stack', 'stackp', 'blend', 'vote', 'lrw', 'gbes', 'cal_s', 'cal_i', 'cal_l', 'cal_g', 'tg', 'tr_auc', 'th'];
const CLASSIFIER_PMML = ['lr', 'dt', 'rf', 'gb', 'lrw', 'gbes', 'tr_auc', 'th'];

const fried = `transform prep from tr {
  impute x2 with mean
  encode shop as onehot
  scale x0, x1, x2, x3, x4, x5, x6 with minmax
  derive x01 = x0 * x1
}
model lin from prep { target: y, algorithm: linear_regression }
model ridge from prep { target: y, algorithm: linear_regression(alpha: 1) }
model knn from prep { target: y, algorithm: knn(k: 7) }
model dt from prep { target: y, algorithm: decision_tree(max_depth: 6) }
model rf from prep { target: y, algorithm: random_forest(trees: 30) }
model gb from prep { target: y, algorithm: gradient_boosting(rounds: 80) }
model stack from prep { target: y, ensemble: stacking(of: [ridge, knn]) }
model stack_ols from prep { target: y, ensemble: stacking(of: [ridge, knn], final: linear_regression) }
model stackp from prep { target: y, ensemble: stacking(of: [lin, dt], final: gradient_boosting, passthrough: true) }
model blend from prep { target: y, ensemble: blending(of: [lin, knn, gb], holdout: 25%) }
model vote from prep { target: y, ensemble: voting(of: [lin, rf, gb]) }
model gbes from prep { target: y, algorithm: gradient_boosting(rounds: 500, early_stopping: 10) }
model tg from prep { target: y, algorithm: knn, tune: grid(metric: rmse) { k: [1, 3, 5, 9, 15] }, cv: 5 }
model trr from prep { target: y, algorithm: gradient_boosting, tune: random(trials: 3, metric: mae) { rounds: [20, 50], max_depth: [2, 3, 4] }, cv: 3 }
model th from prep { target: y, algorithm: decision_tree, tune: halving(metric: rmse) { max_depth: [1, 2, 3, 4, 6, 8], min_samples_leaf: [1, 5, 20] }, cv: 3 }
`;

/** `header` declares the datasets `tr` and `te`; every model is evaluated on `te` and predicts it to out/MODEL.csv. */
function pipeline(data: ReviewPipeline['data'], target: string, classes: number, body: string, models: string[], pmml: string[], name: string = data): ReviewPipeline {
  const metrics = classes === 0 ? 'rmse, mae, r2' : 'accuracy, balanced_accuracy, f1, roc_auc, log_loss';
  const test = join(reviewData, `${data}_test.csv`);
  const text = `dataset tr from "${join(reviewData, `${data}_train.csv`)}"
dataset te from "${test}"
${body}${models.map((m) => `evaluate ${m} on te { metrics: [${metrics}] }
predict p_${m} with ${m} from "${test}" { output: "out/${m}.csv" }
`).join('')}`;
  return { name, sklearn: name === data, data, target, classes, models, pmml, text };
}

export const REVIEW: ReviewPipeline[] = [
  pipeline('imb', 'churn', 2, classifier('imb', 'churn', `  impute f1, f4 with median
  impute plan with mode
  encode region, plan as onehot
  scale f0, f1, f2, f3, f4, f5, f6, f7 with standard`, 'true'), CLASSIFIERS, CLASSIFIER_PMML),
  pipeline('three', 'kind', 3, classifier('three', 'kind', '  scale g0, g1, g2, g3, g4, g5 with standard', 'gamma'), CLASSIFIERS, CLASSIFIER_PMML),
  pipeline('fried', 'y', 0, fried, ['lin', 'ridge', 'knn', 'dt', 'rf', 'gb', 'stack', 'stack_ols', 'stackp', 'blend', 'vote', 'gbes', 'tg', 'trr', 'th'], ['lin', 'ridge', 'dt', 'rf', 'gb', 'gbes', 'trr', 'th']),
  // Exports carry only the steps their model reads: a derive no ONNX or PMML operator expresses
  // (length of a text), and imputations of columns left out of `features`, do not block them.
  pipeline('imb', 'churn', 2, `transform prep from tr {
  impute f1, f4 with median
  impute plan with mode
  derive plan_len = length(plan)
  derive ratio = f0 / (1 + abs(f1))
  filter f2 > -3
  encode region, plan as onehot
  drop f7
}
model a from prep { target: churn, algorithm: logistic_regression, exclude: [plan_len] }
model b from prep { target: churn, algorithm: gradient_boosting(rounds: 20), features: [f0, ratio, region_north] }
model s from prep { target: churn, ensemble: stacking(of: [a, b], passthrough: true), features: [f3, ratio] }
`, ['a', 'b', 's'], ['a', 'b'], 'imb-unread-steps'),
];
