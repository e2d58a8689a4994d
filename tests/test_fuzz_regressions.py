"""The differential fuzzer's findings and its generator.

Every tests/fuzz_regressions/seed_*.py is a program on which stock CPython
and cpython-tco once diverged (tools/fuzz saved and minimized it); its
header records the expected behaviour (stock's): exit status, the last
line of stderr and stdout.  Each file is a test here: the program runs
under sys.executable and must behave as recorded.

The generator's tests hold even when there is no case: its programs are
reproducible from their seed, compile, contain tail calls (under an
interpreter that has the TAIL_CALL instructions), and behave alike with
tail calls on and off (-X tailcalls=off makes every tail call an ordinary
call, as in stock CPython).
"""

import dis
import glob
import importlib.machinery
import importlib.util
import os
import sys
import tempfile
import types
import unittest

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CASES_DIR = os.path.join(TOP, "tests", "fuzz_regressions")
FUZZ = os.path.join(TOP, "tools", "fuzz")
TIMEOUT = 300


def load_fuzz():
    """tools/fuzz as a module (the script has no .py suffix)."""
    loader = importlib.machinery.SourceFileLoader("tools_fuzz", FUZZ)
    spec = importlib.util.spec_from_loader("tools_fuzz", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


fuzz = load_fuzz()


def read_expectations(path):
    """The header of a saved case: {'exit': int or 'no-crash',
    'error': str, 'stdout': [lines]}."""
    expect = {"exit": None, "error": "", "stdout": []}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.startswith("#"):
                break
            key, sep, value = line[1:].strip().partition(":")
            value = value[1:] if value.startswith(" ") else value
            if not sep:
                continue
            if key == "expect-exit":
                expect["exit"] = value if value == "no-crash" else int(value)
            elif key == "expect-error":
                expect["error"] = value
            elif key == "expect-stdout":
                expect["stdout"].append(value)
    return expect


def lines(text):
    return [line.rstrip() for line in fuzz.normalize(text).splitlines()]


def all_code(code):
    """code and every code object nested in it."""
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from all_code(const)


class RegressionTests(unittest.TestCase):
    """One test per saved case (test_seed_<S>_<N>)."""

    def check_case(self, path):
        expect = read_expectations(path)
        self.assertIsNotNone(expect["exit"],
                             f"{path}: no '# expect-exit:' line")
        result = fuzz.run_program(sys.executable, path, TIMEOUT)
        self.assertFalse(result.timed_out, f"{path}: timed out")
        self.assertGreaterEqual(result.rc, 0,
                                f"{path}: {result.describe()}")
        if expect["exit"] == "no-crash":
            return
        self.assertEqual(lines(result.out), expect["stdout"])
        self.assertEqual(fuzz.error_line(result.err), expect["error"])
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


class GeneratorTests(unittest.TestCase):
    """The programs of tools/fuzz, without a second interpreter."""

    SEEDS = [("unittest", n) for n in range(6)]

    def test_programs_are_reproducible(self):
        for seed, n in self.SEEDS[:3]:
            self.assertEqual(fuzz.generate(seed, n), fuzz.generate(seed, n))
        self.assertNotEqual(fuzz.generate("unittest", 0),
                            fuzz.generate("unittest", 1))

    def test_programs_compile(self):
        for seed, n in self.SEEDS:
            src = fuzz.generate(seed, n)
            with self.subTest(seed=seed, n=n):
                compile(src, f"<fuzz {seed}:{n}>", "exec")
                self.assertIn("sys.setrecursionlimit(100000)", src)

    @unittest.skipUnless("TAIL_CALL" in dis.opmap,
                         "this interpreter has no TAIL_CALL instruction")
    def test_programs_make_tail_calls(self):
        tail_ops = {"TAIL_CALL", "TAIL_CALL_KW", "TAIL_CALL_FUNCTION_EX"}
        seen = set()
        for seed, n in self.SEEDS:
            src = fuzz.generate(seed, n)
            code = compile(src, f"<fuzz {seed}:{n}>", "exec")
            ops = {ins.opname for c in all_code(code)
                   for ins in dis.get_instructions(c)}
            with self.subTest(seed=seed, n=n):
                self.assertTrue(ops & tail_ops, "no tail call")
            seen |= ops & tail_ops
        # Between them, the programs make all three kinds.
        self.assertEqual(seen, tail_ops)

    def test_saved_case_round_trip(self):
        # What tools/fuzz writes is what this module reads.
        stock = fuzz.Result(1, "a  \n\nb 0x7f00aa\n", "Traceback ...\n"
                            "  ...\nValueError: bad\n", False, 0.1)
        tco = fuzz.Result(-11, "", "", False, 0.1)
        with tempfile.TemporaryDirectory() as tmp:
            path = fuzz.save_case(tmp, "s", 3, "crash:tco:11",
                                  "print('a')\n", stock, tco)
            self.assertEqual(os.path.basename(path), "seed_s_3.py")
            self.assertEqual(read_expectations(path),
                             {"exit": 1, "error": "ValueError: bad",
                              "stdout": ["a", "", "b 0x?"]})
            with open(path) as f:
                compile(f.read(), path, "exec")

    @unittest.skipUnless(getattr(sys.flags, "tail_calls", None) is not None,
                         "this interpreter has no -X tailcalls")
    def test_tail_calls_on_and_off_agree(self):
        # A differential run inside one interpreter: -X tailcalls=off is
        # stock CPython's behaviour.
        with tempfile.TemporaryDirectory() as tmp:
            for seed, n in self.SEEDS[:2]:
                path = os.path.join(tmp, f"p{n}.py")
                with open(path, "w") as f:
                    f.write(fuzz.generate(seed, n, max_depth=400, units=3))
                on = fuzz.run_program(sys.executable, path, TIMEOUT,
                                      ["-X", "tailcalls=on"])
                off = fuzz.run_program(sys.executable, path, TIMEOUT,
                                       ["-X", "tailcalls=off"])
                with self.subTest(seed=seed, n=n):
                    self.assertFalse(off.not_run, off.err)
                    self.assertGreaterEqual(off.rc, 0, off.describe())
                    self.assertTrue(off.out, "the program printed nothing")
                    self.assertIsNone(fuzz.compare(off, on),
                                      f"{seed}:{n}: {on.describe()} with "
                                      f"tail calls, {off.describe()} "
                                      f"without")


if __name__ == "__main__":
    unittest.main()
