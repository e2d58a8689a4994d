"""Run CPython's own regression suite (Lib/test) on a build.

Usage: tools/regrtest PYTHON [--core | --all | --progressions | --list NAME]
                      [--compare STOCK-PYTHON] [REGRTEST-ARGS...]

  --core          the tests closest to what cpython-tco changes (default)
  --list NAME     the list NAME of tools/tco/test_lists.py (core, refleak,
                  prefix)
                  (with --core or --list, the series' own modules too:
                  the test_tailcall*.py of the build's Lib/test)
  --all           the whole suite
  --progressions  only the known failures (below): say which now pass, so
                  that the list only shrinks, as Debian's failing-tests do
  --compare STOCK also run the tests on STOCK-PYTHON, and compare test by
                  test (regrtest's --junit-xml): the tests that pass on
                  stock must pass on PYTHON, and the same ones fail

The suite runs as upstream expects it: PYTHONUNBUFFERED and
PYTHONDONTWRITEBYTECODE unset, SIGINT at its default action (processes
started in the background may inherit it ignored), -j2 and a per-test
timeout.  Tests listed in tests/upstream-known-failures, with the reason
they fail on these machines whatever the interpreter, may fail; any other
failure fails the run.
"""

import os
import re
import signal
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

from tco import TOP
from tco.test_lists import CORE, LISTS, is_own, own_tests
KNOWN = os.path.join(TOP, "tests", "upstream-known-failures")



def known_failures():
    known = {}
    with open(KNOWN) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                name, _, reason = line.partition(" ")
                known[name] = reason.strip()
    return known


def outcomes(junit_xml):
    """{test id: 'passed' | 'failed' | 'skipped'} from regrtest's XML."""
    result = {}
    for case in ET.parse(junit_xml).getroot().iter("testcase"):
        name = case.get("name")
        if case.find("failure") is not None or case.find("error") is not None:
            result[name] = "failed"
        elif case.find("skipped") is not None:
            result[name] = "skipped"
        else:
            result[name] = "passed"
    return result


def counts(result):
    values = list(result.values())
    return (f"{values.count('passed')} passed, {values.count('failed')} "
            f"failed, {values.count('skipped')} skipped")


def differences(stock_out, tco_out):
    """The test cases that pass on stock and not on tco (lost), and the
    other way round (gained).  The series' own modules (test_tailcall*),
    which stock does not have, are neither: they must pass on tco."""
    def own(test):
        return test not in stock_out and is_own(test)
    lost = sorted(t for t, r in stock_out.items()
                  if r == "passed" and tco_out.get(t) != "passed")
    lost += sorted(t for t, r in tco_out.items() if own(t) and r == "failed")
    gained = sorted(t for t, r in tco_out.items()
                    if r == "passed" and stock_out.get(t) != "passed"
                    and not own(t))
    return lost, gained


def compare(python, stock, args):
    """Run the suite on both; the same tests must pass on both."""
    found = {}
    with tempfile.TemporaryDirectory(prefix="tco-regrtest-") as tmp:
        for label, interpreter in (("stock", stock), ("tco", python)):
            xml = os.path.join(tmp, label + ".xml")
            rc = main([interpreter, *args, f"--junit-xml={xml}"],
                      check_known=False)
            if not os.path.exists(xml):
                print(f"regrtest: {label} wrote no results (exit code {rc})")
                return 1
            found[label] = outcomes(xml)
    stock_out, tco_out = found["stock"], found["tco"]
    print(f"regrtest: stock: {counts(stock_out)} (test cases)")
    print(f"regrtest: tco:   {counts(tco_out)} (test cases)")
    lost, gained = differences(stock_out, tco_out)
    for t in lost:
        print(f"regrtest: passes on stock, not on tco: {t}"
              f" ({tco_out.get(t, 'not run')})")
    for t in gained:
        print(f"regrtest: passes on tco, not on stock: {t}"
              f" ({stock_out.get(t, 'not run')})")
    if lost or gained:
        return 1
    print("regrtest: the same test cases pass on stock and on tco")
    return 0


def test_dir(python):
    """The directory of python's regression tests (its Lib/test)."""
    out = subprocess.run([python, "-c", "import test; print(test.__path__[0])"],
                         capture_output=True, text=True, check=True).stdout
    return out.strip()


def main(argv, check_known=True):
    if not argv:
        sys.exit(__doc__)
    python, args = argv[0], argv[1:]
    if "--compare" in args:
        i = args.index("--compare")
        stock = args[i + 1]
        return compare(python, stock, args[:i] + args[i + 2:])
    tests = CORE
    progressions = "--progressions" in args
    if progressions:
        args.remove("--progressions")
        tests = sorted(known_failures())
    if "--all" in args:
        tests = []
        args.remove("--all")
    if "--core" in args:
        args.remove("--core")
    listed = None
    if "--list" in args:
        i = args.index("--list")
        listed = LISTS[args[i + 1]]
        del args[i:i + 2]
    if any(not a.startswith("-") for a in args):
        tests = []
    if listed is not None:
        tests = listed
    if tests and not progressions:
        # A list (the core one by default): the series' own modules too.
        tests = [*tests, *own_tests(test_dir(python))]
    env = dict(os.environ)
    env.pop("PYTHONUNBUFFERED", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    cmd = [python, "-m", "test", "-j2", "--timeout", "1200", *args, *tests]
    print("regrtest:", " ".join(cmd), flush=True)
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, errors="replace",
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    out = []
    for line in proc.stdout:
        sys.stdout.write(line)
        out.append(line)
    rc = proc.wait()
    text = "".join(out)
    # regrtest's summary: "N tests failed:" (or "failed again:"), then the
    # names on indented lines.
    failed = set()
    for m in re.finditer(r"^\d+ tests? (?:failed|failed again|crashed"
                         r"|altered the execution environment.*?):\n"
                         r"((?:    .*\n)+)", text, re.M):
        if "altered" not in m.group(0).split("\n")[0]:
            failed.update(m.group(1).split())
    # "N tests OK." or, when none failed, "All N tests OK."
    ok = re.search(r"^(?:All )?(\d+) tests? OK\.", text, re.M)
    passed = int(ok.group(1)) if ok else 0
    if progressions:
        for name in tests:
            if name in failed:
                print(f"progressions: {name} still fails")
            else:
                print(f"progressions: {name} now passes: remove it from"
                      f" tests/upstream-known-failures")
        return 0
    if not check_known:
        return rc
    if rc == 0:
        print(f"upstream: {passed} passed, 0 failed")
        return 0
    if "Tests result: " not in text and "Result: " not in text:
        print("regrtest: the suite did not finish", file=sys.stderr)
        return rc or 1
    known = known_failures()
    unexpected = sorted(failed - set(known))
    for name in sorted(failed & set(known)):
        print(f"regrtest: known failure {name}: {known[name]}")
    if unexpected or not failed:
        print(f"regrtest: unexpected failures: {' '.join(unexpected)}"
              if unexpected else f"regrtest: exit code {rc}", file=sys.stderr)
        print(f"upstream: {passed} passed, {len(unexpected) or 1} failed")
        return 1
    print(f"upstream: {passed} passed, 0 failed"
          f" ({len(failed)} known failures listed above)")
    return 0
