"""test_docs.py - the documentation matches the program.

- scenarios/REFERENCE.md is what scripts/gen_scenario_reference.py writes from
  scenarios/ipsim.schema.json, and the schema is what `ipsim schema` prints;
- the man page scripts/ipsim.1 names every command of `ipsim --help`; when
  help2man is installed, regenerating it gives the same page (but for the
  .TH line, which carries the version and git commit);
- the Python snippets of README.md ("Reading results in Python", the code
  blocks after <!-- snippet: NAME --> markers) run as written, in a
  directory whose results/ holds a small run and a small compare file;
- the VS Code settings snippet of README.md is valid JSON naming the schema.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

SRC = os.environ.get("IPSIM_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("IPSIM_BIN", os.path.join(SRC, "build", "ipsim"))
PY = sys.executable
passed = failed = 0


def check(ok, what):
    global passed, failed
    print(("ok   " if ok else "FAIL ") + what)
    passed, failed = passed + bool(ok), failed + (not ok)


# scenario reference
p = subprocess.run([BIN, "schema"], capture_output=True, text=True)
check(p.returncode == 0 and p.stdout == open(os.path.join(SRC, "scenarios", "ipsim.schema.json")).read(),
      "scenarios/ipsim.schema.json is what 'ipsim schema' prints")
p = subprocess.run([PY, os.path.join(SRC, "scripts", "gen_scenario_reference.py"), "--check"],
                   capture_output=True, text=True)
check(p.returncode == 0, "scenarios/REFERENCE.md is up to date " + (p.stdout + p.stderr)[-600:])

# man page
man = open(os.path.join(SRC, "scripts", "ipsim.1"), encoding="utf-8").read()
helptext = subprocess.run([BIN, "--help"], capture_output=True, text=True).stdout
cmds = re.findall(r"^\s{2}([a-z]+)\s", helptext.split("Commands:", 1)[1].split("\n\n", 1)[0], re.M)
check(len(cmds) >= 8, f"'ipsim --help' lists {len(cmds)} commands")
missing = [c for c in cmds if not re.search(rf"^{c}$", man, re.M)]
check(not missing, f"scripts/ipsim.1 lists every command (missing: {missing})")
missing = [c for c in cmds if c != "help" and f'.SS "ipsim {c}"' not in man]
check(not missing, f"scripts/ipsim.1 has a section per command (missing: {missing})")
if shutil.which("help2man"):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "ipsim.1")
        p = subprocess.run([PY, os.path.join(SRC, "scripts", "gen_manpage.py"), "--ipsim", BIN, "-o", out],
                           capture_output=True, text=True)
        strip = lambda t: re.sub(r"^\.TH .*$", ".TH", t, flags=re.M)  # noqa: E731
        new = open(out, encoding="utf-8").read() if p.returncode == 0 else ""
        check(p.returncode == 0 and strip(new) == strip(man),
              "scripts/ipsim.1 is up to date (regenerate: scripts/gen_manpage.py) " + p.stderr[-300:])
else:
    print("SKIP man page regeneration: help2man not installed")

# README snippets
readme = open(os.path.join(SRC, "README.md"), encoding="utf-8").read()
snips = re.findall(r"<!-- snippet: ([\w-]+) -->\s*```(\w+)\n(.*?)```", readme, re.S)
names = [n for n, _, _ in snips]
check({"h5py-run", "h5py-sweep", "xarray-run", "xarray-sweep", "vscode"} <= set(names),
      f"README has the marked snippets ({names})")
with tempfile.TemporaryDirectory() as tmp:
    res = os.path.join(tmp, "results")
    os.makedirs(res)
    sc = os.path.join(SRC, "scenarios")
    r1 = subprocess.run([BIN, "run", os.path.join(sc, "jiamusi_baseline.json"), "-o",
                         os.path.join(res, "jiamusi_baseline.h5"), "--scale", "20000", "--quiet", "--threads", "1"],
                        capture_output=True, text=True)
    r2 = subprocess.run([BIN, "compare", os.path.join(sc, "jiamusi_baseline.json"),
                         os.path.join(sc, "campaign_shanghai_shenzhen.json"), "-o", os.path.join(res, "compare.h5"),
                         "--replicates", "2", "--scale", "20000", "--quiet", "--threads", "1"], capture_output=True, text=True)
    check(r1.returncode == 0 and r2.returncode == 0, "small run and compare files for the snippets")
    for name, lang, code in snips:
        if lang != "python":
            continue
        lines = [ln for ln in code.strip().splitlines() if not ln.startswith("#!")]
        p = subprocess.run([PY, "-c", code], cwd=tmp, capture_output=True, text=True, timeout=120)
        check(p.returncode == 0 and p.stdout.strip(),
              f"snippet {name} ({len(lines)} lines) runs and prints: {p.stdout.strip()[:120]!r} {p.stderr[-300:]}")
        check(len(lines) <= 7, f"snippet {name} is short ({len(lines)} lines)")
for name, lang, code in snips:
    if name == "vscode":
        try:
            js = json.loads(code)
            ent = js["json.schemas"][0]
            ok = any("scenarios/*.json" in m for m in ent["fileMatch"]) and \
                os.path.exists(os.path.join(SRC, ent["url"].replace("${workspaceFolder}/", "").lstrip("./")))
        except (ValueError, KeyError, IndexError) as e:
            ok = False
            print(e)
        check(ok, "the VS Code snippet is valid JSON mapping scenarios/*.json to the schema file")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
