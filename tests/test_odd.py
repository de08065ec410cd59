"""test_odd.py - the ODD's parameter tables agree with the baseline scenario.

Every scalar model parameter of scenarios/jiamusi_baseline.json (segments,
channels, destination scalars, platform, parameters.*) must have a row in
sim/ODD.md section 7.9 of the form  | `json.path` | value | unit | source |
with the same value, and every such row must name a real parameter. This keeps
the specification and the shipped defaults from drifting apart.
"""
import json
import os
import re
import sys

SRC = os.environ.get("IPSIM_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def scalar_parameters(doc):
    """json path -> value for the parameters the ODD must document."""
    out = {}

    def walk(prefix, node):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(f"{prefix}.{k}" if prefix else k, v)
        elif isinstance(node, (int, float)) and not isinstance(node, bool):
            out[prefix] = node

    walk("segments", doc["segments"])
    walk("platform", doc["platform"])
    walk("parameters", doc["parameters"])
    for k, v in doc["destination"].items():
        if isinstance(v, (int, float)):
            out[f"destination.{k}"] = v
    for ch in doc["channels"]:
        out[f"channels[{ch['name']}].attention"] = ch["attention"]
    out["simulation.warmup_days"] = doc["simulation"]["warmup_days"]
    return out


def odd_rows(text):
    rows = {}
    for m in re.finditer(r"^\|\s*`([^`]+)`\s*\|\s*([-0-9.eE]+)\s*\|", text, re.M):
        rows[m.group(1)] = float(m.group(2))
    return rows


def main():
    with open(os.path.join(SRC, "scenarios", "jiamusi_baseline.json")) as f:
        params = scalar_parameters(json.load(f))
    with open(os.path.join(SRC, "sim", "ODD.md")) as f:
        text = f.read()
    heading = "### 7.9 Parameters"
    if heading not in text:
        print(f"FAIL sim/ODD.md has no section '{heading}'")
        print("0 passed, 1 failed")
        return 1
    rows = odd_rows(text[text.index(heading):])
    passed = failed = 0
    for path, value in sorted(params.items()):
        if path not in rows:
            print(f"FAIL {path}: no row in sim/ODD.md section 7.9")
            failed += 1
        elif abs(rows[path] - value) > 1e-12 * max(1.0, abs(value)):
            print(f"FAIL {path}: ODD says {rows[path]}, baseline has {value}")
            failed += 1
        else:
            passed += 1
    for path in sorted(set(rows) - set(params)):
        print(f"FAIL {path}: documented in the ODD but not a baseline parameter")
        failed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
