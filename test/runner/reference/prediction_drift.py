#!/usr/bin/python3
"""Expected drift of whole monitor runs: each column's and the predictions', per method.

Writes prediction_drift_expected.json beside itself for test/runner/monitor.test.ts and
test/runner/monitor-actuals.test.ts. The drift values come from test/ml/reference/drift_bins.py
(NarML's binning, scipy's divergences and distances); the predictions from scikit-learn.

- monitor-days (classification): the model of test/fixtures/monitor-days (StandardScaler and
  LogisticRegression(C=1) on data/train.csv, as monitor_days.py trains it); the baseline is the
  299 training rows, the current data each day's inputs (incoming/dayN.csv). Each feature's psi
  and ks, and the predicted classes' frequencies by psi, kl and js (levels: the model's classes).
- cars (regression): test/fixtures/data/cars.csv, cars before 1976 (`early`) against the later
  ones (`late`), rows with a missing Miles_per_Gallon or Horsepower dropped; LinearRegression
  (OLS) of Miles_per_Gallon on Weight_in_lbs and Horsepower fitted on `early`. Every numeric
  column by the five methods, Origin (a category) by its level frequencies (psi, kl, js), and the
  predicted values by all five. Name (text) and Year (a date) are not compared.
Test-time reference only; never a runtime dependency.
Run: /usr/bin/python3 test/runner/reference/prediction_drift.py
"""
import json
import os
import sys

import pandas as pd
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
TEST = os.path.normpath(os.path.join(HERE, '..', '..'))
sys.path.insert(0, os.path.join(TEST, 'ml', 'reference'))
from drift_bins import scores  # noqa: E402

out = {}

# monitor-days: the scenario's classifier, drift of each day against the training rows.
days_dir = os.path.join(TEST, 'fixtures', 'monitor-days')
FEATURES = ['mean_radius', 'mean_texture', 'mean_smoothness', 'mean_concavity']
train = pd.read_csv(os.path.join(days_dir, 'data', 'train.csv'))
scaler = StandardScaler().fit(train[FEATURES])
clf = LogisticRegression(C=1.0, max_iter=200).fit(scaler.transform(train[FEATURES]), train['diagnosis'])
classes = list(clf.classes_)
base_pred = list(clf.predict(scaler.transform(train[FEATURES])))
out['monitor_days'] = {}
for day in (1, 2, 3):
    cur = pd.read_csv(os.path.join(days_dir, 'incoming', f'day{day}.csv'))
    pred = list(clf.predict(scaler.transform(cur[FEATURES])))
    columns = {c: scores(train[c].to_numpy(float), cur[c].to_numpy(float), 'number') for c in FEATURES}
    prediction = scores(base_pred, pred, 'category', classes)
    out['monitor_days'][f'day{day}'] = {
        'columns': {c: {m: v[m] for m in ('psi', 'ks')} for c, v in columns.items()},
        'prediction': {m: prediction[m] for m in ('psi', 'kl', 'js')},
    }

# cars: a regression's predicted values, and a table's columns (numbers and a category).
cars = pd.read_csv(os.path.join(TEST, 'fixtures', 'data', 'cars.csv'))
cars = cars.dropna(subset=['Miles_per_Gallon', 'Horsepower'])
early, late = cars[cars['Year'] < '1976-01-01'], cars[cars['Year'] >= '1976-01-01']
X = ['Weight_in_lbs', 'Horsepower']
reg = LinearRegression().fit(early[X], early['Miles_per_Gallon'])
numeric = ['Cylinders', 'Displacement', 'Horsepower', 'Weight_in_lbs', 'Acceleration']
columns = {c: scores(early[c].to_numpy(float), late[c].to_numpy(float), 'number') for c in numeric}
columns['Origin'] = scores(list(early['Origin']), list(late['Origin']), 'category')
out['cars'] = {
    'early_rows': int(len(early)), 'late_rows': int(len(late)),
    'columns': columns,
    'prediction': scores(reg.predict(early[X]), reg.predict(late[X]), 'number'),
}

with open(os.path.join(HERE, 'prediction_drift_expected.json'), 'w') as f:
    json.dump(out, f, indent=2, sort_keys=True)
    f.write('\n')
