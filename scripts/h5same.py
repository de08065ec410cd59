#!/usr/bin/env python3
"""scripts/h5same.py A.h5 B.h5 - exit 0 when two ipsim files hold the same
groups, datasets (bit for bit, same dtype and shape) and attributes, ignoring
the provenance attributes that describe the build or the machine rather than
the results (IGNORED). Prints the first differences on stderr."""
import sys
import h5py
import numpy as np

IGNORED = {"git_commit", "ipsim_version", "created", "wall_seconds", "host",
           "command_line", "model_seconds", "agent_days_per_second", "threads",
           "output_path", "elapsed_seconds", "memory_bytes", "history", "source"}
# datasets of timings (seconds of wall time), not results
TIMINGS = {"run_seconds"}
# dimension-scale bookkeeping: object references, compared by what they name
REFS = {"DIMENSION_LIST", "REFERENCE_LIST"}


def ref_names(f, v):
    """The paths named by an attribute of object references (nested)."""
    try:
        return [ref_names(f, x) for x in v] if not isinstance(v, h5py.Reference) else f[v].name
    except TypeError:
        return repr(v)


def attrs_equal(a, b, where, out):
    fa, fb = a.file, b.file
    ka = {k for k in a.attrs.keys() if k not in IGNORED}
    kb = {k for k in b.attrs.keys() if k not in IGNORED}
    if ka != kb:
        out.append(f"{where}: attributes {sorted(ka ^ kb)} differ")
    for k in sorted(ka & kb):
        if k in REFS:
            if k == "DIMENSION_LIST" and ref_names(fa, a.attrs[k]) != ref_names(fb, b.attrs[k]):
                out.append(f"{where}@{k}: dimension scales differ")
            continue
        va, vb = np.asarray(a.attrs[k]), np.asarray(b.attrs[k])
        if va.dtype.kind in "fc" and vb.dtype.kind in "fc":
            same = va.shape == vb.shape and va.dtype == vb.dtype and \
                np.array_equal(np.ascontiguousarray(va).view(np.uint8), np.ascontiguousarray(vb).view(np.uint8))
        else:
            same = np.array_equal(va, vb)
        if not same:
            out.append(f"{where}@{k}: {va!r} != {vb!r}")


def main(pa, pb):
    out = []
    with h5py.File(pa, "r") as fa, h5py.File(pb, "r") as fb:
        names_a, names_b = [], []
        fa.visit(names_a.append)
        fb.visit(names_b.append)
        if sorted(names_a) != sorted(names_b):
            out.append(f"objects differ: {sorted(set(names_a) ^ set(names_b))[:10]}")
        attrs_equal(fa, fb, "/", out)
        for n in sorted(set(names_a) & set(names_b)):
            oa, ob = fa[n], fb[n]
            attrs_equal(oa, ob, "/" + n, out)
            if isinstance(oa, h5py.Dataset) and n.split("/")[-1] not in TIMINGS:
                if oa.dtype != ob.dtype or oa.shape != ob.shape:
                    out.append(f"/{n}: {oa.dtype}{oa.shape} != {ob.dtype}{ob.shape}")
                    continue
                da, db = oa[()], ob[()]
                if isinstance(da, np.ndarray) and da.dtype.kind in "fc":
                    same = np.array_equal(da.view(np.uint8), db.view(np.uint8))
                else:
                    same = np.array_equal(da, db)
                if not same:
                    out.append(f"/{n}: values differ")
    for line in out[:10]:
        print(f"h5same: {pa} vs {pb}: {line}", file=sys.stderr)
    return 1 if out else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
