#!/usr/bin/python3
"""test_schema.py - scenarios/ipsim.schema.json against the scenario files.

Checks that the schema is a valid JSON Schema (draft 2020-12), that every
scenarios/*.json (and tests/data/*.json) satisfies it, and that it rejects
the malformed scenarios of tests/bad_scenarios/ that a schema can detect
(types, ranges, unknown keys, missing keys, patterns, array lengths). The
others need the loader: syntax and encoding errors, duplicate keys,
references by name, unique names, sums, and date order; they are listed in
LOADER_ONLY and must still be valid JSON or be skipped as unparsable.

Run from anywhere: paths are taken from IPSIM_SOURCE_DIR (default: the
parent of this file's directory). With IPSIM_BIN set, also checks that
`ipsim schema` prints the same schema. Prints 'N passed, N failed' and exits
non-zero on any failure.
"""
import glob
import json
import os
import subprocess
import sys

try:
    import jsonschema
    from jsonschema import Draft202012Validator, FormatChecker
except ImportError:  # pragma: no cover
    print("test_schema.py needs python3-jsonschema (apt-get install python3-jsonschema)")
    sys.exit(1)

SRC = os.environ.get("IPSIM_SOURCE_DIR") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BAD = os.path.join(SRC, "tests", "bad_scenarios")

# Bad scenarios the schema must reject.
SCHEMA_DETECTABLE = [
    "top_level_array.json",
    "wrong_type.json",
    "out_of_range.json",
    "negative_population.json",
    "string_population.json",
    "unknown_key.json",
    "misspelt_nested_key.json",
    "misspelt_market_key.json",
    "deep_nesting.json",             # a description that is an array
    "bad_date.json",                 # format "date" (with a format checker)
    "malformed_date.json",
    "duplicate_workday.json",        # uniqueItems
    "seed_too_large_integer.json",
    "seed_not_digits.json",
    "seed_negative.json",
    "seed_fraction.json",
    "days_fraction.json",
    "weekday_out_of_range.json",
    "seasonal_short.json",
    "long_name.json",
    "bad_name_chars.json",
    "missing_required.json",
    "wrong_mechanism.json",
    "e_without_event_start.json",
    "parameter_of_other_mechanism.json",
    "bad_base_type.json",
    "no_base_missing_section.json",
]

# Bad scenarios only the loader can reject (valid JSON the schema accepts,
# or not JSON at all).
LOADER_ONLY = [
    "invalid_json.json", "truncated.json", "trailing_garbage.json", "nan_literal.json",
    "leading_zero.json", "non_utf8.json",               # not JSON
    "overflow_number.json",                             # 1e999: Python reads inf
    "duplicate_key.json",                               # Python keeps the last value
    "duplicate_market.json", "duplicate_asset.json", "duplicate_intervention.json",
    "duplicate_target.json", "campaign_missing_market.json", "a_missing_asset.json",
    "shares_not_one.json", "unknown_channel.json", "cpm_missing_channel.json",
    "reversed_dates.json", "reversed_holiday.json", "start_outside_period.json",
    "e_event_after_end.json", "satisfaction_order.json", "seed_too_large_string.json",
    "base_cycle_a.json", "base_cycle_b.json", "bad_value_in_base.json",
]

passed = 0
failed = 0


def check(cond, msg):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL: " + msg)


def load_json(path):
    with open(path, "rb") as f:
        return json.loads(f.read().decode("utf-8"))


def main():
    schema = load_json(os.path.join(SRC, "scenarios", "ipsim.schema.json"))
    try:
        Draft202012Validator.check_schema(schema)
        check(True, "")
    except jsonschema.exceptions.SchemaError as e:
        check(False, "the schema is not a valid 2020-12 schema: %s" % e.message)
        return
    text = json.dumps(schema)
    for word in ("unevaluatedProperties", "unevaluatedItems", "$dynamicRef", "$dynamicAnchor"):
        check(word not in text, "the schema uses %s" % word)
    validator = Draft202012Validator(schema, format_checker=FormatChecker())

    # the program writes the same schema (when the test runs under ctest)
    exe = os.environ.get("IPSIM_BIN")
    if exe:
        r = subprocess.run([exe, "schema"], capture_output=True)
        check(r.returncode == 0, "`ipsim schema` exited with %d: %s" % (r.returncode, r.stderr.decode(errors="replace")[:300]))
        if r.returncode == 0:
            check(json.loads(r.stdout.decode("utf-8")) == schema,
                  "`ipsim schema` differs from scenarios/ipsim.schema.json; regenerate it with "
                  "`build/ipsim schema > scenarios/ipsim.schema.json`")

    valid = sorted(glob.glob(os.path.join(SRC, "scenarios", "*.json")))
    valid = [p for p in valid if os.path.basename(p) != "ipsim.schema.json"]
    valid += sorted(glob.glob(os.path.join(SRC, "tests", "data", "*.json")))
    check(len(valid) >= 1, "no scenario files found under %s" % SRC)
    for path in valid:
        errors = list(validator.iter_errors(load_json(path)))
        check(not errors, "%s is valid for the loader but not for the schema: %s" % (
            os.path.relpath(path, SRC),
            "; ".join("%s: %s" % ("/".join(map(str, e.absolute_path)), e.message[:200]) for e in errors[:3])))

    # a complete scenario without any optional key satisfies the full variant
    doc = load_json(os.path.join(SRC, "scenarios", "jiamusi_baseline.json"))
    doc.pop("description", None)
    doc["simulation"].pop("threads", None)
    doc["simulation"]["seed"] = 12345
    for key in ("holidays", "vacations", "adjusted_workdays"):
        doc["calendar"].pop(key, None)
    doc["destination"].pop("substitutes", None)
    for asset in doc["destination"]["assets"]:
        asset.pop("events", None)
    start = doc["simulation"]["start_date"]
    channel = doc["channels"][0]["name"]
    doc["interventions"] = [
        {"name": "p", "mechanism": "promotion", "start": start, "end": start, "cost_cny": 1,
         "targets": [{"market": "*", "segment": "cec"}], "channels": {channel: 1}},
        {"name": "e", "mechanism": "E", "start": start, "end": start, "cost_cny": 0,
         "event_start": start, "event_end": start},
    ] + [{"name": m, "mechanism": m, "start": start, "end": start, "cost_cny": 0} for m in "ABDF"]
    errors = list(validator.iter_errors(doc))
    check(not errors, "a scenario without optional keys fails the schema: %s" % [e.message[:200] for e in errors[:3]])
    check(not list(validator.iter_errors({"base": "x.json"})), "a bare derived scenario fails the schema")
    check(list(validator.iter_errors({"name": "x"})), "the schema accepts a scenario without base and sections")

    with open(os.path.join(BAD, "cases.tsv"), encoding="utf-8") as f:
        listed = [line.split("\t")[0] for line in f if line.strip() and not line.startswith("#")]
    for name in listed:
        check(name in SCHEMA_DETECTABLE or name in LOADER_ONLY,
              "tests/bad_scenarios/%s is in cases.tsv but not classified in test_schema.py" % name)
    for name in SCHEMA_DETECTABLE:
        path = os.path.join(BAD, name)
        check(name in listed, "%s is not in cases.tsv" % name)
        try:
            doc = load_json(path)
        except (ValueError, UnicodeDecodeError) as e:
            check(False, "%s should be JSON: %s" % (name, e))
            continue
        errors = list(validator.iter_errors(doc))
        check(bool(errors), "the schema accepts tests/bad_scenarios/%s" % name)
        if errors:
            e = errors[0]
            print("  %-36s %s: %s" % (name, "/".join(map(str, e.absolute_path)) or "(top)", e.message[:100]))

    print("%d passed, %d failed" % (passed, failed))


main()
sys.exit(1 if failed else 0)
