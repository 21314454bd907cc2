"""NarML's drift values rebuilt with numpy and scipy, for the reference scripts
(test/ml/reference/drift_reference.py, test/runner/reference/prediction_drift.py).

The binning is NarML's stated rule (server/src/ml/drift.ts, docs/language.md §monitor): numbers in
10 bins whose 9 inner edges are the sorted baseline's values at index floor(k/10 * (n - 1)), a
value equal to an edge in the lower bin; categories by level frequency; an empty bin counts as a
share of 1e-4. The divergences and distances are scipy's: KL = scipy.stats.entropy(current,
baseline) (it renormalises the shares), JS = scipy.spatial.distance.jensenshannon, KS =
scipy.stats.ks_2samp's statistic, Wasserstein = scipy.stats.wasserstein_distance.
"""
import math

import numpy as np
from scipy.spatial.distance import jensenshannon
from scipy.stats import entropy, ks_2samp, wasserstein_distance

EMPTY_SHARE = 1e-4


def numeric_shares(a, b):
    s = np.sort(a)
    edges = [s[int(math.floor(((i + 1) / 10) * (len(s) - 1)))] for i in range(9)]
    def hist(v):
        # A value equal to an edge falls in the lower bin: bin = number of edges below the value.
        bins = np.searchsorted(np.array(edges), v, side='left')
        return np.maximum(np.bincount(bins, minlength=10) / len(v), EMPTY_SHARE)
    return hist(a), hist(b)


def level_shares(a, b, levels=None):
    """Shares of each level (default: those seen on either side) in lists of labels `a` and `b`."""
    levels = levels if levels is not None else list(dict.fromkeys(list(a) + list(b)))
    share = lambda v, l: list(v).count(l) / len(v)
    return (np.array([max(share(a, l), EMPTY_SHARE) for l in levels]),
            np.array([max(share(b, l), EMPTY_SHARE) for l in levels]))


def scores(a, b, kind, levels=None):
    """Every method's value between baseline `a` and current `b`: psi, kl, js, and for numbers ks and wasserstein."""
    p, q = numeric_shares(a, b) if kind == 'number' else level_shares(a, b, levels)
    r = {
        'psi': float(np.sum((q - p) * np.log(q / p))),
        'kl': float(entropy(q, p)),
        'js': float(jensenshannon(p, q)),
    }
    if kind == 'number':
        r['ks'] = float(ks_2samp(a, b).statistic)
        r['wasserstein'] = float(wasserstein_distance(a, b))
    return r
