"""Expected figures from scikit-learn for class_weight (test/ml/class-weight.test.ts).

Run with Debian's python3-sklearn 1.2.1 (a reference only, never a runtime dependency):
    /usr/bin/python3 test/ml/reference/learning_options_reference.py
Same CSV files and rows as sklearn_reference.py (row index % 4 == 0 is test). breast_cancer is
imbalanced (212 malignant, 357 benign); seattle-weather (numeric columns only) much more so
(fog, drizzle and snow are 2 to 7 % of the days). Logistic regression on features standardised
with the training rows' mean and standard deviation; trees and boosting on raw features.

Early stopping (test/ml/early-stopping.test.ts): HistGradientBoosting* with early_stopping=True,
scoring='loss', n_iter_no_change=10, tol=1e-7, max_iter=500 on breast_cancer, seattle-weather and
diabetes. "given": the validation rows are fixed (every fifth training row), by handing scikit-learn's
own early stopping that split in place of train_test_split, as NarML scores a split's validation
part; "holdout": scikit-learn's own stratified 10 % holdout (random_state=0), whose rows NarML
cannot draw alike, so only the test scores are compared.

Successive halving (test/runner/halving.test.ts): HalvingGridSearchCV(DecisionTreeClassifier,
factor=3, cv=5, scoring='accuracy', min_resources='exhaust', random_state=0) over 40 combinations
of max_depth and min_samples_leaf on breast_cancer's training rows: its plan (rows and candidates
per round), its choice, and every combination's 5-fold score on all the training rows
(GridSearchCV), which judges how good a choice is.
Writes learning_options_expected.json beside itself.
"""
import json, os, sys
import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor, RandomForestClassifier
import sklearn.ensemble._hist_gradient_boosting.gradient_boosting as hgb_module
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, balanced_accuracy_score, mean_squared_error, recall_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils.class_weight import compute_class_weight

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
from fixture_split import data_dir, load  # noqa: E402


def load_weather():
    df = pd.read_csv(os.path.join(data_dir, 'seattle-weather.csv')).drop(columns=['date'])
    X = df.drop(columns=['weather']).to_numpy(dtype=float)
    y = df['weather'].to_numpy()
    test = np.arange(len(df)) % 4 == 0
    return X[~test], X[test], y[~test], y[test]


def models(weight, classes):
    # HistGradientBoostingClassifier 1.2.1 looks a map up by the encoded label (the class's index).
    hgb_weight = {classes.index(c): w for c, w in weight.items()} if isinstance(weight, dict) else weight
    return {
        'logistic_regression': (LogisticRegression(C=1.0, max_iter=1000, class_weight=weight), True),
        'decision_tree': (DecisionTreeClassifier(max_depth=4, random_state=0, class_weight=weight), False),
        'random_forest': (RandomForestClassifier(n_estimators=100, random_state=0, class_weight=weight), False),
        'gradient_boosting': (HistGradientBoostingClassifier(max_iter=100, max_depth=3, learning_rate=0.1, early_stopping=False, class_weight=hgb_weight), False),
    }


out = {}
for name, target, data in [('breast_cancer', 'diagnosis', load('breast_cancer', 'diagnosis')), ('seattle-weather', 'weather', load_weather())]:
    Xtr, Xte, ytr, yte = data
    mean, sd = Xtr.mean(axis=0), Xtr.std(axis=0)
    sd[sd == 0] = 1
    Str, Ste = (Xtr - mean) / sd, (Xte - mean) / sd
    classes = sorted(set(ytr))
    minority = min(classes, key=lambda c: (ytr == c).sum())
    res = {'balanced_weights': dict(zip(classes, compute_class_weight('balanced', classes=np.array(classes), y=ytr).tolist())), 'minority': minority}
    for label, weight in [('none', None), ('balanced', 'balanced'), ('map', {minority: 5.0})]:
        for key, (model, scaled) in models(weight, classes).items():
            a, b = (Str, Ste) if scaled else (Xtr, Xte)
            model.fit(a, ytr)
            pred = model.predict(b)
            res[f'{key}/{label}'] = {
                'balanced_accuracy': balanced_accuracy_score(yte, pred),
                'minority_recall': recall_score(yte, pred, labels=[minority], average='macro'),
                'proba': model.predict_proba(b).tolist(),
            }
    out[name] = res


def given_split(is_val):
    """A train_test_split that returns the fixed fit and validation rows (the arrays come in training-row order)."""
    def split(*arrays, **_):
        out = []
        for a in arrays:
            out += [a[~is_val], a[is_val]]
        return out
    return split


early = {}
for name, target, data, task in [
    ('breast_cancer', 'diagnosis', load('breast_cancer', 'diagnosis'), 'classification'),
    ('seattle-weather', 'weather', load_weather(), 'classification'),
    ('diabetes', 'progression', load('diabetes', 'progression'), 'regression'),
]:
    Xtr, Xte, ytr, yte = data
    is_val = np.arange(len(ytr)) % 5 == 0
    res = {}
    for how in ['given', 'holdout']:
        Model = HistGradientBoostingClassifier if task == 'classification' else HistGradientBoostingRegressor
        model = Model(max_iter=500, max_depth=3, learning_rate=0.1, min_samples_leaf=20, early_stopping=True,
                      n_iter_no_change=10, validation_fraction=0.1, tol=1e-7, scoring='loss', random_state=0)
        original = hgb_module.train_test_split
        if how == 'given':
            hgb_module.train_test_split = given_split(is_val)
        try:
            model.fit(Xtr, ytr)
        finally:
            hgb_module.train_test_split = original
        pred = model.predict(Xte)
        score = accuracy_score(yte, pred) if task == 'classification' else mean_squared_error(yte, pred) ** 0.5
        res[how] = {'rounds': int(model.n_iter_), 'score': score, 'validation_loss': [-v for v in model.validation_score_]}
    early[name] = res
out['early_stopping'] = early

from sklearn.experimental import enable_halving_search_cv  # noqa: E402,F401
from sklearn.model_selection import GridSearchCV, HalvingGridSearchCV  # noqa: E402

Xtr, Xte, ytr, yte = load('breast_cancer', 'diagnosis')
grid = {'max_depth': [1, 2, 3, 4, 5, 6, 8, None], 'min_samples_leaf': [1, 2, 5, 10, 20]}
# random_state=42: NarML's run seed, from which it draws each round's rows as scikit-learn does.
halving = HalvingGridSearchCV(DecisionTreeClassifier(random_state=0), grid, factor=3, cv=5, scoring='accuracy', random_state=42).fit(Xtr, ytr)
full = GridSearchCV(DecisionTreeClassifier(random_state=0), grid, cv=5, scoring='accuracy').fit(Xtr, ytr)
depth = lambda d: 0 if d is None else d  # noqa: E731


def trials(search, key):
    r = search.cv_results_
    # A fold scikit-learn cannot fit (kNN's k beyond its rows) scores NaN, written as null.
    num = lambda v: None if np.isnan(v) else float(v)  # noqa: E731
    return [{'round': int(i), key: p, 'score': num(s), 'folds': [num(r[f'split{f}_test_score'][j]) for f in range(5)]} for j, (i, p, s) in enumerate(zip(r['iter'], r['params'], r['mean_test_score']))]


out['halving'] = {
    'n_resources': [int(v) for v in halving.n_resources_],
    'n_candidates': [int(v) for v in halving.n_candidates_],
    'best': {'max_depth': depth(halving.best_params_['max_depth']), 'min_samples_leaf': halving.best_params_['min_samples_leaf']},
    'trials': [{**t, 'params': {'max_depth': depth(t['params']['max_depth']), 'min_samples_leaf': t['params']['min_samples_leaf']}} for t in trials(halving, 'params')],
    'full_scores': [{'max_depth': depth(p['max_depth']), 'min_samples_leaf': p['min_samples_leaf'], 'score': float(sc)} for p, sc in zip(full.cv_results_['params'], full.cv_results_['mean_test_score'])],
}
# kNN is exact (no ties broken at random), so every trial's fold scores must be scikit-learn's:
# k from 1 to 30 on standardised features, scored on f1 (malignant positive).
mean, sd = Xtr.mean(axis=0), Xtr.std(axis=0)
knn = HalvingGridSearchCV(KNeighborsClassifier(algorithm='brute'), {'n_neighbors': list(range(1, 31))}, factor=3, cv=5, scoring='f1', random_state=42).fit((Xtr - mean) / sd, (ytr == 'malignant').astype(int))
out['halving_knn'] = {
    'n_resources': [int(v) for v in knn.n_resources_],
    'n_candidates': [int(v) for v in knn.n_candidates_],
    'best': int(knn.best_params_['n_neighbors']),
    'trials': [{**t, 'k': t['k']['n_neighbors']} for t in trials(knn, 'k')],
}

with open(os.path.join(here, 'learning_options_expected.json'), 'w') as f:
    json.dump(out, f)
print(json.dumps({k: {m: (v['balanced_accuracy'], v['minority_recall']) for m, v in r.items() if isinstance(v, dict) and 'proba' in v} for k, r in out.items() if k != 'early_stopping'}, indent=1))
print(json.dumps({k: {h: (v['rounds'], v['score']) for h, v in r.items()} for k, r in early.items()}))
h = out['halving']
print(h['n_resources'], h['n_candidates'], h['best'], max(f['score'] for f in h['full_scores']), [f['score'] for f in h['full_scores'] if f['max_depth'] == h['best']['max_depth'] and f['min_samples_leaf'] == h['best']['min_samples_leaf']])
print(out['halving_knn']['n_resources'], out['halving_knn']['n_candidates'], out['halving_knn']['best'])
