"""The reference scripts' view of a data set in test/fixtures/data: features as floats, the target,
and the split every NarML ML test uses (row index % 4 == 0 is test)."""
import os
import numpy as np
import pandas as pd

data_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'fixtures', 'data')


def load(name, target):
    df = pd.read_csv(os.path.join(data_dir, name + '.csv'))
    X = df.drop(columns=[target]).to_numpy(dtype=float)
    y = df[target].to_numpy()
    test = np.arange(len(df)) % 4 == 0
    return X[~test], X[test], y[~test], y[test]
