"""ipsim_results.py - helpers shared by plot_compare.py, plot_sweep.py and report.py.

Reads sweep files (written by `ipsim sweep` and `ipsim compare`; layout in
scenarios/experiments/README.md, "The sweep file") with h5py, computes paired contrasts with t
intervals, and formats numbers for people. Needs Debian's python3-h5py and
python3-numpy only (no scipy).
"""
import json
import math
import os

import h5py
import numpy as np

LINESTYLES = ["-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1))]
MARKERS = ["o", "s", "^", "D", "v", "x", "P", "*"]
HATCHES = ["", "//", "..", "xx", "\\\\", "++", "oo"]
FACES = ["black", "white", "0.55", "black", "white", "0.55", "black", "white"]

# outcome -> (plain name, axis label with unit, divisor for display, unit word)
OUTCOMES = {
    "arrivals": ("arrivals", "arrivals (thousand people)", 1e3, "visitors"),
    "cec_arrivals": ("core experiential (CEC) arrivals", "CEC arrivals (thousand people)", 1e3,
                     "core experiential visitors"),
    "visitor_nights": ("visitor-nights", "visitor-nights (thousand nights)", 1e3, "visitor-nights"),
    "spending_cny": ("visitors' gross on-site spending", "visitors' on-site spending (million CNY)", 1e6, "CNY"),
    "positive_post_share": ("share of positive posts", "positive posts (percentage points)", 0.01, "percentage points"),
    "repeat_visit_share": ("share of repeat visits", "repeat arrivals (percentage points)", 0.01, "percentage points"),
    "peak_crowding": ("peak crowding", "peak visitors / capacity (ratio)", 1.0, ""),
}

# two-sided 95% Student t quantiles, df = 1..30
_T975 = [12.7062, 4.30265, 3.18245, 2.77645, 2.57058, 2.44691, 2.36462, 2.30600, 2.26216, 2.22814,
         2.20099, 2.17881, 2.16037, 2.14479, 2.13145, 2.11991, 2.10982, 2.10092, 2.09302, 2.08596,
         2.07961, 2.07387, 2.06866, 2.06390, 2.05954, 2.05553, 2.05183, 2.04841, 2.04523, 2.04227]


def t975(df):
    """Upper 97.5% quantile of Student's t with df degrees of freedom: exact
    with scipy (python3-scipy, as ipsim's C analysis uses GSL's exact
    quantile, so both print the same intervals), else a 6-digit table."""
    if df < 1:
        return float("nan")
    try:
        from scipy import stats
        return float(stats.t.ppf(0.975, df))
    except ImportError:
        pass
    if df <= 30:
        return _T975[int(df) - 1]
    z = 1.959964
    return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2)


def text(v):
    if isinstance(v, np.ndarray) and v.shape == ():
        v = v[()]
    return v.decode() if isinstance(v, bytes) else str(v)


def attr(f, name, default=None):
    if name not in f.attrs:
        return default
    v = f.attrs[name]
    if isinstance(v, (bytes, str)):
        return text(v)
    v = np.asarray(v).ravel()
    return v[0].item() if v.size else default


class Sweep:
    """A sweep file, read once into numpy arrays."""

    def __init__(self, path, tool="ipsim"):
        self.path = path
        try:
            f = h5py.File(path, "r")
        except OSError as e:
            raise SystemExit(f"{tool}: {path}: cannot open: {e}")
        with f:
            if attr(f, "ipsim_kind") != "sweep" or "outcomes" not in f:
                hint = ("it looks like a run file: use scripts/plot_run.py" if "daily" in f and "scenario" in f
                        else "give a file written by 'ipsim sweep' or 'ipsim compare'")
                raise SystemExit(f"{tool}: {path}: not an ipsim sweep file ({hint})")
            self.attrs = {k: attr(f, k) for k in f.attrs}
            self.design = self.attrs.get("design", "?")
            self.experiment = json.loads(text(f["experiment"][()])) if "experiment" in f else {}
            self.points = [text(p) for p in f["point_name"][...]]
            self.markets = [text(m) for m in f["market"][...]] if "market" in f else []
            self.segments = [text(s) for s in f["segment"][...]] if "segment" in f else []
            self.params = [text(p) for p in f["parameter"][...]] if "parameter" in f else []
            self.cost = f["cost_cny"][...] if "cost_cny" in f else None
            self.design_values = {k: f["design/" + k][...] for k in f["design"]} if "design" in f else {}
            self.outcomes = {k: f["outcomes/" + k][...] for k in f["outcomes"]}
            self.units = {k: text(f["outcomes/" + k].attrs.get("units", "1")) for k in f["outcomes"]}
            self.by_market = ({k: f["outcomes_by_market/" + k][...] for k in f["outcomes_by_market"]}
                              if "outcomes_by_market" in f else {})
            self.by_segment = ({k: f["outcomes_by_segment/" + k][...] for k in f["outcomes_by_segment"]}
                               if "outcomes_by_segment" in f else {})
            self.done = f["units/done"][...].astype(bool) if "units/done" in f else None
            self.analysis = {}
            if "analysis" in f:
                def visit(name, obj):
                    if isinstance(obj, h5py.Dataset):
                        self.analysis[name] = obj[...]
                f["analysis"].visititems(visit)
                self.reference_name = attr(f["analysis"], "reference")
            else:
                self.reference_name = None
            self._read_plan_parts(f)
        self.replicates = int(self.attrs.get("replicates") or self.outcomes[next(iter(self.outcomes))].shape[1])
        self.reference = self.points.index(self.reference_name) if self.reference_name in self.points else 0
        self.outcome_names = [k for k in OUTCOMES if k in self.outcomes] + \
            [k for k in self.outcomes if k not in OUTCOMES]

    def _read_plan_parts(self, f):
        """The planner's additions (scenarios/experiments/README.md): named
        variations, each point's variation, and posterior draws. Absent parts
        are empty: variations [] (then every point is variation 0),
        posterior None."""
        self.variations = []
        if "variations/name" in f:
            names = [text(n) for n in f["variations/name"][...]]
            desc = ([text(d) for d in f["variations/description"][...]] if "variations/description" in f
                    else [""] * len(names))
            sets = []
            for s in (f["variations/set"][...] if "variations/set" in f else [b"{}"] * len(names)):
                try:
                    sets.append(json.loads(text(s)) or {})
                except ValueError:
                    sets.append({})
            self.variations = [{"name": n, "description": d, "set": st} for n, d, st in zip(names, desc, sets)]
        n = len(self.points)
        self.point_variation = (f["point_variation"][...].astype(int) if "point_variation" in f
                                else np.zeros(n, int))
        self.posterior = None
        if "posterior_draws/values" in f:
            self.posterior = {
                "parameters": [text(p) for p in f["posterior_draws/parameter"][...]]
                if "posterior_draws/parameter" in f else [],
                "values": np.asarray(f["posterior_draws/values"][...], float),
                "source": text(f["posterior_draws/source"][()]) if "posterior_draws/source" in f else ""}

    def a(self, key):
        """An /analysis dataset by its path under /analysis, or None."""
        return self.analysis.get(key)


def paired(y, i, j):
    """Paired difference y[i] - y[j] over replicates (last axes kept):
    returns mean, ci_low, ci_high (95% t; NaN with fewer than 2 replicates)."""
    d = np.asarray(y[i], float) - np.asarray(y[j], float)
    ok = np.isfinite(d)
    n = ok.sum(axis=0)
    m = np.where(n > 0, np.nansum(d, axis=0) / np.maximum(n, 1), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        var = np.nansum((d - m) ** 2, axis=0) / (n - 1)
        half = np.array([t975(k - 1) if k > 1 else np.nan for k in np.ravel(n)]).reshape(np.shape(n)) * \
            np.sqrt(var / n)
    return m, m - half, m + half


def diff(sw, name, i, j, scope=""):
    """Paired difference of outcome `name` between points i and j (mean, lo, hi).
    Against the reference arm, the file's own analysis is used (the numbers
    `ipsim info` prints); otherwise it is computed from the replicates.
    scope: "" (totals), "by_market" or "by_segment"."""
    pre = scope + "/" if scope else ""
    if j == sw.reference and sw.a(f"{pre}diff/{name}") is not None:
        return (sw.a(f"{pre}diff/{name}")[i], sw.a(f"{pre}diff_ci_low/{name}")[i],
                sw.a(f"{pre}diff_ci_high/{name}")[i])
    y = {"": sw.outcomes, "by_market": sw.by_market, "by_segment": sw.by_segment}[scope][name]
    return paired(y, i, j)


def contrasts(sw):
    """The comparisons worth showing for an arms file: every arm against the
    reference, then every later arm against every earlier non-reference arm.
    Returns [(i, j, label)] meaning point i minus point j."""
    ref = sw.reference
    others = [p for p in range(len(sw.points)) if p != ref]
    out = [(i, ref, f"{sw.points[i]} − {sw.points[ref]}") for i in others]
    for a_ in range(len(others)):
        for b_ in range(a_ + 1, len(others)):
            i, j = others[b_], others[a_]
            out.append((i, j, f"{sw.points[i]} − {sw.points[j]}"))
    return out


def sig3(x):
    """Round to three significant figures (integers keep their zeros)."""
    if not np.isfinite(x) or x == 0:
        return x
    return round(x, -int(math.floor(math.log10(abs(x)))) + 2)


def fmt_num(x, unit=""):
    """A number for people: three significant figures, thousands separators,
    million/billion words for large values."""
    if x is None or not np.isfinite(x):
        return "n/a"
    ax = abs(x)
    if ax >= 1e9:
        s = f"{sig3(x) / 1e9:,.3g} billion"
    elif ax >= 1e6:
        s = f"{sig3(x) / 1e6:,.3g} million"
    elif ax >= 100:
        s = f"{sig3(x):,.0f}"
    elif ax >= 1:
        s = f"{x:.3g}"
    else:
        s = f"{x:.2g}"
    return f"{s} {unit}".strip() if unit else s


MINUS = "\u2212"


def _sign(x, signed):
    return ("+" if x > 0 else MINUS if x < 0 else "") if signed else (MINUS if x < 0 else "")


def fmt_people(x, signed=False):
    """People (or nights) with thousands separators: 1,333,500; +326,017."""
    if x is None or not np.isfinite(x):
        return "n/a"
    v = round(float(x))
    return _sign(v, signed) + f"{abs(v):,.0f}"


def fmt_cny(x, signed=False, unit=True):
    """Money for people: 937.4 M CNY from a million on, 61.4 CNY below 100, else 45,210 CNY."""
    if x is None or not np.isfinite(x):
        return "n/a"
    ax = abs(float(x))
    if ax >= 1e6:
        s = f"{ax / 1e6:,.1f} M"
    elif ax >= 100 or ax == 0:
        s = f"{ax:,.0f}"
    else:
        s = f"{ax:,.1f}"
    return _sign(x, signed) + s + (" CNY" if unit else "")


def fmt_value(name, x, signed=False, unit=True):
    """A value of outcome `name` with its unit: people, CNY, percentage points
    (shares, when signed: a difference) or a percentage, crowding ratio."""
    if x is None or not np.isfinite(x):
        return "n/a"
    if name == "spending_cny" or name.endswith("_cny"):
        return fmt_cny(x, signed, unit)
    if name.endswith("_share"):
        v = 100 * float(x)
        s = f"{abs(v):.2f}" if abs(v) < 1 else f"{abs(v):.1f}"
        return _sign(v, signed) + s + ((" pp" if signed else "%") if unit else "")
    if name == "peak_crowding":
        return _sign(x, signed) + f"{abs(float(x)):,.2f}"
    return fmt_people(x, signed)


def fmt_ci(name, m, lo, hi, signed=True):
    """"+937.4 M CNY [+845.9 M to +1,029.0 M]": a value and its 95% interval,
    the unit written once ("to", not a comma, between the ends: the numbers
    have thousands separators)."""
    head = fmt_value(name, m, signed)
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return head + " [no interval]"
    a, b = fmt_value(name, lo, signed, False), fmt_value(name, hi, signed, False)
    return f"{head} [{a} to {b}]"


def cost_per(extra_cost, m, lo, hi):
    """CNY per extra unit of an outcome: extra_cost / m, with the interval from
    the paired difference's interval [lo, hi] (a ratio of a fixed cost to a
    difference: [cost / hi, cost / lo] when lo > 0; when lo <= 0 < hi the upper
    end is unbounded (inf); NaN when there is no extra cost or m <= 0)."""
    if not (extra_cost > 0) or not np.isfinite(m) or m <= 0:
        return float("nan"), float("nan"), float("nan")
    c = extra_cost / m
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return c, float("nan"), float("nan")
    c_lo = extra_cost / hi if hi > 0 else float("nan")
    c_hi = extra_cost / lo if lo > 0 else float("inf")
    return c, c_lo, c_hi


def thousands(fig):
    """Thousands separators on every plain numeric axis of fig (-8,000, not
    -8000); category and log axes are left alone."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator, ScalarFormatter
    f = FuncFormatter(lambda x, _: f"{x:,.0f}".replace("-", MINUS) if abs(x) >= 1000
                      else f"{x:g}".replace("-", MINUS))
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if isinstance(axis.get_major_formatter(), ScalarFormatter) and axis.get_scale() == "linear":
                axis.set_major_formatter(f)
                if axis is ax.xaxis:  # wider labels: fewer of them
                    axis.set_major_locator(MaxNLocator(nbins=4, steps=[1, 2, 2.5, 5, 10]))
    return fig


def default_prefix(path, suffix):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return os.path.join(root, "results", os.path.splitext(os.path.basename(path))[0] + suffix)


def save(fig, prefix, dpi=110):
    os.makedirs(os.path.dirname(os.path.abspath(prefix)), exist_ok=True)
    out = []
    for ext in ("png", "svg"):
        fig.savefig(f"{prefix}.{ext}", dpi=dpi)
        out.append(f"{prefix}.{ext}")
    return out


def subset(sw, idx, names=None, ref_name=None):
    """A copy of Sweep sw holding only points idx (in that order), for one
    variation of a sweep with variations, its points named `names` (default:
    their own names) and its reference the point named ref_name (default:
    sw's reference's name; the first point when absent). Its /analysis is
    dropped (those arrays index every point): contrasts are recomputed from
    the replicates."""
    import copy
    idx = list(idx)
    out = copy.copy(sw)
    out.points = list(names) if names is not None else [sw.points[p] for p in idx]
    out.cost = None if sw.cost is None else np.asarray(sw.cost)[idx]
    out.outcomes = {k: v[idx] for k, v in sw.outcomes.items()}
    out.by_market = {k: v[idx] for k, v in sw.by_market.items()}
    out.by_segment = {k: v[idx] for k, v in sw.by_segment.items()}
    out.design_values = {k: np.asarray(v)[idx] for k, v in sw.design_values.items()}
    out.point_variation = np.asarray(sw.point_variation)[idx]
    out.analysis = {}
    ref_name = ref_name if ref_name is not None else sw.points[sw.reference]
    out.reference = out.points.index(ref_name) if ref_name in out.points else 0
    return out


def variation_points(sw):
    """{variation index: [point indices]} from /point_variation (one entry, 0,
    when the file has no variations)."""
    out = {}
    for p, v in enumerate(np.asarray(sw.point_variation, int)):
        out.setdefault(int(v), []).append(p)
    return out
