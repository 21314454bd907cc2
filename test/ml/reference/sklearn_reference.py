"""Expected metrics from scikit-learn for the NarML algorithm tests.

Run with Debian's python3-sklearn (a reference only, never a runtime dependency):
    /usr/bin/python3 test/ml/reference/sklearn_reference.py
It reads the same CSV files as the TypeScript tests (test/fixtures/data), uses the same rows
for training and testing (row index % 4 == 0 is test), and writes expected.json beside itself.
"""
import json, os, sys
import numpy as np
from sklearn.linear_model import LogisticRegression, LinearRegression, Ridge
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor, HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.naive_bayes import GaussianNB
from sklearn.preprocessing import StandardScaler
from sklearn.metrics import accuracy_score, r2_score, f1_score, roc_auc_score, log_loss

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
from fixture_split import load  # noqa: E402

out = {}
for name, target in [('iris', 'species'), ('wine', 'cultivar'), ('breast_cancer', 'diagnosis')]:
    Xtr, Xte, ytr, yte = load(name, target)
    scaler = StandardScaler().fit(Xtr)
    Str, Ste = scaler.transform(Xtr), scaler.transform(Xte)
    classes = sorted(set(ytr))
    res = {}
    models = {
        'logistic_regression': (LogisticRegression(C=1.0, max_iter=200), True),
        'logistic_regression_c0.1': (LogisticRegression(C=0.1, max_iter=200), True),
        'decision_tree': (DecisionTreeClassifier(random_state=0), False),
        'random_forest': (RandomForestClassifier(n_estimators=100, random_state=0), False),
        'gradient_boosting': (HistGradientBoostingClassifier(max_iter=100, max_depth=3, learning_rate=0.1, early_stopping=False), False),
        'knn': (KNeighborsClassifier(n_neighbors=5), True),
        'naive_bayes': (GaussianNB(), False),
    }
    for key, (model, scaled) in models.items():
        a, b = (Str, Ste) if scaled else (Xtr, Xte)
        model.fit(a, ytr)
        pred = model.predict(b)
        proba = model.predict_proba(b)
        entry = {'accuracy': accuracy_score(yte, pred), 'f1': f1_score(yte, pred, average='macro' if len(classes) > 2 else 'binary', pos_label=classes[-1]),
                 'log_loss': log_loss(yte, proba, labels=classes)}
        entry['roc_auc'] = roc_auc_score(yte, proba[:, 1]) if len(classes) == 2 else roc_auc_score(yte, proba, multi_class='ovr', average='macro')
        res[key] = entry
    # A forest's figures on a few dozen test rows move with its seed by more than any real
    # difference: compare the mean over seeds 0..9 as well.
    accs, f1s = [], []
    for seed in range(10):
        pred = RandomForestClassifier(n_estimators=100, random_state=seed).fit(Xtr, ytr).predict(Xte)
        accs.append(accuracy_score(yte, pred))
        f1s.append(f1_score(yte, pred, average='macro' if len(classes) > 2 else 'binary', pos_label=classes[-1]))
    res['random_forest_seeds'] = {'accuracy': float(np.mean(accs)), 'f1': float(np.mean(f1s))}
    out[name] = res

Xtr, Xte, ytr, yte = load('diabetes', 'progression')
scaler = StandardScaler().fit(Xtr)
Str, Ste = scaler.transform(Xtr), scaler.transform(Xte)
res = {}
for key, (model, scaled) in {
    'linear_regression': (LinearRegression(), False),
    'ridge_alpha_1': (Ridge(alpha=1.0), True),
    'decision_tree': (DecisionTreeRegressor(random_state=0, max_depth=4), False),
    'random_forest': (RandomForestRegressor(n_estimators=100, max_features='sqrt', random_state=0), False),
    'gradient_boosting': (HistGradientBoostingRegressor(max_iter=100, max_depth=3, learning_rate=0.1, early_stopping=False), False),
    'knn': (KNeighborsRegressor(n_neighbors=5), True),
}.items():
    a, b = (Str, Ste) if scaled else (Xtr, Xte)
    model.fit(a, ytr)
    pred = model.predict(b)
    res[key] = {'r2': r2_score(yte, pred), 'rmse': float(np.sqrt(np.mean((yte - pred) ** 2)))}
res['random_forest_seeds'] = {'r2': float(np.mean([r2_score(yte, RandomForestRegressor(n_estimators=100, max_features='sqrt', random_state=seed).fit(Xtr, ytr).predict(Xte)) for seed in range(10)]))}
out['diabetes'] = res

with open(os.path.join(here, 'expected.json'), 'w') as f:
    json.dump(out, f, indent=2, sort_keys=True)
print(json.dumps(out, indent=1))
