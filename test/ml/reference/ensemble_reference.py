"""Expected figures from scikit-learn for stacking, blending and calibration (test/ml/ensembles.test.ts).

Run with Debian's python3-sklearn 1.2.1 (a reference only, never a runtime dependency):
    /usr/bin/python3 test/ml/reference/ensemble_reference.py
Same CSV files and rows as sklearn_reference.py (row index % 4 == 0 is test); features
standardised with the training rows' mean and standard deviation, as the TypeScript test does.
Folds are scikit-learn's defaults (cv=5: StratifiedKFold for classifiers, KFold for regressors,
no shuffling); the TypeScript side reproduces them and the fold of every row is recorded here so
the test can check that. Writes ensemble_expected.json beside itself.
"""
import json, os, sys
import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import StackingClassifier, StackingRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import accuracy_score, log_loss, r2_score
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_predict
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.tree import DecisionTreeClassifier

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
from fixture_split import load as load_raw  # noqa: E402


def load(name, target):
    Xtr, Xte, ytr, yte = load_raw(name, target)
    mean, sd = Xtr.mean(axis=0), Xtr.std(axis=0)
    sd[sd == 0] = 1
    return (Xtr - mean) / sd, (Xte - mean) / sd, ytr, yte


def folds_of(splitter, X, y):
    fold = np.zeros(len(X), dtype=int)
    for f, (_, test) in enumerate(splitter.split(X, y)):
        fold[test] = f
    return fold.tolist()


def members():
    return [('knn', KNeighborsClassifier(n_neighbors=5)), ('nb', GaussianNB())]


def final():
    return LogisticRegression(C=1.0, max_iter=200)


def classification_figures(model, Xte, yte, classes):
    proba = model.predict_proba(Xte)
    return {'proba': proba.tolist(), 'accuracy': accuracy_score(yte, model.predict(Xte)), 'log_loss': log_loss(yte, proba, labels=classes)}


out = {}
for name, target in [('iris', 'species'), ('wine', 'cultivar'), ('breast_cancer', 'diagnosis')]:
    Xtr, Xte, ytr, yte = load(name, target)
    classes = sorted(set(ytr))
    res = {'folds': folds_of(StratifiedKFold(5), Xtr, ytr)}
    # Out-of-fold probabilities of each member: the stacking's training features.
    res['oof'] = {key: cross_val_predict(est, Xtr, ytr, cv=5, method='predict_proba').tolist() for key, est in members()}
    stack = StackingClassifier(estimators=members(), final_estimator=final(), cv=5).fit(Xtr, ytr)
    res['stacking'] = classification_figures(stack, Xte, yte, classes)
    res['stacking']['final_coef'] = stack.final_estimator_.coef_.tolist()
    # Blending: members fitted on the training rows outside the holdout (training row index % 5 == 0),
    # the final model on their predictions for the holdout rows.
    hold = np.arange(len(Xtr)) % 5 == 0
    fitted = [est.fit(Xtr[~hold], ytr[~hold]) for _, est in members()]
    def meta(X):
        cols = [m.predict_proba(X) for m in fitted]
        return np.hstack([c[:, 1:] if len(classes) == 2 else c for c in cols])
    blend_final = final().fit(meta(Xtr[hold]), ytr[hold])
    proba = blend_final.predict_proba(meta(Xte))
    res['blending'] = {'proba': proba.tolist(), 'accuracy': accuracy_score(yte, blend_final.predict(meta(Xte))), 'log_loss': log_loss(yte, proba, labels=classes)}
    # Calibration (cv=5, ensemble=True): on probabilities (naive Bayes, kNN, a tree) and on the
    # decision function (logistic regression).
    for key, est in [('naive_bayes', GaussianNB()), ('knn', KNeighborsClassifier(n_neighbors=5)), ('logistic_regression', LogisticRegression(C=1.0, max_iter=200)), ('decision_tree', DecisionTreeClassifier(max_depth=3, random_state=0))]:
        for method in ['sigmoid', 'isotonic']:
            cal = CalibratedClassifierCV(est, method=method, cv=5).fit(Xtr, ytr)
            res[f'calibrated_{key}_{method}'] = classification_figures(cal, Xte, yte, classes)
        res[f'uncalibrated_{key}'] = classification_figures(est.fit(Xtr, ytr), Xte, yte, classes)
    out[name] = res

Xtr, Xte, ytr, yte = load('diabetes', 'progression')
res = {'folds': folds_of(KFold(5), Xtr, ytr)}
reg_members = lambda: [('knn', KNeighborsRegressor(n_neighbors=5)), ('linear', LinearRegression())]
res['oof'] = {key: cross_val_predict(est, Xtr, ytr, cv=5).tolist() for key, est in reg_members()}
stack = StackingRegressor(estimators=reg_members(), final_estimator=LinearRegression(), cv=5).fit(Xtr, ytr)
pred = stack.predict(Xte)
res['stacking'] = {'pred': pred.tolist(), 'r2': r2_score(yte, pred), 'final_coef': stack.final_estimator_.coef_.tolist()}
hold = np.arange(len(Xtr)) % 5 == 0
fitted = [est.fit(Xtr[~hold], ytr[~hold]) for _, est in reg_members()]
meta = lambda X: np.column_stack([m.predict(X) for m in fitted])
blend_final = LinearRegression().fit(meta(Xtr[hold]), ytr[hold])
pred = blend_final.predict(meta(Xte))
res['blending'] = {'pred': pred.tolist(), 'r2': r2_score(yte, pred)}
out['diabetes'] = res

with open(os.path.join(here, 'ensemble_expected.json'), 'w') as f:
    json.dump(out, f)
print('wrote', os.path.join(here, 'ensemble_expected.json'))
