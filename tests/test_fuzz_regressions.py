"""The differential fuzzer's findings (tests/fuzz_regressions/).

Every tests/fuzz_regressions/seed_*.py is a program on which stock CPython
and cpython-tco once diverged (tools/fuzz saved and minimized it); its
header records the expected behaviour (stock's): exit status, the last
line of stderr and stdout.  Each file is a test here: the program runs
under sys.executable and must behave as recorded.  The fuzzer's own unit
tests are tests/test_fuzz_tool.py.
"""

import glob
import os
import sys
import tempfile
import unittest

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CASES_DIR = os.path.join(TOP, "tests", "fuzz_regressions")
TIMEOUT = 300

sys.path.insert(0, os.path.join(TOP, "tools"))
from fuzz import generator, runner  # noqa: E402
from fuzz.regressions import read_expectations  # noqa: E402


def lines(text):
    return [line.rstrip() for line in runner.normalize(text).splitlines()]


class RegressionTests(unittest.TestCase):
    """One test per saved case (test_seed_<S>_<N>)."""

    def check_case(self, path):
        expect = read_expectations(path)
        self.assertIsNotNone(expect["exit"],
                             f"{path}: no '# expect-exit:' line")
        result = runner.run_program(sys.executable, path, TIMEOUT)
        self.assertFalse(result.timed_out, f"{path}: timed out")
        self.assertGreaterEqual(result.rc, 0,
                                f"{path}: {result.describe()}")
        if expect["exit"] == "no-crash":
            return
        self.assertEqual(lines(result.out), expect["stdout"])
        self.assertEqual(runner.error_line(result.err), expect["error"])
        self.assertEqual(result.rc, expect["exit"])


def _case_test(path):
    def test(self):
        self.check_case(path)
    test.__doc__ = f"{os.path.basename(path)} behaves as recorded."
    return test


for _path in sorted(glob.glob(os.path.join(CASES_DIR, "seed_*.py"))):
    _name = "test_" + os.path.splitext(os.path.basename(_path))[0]
    setattr(RegressionTests, _name.replace("-", "_").replace(".", "_"),
            _case_test(_path))


class OnOffTests(unittest.TestCase):
    """The fuzzer inside one interpreter: -X tailcalls=off is stock
    CPython's behaviour, so a program must behave alike on and off."""

    SEEDS = [("unittest", n) for n in range(2)]

    @unittest.skipUnless(getattr(sys.flags, "tail_calls", None) is not None,
                         "this interpreter has no -X tailcalls")
    def test_tail_calls_on_and_off_agree(self):
        # A differential run inside one interpreter: -X tailcalls=off is
        # stock CPython's behaviour.
        with tempfile.TemporaryDirectory() as tmp:
            for seed, n in self.SEEDS:
                path = os.path.join(tmp, f"p{n}.py")
                with open(path, "w") as f:
                    f.write(generator.generate(seed, n, max_depth=400, units=3))
                on = runner.run_program(sys.executable, path, TIMEOUT,
                                      ["-X", "tailcalls=on"])
                off = runner.run_program(sys.executable, path, TIMEOUT,
                                       ["-X", "tailcalls=off"])
                with self.subTest(seed=seed, n=n):
                    self.assertFalse(off.not_run, off.err)
                    self.assertGreaterEqual(off.rc, 0, off.describe())
                    self.assertTrue(off.out, "the program printed nothing")
                    self.assertIsNone(runner.compare(off, on),
                                      f"{seed}:{n}: {on.describe()} with "
                                      f"tail calls, {off.describe()} "
                                      f"without")


if __name__ == "__main__":
    unittest.main()
