#!/usr/bin/python3
"""Writes the ground-truth scenario of test/runner/monitor-actuals.test.ts and its reference figures.

Wisconsin breast cancer (test/fixtures/data/breast_cancer.csv) with an `id` column, shuffled with
seed 0: 299 rows to train on, then three simulated days of 90 prediction inputs each
(incoming/day{1,2,3}.csv, with the day in `scored_on`). Labels arrive a day late as
labels/day{1,2,3}.csv. Day 3 degrades: mean_texture is shifted by +6 (feature drift) and 40% of
its labels are flipped (the model gets worse). The day-2 label file also corrects one day-1 label
(a later label of a key wins) and holds one id no prediction has (an unmatched label).

The reference trains scikit-learn's StandardScaler + LogisticRegression (C=1, lbfgs) on the 299
rows, as the scenario's pipeline declares, joins the labels to its predictions by id (the last
label of an id wins) and prints f1/accuracy/precision/recall/roc_auc per day, after each day's
labels have arrived, to expected.json. Test-time reference only; never a runtime dependency.
Run: /usr/bin/python3 test/runner/reference/monitor_days.py
"""
import json
import os

import numpy as np
import pandas as pd
from sklearn import metrics as M
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, '..', '..'))
OUT = os.path.join(ROOT, 'fixtures', 'monitor-days')
FEATURES = ['mean_radius', 'mean_texture', 'mean_smoothness', 'mean_concavity']
DAYS = ['2026-12-01', '2026-12-02', '2026-12-03']

frame = pd.read_csv(os.path.join(ROOT, 'fixtures', 'data', 'breast_cancer.csv'))
frame = frame[FEATURES + ['diagnosis']].copy()
frame.insert(0, 'id', np.arange(1000, 1000 + len(frame)))
order = np.random.RandomState(0).permutation(len(frame))
frame = frame.iloc[order].reset_index(drop=True)
train = frame.iloc[:299]
for d in ['data', 'incoming', 'labels']:
    os.makedirs(os.path.join(OUT, d), exist_ok=True)
train.to_csv(os.path.join(OUT, 'data', 'train.csv'), index=False)

rng = np.random.RandomState(1)
inputs, labels = [], []
for i, day in enumerate(DAYS):
    part = frame.iloc[299 + 90 * i: 299 + 90 * (i + 1)].copy()
    truth = part[['id', 'diagnosis']].copy()
    if i == 2:
        part['mean_texture'] = part['mean_texture'] + 6
        flip = rng.rand(len(truth)) < 0.4
        truth.loc[flip, 'diagnosis'] = truth.loc[flip, 'diagnosis'].map({'benign': 'malignant', 'malignant': 'benign'})
    part.insert(1, 'scored_on', day)
    inp = part.drop(columns=['diagnosis'])
    if i == 1:
        # A correction of the first day-1 label and a key no prediction has.
        first = labels[0].iloc[0]
        fixed = {'benign': 'malignant', 'malignant': 'benign'}[first['diagnosis']]
        truth = pd.concat([truth, pd.DataFrame([{'id': first['id'], 'diagnosis': fixed}, {'id': 99999, 'diagnosis': 'benign'}])], ignore_index=True)
    inp.to_csv(os.path.join(OUT, 'incoming', f'day{i + 1}.csv'), index=False)
    truth.to_csv(os.path.join(OUT, 'labels', f'day{i + 1}.csv'), index=False)
    inputs.append(inp)
    labels.append(truth)

scaler = StandardScaler().fit(train[FEATURES])
model = LogisticRegression(C=1.0, max_iter=200).fit(scaler.transform(train[FEATURES]), train['diagnosis'])
pos = list(model.classes_).index('malignant')
expected = {'classes': list(model.classes_), 'days': {}}
all_labels = pd.concat(labels, ignore_index=True).drop_duplicates('id', keep='last')
for i, day in enumerate(DAYS):
    x = scaler.transform(inputs[i][FEATURES])
    pred = pd.DataFrame({'id': inputs[i]['id'].values, 'pred': model.predict(x), 'p': model.predict_proba(x)[:, pos]})
    joined = pred.merge(all_labels, on='id')
    y, p = joined['diagnosis'], joined['pred']
    expected['days'][day] = {
        'rows': int(len(joined)),
        'accuracy': M.accuracy_score(y, p),
        'f1': M.f1_score(y, p, pos_label='malignant'),
        'precision': M.precision_score(y, p, pos_label='malignant'),
        'recall': M.recall_score(y, p, pos_label='malignant'),
        'roc_auc': M.roc_auc_score(y == 'malignant', joined['p']),
    }
with open(os.path.join(OUT, 'expected.json'), 'w') as f:
    json.dump(expected, f, indent=2)
    f.write('\n')
print(json.dumps(expected, indent=2))
