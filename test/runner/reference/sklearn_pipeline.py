#!/usr/bin/python3
"""scikit-learn reference for test/runner/sklearn-agreement.test.ts.

Reads a JSON list of cases (written by the test from the same pipeline NarML ran): the CSV, the
raw row indices of the train and test parts that NarML's split chose, the preprocessing steps,
the algorithm and the metrics. Fits every preprocessing step on the train rows only (as NarML's
runner must), trains the scikit-learn estimator and prints {case name: {metric: value}} as JSON.
Test-time reference only; never a runtime dependency.
"""
import json
import sys

import numpy as np
import pandas as pd
from sklearn import metrics as M
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import StackingClassifier, StackingRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor


def prepare(case, frame, train_rows):
    df = frame[case["keep"]] if "keep" in case else frame
    df = df.rename(columns=case.get("rename", {})).copy()
    train = df.iloc[train_rows]
    for col in case.get("impute_median", []):
        df[col] = df[col].fillna(train[col].median())
    for col in case.get("impute_mode", []):
        df[col] = df[col].fillna(train[col].mode().sort_values().iloc[0])
    train = df.iloc[train_rows]
    for col in case.get("onehot", []):
        levels = sorted(train[col].dropna().unique())
        position = df.columns.get_loc(col)
        for i, level in enumerate(levels):
            df.insert(position + i + 1, f"{col}_{level}", (df[col] == level).astype(float))
        df = df.drop(columns=[col])
    train = df.iloc[train_rows]
    for col in case.get("scale", []):
        mean, std = train[col].mean(), train[col].std(ddof=0)
        df[col] = (df[col] - mean) / (std if std > 0 else 1.0)
    return df


def estimator(name, params):
    if name == "logistic_regression":
        return LogisticRegression(C=params.get("c", 1.0), max_iter=params.get("max_iter", 200))
    if name == "linear_regression":
        alpha = params.get("alpha", 0)
        return Ridge(alpha=alpha) if alpha > 0 else LinearRegression()
    if name == "knn_classifier":
        return KNeighborsClassifier(n_neighbors=params.get("k", 5))
    if name == "knn_regressor":
        return KNeighborsRegressor(n_neighbors=params.get("k", 5))
    if name == "naive_bayes":
        return GaussianNB()
    raise SystemExit(f"unknown algorithm {name}")


def score(case, y_true, y_pred, proba, classes):
    out = {}
    binary = len(classes) == 2
    average = "binary" if binary else "macro"
    pos = case.get("positive", classes[-1]) if binary else None
    for m in case["metrics"]:
        if m == "accuracy":
            out[m] = M.accuracy_score(y_true, y_pred)
        elif m == "balanced_accuracy":
            out[m] = M.balanced_accuracy_score(y_true, y_pred)
        elif m in ("precision", "recall", "f1"):
            fn = {"precision": M.precision_score, "recall": M.recall_score, "f1": M.f1_score}[m]
            out[m] = fn(y_true, y_pred, average=average, pos_label=pos) if binary else fn(y_true, y_pred, average=average)
        elif m == "roc_auc":
            out[m] = M.roc_auc_score(y_true == pos, proba[:, classes.index(pos)]) if binary else M.roc_auc_score(y_true, proba, multi_class="ovr", average="macro", labels=classes)
        elif m == "log_loss":
            out[m] = M.log_loss(y_true, proba, labels=classes)
        elif m == "rmse":
            out[m] = float(np.sqrt(M.mean_squared_error(y_true, y_pred)))
        elif m == "mae":
            out[m] = M.mean_absolute_error(y_true, y_pred)
        elif m == "r2":
            out[m] = M.r2_score(y_true, y_pred)
        elif m == "mape":
            out[m] = M.mean_absolute_percentage_error(y_true, y_pred)
    return {k: float(v) for k, v in out.items()}


def run(case):
    frame = pd.read_csv(case["csv"], na_values=case.get("missing", []), keep_default_na=False, skipinitialspace=case.get("skipinitialspace", False))
    train_rows, test_rows = case["train"], case["test"]
    df = prepare(case, frame, train_rows)
    target = case["target"]
    features = [c for c in df.columns if c != target]
    X = df[features].to_numpy(dtype=float)
    y = df[target].to_numpy()
    if "stack" in case:
        # NarML's stacking: scikit-learn's default folds for cv, the final model logistic
        # regression (C=1, max_iter=200) for classes and OLS for numbers.
        members = [(f"m{i}", estimator(m["algorithm"], m.get("params", {}))) for i, m in enumerate(case["stack"]["members"])]
        passthrough = case["stack"].get("passthrough", False)
        model = StackingClassifier(members, final_estimator=LogisticRegression(max_iter=200), cv=case["stack"]["cv"], passthrough=passthrough) if case["task"] == "classification" \
            else StackingRegressor(members, final_estimator=LinearRegression(), cv=case["stack"]["cv"], passthrough=passthrough)
    else:
        model = estimator(case["algorithm"], case.get("params", {}))
    if "calibrate" in case:
        model = CalibratedClassifierCV(model, method=case["calibrate"]["method"], cv=case["calibrate"]["cv"])
    model.fit(X[train_rows], y[train_rows])
    pred = model.predict(X[test_rows])
    classes = sorted(np.unique(y[train_rows]).tolist()) if case["task"] == "classification" else []
    proba = model.predict_proba(X[test_rows]) if classes else None
    return score(case, y[test_rows], pred, proba, classes)


if __name__ == "__main__":
    cases = json.load(open(sys.argv[1]))
    json.dump({c["name"]: run(c) for c in cases}, sys.stdout)
