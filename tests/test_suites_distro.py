"""tools/suites-distro, Debian's numpy, pandas, scipy and sympy suites under
python3.13 and python3-tco: the arguments it gives pytest, and its reading
and comparison of pytest's JUnit XML, on XML that trixie's pytest writes.

    TOOLS_SITE=build/debs/usr/lib/python3/dist-packages \\
        build/tco/python -m unittest tests.test_suites_distro
"""

import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

from tests.support.process import tools_site
from tests.support.tools import load_tool

suites_distro = load_tool("suites-distro")

TESTS = """\
import pytest

def test_pass():
    pass

def test_fail():
    assert {fail}, "the fail message"

@pytest.mark.skip(reason="never")
def test_skip():
    pass

@pytest.mark.xfail(reason="known")
def test_xfail():
    assert False

@pytest.fixture
def broken():
    raise RuntimeError("fixture")

def test_error(broken):
    pass
"""


def junit(tmp, name, fail):
    """pytest's JUnit XML of TESTS, with test_fail's assertion 'fail'."""
    with open(os.path.join(tmp, f"test_{name}.py"), "w") as f:
        f.write(TESTS.format(fail=fail))
    xml = os.path.join(tmp, f"{name}.xml")
    env = dict(os.environ, PYTHONPATH=tools_site())
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p",
                    "no:cacheprovider", "-o", "junit_family=xunit1",
                    f"--junitxml={xml}", f"test_{name}.py"],
                   cwd=tmp, env=env, capture_output=True)
    return xml


class JUnitTests(unittest.TestCase):

    def test_outcomes_of_each_kind(self):
        with tempfile.TemporaryDirectory() as tmp:
            results = suites_distro.outcomes(junit(tmp, "a", "False"))
        got = {test.split("::")[1]: outcome
               for test, (outcome, _) in results.items()}
        self.assertEqual(got, {"test_pass": "passed", "test_fail": "failed",
                               "test_skip": "skipped",
                               "test_xfail": "xfailed",
                               "test_error": "error"})
        message = results["test_a::test_fail"][1]
        self.assertIn("the fail message", message)

    def test_compare_counts_and_lists_what_differs(self):
        with tempfile.TemporaryDirectory() as tmp:
            # The same module under one name, failing once and not.
            os.makedirs(os.path.join(tmp, "x"))
            os.makedirs(os.path.join(tmp, "y"))
            first = suites_distro.outcomes(
                junit(os.path.join(tmp, "x"), "m", "False"))
            second = suites_distro.outcomes(
                junit(os.path.join(tmp, "y"), "m", "True"))
        counts, differ = suites_distro.compare(first, second)
        index = suites_distro.OUTCOMES.index
        self.assertEqual(counts[0][index("failed")], 1)
        self.assertEqual(counts[1][index("failed")], 0)
        self.assertEqual(counts[1][index("passed")], 2)
        self.assertEqual([(t, a[0], b[0]) for t, a, b in differ],
                         [("test_m::test_fail", "failed", "passed")])
        table = suites_distro.markdown({"demo": (counts, differ)})
        self.assertIn("demo: 1 tests differ", table)
        self.assertIn("| `test_m::test_fail` | failed: ", table)

    def test_a_test_missing_from_one_run_differs(self):
        counts, differ = suites_distro.compare(
            {"t::a": ("passed", ""), "t::b": ("passed", "")},
            {"t::a": ("passed", "")})
        self.assertEqual(differ, [("t::b", ("passed", ""), ("absent", ""))])
        self.assertEqual(counts[0][0], 2)
        self.assertEqual(counts[1][0], 1)


class ArgumentTests(unittest.TestCase):

    def test_paths_are_made_absolute_markers_kept(self):
        args = suites_distro.pytest_args(
            ["pandas/tests/series", "-m", "not slow", "numpy",
             "--ignore=numpy/f2py"])
        dp = suites_distro.DIST_PACKAGES
        self.assertEqual(args, [f"--rootdir={dp}", f"--confcutdir={dp}",
                                f"{dp}/pandas/tests/series", "-m",
                                "not slow", f"{dp}/numpy",
                                f"--ignore={dp}/numpy/f2py"])

    def test_every_suite_names_its_package(self):
        self.assertEqual(set(suites_distro.SUITES),
                         {"numpy", "pandas", "scipy", "sympy"})
        for name, args in suites_distro.SUITES.items():
            paths = [a for i, a in enumerate(args)
                     if not a.startswith("-") and args[i - 1] != "-m"]
            self.assertTrue(paths, name)
            self.assertTrue(all(p.split("/")[0] == name for p in paths),
                            paths)


if __name__ == "__main__":
    unittest.main()
