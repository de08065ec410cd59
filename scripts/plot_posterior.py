#!/usr/bin/python3
"""Pictures of a posterior file written by `ipsim calibrate`.

    scripts/plot_posterior.py POSTERIOR.h5 [-o PREFIX] [--truth PATH=VALUE]...

writes PREFIX_pairs.png/.svg (each parameter's weighted posterior marginal
against its prior on the diagonal, the weighted particles of each pair
below it, the generations' tolerance and ESS in the corner) and
PREFIX_predictive.png/.svg (for each observed target: the observed value
with its 1 and 2 sd bands, against the posterior-predictive 50 % and 90 %
intervals and mean, and the prior generation's 90 % interval for
comparison). PREFIX defaults to the posterior file without .h5. --truth
marks a known parameter value (recovery studies).
"""
import argparse
import os
import sys

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def wquantile(x, w, q):
    o = np.argsort(x)
    x, w = x[o], w[o] / w.sum()
    c = np.cumsum(w)
    return np.array([x[min(np.searchsorted(c, qq - 1e-12), len(x) - 1)] for qq in np.atleast_1d(q)])


def prior_pdf(kind, a, b, lo, hi, x):
    """Density of the prior on the grid x (as sim/calibrate/prior.c)."""
    from math import erf, exp, gamma, log, pi, sqrt
    x = np.asarray(x, dtype=float)
    if kind == "uniform":
        return np.where((x >= lo) & (x <= hi), 1.0 / (hi - lo), 0.0)
    if kind == "normal":
        phi = lambda z: 0.5 * (1 + erf(z / sqrt(2)))  # noqa: E731
        mass = (phi((hi - a) / b) if np.isfinite(hi) else 1) - (phi((lo - a) / b) if np.isfinite(lo) else 0)
        d = np.exp(-0.5 * ((x - a) / b) ** 2) / (b * sqrt(2 * pi)) / mass
        return np.where((x >= lo) & (x <= hi), d, 0.0)
    if kind == "lognormal":
        with np.errstate(divide="ignore", invalid="ignore"):
            d = np.exp(-0.5 * ((np.log(x) - a) / b) ** 2) / (x * b * sqrt(2 * pi))
        return np.where(x > 0, d, 0.0)
    if kind == "beta":
        y = (x - lo) / (hi - lo)
        c = gamma(a + b) / (gamma(a) * gamma(b))
        with np.errstate(divide="ignore", invalid="ignore"):
            d = c * y ** (a - 1) * (1 - y) ** (b - 1) / (hi - lo)
        return np.where((y > 0) & (y < 1), d, 0.0)
    return np.zeros_like(x)


def short(path, width=28):
    """An axis label for a parameter path: shortened, and broken at its dots
    into lines of at most `width` characters so neighbouring labels of a
    pairs plot never overlap (e.g. interventions[NAME].views_per_person_day)."""
    path = path.replace("segments.", "").replace("destination.", "dest.").replace("interventions[", "[")
    lines, cur = [], ""
    for part in path.replace(".", ".\n").split("\n"):
        if cur and len(cur) + len(part) > width:
            lines.append(cur)
            cur = ""
        cur += part
    return "\n".join(lines + [cur])


def plot_pairs(f, prefix, truth):
    names = [text(s) for s in f["posterior/parameter"][()]]
    x, w = f["posterior/samples"][()], f["posterior/weight"][()]
    kinds = [text(s) for s in f["posterior/prior_type"][()]]
    pa, pb = f["posterior/prior_a"][()], f["posterior/prior_b"][()]
    plo, phi = f["posterior/prior_low"][()], f["posterior/prior_high"][()]
    x0 = f["generations/0/samples"][()]  # the prior generation
    P = len(names)
    fig, axes = plt.subplots(P, P, figsize=(3.2 * P + 0.6, 3.0 * P + 0.4), squeeze=False)
    for i in range(P):
        for j in range(P):
            ax = axes[i][j]
            if j > i:
                ax.axis("off")
                continue
            if i == j:
                lo = np.nanmin(np.r_[x0[:, i], x[:, i]])
                hi = np.nanmax(np.r_[x0[:, i], x[:, i]])
                if np.isfinite(plo[i]) and np.isfinite(phi[i]):
                    lo, hi = plo[i], phi[i]
                bins = np.linspace(lo, hi, 31)
                ax.hist(x[:, i], bins=bins, weights=w, density=True, color="#4c72b0", alpha=0.75,
                        label="posterior")
                grid = np.linspace(lo, hi, 300)
                ax.plot(grid, prior_pdf(kinds[i], pa[i], pb[i], plo[i], phi[i], grid), color="0.3",
                        lw=1.2, ls="--", label="prior")
                q = wquantile(x[:, i], w, [0.05, 0.95])
                ax.axvspan(q[0], q[1], color="#4c72b0", alpha=0.12, lw=0, label="90% interval")
                ax.axvline(float((w * x[:, i]).sum()), color="#4c72b0", lw=1.5, label="mean")
                if names[i] in truth:
                    ax.axvline(truth[names[i]], color="#c44e52", lw=1.5, label="truth")
                ax.set_yticks([])
                if i == 0:
                    ax.legend(fontsize=7, loc="upper right", frameon=False)
            else:
                ax.scatter(x0[:, j], x0[:, i], s=6, color="0.75", label="prior generation")
                ax.scatter(x[:, j], x[:, i], s=8 + 400 * w, color="#4c72b0", alpha=0.6, lw=0,
                           label="posterior (size = weight)")
                if names[i] in truth and names[j] in truth:
                    ax.plot(truth[names[j]], truth[names[i]], marker="*", ms=14, color="#c44e52",
                            ls="none", label="truth")
                if i == 1 and j == 0:
                    ax.legend(fontsize=7, loc="best", frameon=False)
            if i == P - 1:
                ax.set_xlabel(short(names[j]), fontsize=9)
            if j == 0 and i > 0:
                ax.set_ylabel(short(names[i]), fontsize=9)
            ax.tick_params(labelsize=7)
    if P > 1:  # the generations, top right
        ax = axes[0][P - 1]
        ax.axis("on")
        G = int(f.attrs["generations"])
        tol = [f["generations/%d" % g].attrs["tolerance"] for g in range(G)]
        ess = [f["generations/%d" % g].attrs["ess"] for g in range(G)]
        ax.plot(range(1, G), tol[1:], marker="o", color="#55a868", label="tolerance")
        ax.set_xlabel("generation", fontsize=8)
        ax.set_ylabel("tolerance", fontsize=8, color="#55a868")
        ax2 = ax.twinx()
        ax2.plot(range(G), ess, marker="s", color="#8172b2", label="ESS")
        ax2.set_ylabel("ESS", fontsize=8, color="#8172b2")
        ax.tick_params(labelsize=7)
        ax2.tick_params(labelsize=7)
        ax.set_title("generations", fontsize=9)
    fig.suptitle("%s: posterior of %d parameter(s), %d particles, %d generations"
                 % (text(f.attrs["calibration_name"]), P, len(w), int(f.attrs["generations"])),
                 fontsize=11)
    fig.tight_layout()
    out = []
    for ext in ("png", "svg"):
        p = "%s_pairs.%s" % (prefix, ext)
        fig.savefig(p, dpi=110)
        out.append(p)
    plt.close(fig)
    return out


def plot_predictive(f, prefix):
    labels = [text(s) for s in f["observed/target"][()]]
    obs, sd = f["observed/value"][()], f["observed/sd"][()]
    pred, w = f["predictive/values"][()], f["posterior/weight"][()]
    pred0 = f["generations/0/predictive"][()]
    T = len(labels)
    fig, axes = plt.subplots(T, 1, figsize=(8.5, 1.25 * T + 1.0), squeeze=False)
    for t in range(T):
        ax = axes[t][0]
        ok = np.isfinite(pred[:, t])
        q = wquantile(pred[ok, t], w[ok], [0.05, 0.25, 0.75, 0.95]) if ok.any() else [np.nan] * 4
        m = float((w[ok] * pred[ok, t]).sum() / w[ok].sum()) if ok.any() else np.nan
        ok0 = np.isfinite(pred0[:, t])
        q0 = np.quantile(pred0[ok0, t], [0.05, 0.95]) if ok0.any() else [np.nan] * 2
        ax.axvspan(obs[t] - 2 * sd[t], obs[t] + 2 * sd[t], color="#c44e52", alpha=0.10, lw=0,
                   label="observed ± 2 sd")
        ax.axvspan(obs[t] - sd[t], obs[t] + sd[t], color="#c44e52", alpha=0.18, lw=0,
                   label="observed ± 1 sd")
        ax.axvline(obs[t], color="#c44e52", lw=2, label="observed")
        ax.plot([q0[0], q0[1]], [0.2, 0.2], color="0.6", lw=3, solid_capstyle="butt",
                label="prior predictive 90%")
        ax.plot([q[0], q[3]], [0.55, 0.55], color="#4c72b0", lw=3, solid_capstyle="butt",
                label="posterior predictive 90%")
        ax.plot([q[1], q[2]], [0.55, 0.55], color="#4c72b0", lw=8, solid_capstyle="butt",
                label="posterior predictive 50%")
        ax.plot([m], [0.55], marker="o", color="white", mec="#4c72b0", ms=6, ls="none",
                label="posterior predictive mean")
        ax.set_ylim(0, 0.8)
        ax.set_yticks([])
        ax.set_title(labels[t], fontsize=9, loc="left")
        ax.tick_params(labelsize=8)
        if t == 0:
            ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.35 if T == 1 else 1.9),
                      ncol=4, frameon=False)
    fig.suptitle("%s: observed targets against the posterior predictive"
                 % text(f.attrs["calibration_name"]), fontsize=11)
    fig.tight_layout()
    out = []
    for ext in ("png", "svg"):
        p = "%s_predictive.%s" % (prefix, ext)
        fig.savefig(p, dpi=110)
        out.append(p)
    plt.close(fig)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("posterior")
    ap.add_argument("-o", "--output", help="prefix of the pictures (default: the file without .h5)")
    ap.add_argument("--truth", action="append", default=[], metavar="PATH=VALUE",
                    help="mark a known parameter value")
    a = ap.parse_args(argv)
    prefix = a.output or os.path.splitext(a.posterior)[0]
    truth = {}
    for t in a.truth:
        k, _, v = t.partition("=")
        truth[k] = float(v)
    with h5py.File(a.posterior, "r") as f:
        if text(f.attrs.get("ipsim_kind", "")) != "posterior":
            sys.exit("%s: not a posterior file (ipsim calibrate writes them)" % a.posterior)
        written = plot_pairs(f, prefix, truth) + plot_predictive(f, prefix)
    for p in written:
        print(p)


if __name__ == "__main__":
    main()
