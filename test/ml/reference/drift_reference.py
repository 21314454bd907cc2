"""Expected drift values for test/ml/drift.test.ts, computed with scipy.

Run with Debian's python3-scipy (a reference only, never a runtime dependency):
    /usr/bin/python3 test/ml/reference/drift_reference.py
Each case compares one column of a real fixture file between two row groups (baseline, current),
read as text with the csv module; an empty cell or "NA" is missing and dropped. The binning and
the scipy calls are in drift_bins.py. Writes drift_expected.json beside itself.
"""
import csv, json, os
import numpy as np
from drift_bins import scores

here = os.path.dirname(os.path.abspath(__file__))
fixtures = os.path.join(here, '..', '..', 'fixtures')

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

out = {}
for name, (path, column, kind, group, base, cur) in CASES.items():
    a, b = groups(path, column, group, base, cur)
    if kind == 'number':
        a, b = np.array(a, dtype=float), np.array(b, dtype=float)
    r = scores(a, b, kind)
    out[name] = {'file': path, 'column': column, 'kind': kind, 'group': group, 'baseline': base, 'current': cur, 'expected': r}

with open(os.path.join(here, 'drift_expected.json'), 'w') as f:
    json.dump(out, f, indent=2, sort_keys=True)
    f.write('\n')
