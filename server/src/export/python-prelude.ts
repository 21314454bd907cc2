// The fixed part of an exported Python module: numpy versions of the runner's step, expression
// and model semantics (transforms/evaluate-expression.ts, fit-steps.ts, ml/*-predict). The
// generated part (python-export.ts) calls these with the fitted parameters as literals. Kept in
// step with the runner by test/export/python.test.ts, which scores every model kind with both.
export const PYTHON_PRELUDE = String.raw`
# ---- runtime (the same for every exported pipeline) ----------------------------------------

_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$")
_NUMBER_RE = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
_MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
_NAN = float("nan")


def _parse_date(s):
    """ISO date (optionally with time and zone) -> days since 1970-01-01 UTC, NaN if not a date."""
    m = _DATE_RE.match(s.strip())
    if not m:
        return _NAN
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    leap = y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)
    if mo < 1 or mo > 12 or d < 1 or d > (29 if mo == 2 and leap else _MONTH_DAYS[mo - 1]):
        return _NAN
    h, mi = int(m.group(4) or 0), int(m.group(5) or 0)
    sec = float(m.group(6) or 0) + float(m.group(7) or 0)
    if h > 23 or mi > 59 or sec >= 60:
        return _NAN
    offset = 0
    zone = m.group(8)
    if zone and zone != "Z":
        oh, om = int(zone[1:3]), int(zone[3:].replace(":", "") or 0)
        if oh > 23 or om > 59:
            return _NAN
        offset = (-1 if zone[0] == "-" else 1) * (oh * 60 + om)
    days = (datetime.date(y, mo, d) - datetime.date(1970, 1, 1)).days
    return days + (h * 3600 + mi * 60 + sec - offset * 60) / 86400


def _parse_number(s):
    t = s.strip()
    if not _NUMBER_RE.match(t):
        return _NAN
    v = float(t)
    return v if math.isfinite(v) else _NAN


def _parse_boolean(s):
    v = {"true": 1.0, "false": 0.0, "yes": 1.0, "no": 0.0, "1": 1.0, "0": 0.0}.get(s.strip().lower())
    if v is not None:
        return v
    # The run reads a column of numbers that are all 0 or 1 ("0.0", "1.0") as booleans.
    x = _parse_number(s)
    return x if x == 0.0 or x == 1.0 else _NAN


def _js_str(x):
    """A number's text as JavaScript writes it (1 -> "1", 0.5 -> "0.5")."""
    if x == int(x) and abs(x) < 1e21:
        return str(int(x))
    return repr(float(x))


def _read_cell(v, typ):
    """One input cell: a number/boolean/date column takes numbers or text, a text column text."""
    if typ in ("category", "text"):
        return None if v is None or v == "" else str(v)
    if v is None:
        return _NAN
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, (int, float)):
        return float(v)
    s = str(v)
    if s.strip() == "":
        return _NAN
    return {"number": _parse_number, "boolean": _parse_boolean, "date": _parse_date}[typ](s)


def _read(rows):
    cols = {}
    for name, typ in INPUT_COLUMNS:
        cells = [_read_cell(r.get(name), typ) for r in rows]
        if typ in ("category", "text"):
            cols[name] = (typ, cells)
        else:
            cols[name] = (typ, np.array(cells, dtype=np.float64))
    return cols


def _is_text(typ):
    return typ in ("category", "text")


def _finite(a):
    a = np.asarray(a, dtype=np.float64)
    a[~np.isfinite(a)] = _NAN
    return a


# Expression values: ("num", type, array), ("str", type, list), ("snum", type, float), ("sstr", "text", str).
def _nums(v, n):
    kind, _, d = v
    if kind == "num":
        return d
    if kind == "snum":
        return np.full(n, float(d))
    if kind == "sstr":
        return np.full(n, _parse_date(d))
    raise ValueError("expected a number")


def _strs(v, n):
    kind, _, d = v
    if kind == "str":
        return d
    if kind == "sstr":
        return [d] * n
    return [None if math.isnan(x) else _js_str(x) for x in _nums(v, n)]


def _col(cols, name):
    typ, d = cols[name]
    return ("str" if _is_text(typ) else "num", typ, d)


def _map1(v, n, f, typ="number"):
    x = _nums(v, n)
    with np.errstate(all="ignore"):
        out = _finite(f(x))
    out[np.isnan(x)] = _NAN
    return ("num", typ, out)


def _map2(a, b, n, f, typ="number"):
    x, y = _nums(a, n), _nums(b, n)
    with np.errstate(all="ignore"):
        out = _finite(f(x, y))
    out[np.isnan(x) | np.isnan(y)] = _NAN
    return ("num", typ, out)


def _is_date(v):
    return v[0] in ("num", "snum") and v[1] == "date"


def _textual(v):
    return v[0] in ("str", "sstr")


_CMP = {
    "==": lambda c: c == 0, "!=": lambda c: c != 0, "<": lambda c: c < 0,
    "<=": lambda c: c <= 0, ">": lambda c: c > 0, ">=": lambda c: c >= 0,
}


def _op(op, a, b, n):
    if op in ("and", "or"):
        x, y = _nums(a, n), _nums(b, n)
        missing = np.isnan(x) | np.isnan(y)
        if op == "and":
            out = np.where((x == 0) | (y == 0), 0.0, np.where(missing, _NAN, 1.0))
        else:
            out = np.where((x == 1) | (y == 1), 1.0, np.where(missing, _NAN, 0.0))
        return ("num", "boolean", out)
    if op in _CMP:
        date_vs_string = (_is_date(a) and b[0] == "sstr") or (_is_date(b) and a[0] == "sstr")
        if not date_vs_string and (_textual(a) or _textual(b)):
            p, q = _strs(a, n), _strs(b, n)
            out = [_NAN if s is None or t is None else float(_CMP[op]((s > t) - (s < t))) for s, t in zip(p, q)]
            return ("num", "boolean", np.array(out, dtype=np.float64))
        return _map2(a, b, n, lambda x, y: _CMP[op]((x > y).astype(float) - (x < y)).astype(float), "boolean")
    if op == "+":
        return _map2(a, b, n, lambda x, y: x + y, "date" if _is_date(a) else "number")
    if op == "-":
        return _map2(a, b, n, lambda x, y: x - y, "date" if _is_date(a) and not _is_date(b) else "number")
    if op == "*":
        return _map2(a, b, n, lambda x, y: x * y)
    if op == "/":
        return _map2(a, b, n, lambda x, y: np.where(y == 0, _NAN, x / np.where(y == 0, 1, y)))
    if op == "%":
        return _map2(a, b, n, lambda x, y: np.where(y == 0, _NAN, x - y * np.floor(x / np.where(y == 0, 1, y))))
    raise ValueError("unknown operator " + op)


def _not(v, n):
    return _map1(v, n, lambda x: (x == 0).astype(float), "boolean")


def _neg(v, n):
    return _map1(v, n, lambda x: -x)


def _round_half_away(x, digits):
    p = 10.0 ** digits
    return np.sign(x) * np.floor(np.abs(x) * p + 0.5) / p


def _millis(days):
    return np.trunc(np.nan_to_num(days) * 86400000).astype("int64").astype("datetime64[ms]")


def _date_part(v, n, part):
    def f(days):
        t = _millis(days)
        if part == "year":
            return t.astype("datetime64[Y]").astype("int64") + 1970.0
        if part == "month":
            return t.astype("datetime64[M]").astype("int64") % 12 + 1.0
        if part == "day":
            return (t.astype("datetime64[D]") - t.astype("datetime64[M]").astype("datetime64[D]")).astype("int64") + 1.0
        return (np.floor(t.astype("int64") / 86400000) + 3) % 7
    return _map1(v, n, f)


def _per_text(v, n, f, typ):
    return ("num", typ, np.array([_NAN if s is None else f(s) for s in _strs(v, n)], dtype=np.float64))


def _missing_at(v, i):
    kind, _, d = v
    if kind == "num":
        return math.isnan(d[i])
    if kind == "str":
        return d[i] is None
    if kind == "snum":
        return math.isnan(d)
    return False


def _pick(choices, n, pick, category_as_text):
    typed = next((c for c in choices if c[0] in ("num", "str")), choices[0])
    if any(_textual(c) for c in choices):
        strings = [_strs(c, n) for c in choices]
        out = []
        for i in range(n):
            k = pick(i)
            out.append(None if k < 0 else strings[k][i])
        typ = "category" if typed[0] == "str" and typed[1] == "category" and not category_as_text else "text"
        return ("str", typ, out)
    nums = [_nums(c, n) for c in choices]
    typ = typed[1] if typed[0] in ("num", "snum") else "number"
    out = np.full(n, _NAN)
    for i in range(n):
        k = pick(i)
        if k >= 0:
            out[i] = nums[k][i]
    return ("num", typ, out)


def _call(fn, args, n):
    one = args[0] if args else None
    if fn == "log":
        return _map1(one, n, lambda x: np.where(x > 0, np.log(np.where(x > 0, x, 1)), _NAN))
    if fn == "exp":
        return _map1(one, n, np.exp)
    if fn == "sqrt":
        return _map1(one, n, lambda x: np.where(x >= 0, np.sqrt(np.where(x >= 0, x, 0)), _NAN))
    if fn == "abs":
        return _map1(one, n, np.abs)
    if fn == "round":
        if len(args) > 1:
            return _map2(one, args[1], n, _round_half_away)
        return _map1(one, n, lambda x: _round_half_away(x, 0))
    if fn in ("min", "max"):
        acc = args[0]
        for nxt in args[1:]:
            acc = _map2(acc, nxt, n, np.minimum if fn == "min" else np.maximum)
        return acc
    if fn in ("year", "month", "day", "weekday"):
        return _date_part(one, n, fn)
    if fn == "days_between":
        return _map2(one, args[1], n, lambda a, b: b - a)
    if fn == "date":
        if one[0] == "sstr":
            return ("snum", "date", _parse_date(one[2]))
        return _per_text(one, n, _parse_date, "date")
    if fn in ("lower", "upper"):
        f = str.lower if fn == "lower" else str.upper
        if one[0] == "sstr":
            return ("sstr", "text", f(one[2]))
        return ("str", "text", [None if s is None else f(s) for s in _strs(one, n)])
    if fn == "length":
        return _per_text(one, n, lambda s: len(s.encode("utf-16-le")) // 2, "number")
    if fn == "contains":
        p = _strs(args[1], n)
        s = _strs(one, n)
        return ("num", "boolean", np.array([_NAN if a is None or b is None else float(b in a) for a, b in zip(s, p)], dtype=np.float64))
    if fn == "is_missing":
        if one[0] == "str":
            return ("num", "boolean", np.array([float(s is None) for s in one[2]], dtype=np.float64))
        return ("num", "boolean", np.isnan(_nums(one, n)).astype(np.float64))
    if fn == "coalesce":
        return _pick(args, n, lambda i: next((k for k, v in enumerate(args) if not _missing_at(v, i)), -1), False)
    if fn == "if":
        cond = _nums(args[0], n)
        return _pick(args[1:], n, lambda i: -1 if math.isnan(cond[i]) else (0 if cond[i] else 1), True)
    raise ValueError("unknown function " + fn)


def _as_column(v, n):
    kind, typ, d = v
    if kind == "num":
        return (typ, d)
    if kind == "snum":
        return (typ, np.full(n, float(d)))
    if kind == "sstr":
        return ("text", [d] * n)
    return ("text" if typ == "category" else typ, d)


# ---- steps ----

def _numbers(cols, name):
    typ, d = cols[name]
    if _is_text(typ):
        raise ValueError(name + " is " + typ + ", not a number")
    return d


def _cast(col, to):
    typ, d = col
    if typ == to:
        return col
    if _is_text(typ) and _is_text(to):
        return (to, d)
    if _is_text(to):
        return (to, [None if math.isnan(x) else ("true" if x else "false") if typ == "boolean" else _js_str(x) if typ == "number" else _format_date(x) for x in d])
    parse = {"number": _parse_number, "boolean": _parse_boolean, "date": _parse_date}[to]
    if _is_text(typ):
        return (to, np.array([_NAN if s is None else parse(s) for s in d], dtype=np.float64))
    if to == "boolean":
        return (to, np.where(np.isnan(d), _NAN, (d != 0).astype(np.float64)))
    return (to, d)


def _format_date(days):
    t = datetime.datetime(1970, 1, 1) + datetime.timedelta(milliseconds=round(days * 86400000))
    if t.hour == t.minute == t.second == t.microsecond == 0:
        return t.strftime("%Y-%m-%d")
    return t.strftime("%Y-%m-%dT%H:%M:%S") + ("" if t.microsecond == 0 else ".%03d" % (t.microsecond // 1000))


def _impute(cols, name, value):
    typ, d = cols[name]
    if _is_text(typ):
        cols[name] = (typ, [value if s is None else s for s in d])
    else:
        cols[name] = (typ, np.where(np.isnan(d), value, d))


def _level_texts(col):
    typ, d = col
    if _is_text(typ):
        return d
    if typ == "boolean":
        return [None if math.isnan(x) else ("true" if x else "false") for x in d]
    return [None if math.isnan(x) else _js_str(x) for x in d]


def _onehot(cols, name, levels, outputs):
    texts = _level_texts(cols.pop(name))
    for level, out in zip(levels, outputs):
        cols[out] = ("number", np.array([1.0 if s == level else 0.0 for s in texts], dtype=np.float64))


def _ordinal(cols, name, levels):
    index = {level: float(i) for i, level in enumerate(levels)}
    cols[name] = ("number", np.array([_NAN if s is None else index.get(s, _NAN) for s in _level_texts(cols[name])], dtype=np.float64))


def _scale(cols, name, center, scale):
    cols[name] = ("number", (_numbers(cols, name) - center) / scale)


def _clip(cols, name, lo, hi):
    x = _numbers(cols, name)
    cols[name] = (cols[name][0], np.where(np.isnan(x), x, np.minimum(hi, np.maximum(lo, x))))


# ---- models ----

def _softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _binary(m):
    q = 1 / (1 + np.exp(-m))
    return np.column_stack([1 - q, q])


def _linear_scores(p, X):
    n = X.shape[0]
    z = np.zeros((n, len(p["coef"])))
    for o, (w, b) in enumerate(zip(p["coef"], p["intercept"])):
        z[:, o] = b
        for j, wj in enumerate(w):
            if wj != 0:
                z[:, o] += wj * X[:, j]
    return z


def _linked(z, link):
    if link == "logistic":
        return _binary(z[:, 0])
    if link == "softmax":
        return _softmax(z)
    return z


def _tree_leaves(tree, X):
    """The leaf each row reaches; inputs compare as float32, missing values go the node's missing side."""
    feature, threshold, left, right, missing_left = tree
    n = X.shape[0]
    node = np.zeros(n, dtype=np.int64)
    feature = np.asarray(feature)
    while True:
        f = feature[node]
        active = f >= 0
        if not active.any():
            return node
        rows = np.nonzero(active)[0]
        at = node[rows]
        v = X[rows, f[rows]]
        go_left = np.where(np.isnan(v), np.asarray(missing_left, dtype=bool)[at], v.astype(np.float32).astype(np.float64) <= np.asarray(threshold)[at])
        node[rows] = np.where(go_left, np.asarray(left)[at], np.asarray(right)[at])


def _tree_ensemble(p, X, margins=False):
    """Probabilities or values; with margins, boosting's summed margins before its link."""
    n = X.shape[0]
    total = p["sum"]
    k = len(p["base"]) if total else len(p["trees"][0][5][0]) if p["trees"] else 1
    raw = np.zeros((n, k))
    if total:
        raw[:, :] = p["base"]
    for t, tree in enumerate(p["trees"]):
        leaves = _tree_leaves(tree[:5], X)
        values = np.asarray(tree[5], dtype=np.float64)
        if total:
            raw[:, p["tree_output"][t] if p["tree_output"] else 0] += values[leaves, 0]
        else:
            raw += values[leaves]
    if not total:
        return raw / (len(p["trees"]) or 1)
    return _linked(raw, p["link"]) if p["classification"] and not margins else raw


def _knn(p, X):
    train = np.asarray(p["train"], dtype=np.float64)
    y = np.asarray(p["y"])
    k = min(p["k"], len(y))
    outputs = p["classes"] if p["classification"] else 1
    out = np.zeros((X.shape[0], outputs))
    for i in range(X.shape[0]):
        diff = train - X[i]
        dist = (diff * diff).sum(axis=1)
        chosen = np.argsort(dist, kind="stable")[:k]
        if p["classification"]:
            for t in chosen:
                out[i, y[t]] += 1 / k
        else:
            out[i, 0] = y[chosen].sum() / k
    return out


def _naive_bayes(p, X):
    k = len(p["priors"])
    z = np.zeros((X.shape[0], k))
    for c in range(k):
        means, variances = p["means"][c], p["variances"][c]
        base = math.log(p["priors"][c])
        for j in range(len(means)):
            base -= 0.5 * math.log(2 * math.pi * variances[j])
        s = np.full(X.shape[0], base)
        for j in range(len(means)):
            d = X[:, j] - means[j]
            s -= (0.5 * d * d) / variances[j]
        z[:, c] = s
    return _softmax(z)


def _scores(p, X):
    """A model's probabilities (n x classes) or values (n x 1)."""
    kind = p["kind"]
    if kind == "linear":
        return _linked(_linear_scores(p, X), p["link"])
    if kind == "tree-ensemble":
        return _tree_ensemble(p, X)
    if kind == "knn":
        return _knn(p, X)
    if kind == "gaussian-nb":
        return _naive_bayes(p, X)
    return _calibrated(p, X)


def _decision(p, X):
    """What a calibrated copy is calibrated on: linear scores, boosting margins, else probabilities (two classes: the positive one)."""
    if p["kind"] == "linear":
        return _linear_scores(p, X)
    if p["kind"] == "tree-ensemble" and p["sum"]:
        return _tree_ensemble(p, X, margins=True)
    proba = _scores(p, X)
    return proba if proba.shape[1] > 2 else proba[:, 1:2]


def _calibrate(c, s):
    if c[0] == "sigmoid":
        return 1 / (1 + np.exp(c[1] * s + c[2]))
    x, y = np.asarray(c[1]), np.asarray(c[2])
    lo = np.clip(np.searchsorted(x, s, side="right") - 1, 0, max(len(x) - 2, 0))
    hi = np.minimum(lo + 1, len(x) - 1)
    inner = y[lo] + ((s - x[lo]) * (y[hi] - y[lo])) / np.where(hi > lo, x[hi] - x[lo], 1)
    return np.where(s <= x[0], y[0], np.where(s >= x[-1], y[-1], inner))


def _calibrated(p, X):
    """The mean over the copies of their calibrated probabilities."""
    k = p["classes"]
    out = np.zeros((X.shape[0], k))
    for copy, calibrators in p["folds"]:
        s = _decision(copy, X)
        if k == 2:
            q = _calibrate(calibrators[0], s[:, 0])
            proba = np.column_stack([1 - q, q])
        else:
            q = np.column_stack([_calibrate(c, s[:, j]) for j, c in enumerate(calibrators)])
            total = q.sum(axis=1, keepdims=True)
            # A row every calibrator puts at zero gets equal probabilities, as scikit-learn does.
            proba = np.where(total == 0, 1 / k, q / np.where(total == 0, 1, total))
        proba[(proba > 1) & (proba <= 1 + 1e-5)] = 1
        out += proba / len(p["folds"])
    return out


# ---- the pipeline: a model on its prepared features, or an ensemble of pipelines ----

def _matrix(cols, features, n):
    return np.column_stack([_numbers(cols, f) for f in features]) if features else np.zeros((n, 0))


def _output(node, raw, n):
    """(scores, usable): probabilities (n x classes) or values (n x 1), and the rows the runner can score."""
    if node["kind"] == "model":
        X = _matrix(node["prepare"](dict(raw), n), node["features"], n)
        usable = np.ones(n, dtype=bool) if node["missing"] else ~np.isnan(X).any(axis=1)
        scores = None
        if usable.any():
            s = _scores(node["params"], X[usable])
            scores = np.full((n, s.shape[1]), _NAN)
            scores[usable] = s
        # No row scored: as many columns as scored rows would have, for the ensemble above.
        return (np.full((n, node["outputs"]), _NAN) if scores is None else scores), usable
    outs = [_output(m, raw, n) for m in node["members"]]
    usable = np.logical_and.reduce([u for _, u in outs])
    k = node["classes"]
    final = node["final"]
    if final is None:
        if k is None or node["soft"]:
            total = np.zeros((n, k or 1))
            for s, _ in outs:
                total = total + s / len(outs)
            return total, usable
        votes = np.zeros((n, k))
        for s, u in outs:
            votes[np.nonzero(u)[0], np.argmax(s[u], axis=1)] += 1 / len(outs)
        return votes, usable
    # Stacking and blending: the members' outputs (two classes: the positive one's probability),
    # then the ensemble's own features passed through, are the final model's features.
    meta = [s[:, :1] if k is None else s[:, 1:2] if k == 2 else s for s, _ in outs]
    X = np.column_stack(meta) if meta else np.zeros((n, 0))
    own = final["features"][X.shape[1]:]
    if own:
        P = _matrix(node["prepare"](dict(raw), n), own, n)
        if not final["missing"]:
            usable = usable & ~np.isnan(P).any(axis=1)
        X = np.column_stack([X, P])
    X = np.where(usable[:, None], X, 0.0)
    return _scores(final["params"], X), usable
`;
