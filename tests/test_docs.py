"""test_docs.py - the documentation matches the program.

- scenarios/REFERENCE.md is what scripts/gen_scenario_reference.py writes from
  scenarios/ipsim.schema.json, and the schema is what `ipsim schema` prints;
- the man page scripts/ipsim.1 names every command of `ipsim --help`; when
  help2man is installed, regenerating it gives the same page (but for the
  .TH line, which carries the version and git commit);
- the marked snippets of every Markdown page of the checkout (the code
  blocks after <!-- snippet: NAME --> markers; README.md is a map, the
  snippets live in the pages beside what they describe) are found, with
  unique names:
  - the Python snippets (results/README.md, "Reading results in Python") run
    as written, in a directory whose results/ holds a small run and a small
    compare file;
  - the VS Code settings snippet (scenarios/README.md) is valid JSON naming
    the schema;
- every relative link between the pages resolves (file and #heading), and
  README.md is a map: at most 400 lines, linking every page.
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
p = subprocess.run([PY, os.path.join(SRC, "scripts", "gen_source_map.py"), "--check"],
                   capture_output=True, text=True)
check(p.returncode == 0, "sim/README.md's file index is up to date " + (p.stdout + p.stderr)[-600:])

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

# Snippets of the Markdown pages
def markdown_pages():
    """Every .md file of the checkout, relative to SRC, sorted; build trees
    (build*/), hidden folders and results/ files other than its README skipped."""
    pages = []
    for d, dirs, files in os.walk(SRC):
        rel = os.path.relpath(d, SRC)
        dirs[:] = sorted(x for x in dirs if not x.startswith((".", "build")) and
                         not (rel == "." and x == "results"))
        pages += [os.path.normpath(os.path.join(rel, f)) for f in files if f.endswith(".md")]
    if os.path.exists(os.path.join(SRC, "results", "README.md")):
        pages.append(os.path.join("results", "README.md"))
    return sorted(pages)


snips, where = [], {}
for page in markdown_pages():
    text = open(os.path.join(SRC, page), encoding="utf-8").read()
    for name, lang, code in re.findall(r"<!-- snippet: ([\w-]+) -->\s*```(\w+)\n(.*?)```", text, re.S):
        snips.append((name, lang, code))
        where.setdefault(name, []).append(page)
names = [n for n, _, _ in snips]
check({"h5py-run", "h5py-sweep", "xarray-run", "xarray-sweep", "vscode"} <= set(names),
      f"the Markdown pages have the marked snippets ({', '.join(f'{n} in {where[n][0]}' for n in names)})")
dups = {n: w for n, w in where.items() if len(w) > 1}
check(not dups, f"every snippet name is used once ({dups})")
# Links between the pages: every relative link names an existing file, and an
# #anchor one of its headings (GitHub's slugs); README.md is a map of at most
# 400 lines that links every other page and states the two quick-start commands.
def slug(heading):
    h = re.sub(r"[`*]|<[^>]*>", "", heading).strip().lower()
    return re.sub(r"\s", "-", re.sub(r"[^\w\- ]", "", h))


def anchors(page):
    text = re.sub(r"```.*?```", "", open(os.path.join(SRC, page), encoding="utf-8").read(), flags=re.S)
    return {slug(h) for h in re.findall(r"^#{1,6} +(.+?) *$", text, re.M)}


bad = []
for page in markdown_pages():
    text = re.sub(r"```.*?```", "", open(os.path.join(SRC, page), encoding="utf-8").read(), flags=re.S)
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue
        path, _, frag = target.partition("#")
        dest = os.path.normpath(os.path.join(os.path.dirname(page), path)) if path else page
        if not os.path.exists(os.path.join(SRC, dest)):
            bad.append(f"{page}: {target} (no such file)")
        elif frag and dest.endswith(".md") and frag not in anchors(dest):
            bad.append(f"{page}: {target} (no such heading)")
check(not bad, f"every link between the Markdown pages resolves {bad}")
readme = open(os.path.join(SRC, "README.md"), encoding="utf-8").read()
n = readme.count("\n")
check(n <= 400, f"README.md is a map of at most 400 lines ({n})")
linked = {os.path.normpath(t.partition("#")[0]) for t in re.findall(r"\]\(([^)\s]+)\)", readme)}
unlinked = [pg for pg in markdown_pages() if pg != "README.md" and pg not in linked]
check(not unlinked, f"README.md links every Markdown page (not: {unlinked})")
check(all(re.search(rf"^{re.escape(c)}$", readme, re.M) for c in ("./scripts/demo", "./scripts/test")),
      "README.md states the quick-start commands ./scripts/demo and ./scripts/test on their own lines")
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
              f"snippet {name} of {where[name][0]} ({len(lines)} lines) runs and prints: {p.stdout.strip()[:120]!r} {p.stderr[-300:]}")
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
