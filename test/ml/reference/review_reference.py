"""scikit-learn's figures for the reviewer's comparison (test/runner/review-sklearn.test.ts) on the
data sets of review_data.py, which no other ML test uses.

Run with Debian's python3-sklearn 1.2.1 (a reference only, never a runtime dependency):
    /usr/bin/python3 test/ml/reference/review_reference.py          # writes review_expected.json
    /usr/bin/python3 test/ml/reference/review_reference.py CASE.json  # prints a tuning's fold scores

The features are prepared as the test's pipelines prepare them (median/mean/mode imputation,
one-hot levels sorted, standard or min-max scaling with the training rows' population figures), and
the models, folds and options are scikit-learn's defaults where NarML follows them: stacking and
calibration on StratifiedKFold/KFold(5) without shuffling, logistic regression C=1, max_iter=200.
A tuning case (written by the test) names the data set, the estimator, the grid, the scoring and
the exact folds NarML cross-validated on; GridSearchCV scores that grid on those folds. A blending
case names the data set and NarML's holdout rows (its seeded stratified draw), on which the
members' predictions train the final model.
"""
import json, os, sys
import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import StackingClassifier, StackingRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score, log_loss, mean_absolute_error, mean_squared_error, r2_score, roc_auc_score
from sklearn.model_selection import GridSearchCV
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

here = os.path.dirname(os.path.abspath(__file__))
data = os.path.join(here, '..', '..', 'fixtures', 'data', 'review')


def one_hot(df, fit, col):
    for level in sorted(fit[col].unique()):
        df[f'{col}_{level}'] = (df[col] == level).astype(float)
    return df.drop(columns=[col])


def prep_imb(df, fit):
    """impute f1, f4 with median; impute plan with mode; encode region, plan as onehot; scale f0..f7 with standard."""
    df, fit = df.copy(), fit.copy()
    mode = fit['plan'].value_counts().sort_index(kind='stable').idxmax()
    for d in (df, fit):
        for c in ['f1', 'f4']:
            d[c] = d[c].fillna(fit[c].median())
        d['plan'] = d['plan'].fillna(mode)
    for c in ['region', 'plan']:
        df = one_hot(df, fit, c)
    num = [f'f{i}' for i in range(8)]
    df[num] = (df[num] - fit[num].mean()) / fit[num].std(ddof=0)
    return df


def prep_three(df, fit):
    """scale g0..g5 with standard."""
    df = df.copy()
    num = [f'g{i}' for i in range(6)]
    df[num] = (df[num] - fit[num].mean()) / fit[num].std(ddof=0)
    return df


def prep_fried(df, fit):
    """impute x2 with mean; encode shop as onehot; scale x0..x6 with minmax; derive x01 = x0 * x1."""
    df, fit = df.copy(), fit.copy()
    mean = fit['x2'].mean()
    df['x2'], fit['x2'] = df['x2'].fillna(mean), fit['x2'].fillna(mean)
    df = one_hot(df, fit, 'shop')
    num = [f'x{i}' for i in range(7)]
    df[num] = (df[num] - fit[num].min()) / (fit[num].max() - fit[num].min())
    df['x01'] = df['x0'] * df['x1']
    return df


DATA = {'imb': ('churn', prep_imb), 'three': ('kind', prep_three), 'fried': ('y', prep_fried)}


def load(name):
    target, prep = DATA[name]
    tr = pd.read_csv(os.path.join(data, name + '_train.csv'))
    te = pd.read_csv(os.path.join(data, name + '_test.csv'))
    x = lambda df: prep(df, tr).drop(columns=[target]).to_numpy(dtype=float)  # noqa: E731
    # yes/no targets are read by NarML as booleans: classes false < true, as no < yes.
    y = lambda df: df[target].to_numpy() if name == 'fried' else df[target].astype(str).to_numpy()  # noqa: E731
    return x(tr), x(te), y(tr), y(te)


def logistic(**kw):
    return LogisticRegression(C=1.0, max_iter=200, **kw)


def classification(model, X, y, classes):
    proba = model.predict_proba(X)
    pred = model.predict(X)
    binary = len(classes) == 2
    return {
        'accuracy': accuracy_score(y, pred), 'balanced_accuracy': balanced_accuracy_score(y, pred),
        'f1': f1_score(y, pred, pos_label=classes[1]) if binary else f1_score(y, pred, average='macro'),
        'roc_auc': roc_auc_score(y, proba[:, 1]) if binary else roc_auc_score(y, proba, multi_class='ovr'),
        'log_loss': log_loss(y, proba, labels=classes), 'proba': proba.tolist(),
    }


def regression(model, X, y):
    pred = model.predict(X)
    return {'rmse': mean_squared_error(y, pred) ** 0.5, 'mae': mean_absolute_error(y, pred), 'r2': r2_score(y, pred), 'pred': pred.tolist()}


def expected():
    out = {}
    for name in ['imb', 'three']:
        Xtr, Xte, ytr, yte = load(name)
        classes = sorted(set(ytr))
        models = {
            'lr': logistic(), 'knn': KNeighborsClassifier(7), 'nb': GaussianNB(),
            'stack': StackingClassifier([('lr', logistic()), ('knn', KNeighborsClassifier(7)), ('nb', GaussianNB())], final_estimator=logistic(), cv=5),
            'lrw': logistic(class_weight='balanced'),
            'cal_s': CalibratedClassifierCV(GaussianNB(), method='sigmoid', cv=5),
            'cal_i': CalibratedClassifierCV(KNeighborsClassifier(7), method='isotonic', cv=5),
            'cal_l': CalibratedClassifierCV(logistic(), method='sigmoid', cv=3),
        }
        out[name] = {key: classification(m.fit(Xtr, ytr), Xte, yte, classes) for key, m in models.items()}
    Xtr, Xte, ytr, yte = load('fried')
    members = lambda: [('ridge', Ridge(alpha=1.0)), ('knn', KNeighborsRegressor(7))]  # noqa: E731
    models = {
        'ridge': Ridge(alpha=1.0), 'knn': KNeighborsRegressor(7),
        # final_estimator=None is RidgeCV(alphas=(0.1, 1, 10)): NarML's default final for numbers.
        'stack': StackingRegressor(members(), cv=5),
        'stack_ols': StackingRegressor(members(), final_estimator=LinearRegression(), cv=5),
    }
    out['fried'] = {key: regression(m.fit(Xtr, ytr), Xte, yte) for key, m in models.items()}
    out['fried']['stack']['alpha'] = float(models['stack'].final_estimator_.alpha_)
    return out


def blend(case):
    """Blending of logistic regression, kNN and naive Bayes on NarML's holdout rows: members fitted on
    the other training rows, the final logistic regression on their probabilities for the holdout."""
    Xtr, Xte, ytr, _ = load(case['data'])
    hold = np.zeros(len(ytr), dtype=bool)
    hold[case['holdout']] = True
    members = [m.fit(Xtr[~hold], ytr[~hold]) for m in [logistic(), KNeighborsClassifier(7), GaussianNB()]]
    binary = len(set(ytr)) == 2
    meta = lambda X: np.hstack([m.predict_proba(X)[:, 1:] if binary else m.predict_proba(X) for m in members])  # noqa: E731
    return {'proba': logistic().fit(meta(Xtr[hold]), ytr[hold]).predict_proba(meta(Xte)).tolist()}


def tune(case):
    Xtr, _, ytr, _ = load(case['data'])
    if case['data'] != 'fried' and len(set(ytr)) == 2:
        # Binary scorers need the positive class: the second in sorted order, as NarML's.
        ytr = (ytr == sorted(set(ytr))[1]).astype(int)
    estimator = {'knn': KNeighborsClassifier(), 'knn_regressor': KNeighborsRegressor(), 'logistic': logistic()}[case['estimator']]
    search = GridSearchCV(estimator, case['grid'], scoring=case['scoring'], cv=[(f['train'], f['test']) for f in case['folds']]).fit(Xtr, ytr)
    res = search.cv_results_
    folds = [[float(res[f'split{i}_test_score'][j]) for i in range(len(case['folds']))] for j in range(len(res['params']))]
    return {'params': [{k: (int(v) if isinstance(v, (int, np.integer)) else float(v)) for k, v in p.items()} for p in res['params']], 'folds': folds, 'best': search.best_params_}


if len(sys.argv) > 1:
    case = json.load(open(sys.argv[1]))
    print(json.dumps(blend(case) if 'holdout' in case else tune(case)))
else:
    result = expected()
    with open(os.path.join(here, 'review_expected.json'), 'w') as f:
        json.dump(result, f)
    for name, models in result.items():
        for key, figures in models.items():
            print(name, key.ljust(10), ' '.join(f'{k}={v:.4f}' for k, v in figures.items() if isinstance(v, float)))
