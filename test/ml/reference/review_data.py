"""Writes the data sets of the reviewer's comparison (test/runner/review-sklearn.test.ts,
test/export/review-exports.test.ts) into test/fixtures/data/review/, each as NAME_train.csv and
NAME_test.csv (row index % 4 == 0 is test). None of them is used by the other ML tests:

- imb: scikit-learn's make_classification, binary and imbalanced (85 % / 15 %), with two category
  columns (one tied to a feature, one noise) and missing cells in two numbers and one category;
- three: make_classification with three classes of 60 %, 30 % and 10 %;
- fried: make_friedman1 regression with a category column that shifts the target and missing cells.

Run with Debian's python3-sklearn 1.2.1 (seeded, so the files are the same on every run):
    /usr/bin/python3 test/ml/reference/review_data.py
"""
import os
import numpy as np
import pandas as pd
from sklearn.datasets import make_classification, make_friedman1

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'fixtures', 'data', 'review')
os.makedirs(out, exist_ok=True)
rng = np.random.RandomState(7)
frames = {}

X, y = make_classification(n_samples=1200, n_features=8, n_informative=5, n_redundant=1, weights=[0.85, 0.15], flip_y=0.02, random_state=3)
df = pd.DataFrame(X, columns=[f'f{i}' for i in range(8)])
df['region'] = np.where(X[:, 0] + rng.normal(0, 1, len(X)) > 0.5, 'north', np.where(rng.rand(len(X)) < 0.5, 'south', 'east'))
df['plan'] = rng.choice(['basic', 'gold', 'plus'], len(X))
for c in ['f1', 'f4', 'plan']:
    df.loc[rng.rand(len(X)) < 0.08, c] = np.nan
df['churn'] = np.where(y == 1, 'yes', 'no')
frames['imb'] = df

X, y = make_classification(n_samples=900, n_features=6, n_informative=4, n_redundant=0, n_classes=3, n_clusters_per_class=1, weights=[0.6, 0.3, 0.1], random_state=11)
df = pd.DataFrame(X, columns=[f'g{i}' for i in range(6)])
df['kind'] = np.array(['alpha', 'beta', 'gamma'])[y]
frames['three'] = df

X, y = make_friedman1(n_samples=800, n_features=7, noise=1.0, random_state=5)
df = pd.DataFrame(X, columns=[f'x{i}' for i in range(7)])
df['shop'] = rng.choice(['a', 'b', 'c', 'd'], len(X))
df.loc[rng.rand(len(X)) < 0.07, 'x2'] = np.nan
df['y'] = y + df['shop'].map({'a': 0, 'b': 2, 'c': -1, 'd': 4}).to_numpy()
frames['fried'] = df

for name, df in frames.items():
    test = np.arange(len(df)) % 4 == 0
    df[~test].to_csv(os.path.join(out, name + '_train.csv'), index=False)
    df[test].to_csv(os.path.join(out, name + '_test.csv'), index=False)
    print(name, df.shape)
