"""Expected drift values for test/ml/drift.test.ts, computed with scipy.

Run with Debian's python3-scipy (a reference only, never a runtime dependency):
    /usr/bin/python3 test/ml/reference/drift_reference.py
Each case compares one column of a real fixture file between two row groups (baseline, current),
read as text with the csv module; an empty cell or "NA" is missing and dropped. The binning is
NarML's stated rule (server/src/ml/drift.ts), rebuilt here with numpy; the divergences and
distances come from scipy: KL = scipy.stats.entropy(current, baseline), JS =
scipy.spatial.distance.jensenshannon, KS = scipy.stats.ks_2samp statistic, Wasserstein =
scipy.stats.wasserstein_distance. Writes drift_expected.json beside itself.
"""
import csv, json, math, os
import numpy as np
from scipy.stats import entropy, ks_2samp, wasserstein_distance
from scipy.spatial.distance import jensenshannon

here = os.path.dirname(os.path.abspath(__file__))
fixtures = os.path.join(here, '..', '..', 'fixtures')
EMPTY_SHARE = 1e-4

# name: (file, column, kind, group column, baseline group, current group, group by prefix)
CASES = {
    'sensor_x': ('pipelines/data/sensor-drift.csv', 'x', 'number', 'period', 'old', 'new'),
    'sensor_z': ('pipelines/data/sensor-drift.csv', 'z', 'number', 'period', 'old', 'new'),
    'weather_temp_max': ('data/seattle-weather.csv', 'temp_max', 'number', 'date', '2012', '2015'),
    'weather_wind': ('data/seattle-weather.csv', 'wind', 'number', 'date', '2012', '2015'),
    'weather_kind': ('data/seattle-weather.csv', 'weather', 'category', 'date', '2012', '2015'),
    'penguin_island': ('data/penguins.csv', 'Island', 'category', 'Species', 'Adelie', 'Gentoo'),
    'penguin_mass': ('data/penguins.csv', 'Body Mass (g)', 'number', 'Species', 'Adelie', 'Chinstrap'),
}

def groups(path, column, group, base, cur):
    with open(os.path.join(fixtures, path), newline='') as f:
        rows = list(csv.DictReader(f))
    # A group matches its value exactly or as a prefix (a year of a date).
    pick = lambda g: [r[column] for r in rows if r[group] == g or r[group].startswith(g + '-')]
    keep = lambda vs: [v for v in vs if v not in ('', 'NA')]
    return keep(pick(base)), keep(pick(cur))

def numeric_shares(a, b):
    s = np.sort(a)
    edges = [s[int(math.floor(((i + 1) / 10) * (len(s) - 1)))] for i in range(9)]
    def hist(v):
        # A value equal to an edge falls in the lower bin: bin = number of edges below the value.
        bins = np.searchsorted(np.array(edges), v, side='left')
        return np.maximum(np.bincount(bins, minlength=10) / len(v), EMPTY_SHARE)
    return hist(a), hist(b)

def level_shares(a, b):
    levels = list(dict.fromkeys(a + b))
    share = lambda v, l: v.count(l) / len(v)
    return (np.array([max(share(a, l), EMPTY_SHARE) for l in levels]),
            np.array([max(share(b, l), EMPTY_SHARE) for l in levels]))

out = {}
for name, (path, column, kind, group, base, cur) in CASES.items():
    a, b = groups(path, column, group, base, cur)
    if kind == 'number':
        a, b = np.array(a, dtype=float), np.array(b, dtype=float)
        p, q = numeric_shares(a, b)
    else:
        p, q = level_shares(a, b)
    r = {
        'psi': float(np.sum((q - p) * np.log(q / p))),
        'kl': float(entropy(q, p)),
        'js': float(jensenshannon(p, q)),
    }
    if kind == 'number':
        r['ks'] = float(ks_2samp(a, b).statistic)
        r['wasserstein'] = float(wasserstein_distance(a, b))
    out[name] = {'file': path, 'column': column, 'kind': kind, 'group': group, 'baseline': base, 'current': cur, 'expected': r}

with open(os.path.join(here, 'drift_expected.json'), 'w') as f:
    json.dump(out, f, indent=2, sort_keys=True)
    f.write('\n')
