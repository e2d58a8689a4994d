"""Unit tests of the differential fuzzer (tools/fuzz/), one class per
module: the generator, the runner and its comparison, the minimizer, and
the saved-case format."""

import dis
import os
import subprocess
import sys
import tempfile
import time
import types
import unittest

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tools"))
from fuzz import generator, minimizer, regressions, runner  # noqa: E402


def all_code(code):
    """code and every code object nested in it."""
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from all_code(const)


def result(rc=0, out="", err="", timed_out=False):
    return runner.Result(rc, out, err, timed_out, 0.1)


class ProgramGeneratorTests(unittest.TestCase):

    SEEDS = [("unittest", n) for n in range(6)]

    def test_programs_are_reproducible(self):
        for seed, n in self.SEEDS[:3]:
            self.assertEqual(generator.generate(seed, n),
                             generator.generate(seed, n))
        self.assertNotEqual(generator.generate("unittest", 0),
                            generator.generate("unittest", 1))

    def test_programs_compile(self):
        for seed, n in self.SEEDS:
            src = generator.generate(seed, n)
            with self.subTest(seed=seed, n=n):
                compile(src, f"<fuzz {seed}:{n}>", "exec")
                self.assertIn("sys.setrecursionlimit(100000)", src)

    def test_programs_make_tail_calls(self):
        tail_ops = {"TAIL_CALL", "TAIL_CALL_KW", "TAIL_CALL_FUNCTION_EX"}
        seen = set()
        for seed, n in self.SEEDS:
            src = generator.generate(seed, n)
            code = compile(src, f"<fuzz {seed}:{n}>", "exec")
            ops = {ins.opname for c in all_code(code)
                   for ins in dis.get_instructions(c)}
            with self.subTest(seed=seed, n=n):
                self.assertTrue(ops & tail_ops, "no tail call")
            seen |= ops & tail_ops
        # Between them, the programs make all three kinds.
        self.assertEqual(seen, tail_ops)


class MeddleUnitTests(unittest.TestCase):
    """The unit whose Python code meddles with tail calls: every program of
    it meddles, and what it prints does not depend on when the meddling
    code runs (a program run here gives the same output twice, and the
    same with tail calls off)."""

    def programs(self, n=8):
        return [generator.generate("meddle", i, kinds=["meddle"])
                for i in range(n)]

    def test_only_meddle_units(self):
        for src in self.programs():
            units = [line.split(": ")[1] for line in src.splitlines()
                     if line.startswith("# unit ")]
            self.assertTrue(units)
            self.assertEqual(set(units), {"meddle"})
            compile(src, "<meddle>", "exec")

    def test_each_action_and_hook_is_generated(self):
        text = "\n".join(self.programs(40))
        for needle in ("sys._getframe(1)", ".f_locals", ".__code__ = ",
                       ".__defaults__ = ", ".__kwdefaults__ = ",
                       "gc.collect()", ".__setstate__(", "__call__ = ",
                       "raise ValueError('meddled')", "weakref.ref(",
                       "mon.events.PY_RETURN", "mon.events.CALL",
                       "sys.settrace(", "sys.setprofile("):
            with self.subTest(needle=needle):
                self.assertIn(needle, text)

    def test_output_is_stock_and_independent_of_tail_calls(self):
        src = self.programs(3)[2]
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "p.py")
            with open(path, "w") as f:
                f.write(src)
            on = runner.run_program(sys.executable, path, 120)
            off = runner.run_program(sys.executable, path, 120,
                                     ["-X", "tailcalls=off"])
        self.assertEqual(on.rc, 0, on.err)
        self.assertIn("meddle ", on.out)
        self.assertIsNone(runner.compare(off, on))


class RunnerTests(unittest.TestCase):

    def test_agreeing_runs(self):
        self.assertIsNone(runner.compare(
            result(1, "x at 0x7f00\n", "Traceback\nValueError: a\n"),
            result(1, "x at 0x5500\n", "other\nValueError: a\n")))

    def test_divergences_are_named(self):
        stock = result(0, "1\n")
        self.assertEqual(runner.compare(stock, result(0, "2\n")), "stdout")
        self.assertEqual(runner.compare(stock, result(1, "1\n")), "status")
        self.assertEqual(
            runner.compare(result(1, "", "x\nValueError: a\n"),
                           result(1, "", "x\nRecursionError: b\n")),
            "error(ValueError/RecursionError)")
        self.assertEqual(runner.compare(stock, result(-11)), "crash:tco:11")
        self.assertEqual(runner.compare(result(timed_out=True), stock),
                         "timeout:stock")
        self.assertEqual(runner.category("crash:tco:11"), "crash")
        self.assertEqual(runner.category("stdout+status"), "divergence")

    def test_first_difference(self):
        self.assertEqual(runner.first_difference("a\nb\n", "a\nc\n"),
                         (2, "b", "c"))
        self.assertEqual(runner.first_difference("a\n", "a\nb\n"),
                         (2, "<end>", "b"))

    def test_run_program(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "p.py")
            with open(path, "w") as f:
                f.write("print('out')\nraise KeyError('k')\n")
            got = runner.run_program(sys.executable, path, 60)
        self.assertEqual((got.rc, got.out), (1, "out\n"))
        self.assertEqual(runner.error_line(got.err), "KeyError: 'k'")
        self.assertEqual(got.describe(), "exit 1, KeyError: 'k'")


class MinimizerTests(unittest.TestCase):

    def test_keeps_what_the_predicate_needs(self):
        src = ("import sys\n"
               "def f(n):\n"
               "    if n > 100:\n"
               "        x = 1\n"
               "    return g(n)\n"
               "def g(n):\n"
               "    return n\n"
               "y = 2\n"
               "print('KEEP', 12345)\n"
               "z = 3\n")

        def still(candidate):
            return "KEEP" in candidate

        m = minimizer.Minimizer(still, time.monotonic() + 60)
        small = m.run(src)
        self.assertIn("KEEP", small)
        self.assertIn("import sys", small)       # imports are kept
        self.assertLess(len(small.splitlines()), len(src.splitlines()))
        for gone in ("def f", "def g", "y = 2", "z = 3"):
            self.assertNotIn(gone, small)
        compile(small, "<min>", "exec")

    def test_deadline(self):
        m = minimizer.Minimizer(lambda s: True, time.monotonic() - 1)
        self.assertEqual(m.run("x = 1\ny = 2\n"), "x = 1\ny = 2\n")


class RegressionsFormatTests(unittest.TestCase):

    def test_saved_case_round_trip(self):
        # What save_case() writes is what read_expectations() reads.
        stock = result(1, "a  \n\nb 0x7f00aa\n",
                       "Traceback ...\n  ...\nValueError: bad\n")
        tco = result(-11)
        with tempfile.TemporaryDirectory() as tmp:
            path = regressions.save_case(tmp, "s", 3, "crash:tco:11",
                                         "print('a')\n", stock, tco)
            self.assertEqual(os.path.basename(path), "seed_s_3.py")
            self.assertEqual(regressions.read_expectations(path),
                             {"exit": 1, "error": "ValueError: bad",
                              "stdout": ["a", "", "b 0x?"]})
            with open(path) as f:
                compile(f.read(), path, "exec")


class CommandLineTests(unittest.TestCase):

    def test_units(self):
        out = subprocess.run(
            [sys.executable, os.path.join(TOP, "tools", "fuzz"),
             "--show", "unittest:1", "--units", "meddle,chain"],
            capture_output=True, text=True, check=True).stdout
        self.assertEqual(out, generator.generate("unittest", 1,
                                                 kinds=["meddle", "chain"]))
        bad = subprocess.run(
            [sys.executable, os.path.join(TOP, "tools", "fuzz"),
             "--show", "unittest:1", "--units", "nosuch"],
            capture_output=True, text=True)
        self.assertEqual(bad.returncode, 2)
        self.assertIn("no unit nosuch", bad.stderr)

    def test_show(self):
        out = subprocess.run(
            [sys.executable, os.path.join(TOP, "tools", "fuzz"),
             "--show", "unittest:1"],
            capture_output=True, text=True, check=True).stdout
        self.assertEqual(out, generator.generate("unittest", 1))


if __name__ == "__main__":
    unittest.main()
