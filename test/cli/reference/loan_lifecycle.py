# Loans for test/cli/loan-lifecycle.test.ts (run: /usr/bin/python3 test/cli/reference/loan_lifecycle.py test/fixtures/loan-lifecycle), from one scikit-learn make_classification draw
# (sliced, so every file follows one concept). The training file has a data bug: the outcome of
# every online application is inverted (repaid written as default and the reverse). The audit
# file (the holdout retraining is judged on) is labelled right. Applications arrive over three
# days with their true outcomes a day later: day 1 has no online application (the model looks
# fine), days 2 and 3 are 60% online (it degrades), and day 3 drifts: incomes 40,000 higher and
# a region never seen ("islands").
import os
import sys
import numpy as np
import pandas as pd
from sklearn.datasets import make_classification

out = sys.argv[1]
N_TRAIN, N_AUDIT, N_DAY = 300, 400, 300
X, Y = make_classification(n_samples=N_TRAIN + N_AUDIT + 3 * N_DAY, n_features=5, n_informative=4, n_redundant=1,
                           class_sep=1.0, flip_y=0.02, random_state=1)


def loans(lo, n, seed, start, online=0.4, shift=0.0, new_region=False, online_inverted=False):
    x, y = X[lo:lo + n], Y[lo:lo + n]
    r = np.random.RandomState(seed)
    df = pd.DataFrame({
        'loan_id': ['L-%06d' % (start + i) for i in range(n)],
        'age': np.round(40 + 10 * x[:, 0]).clip(18, 90),
        'income': np.round(52000 + 15000 * x[:, 1] + shift, 2),
        'debt_ratio': np.round(0.35 + 0.1 * x[:, 2], 4),
        'accounts': np.round(4 + 2 * x[:, 3]).clip(0, None),
        'utilisation': np.round(0.5 + 0.15 * x[:, 4], 4),
    })
    df['region'] = np.array(['north', 'south', 'east', 'west'])[(x[:, 0] > 0).astype(int) * 2 + r.randint(0, 2, n)]
    if new_region:
        df.loc[r.rand(n) < 0.3, 'region'] = 'islands'
    df['channel'] = np.where(r.rand(n) < online, 'online', 'branch')
    for c, p in [('income', 0.05), ('utilisation', 0.04), ('region', 0.03)]:
        df.loc[r.rand(n) < p, c] = np.nan
    label = np.where(y == 1, 'default', 'repaid')
    inverted = online_inverted & (df['channel'] == 'online')
    df['outcome'] = np.where(inverted, np.where(label == 'default', 'repaid', 'default'), label)
    return df


for d in ['data', 'incoming', 'labels']:
    os.makedirs(f'{out}/{d}', exist_ok=True)
loans(0, N_TRAIN, 10, 0, online_inverted=True).to_csv(f'{out}/data/loans.csv', index=False)
loans(N_TRAIN, N_AUDIT, 11, 900000).to_csv(f'{out}/data/audit.csv', index=False)
for d, (online, shift, new_region) in enumerate([(0.0, 0, False), (0.6, 0, False), (0.6, 40000, True)], start=1):
    df = loans(N_TRAIN + N_AUDIT + (d - 1) * N_DAY, N_DAY, 100 + d, d * 100000, online, shift, new_region)
    df['applied'] = f'2026-12-0{d}'
    df.drop(columns=['outcome']).to_csv(f'{out}/incoming/day{d}.csv', index=False)
    df[['loan_id', 'outcome']].to_csv(f'{out}/labels/day{d}.csv', index=False)
