"""The test suites of Debian's numpy, pandas, scipy and sympy under
Debian's python3.13 and under the cpython-tco package, test by test, in a
throwaway Debian trixie root (tools/tco/debian_root.py).

Usage: tools/suites-distro DEB WORKDIR [SUITE ...]

In a fresh trixie root, Debian's python3 (3.13), python3-numpy,
python3-pandas, python3-scipy, python3-sympy, python3-pytest and
python3-hypothesis are installed, then DEB (python3-tco, which imports
Debian's packages from /usr/lib/python3/dist-packages).  Each suite of
SUITES (all by default) runs under python3.13, then under python3-tco,
with pytest and the same options, PYTHONHASHSEED=0 and no byte code
written; pytest's JUnit XML gives each test's outcome.  Writes
docs/SUITES-debian.md (and prints it): per suite the counts of each
outcome under each interpreter, and every test whose outcome differs, with
the message of its failure.
"""

import datetime
import json
import os
import platform
import shutil
import sys
import xml.etree.ElementTree as ET

from tco.debian_root import (SUITE, fresh_root, remove_root,
                         root_env, run_in_root)

from tco import TOP

# The suites: pytest's arguments, relative to /usr/lib/python3/dist-packages.
# numpy's whole suite; of pandas, scipy and sympy, subsets that run in
# minutes: the Series and DataFrame core of pandas, the linear algebra,
# optimization and integration of scipy, the core and simplification of
# sympy (deep recursion).  Tests that their projects mark slow are left
# out, as their CI's quick runs leave them out.
SUITES = {
    # f2py's tests build Fortran and C modules with meson, which neither
    # root has: they are left out, as they fail to be collected on both.
    "numpy": ["numpy", "--ignore=numpy/f2py", "-m", "not slow"],
    "pandas": ["pandas/tests/series", "pandas/tests/frame/methods", "-m",
               "not slow and not network and not db and not single_cpu"],
    "scipy": ["scipy/linalg", "scipy/optimize", "scipy/integrate", "-m",
              "not slow and not xslow"],
    "sympy": ["sympy/core", "sympy/simplify"],
}

INTERPRETERS = ["python3.13", "python3-tco"]
DIST_PACKAGES = "/usr/lib/python3/dist-packages"


def pytest_args(args):
    """A suite's arguments as the root's pytest gets them: paths made
    absolute, the rootdir and the outermost conftest.py directory the
    dist-packages directory (so that a subset gets its package's
    conftest.py, pandas/conftest.py say)."""
    out = [f"--rootdir={DIST_PACKAGES}", f"--confcutdir={DIST_PACKAGES}"]
    for i, arg in enumerate(args):
        if arg.startswith("--ignore="):
            out.append(f"--ignore={DIST_PACKAGES}/{arg[len('--ignore='):]}")
        elif arg.startswith("-") or (i and args[i - 1] == "-m"):
            out.append(arg)
        else:
            out.append(f"{DIST_PACKAGES}/{arg}")
    return out

# Run in the root by /bin/sh: $SUITES lists the suites to run; each
# suite's arguments are in /tmp/suites/NAME.args, one a line.
SCRIPT = r"""
set -eu
export DEBIAN_FRONTEND=noninteractive
echo 'Dpkg::Use-Pty "0";' >/etc/apt/apt.conf.d/90suites-distro
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends python3 python3-numpy \
    python3-pandas python3-scipy python3-sympy python3-pytest \
    python3-hypothesis tzdata tzdata-legacy "$DEB" >/dev/null
out=/tmp/suites
{ python3.13 -VV; python3-tco -VV
  python3.13 -c 'import numpy, pandas, scipy, sympy, pytest, hypothesis
for m in (numpy, pandas, scipy, sympy, pytest, hypothesis):
    print(m.__name__, m.__version__)'; } >$out/versions.txt
export PYTHONHASHSEED=0 PYTHONDONTWRITEBYTECODE=1
for suite in $SUITES; do
    for python in python3.13 python3-tco; do
        # Out of Debian's trees: what the run writes (.hypothesis) stays here.
        mkdir -p /tmp/work/$suite-$python && cd /tmp/work/$suite-$python
        start=$(date +%s)
        # Word splitting of the arguments is by line only.
        IFS='
'
        set -- $(cat $out/$suite.args)
        unset IFS
        timeout 2400 $python -m pytest -q -p no:cacheprovider \
            --continue-on-collection-errors \
            -o junit_family=xunit1 --junitxml=$out/$suite-$python.xml \
            "$@" >$out/$suite-$python.log 2>&1 || true
        echo "$suite $python $(( $(date +%s) - start )) s:" \
            "$(tail -1 $out/$suite-$python.log)" | tee -a $out/times.txt
    done
done
"""


def log(msg):
    print(f"suites-distro: {msg}", file=sys.stderr, flush=True)


def outcomes(path):
    """{test id: (outcome, message)} of a JUnit XML file of pytest's:
    passed, failed, error, skipped or xfailed."""
    results = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        test = f"{case.get('classname')}::{case.get('name')}"
        outcome, message = "passed", ""
        for child in case:
            if child.tag in ("failure", "error"):
                outcome, message = ("failed" if child.tag == "failure"
                                    else "error"), child.get("message", "")
            elif child.tag == "skipped":
                xfail = child.get("type") == "pytest.xfail"
                outcome = "xfailed" if xfail else "skipped"
                message = child.get("message", "")
        results[test] = (outcome, message)
    return results


OUTCOMES = ["passed", "failed", "error", "skipped", "xfailed"]


def compare(first, second):
    """The counts of each outcome in first and second, and the tests whose
    outcomes differ (test, first's outcome and message, second's)."""
    counts = [[sum(1 for o, _ in r.values() if o == k) for k in OUTCOMES]
              for r in (first, second)]
    differ = []
    for test in sorted(set(first) | set(second)):
        a = first.get(test, ("absent", ""))
        b = second.get(test, ("absent", ""))
        if a[0] != b[0]:
            differ.append((test, a, b))
    return counts, differ


def markdown(results):
    """The page's tables from {suite: (counts, differ)}."""
    lines = ["| suite | interpreter | " + " | ".join(OUTCOMES) + " |",
             "| --- | --- |" + " ---: |" * len(OUTCOMES)]
    for suite, (counts, _) in results.items():
        for name, row in zip(INTERPRETERS, counts):
            lines.append(f"| {suite} | {name} | "
                         + " | ".join(map(str, row)) + " |")
    lines.append("")
    for suite, (_, differ) in results.items():
        if not differ:
            lines.append(f"{suite}: every test has the same outcome under "
                         f"both.")
            lines.append("")
            continue
        lines.append(f"{suite}: {len(differ)} tests differ:")
        lines.append("")
        lines.append(f"| test | {INTERPRETERS[0]} | {INTERPRETERS[1]} |")
        lines.append("| --- | --- | --- |")
        for test, a, b in differ:
            def cell(o):
                text = o[0] + (f": {o[1][:160]}" if o[1] else "")
                return text.replace("|", "\\|").replace("\n", " ")
            lines.append(f"| `{test}` | {cell(a)} | {cell(b)} |")
        lines.append("")
    return "\n".join(lines)


PAGE = """\
# Debian's numpy, pandas, scipy and sympy suites: python3.13 and python3-tco

Made by `make suites-distro` (`tools/suites-distro`, whose docstring says
how): in a fresh Debian trixie root, Debian's python3.13 and `{deb}`
installed together with Debian's packages; each suite run by pytest under
each interpreter with the same arguments, PYTHONHASHSEED=0; outcomes
compared test by test. What differs, and why, is in docs/install.md.

- machine: {machine}; date: {date}
{versions}

The suites (pytest's arguments, in /usr/lib/python3/dist-packages):

{suites}

Time and pytest's summary of each run:

{times}

{table}
"""


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    deb, work = map(os.path.abspath, argv[:2])
    names = argv[2:] or list(SUITES)
    os.makedirs(work, exist_ok=True)
    root = fresh_root(work)
    out = os.path.join(root, "tmp", "suites")
    os.makedirs(out)
    for name in names:
        with open(os.path.join(out, name + ".args"), "w") as f:
            f.write("".join(arg + "\n" for arg in pytest_args(SUITES[name])))
    shutil.copyfile(deb, os.path.join(root, "tmp", os.path.basename(deb)))
    env = root_env(DEB="/tmp/" + os.path.basename(deb),
                   SUITES=" ".join(names))
    log(f"{' '.join(names)} under {' and '.join(INTERPRETERS)}, "
        f"in a fresh {SUITE} root")
    try:
        done = run_in_root(root, SCRIPT, env)
        if done.returncode:
            sys.exit(f"suites-distro: the run failed (exit {done.returncode})")
        results = {}
        for name in names:
            xml = [os.path.join(out, f"{name}-{p}.xml") for p in INTERPRETERS]
            missing = [x for x in xml if not os.path.exists(x)]
            if missing:
                with open(missing[0].replace(".xml", ".log")) as f:
                    print(f.read()[-3000:])
                sys.exit(f"suites-distro: no results in {missing[0]}")
            results[name] = compare(*map(outcomes, xml))
        with open(os.path.join(out, "versions.txt")) as f:
            versions = [v for v in f.read().split("\n") if v]
        with open(os.path.join(out, "times.txt")) as f:
            times = f.read().strip().split("\n")
        saved = os.path.join(work, "suites")
        shutil.rmtree(saved, ignore_errors=True)
        shutil.copytree(out, saved)
    finally:
        remove_root(root)
    page = PAGE.format(
        deb=os.path.basename(deb),
        machine=f"{platform.machine()}, {os.cpu_count()} cores",
        date=datetime.datetime.now(datetime.timezone.utc)
             .strftime("%Y-%m-%d %H:%M UTC"),
        versions="\n".join(f"- `{v}`" for v in versions),
        suites="\n".join(f"- {n}: `{' '.join(SUITES[n])}`" for n in names),
        times="\n".join(f"- {t}" for t in times),
        table=markdown(results))
    print(page)
    with open(os.path.join(TOP, "docs", "SUITES-debian.md"), "w") as f:
        f.write(page)
    log(f"wrote docs/SUITES-debian.md; the logs and XML are in {saved}")
    with open(os.path.join(saved, "differ.json"), "w") as f:
        json.dump({n: r[1] for n, r in results.items()}, f, indent=1)
