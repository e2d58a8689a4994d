"""sys.settailcalllimit(), -X tailcalllimit and PYTHONTAILCALLLIMIT: an
opt-in bound on chains of tail calls.  Past the limit, the tail call raises
RecursionError("maximum tail-call chain length exceeded") in its caller,
with a normal traceback; 0, the default, sets no limit; under -X
tailcalls=off only the recursion limit applies."""

import os
import subprocess
import sys
import tempfile
import textwrap
import threading
import traceback
import unittest
import warnings

from tests.support.chains import KEPT, loop
from tests.support.process import run_ok, tools_site

MESSAGE = "maximum tail-call chain length exceeded"


class limited:
    """sys.settailcalllimit(limit) for the block."""

    def __init__(self, limit):
        self.limit = limit

    def __enter__(self):
        self.old = sys.gettailcalllimit()
        sys.settailcalllimit(self.limit)

    def __exit__(self, *exc):
        sys.settailcalllimit(self.old)


def calls_before_error(limit, start):
    """How many functions start(0)'s chain ran before the limit stopped
    it, and the error."""
    ran = []
    def step(n):
        ran.append(n)
        return step(n + 1)
    def other(n):
        ran.append(n)
        return step(n + 1)
    with limited(limit):
        try:
            {"self": step, "mutual": other}[start](0)
        except RecursionError as exc:
            return len(ran), exc
    raise AssertionError("no RecursionError")


class LimitTests(unittest.TestCase):

    def test_default_is_no_limit(self):
        self.assertEqual(sys.gettailcalllimit(), 0)
        self.assertEqual(loop(1_000_000), 0)

    def test_limit_is_exact(self):
        # The first call plus `limit` tail calls run; the next one raises,
        # inside the kept window and past it.
        for limit in (1, 2, 5, KEPT - 1, KEPT, KEPT + 1, 100, 10_000):
            for start in ("self", "mutual"):
                with self.subTest(limit=limit, start=start):
                    ran, exc = calls_before_error(limit, start)
                    self.assertEqual(ran, limit + 1)
                    self.assertEqual(str(exc), MESSAGE)

    def test_limit_is_exact_for_tail_awaits(self):
        # `return await f()` counts as tail calls count, in the kept
        # window (where the limit is a tail depth) and past it.
        ran = []
        async def step(n):
            ran.append(n)
            return await step(n + 1)
        for limit in (1, 2, KEPT - 1, KEPT, KEPT + 1, 100):
            with (self.subTest(limit=limit), limited(limit),
                  warnings.catch_warnings(record=True) as caught):
                warnings.simplefilter("always")
                ran.clear()
                coro = step(0)
                with self.assertRaises(RecursionError) as cm:
                    coro.send(None)
                del coro
                self.assertEqual(len(ran), limit + 1)
                self.assertEqual(str(cm.exception), MESSAGE)
                # The coroutine the limit stopped ends as stock's ends that
                # a RecursionError stops on its way in: not "never
                # awaited".
                self.assertEqual([str(w.message) for w in caught], [])

    def test_chain_within_the_limit_runs(self):
        with limited(1000):
            self.assertEqual(loop(1000), 0)
            self.assertEqual(loop(999), 0)
            with self.assertRaises(RecursionError):
                loop(1001)

    def test_an_ordinary_call_starts_a_new_chain(self):
        def outer(n):
            # Not a tail call: each inner chain is a chain of its own.
            r = loop(50)
            return r if n == 0 else outer(n - 1)
        with limited(60):
            self.assertEqual(outer(40), 0)

    def test_raised_in_the_caller_with_a_normal_traceback(self):
        def runaway(n):
            return runaway(n + 1)
        with limited(100):
            try:
                runaway(0)
            except RecursionError as exc:
                error = exc
        frames = traceback.extract_tb(error.__traceback__)
        # The last entry is the caller, at its tail call, as for a call
        # past the recursion limit.
        self.assertEqual(frames[-1].name, "runaway")
        self.assertEqual(frames[-1].line, "return runaway(n + 1)")
        self.assertIn("frames elided by tail calls",
                      "".join(traceback.format_exception(error)))

    def test_the_program_goes_on(self):
        with limited(10):
            for _ in range(3):
                with self.assertRaises(RecursionError):
                    loop(11)
                self.assertEqual(loop(10), 0)
        self.assertEqual(loop(100_000), 0)

    def test_bad_values(self):
        with self.assertRaises(ValueError):
            sys.settailcalllimit(-1)
        with self.assertRaises(TypeError):
            sys.settailcalllimit("10")
        with self.assertRaises(OverflowError):
            sys.settailcalllimit(2 ** 40)
        self.assertEqual(sys.gettailcalllimit(), 0)

    def test_limit_is_the_interpreters(self):
        # Set in one thread, it bounds the chains of the others.
        seen = []
        def worker():
            try:
                loop(200)
            except RecursionError as exc:
                seen.append(str(exc))
        with limited(100):
            t = threading.Thread(target=worker)
            t.start()
            t.join()
        self.assertEqual(seen, [MESSAGE])


class StartupTests(unittest.TestCase):

    CODE = """
        import sys
        def f(n):
            return f(n + 1) if n < 10_000 else n
        print(sys.gettailcalllimit())
        try:
            print(f(0))
        except RecursionError as exc:
            print(type(exc).__name__, exc)
    """

    def run_with(self, *options, env=None):
        code = textwrap.dedent(self.CODE)
        proc = subprocess.run(
            [sys.executable, *options, "-c", code], capture_output=True,
            text=True, env=dict(os.environ, **(env or {})), timeout=120)
        return proc

    def test_option(self):
        out = self.run_with("-X", "tailcalllimit=500").stdout.split("\n")
        self.assertEqual(out[:2], ["500", f"RecursionError {MESSAGE}"])

    def test_environment_variable(self):
        out = self.run_with(env={"PYTHONTAILCALLLIMIT": "500"}).stdout
        self.assertEqual(out.split("\n")[:2],
                         ["500", f"RecursionError {MESSAGE}"])

    def test_option_wins_over_the_variable(self):
        out = self.run_with("-X", "tailcalllimit=0",
                            env={"PYTHONTAILCALLLIMIT": "500"}).stdout
        self.assertEqual(out.split("\n")[:2], ["0", "10000"])

    def test_isolated_mode_ignores_the_variable(self):
        out = self.run_with("-I", env={"PYTHONTAILCALLLIMIT": "500"}).stdout
        self.assertEqual(out.split("\n")[:2], ["0", "10000"])

    def test_off_ignores_the_limit(self):
        out = self.run_with("-X", "tailcalls=off",
                            "-X", "tailcalllimit=5").stdout.split("\n")
        # Only the recursion limit applies: f(10_000) is too deep for it.
        self.assertEqual(out[0], "5")
        self.assertTrue(out[1].startswith("RecursionError maximum "
                                          "recursion depth exceeded"))

    def test_bad_values_are_refused(self):
        for value in ("-1", "x", "", "99999999999"):
            with self.subTest(value=value):
                proc = self.run_with("-X", f"tailcalllimit={value}")
                self.assertNotEqual(proc.returncode, 0)
                self.assertIn("-X tailcalllimit: expected a number of tail "
                              "calls", proc.stderr)
                if not value:
                    continue    # an empty variable is unset, as all are
                proc = self.run_with(env={"PYTHONTAILCALLLIMIT": value})
                self.assertNotEqual(proc.returncode, 0)
                self.assertIn("PYTHONTAILCALLLIMIT: expected", proc.stderr)

    def test_help(self):
        xoptions = run_ok("", "--help-xoptions")
        self.assertIn("-X tailcalllimit=N", xoptions)
        env = run_ok("", "--help-env")
        self.assertIn("PYTHONTAILCALLLIMIT", env)


class PytestTests(unittest.TestCase):
    """Runaway recursion that a test suite expects to raise: under
    trixie's pytest (TOOLS_SITE), with PYTHONTAILCALLLIMIT, an infinite
    tail recursion raises RecursionError, and pytest's traceback report
    finds the recursion as on stock; without a limit it would run
    forever."""

    OTHER_PROCESSES_ONLY = True

    TESTS = '''
        import pytest

        def ping(x):
            return pong(x + 1)

        def pong(x):
            return ping(x - 1)

        def test_recursion_is_reported():
            with pytest.raises(RecursionError) as excinfo:
                ping(42)
            assert str(excinfo.value) == "{message}"
            report = str(excinfo.getrepr())
            assert "!!! Recursion detected (same locals & position)" in report

        class ArrayLike:
            def __eq__(self, other):
                if type(other) is ArrayLike:
                    raise ValueError("ambiguous truth value")
                return NotImplemented

        def a(x):
            return b(ArrayLike())

        def b(x):
            return a(ArrayLike())

        def test_recursion_whose_locals_do_not_compare():
            with pytest.raises(RuntimeError) as excinfo:
                a(ArrayLike())
            report = str(excinfo.getrepr())
            assert ("!!! Recursion error detected, but an error occurred "
                    "locating the origin of recursion.") in report
            assert "ValueError: ambiguous truth value" in report
    '''

    def test_pytest_reports_runaway_recursion(self):
        with tempfile.TemporaryDirectory(prefix="tco-limit-") as tmp:
            with open(os.path.join(tmp, "test_runaway.py"), "w") as f:
                f.write(textwrap.dedent(self.TESTS).format(message=MESSAGE))
            env = dict(os.environ, PYTHONPATH=tools_site(),
                       PYTHONTAILCALLLIMIT="1000000")
            env.pop("PYTHONSAFEPATH", None)
            proc = subprocess.run(
                [sys.executable, "-m", "pytest", "-q", "-p",
                 "no:cacheprovider", "test_runaway.py"],
                cwd=tmp, env=env, capture_output=True, text=True,
                timeout=600)
        self.assertIn("2 passed", proc.stdout, proc.stdout[-3000:])


if __name__ == "__main__":
    unittest.main()
