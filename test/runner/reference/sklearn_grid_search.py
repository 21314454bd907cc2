#!/usr/bin/python3
"""scikit-learn reference for test/runner/tune-metric-sklearn.test.ts.

Reads a JSON case written by the test: the CSV, the target column, the task (and for a
classification the positive class), the values of k to try, the scikit-learn scoring name, and
the exact cross-validation folds NarML used as a list of (train rows, test rows) pairs. Runs
GridSearchCV over KNeighborsClassifier or KNeighborsRegressor with those folds and prints
{"k": [...], "folds": [[score per fold] per k], "best_k": k} as JSON (scikit-learn's signs:
neg_root_mean_squared_error is minus the rmse). Test-time reference only; never a runtime
dependency.
"""
import json
import sys

import pandas as pd
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

case = json.load(open(sys.argv[1]))
frame = pd.read_csv(case["csv"])
if case["task"] == "classification":
    y = (frame[case["target"]] == case["positive"]).astype(int).to_numpy()
    estimator = KNeighborsClassifier(algorithm="brute")
else:
    y = frame[case["target"]].to_numpy(dtype=float)
    estimator = KNeighborsRegressor(algorithm="brute")
x = frame.drop(columns=[case["target"]]).to_numpy(dtype=float)
search = GridSearchCV(
    estimator,
    {"n_neighbors": case["k"]},
    scoring=case["scoring"],
    cv=[(fold["train"], fold["test"]) for fold in case["folds"]],
)
search.fit(x, y)
res = search.cv_results_
folds = [[float(res[f"split{i}_test_score"][j]) for i in range(len(case["folds"]))] for j in range(len(case["k"]))]
print(json.dumps({"k": [int(k) for k in res["param_n_neighbors"]], "folds": folds, "best_k": int(search.best_params_["n_neighbors"])}))
