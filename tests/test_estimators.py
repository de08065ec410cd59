"""test_estimators.py - the statistics of /analysis are reproduced by
independent implementations, to 1e-8 relative, from the /outcomes of small
real sweeps (a short base scenario, coarse scale; about 10 s):

- arms: the mean, sd and paired difference of every arm with its 95% t
  interval (scipy.stats), in total, by market and by segment, and the
  return per 10,000 CNY;
- factorial (full 2^3 and a 2^(3-1) fraction, 3 replicates): the main
  effects and interactions and their intervals over the replicates'
  contrasts (scipy.stats), the pooled intervals and p-values as a blocked
  OLS (statsmodels: y ~ C(replicate) + factors [+ two-way interactions],
  effects = twice the coefficients), Holm's adjustment
  (statsmodels.stats.multitest), the degrees of freedom and the warning
  about few of them;
- sobol with second order (k = 2, N = 8, 2 replicates): first-order
  (Saltelli 2010, centred), total (Jansen) and second-order (Saltelli 2002)
  indices in numpy, the same with a constant added to the outputs, the
  bootstrap intervals (the same resamples, from splitmix64), the N/2
  convergence check, the replicate noise share (point x replicate residual
  variance of a statsmodels two-way OLS), the noise part of each total
  index (numpy) and, when python3-openturns is
  installed, the total indices of OpenTURNS' JansenSensitivityAlgorithm
  (which divides by 2N - 1 and the variance of A alone: converted exactly).

Needs python3-scipy and python3-statsmodels (scripts/deps); skips (exit 0)
with a message when they are missing.
"""
import json
import os
import subprocess
import sys
import tempfile

SRC = os.environ.get("IPSIM_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("IPSIM_BIN", os.path.join(SRC, "build", "ipsim"))
BASE = os.path.join(SRC, "scenarios", "jiamusi_baseline.json")
N_BOOT, BOOT_SEED = 500, 20240601  # sim/experiment/sweep_analysis_out.c
# Agreement asked for: 1e-8 relative to the largest magnitude compared.
# GSL's inverse t distribution (gsl_cdf_tdist_Pinv) differs from scipy's
# by up to about 1e-9 relatively; everything else agrees to about 1e-13.
RTOL = 1e-8
passed = failed = 0

try:
    import h5py
    import numpy as np
    import pandas as pd
    import scipy.stats as ss
    import statsmodels.formula.api as smf
    from statsmodels.stats.multitest import multipletests
except ImportError as e:
    print(f"SKIP: {e}; install python3-scipy python3-statsmodels (scripts/deps)")
    sys.exit(0)
try:
    import openturns as ot
except ImportError:
    ot = None


def check(ok, what):
    global passed, failed
    print(("ok   " if ok else "FAIL ") + what)
    passed, failed = passed + bool(ok), failed + (not ok)


def close(a, b, what):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = np.nanmax(np.abs(b)) if np.any(np.isfinite(b)) else 0.0
    ok = a.shape == b.shape and np.allclose(a, b, rtol=RTOL, atol=RTOL * scale + 1e-300,
                                            equal_nan=True)
    if not ok:
        err = np.nanmax(np.abs(a - b)) if a.shape == b.shape else "shape %s vs %s" % (a.shape, b.shape)
        what += f" (max difference {err})"
    check(ok, what)


def sweep(tmp, name, design, replicates, scale=20000):
    """Write and run an experiment on a short base scenario; its file."""
    exp = {"name": name, "description": "test_estimators", "replicates": replicates, "scale": scale,
           "base": {"base": BASE, "name": "short", "description": "a short year",
                    "simulation": {"days": 120, "warmup_days": 10}},
           "design": design}
    path = os.path.join(tmp, name + ".json")
    with open(path, "w") as f:
        json.dump(exp, f)
    out = os.path.join(tmp, name + ".h5")
    p = subprocess.run([BIN, "sweep", path, "-o", out, "--threads", "1"], capture_output=True,
                       text=True)
    check(p.returncode == 0, f"{name}: sweep exits 0 ({p.stderr.strip()[-300:]})")
    return out, p.stdout


OUTCOMES = ["arrivals", "cec_arrivals", "visitor_nights", "spending_cny", "repeat_visit_share",
            "peak_crowding"]


def t_interval(d):
    """Mean of the finite values of d with scipy's 95% t interval (n - 1
    df; NaN below 2 values)."""
    d = np.asarray(d, dtype=float)
    d = d[np.isfinite(d)]
    if len(d) == 0:
        return np.nan, np.nan, np.nan
    m = d.mean()
    if len(d) < 2:
        return m, np.nan, np.nan
    if np.all(d == d[0]):
        return m, m, m  # no spread: a zero-width interval (scipy gives NaN)
    with np.errstate(invalid="ignore", divide="ignore"):
        lo, hi = ss.t.interval(0.95, len(d) - 1, loc=m, scale=ss.sem(d))
    return m, lo, hi


# ---- arms -------------------------------------------------------------------

def test_arms(tmp):
    design = {"type": "arms", "reference": "base", "arms": [
        {"name": "base", "set": {}},
        {"name": "fluent", "set": {"destination.digital_fluency": 0.8}},
        {"name": "viral", "set": {"platform.views_per_post_day": 5}}]}
    out, _ = sweep(tmp, "est_arms", design, 5)
    with h5py.File(out, "r") as f:
        a = f["analysis"]
        ref = 0
        for o in OUTCOMES:
            y = f["outcomes/" + o][...]
            with np.errstate(invalid="ignore", divide="ignore"):
                close(a["mean/" + o][...], np.nanmean(y, axis=1), f"arms {o}: mean")
                close(a["sd/" + o][...], np.nanstd(y, axis=1, ddof=1), f"arms {o}: sd")
            res = np.array([t_interval(y[p] - y[ref]) if p != ref else (0.0, np.nan, np.nan)
                            for p in range(y.shape[0])])
            # the reference against itself: a zero difference, no interval
            close(a["diff/" + o][1:], res[1:, 0], f"arms {o}: paired difference (scipy)")
            close(a["diff_ci_low/" + o][1:], res[1:, 1], f"arms {o}: 95% CI low (scipy t)")
            close(a["diff_ci_high/" + o][1:], res[1:, 2], f"arms {o}: 95% CI high (scipy t)")
            for by in ("by_market", "by_segment"):
                if f"outcomes_{by}/{o}" not in f:
                    continue
                z = f[f"outcomes_{by}/{o}"][...]  # [point][replicate][market]
                d = z - z[ref][None]  # NaN where either is (the pair is left out)
                res = np.array([[t_interval(d[p, :, m]) for m in range(z.shape[2])]
                                for p in range(z.shape[0])])
                for q, st in enumerate(("diff", "diff_ci_low", "diff_ci_high")):
                    close(a[f"{by}/{st}/{o}"][1:], res[1:, :, q], f"arms {o}: {by}/{st} (scipy t)")
        cost = f["cost_cny"][...]
        extra = cost - cost[ref]
        with np.errstate(invalid="ignore", divide="ignore"):
            want = np.where(extra > 0, a["diff/arrivals"][...] / (extra / 1e4), np.nan)
        close(a["per_10k_cny/extra_arrivals"][...], want, "arms: arrivals per 10,000 CNY")


# ---- factorial --------------------------------------------------------------

def factorial_check(tmp, name, design, R, with_inter):
    out, text = sweep(tmp, name, design, R)
    names = [fc["name"] for fc in design["factors"]]
    k = len(names)
    with h5py.File(out, "r") as f:
        a = f["analysis"]
        X = np.array([f["design/" + n][...] for n in names]).T * 2 - 1  # [point][factor] -1/+1
        P = X.shape[0]
        n_eff = k + (k * (k - 1) // 2 if with_inter else 0)
        check(int(a.attrs["contrast_df"]) == R - 1, f"{name}: contrast_df = R - 1")
        check(int(a.attrs["pooled_df"]) == P * R - R - n_eff, f"{name}: pooled_df = PR - R - effects")
        warned = "warnings" in a.attrs and "degree(s) of freedom" in str(a.attrs["warnings"])
        check(warned == (R - 1 < 5), f"{name}: few-df warning in the attribute")
        check(("warning: factorial:" in text) == (R - 1 < 5), f"{name}: few-df warning in the report")
        check("twice the regression coefficient" in text, f"{name}: report says effects = 2 x coefficients")
        pairs = [(j, l) for j in range(k) for l in range(j + 1, k)]
        for o in OUTCOMES:
            y = f["outcomes/" + o][...]  # [point][replicate]
            if np.ptp(y) == 0:
                continue
            # replicate contrasts: (2 / P) sum_p z_p y_pr, then a t interval
            cols = [(j, j) for j in range(k)] + (pairs if with_inter else [])
            for j, l in cols:
                z = X[:, j] * (X[:, l] if l != j else 1)
                m, lo, hi = t_interval(2.0 / P * (z[:, None] * y).sum(axis=0))
                st = "main_effect" if l == j else "interaction"
                idx = (j,) if l == j else (j, l)
                close([a[f"{st}/{o}"][idx], a[f"{st}_ci_low/{o}"][idx], a[f"{st}_ci_high/{o}"][idx]],
                      [m, lo, hi], f"{name} {o}: {st} {names[j]}{'' if l == j else ' x ' + names[l]} "
                      "and its replicate-contrast CI (scipy t)")
            # pooled: blocked OLS with statsmodels
            rows = [dict(y=y[p, r], rep=r, **{n: X[p, q] for q, n in enumerate(names)})
                    for p in range(P) for r in range(R)]
            df = pd.DataFrame(rows)
            terms = names + ([f"{names[j]}:{names[l]}" for j, l in pairs] if with_inter else [])
            fit = smf.ols("y ~ C(rep) + " + " + ".join(terms), data=df).fit()
            ci = fit.conf_int(0.05)
            check(int(fit.df_resid) == int(a.attrs["pooled_df"]), f"{name} {o}: residual df (statsmodels)")
            for q, t in enumerate(terms):
                if q < k:
                    idx, st = (q,), "main_effect"
                else:
                    idx, st = pairs[q - k], "interaction"
                close([a[f"{st}/{o}"][idx], a[f"{st}_pooled_ci_low/{o}"][idx],
                       a[f"{st}_pooled_ci_high/{o}"][idx], a[f"{st}_p/{o}"][idx]],
                      [2 * fit.params[t], 2 * ci.loc[t, 0], 2 * ci.loc[t, 1], fit.pvalues[t]],
                      f"{name} {o}: {t} = 2 x OLS coefficient, pooled CI and p (statsmodels)")
            pm = np.array([fit.pvalues[t] for t in names])
            close(a[f"main_effect_p_holm/{o}"][...], multipletests(pm, method="holm")[1],
                  f"{name} {o}: main effects' Holm-adjusted p (statsmodels)")
            if with_inter:
                pi = np.array([fit.pvalues[f"{names[j]}:{names[l]}"] for j, l in pairs])
                adj = multipletests(pi, method="holm")[1]
                got = np.array([a[f"interaction_p_holm/{o}"][j, l] for j, l in pairs])
                close(got, adj, f"{name} {o}: interactions' Holm-adjusted p (statsmodels)")
            else:
                check(f"interaction/{o}" not in a and f"interaction_p/{o}" not in a,
                      f"{name} {o}: no interactions at resolution III")


def test_factorial(tmp):
    factors = [
        {"name": "fluency", "off": {"destination.digital_fluency": 0.3},
         "on": {"destination.digital_fluency": 0.8}},
        {"name": "service", "off": {"destination.service_quality": 0.4},
         "on": {"destination.service_quality": 0.8}},
        {"name": "views", "off": {"platform.views_per_post_day": 2},
         "on": {"platform.views_per_post_day": 5}}]
    factorial_check(tmp, "est_full", {"type": "factorial", "factors": factors}, 3, True)
    factorial_check(tmp, "est_fraction", {"type": "factorial", "resolution": 3, "factors": factors}, 3,
                    False)


# ---- sobol ------------------------------------------------------------------

MASK = (1 << 64) - 1


def splitmix64(state):
    state = (state + 0x9E3779B97F4A7C15) & MASK
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return state, z ^ (z >> 31)


def sobol_indices(fa, fb, fab, fba):
    """S1 (Saltelli 2010, centred), ST (Jansen), S2 (Saltelli 2002, centred)."""
    m = np.r_[fa, fb].mean()
    v = np.r_[fa, fb].var(ddof=1)
    k = fab.shape[0]
    s1 = np.array([np.mean((fb - m) * (fab[i] - fa)) / v for i in range(k)])
    st = np.array([np.mean((fa - fab[i]) ** 2) / (2 * v) for i in range(k)])
    s2 = np.full((k, k), np.nan)
    if fba is not None:
        for i in range(k):
            for j in range(i + 1, k):
                vij = np.mean((fba[i] - m) * (fab[j] - m) - (fa - m) * (fb - m)) / v
                s2[i, j] = s2[j, i] = vij - s1[i] - s1[j]
    return s1, st, s2


def bootstrap(fa, fb, fab, fba):
    """The analysis's bootstrap: the same resamples, percentile intervals."""
    N = len(fa)
    state, keep = BOOT_SEED, []
    for _ in range(N_BOOT):
        idx = []
        for _ in range(N):
            state, z = splitmix64(state)
            idx.append(z % N)
        idx = np.array(idx)
        with np.errstate(invalid="ignore", divide="ignore"):
            r = sobol_indices(fa[idx], fb[idx], fab[:, idx], None if fba is None else fba[:, idx])
        iu = np.triu_indices(fab.shape[0], 1)
        if np.all(np.isfinite(r[0])) and np.all(np.isfinite(r[1])) and np.all(np.isfinite(r[2][iu])):
            keep.append(r)
    lohi = []
    for q in range(3):
        vals = np.array([r[q] for r in keep])
        lohi.append((np.percentile(vals, 2.5, axis=0), np.percentile(vals, 97.5, axis=0)))
    return lohi


def test_sobol(tmp):
    k, N, R = 2, 8, 2
    design = {"type": "sobol", "n": N, "second_order": True, "parameters": [
        {"name": "fluency", "path": "destination.digital_fluency", "min": 0.3, "max": 0.8},
        {"name": "views", "path": "platform.views_per_post_day", "min": 2, "max": 5}]}
    out, text = sweep(tmp, "est_sobol", design, R)
    check("second-order Sobol indices" in text and "convergence" in text and "replicate noise" in text,
          "sobol: report shows second order, convergence and noise")
    with h5py.File(out, "r") as f:
        a = f["analysis"]
        check(f.attrs["points"] == N * (2 * k + 2), "sobol second order: N(2k+2) points")
        names = [s.decode() if isinstance(s, bytes) else s for s in f["point_name"][...]]
        check(names[(2 + k) * N] == "BA_fluency_0", "sobol: the B_A blocks follow the A_B blocks")
        check(int(a.attrs["sobol_n"]) == N and int(a.attrs["sobol_half_n"]) == N // 2, "sobol: N attributes")
        check("warnings" not in a.attrs or "power of two" not in str(a.attrs["warnings"]),
              "sobol: no power-of-two warning at N = 8")
        for o in OUTCOMES:
            y = f["outcomes/" + o][...]
            ym = y.mean(axis=1)
            if np.ptp(ym[:2 * N]) == 0:
                continue
            fa, fb = ym[:N], ym[N:2 * N]
            fab = ym[2 * N:(2 + k) * N].reshape(k, N)
            fba = ym[(2 + k) * N:].reshape(k, N)
            s1, st, s2 = sobol_indices(fa, fb, fab, fba)
            close(a["first_order/" + o][...], s1, f"sobol {o}: first order (numpy, Saltelli 2010 centred)")
            close(a["total_order/" + o][...], st, f"sobol {o}: total (numpy, Jansen)")
            close(a["second_order/" + o][...], s2, f"sobol {o}: second order (numpy, Saltelli 2002)")
            c1, ct, c2 = sobol_indices(fa + 1e6, fb + 1e6, fab + 1e6, fba + 1e6)
            close(c1, s1, f"sobol {o}: first order unchanged by + 1e6")
            close(ct, st, f"sobol {o}: total unchanged by + 1e6")
            (l1, h1), (lt, ht), (l2, h2) = bootstrap(fa, fb, fab, fba)
            close(np.c_[a["first_order_ci_low/" + o][...], a["first_order_ci_high/" + o][...]],
                  np.c_[l1, h1], f"sobol {o}: first-order bootstrap CI")
            close(np.c_[a["total_order_ci_low/" + o][...], a["total_order_ci_high/" + o][...]],
                  np.c_[lt, ht], f"sobol {o}: total bootstrap CI")
            iu = np.triu_indices(k, 1)
            close([a["second_order_ci_low/" + o][...][iu], a["second_order_ci_high/" + o][...][iu]],
                  [l2[iu], h2[iu]], f"sobol {o}: second-order bootstrap CI")
            h = N // 2
            hs1, hst, _ = sobol_indices(fa[:h], fb[:h], fab[:, :h], None)
            close(a["first_order_half_n/" + o][...], hs1, f"sobol {o}: first order at N/2")
            close(a["total_order_half_n/" + o][...], hst, f"sobol {o}: total at N/2")
            df = pd.DataFrame([dict(y=y[p, r], point=p, rep=r) for p in range(y.shape[0])
                               for r in range(R)])
            resid = smf.ols("y ~ C(point) + C(rep)", data=df).fit().mse_resid
            close(a["replicate_noise_share/" + o][()], resid / R / np.r_[fa, fb].var(ddof=1),
                  f"sobol {o}: replicate noise share (statsmodels two-way OLS)")
            A = y[:N]
            tn = [((A - y[(2 + i) * N:(3 + i) * N]).var(axis=1, ddof=1) / R).mean()
                  / (2 * np.r_[fa, fb].var(ddof=1)) for i in range(k)]
            close(a["total_order_noise/" + o][...], tn, f"sobol {o}: noise part of the total indices")
            if ot is not None and fa.var(ddof=1) > 0:  # OpenTURNS scales by the A block's variance
                X = ot.Sample(N * (k + 2), k)  # the inputs do not enter Jansen's formulas
                Y = ot.Sample(ym[:(k + 2) * N].reshape(-1, 1))
                ot_st = np.array(ot.JansenSensitivityAlgorithm(X, Y, N).getTotalOrderIndices())
                conv = ot_st * (2 * N - 1) / (2 * N) * fa.var(ddof=1) / np.r_[fa, fb].var(ddof=1)
                close(a["total_order/" + o][...], conv, f"sobol {o}: total index (OpenTURNS Jansen)")
    if ot is None:
        print("note: python3-openturns not installed; the OpenTURNS comparison was skipped")
    # N not a power of two: a warning
    design = dict(design, n=6, second_order=False)
    out, text = sweep(tmp, "est_sobol6", design, R, scale=50000)
    with h5py.File(out, "r") as f:
        check("power of two" in str(f["analysis"].attrs.get("warnings", "")),
              "sobol N = 6: power-of-two warning attribute")
        check(f.attrs["points"] == 6 * (k + 2) and "analysis/second_order/arrivals" not in f,
              "sobol without second_order: N(k+2) points, no second order")
    check("warning: sobol: N = 6 is not a power of two" in text, "sobol N = 6: warning in the report")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        for t in (test_arms, test_factorial, test_sobol):
            print(f"-- {t.__name__}")
            t(tmp)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
