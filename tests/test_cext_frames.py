"""What a C extension built for stock CPython 3.13 sees of the frames of
tail calls: PyEval_GetFrame, PyFrame_GetBack, PyFrame_GetCode,
PyFrame_GetLineNumber, PyFrame_GetLocals and PyFrame_GetVar in chains
short and long, and the same as in stock CPython (tests/support/cext.py
builds the extension; tests/test_cext.py its calls).

    STOCK_PYTHON=build/stock/python build/tco/python -m unittest tests.test_cext_frames
"""

import json
import subprocess
import sys
import unittest

from tests.support import cext
from tests.support.cext import DEBUG_BUILD, DEBUG_REASON, DEPTH
from tests.support.chains import KEPT, chain
from tests.support.frames import py_frames, py_names

# Set by setUpModule.
built = tcoext = tcoext_limited = None
setUpModule, tearDownModule = cext.fixtures(globals())


def both_walks():
    """The stack seen from C and from Python, from the same frame."""
    return tcoext.stack_names(), py_names()



@unittest.skipIf(DEBUG_BUILD, DEBUG_REASON)
class FrameTests(unittest.TestCase):
    """The frames that the C API sees are those that Python sees."""

    def test_short_chains_keep_every_frame(self):
        base = py_names()
        for n in range(KEPT):
            # chain's n + 1 frames: a C callee does not take a frame's slot.
            self.assertEqual(chain(n, tcoext.stack_names),
                             ["chain"] * (n + 1) + base)
            self.assertEqual(chain(n, both_walks),
                             (["both_walks"] + ["chain"] * (n + 1) + base,) * 2)

    def test_long_chains_keep_kept_frames(self):
        base = py_names()
        for n in [*range(KEPT, 3 * KEPT), 1000, DEPTH]:
            # The first KEPT frames of the chain, then the frame in the slot
            # of the replaced ones: the last chain frame, or the Python
            # callee that replaced it.
            self.assertEqual(chain(n, tcoext.stack_names),
                             ["chain"] * (KEPT + 1) + base)
            self.assertEqual(chain(n, both_walks),
                             (["both_walks"] + ["chain"] * KEPT + base,) * 2)
            # sys._getframe, a C callee too, sees the same frame.
            frame = chain(n, sys._getframe)
            names = []
            while frame is not None:
                names.append(frame.f_code.co_name)
                frame = frame.f_back
            self.assertEqual(names, ["chain"] * (KEPT + 1) + base)

    def test_same_frame_objects(self):
        def walks():
            return tcoext.stack_frames(), py_frames()
        for n in (0, 5, KEPT - 1, KEPT, 10 * KEPT, DEPTH):
            c_frames, python_frames = chain(n, walks)
            self.assertEqual(len(c_frames), len(python_frames))
            for a, b in zip(c_frames, python_frames):
                self.assertIs(a, b)

    def step_info(self, n):
        local = f"local-{n}"
        return self.step_info(n - 1) if n else (tcoext.stack_info(),
                                                 py_frames())

    def check_info(self, depth, expected_ns):
        info, frames = self.step_info(depth)
        line = self.step_info.__code__.co_firstlineno + 2
        self.assertEqual([entry[0] for entry in info],
                         [frame.f_code.co_name for frame in frames])
        steps = [entry for entry in info if entry[0] == "step_info"]
        self.assertEqual([entry[2]["n"] for entry in steps], expected_ns)
        for (name, lineno, f_locals), frame in zip(steps, frames):
            # These frames have returned: f_lineno is as they left it.
            self.assertEqual(lineno, frame.f_lineno)
            self.assertEqual(lineno, line)
            self.assertEqual(f_locals, frame.f_locals)
            self.assertEqual(f_locals, {"self": self, "n": f_locals["n"],
                                        "local": f"local-{f_locals['n']}"})
        name, lineno, f_locals = info[len(steps)]
        self.assertEqual(name, "check_info")
        self.assertEqual(lineno, self.check_info.__code__.co_firstlineno + 1)
        self.assertEqual(f_locals, {"self": self, "depth": depth,
                                    "expected_ns": expected_ns})

    def test_locals_and_lines_short_chain(self):
        self.check_info(5, [0, 1, 2, 3, 4, 5])

    def test_locals_and_lines_long_chain(self):
        # The frames of n = DEPTH .. DEPTH - KEPT + 1 stay; the last one
        # holds the slot of the others.
        self.check_info(DEPTH, [0] + list(range(DEPTH - KEPT + 1, DEPTH + 1)))

    def test_caller_var(self):
        def f(n):
            mine = n * 2
            return f(n - 1) if n else tcoext.caller_var("mine")
        for n in (0, 3, KEPT, DEPTH):
            self.assertEqual(f(n), 0)
        with self.assertRaises(NameError):
            tcoext.caller_var("no such variable")

    def test_limited_caller(self):
        def f(n):
            return f(n - 1) if n else tcoext_limited.caller()
        for n in (0, 3, KEPT, DEPTH):
            self.assertEqual(f(n), ("f", f.__code__.co_firstlineno + 1))


# Run by stock CPython and by cpython-tco, tail calls on and off: what the
# extension sees must be the same, but for chains longer than KEPT with
# tail calls on.
COMPARE = """if 1:
    import json, sys
    sys.path.insert(0, sys.argv[1])
    import tcoext, tcoext_limited

    def chain(n, then):
        return then() if n == 0 else chain(n - 1, then)

    def step(n):
        local = n * 10
        return step(n - 1) if n else tcoext.stack_info()

    def nested(k):
        return nested_chain(k, 3)

    def nested_chain(k, n):
        if n:
            return nested_chain(k, n - 1)
        return tcoext.call(nested, k - 1) if k else tcoext.stack_names()

    def boom(n):
        if n == 0:
            raise KeyError("boom")
        return boom(n - 1)

    def report(ns):
        caught = tcoext.call_catch(boom, ns[-1])
        return {
            "names": [chain(n, tcoext.stack_names) for n in ns],
            "info": [[name, line, {k: repr(v) for k, v in f_locals.items()}]
                     for name, line, f_locals in step(ns[-1])
                     if name == "step"],
            "nested": nested(2),
            "caught": [caught[1].__name__, str(caught[2])],
            "limited": [chain(n, tcoext_limited.caller) for n in ns],
            "vectorcall": tcoext_limited.vectorcall(chain, ns[-1], lambda: 1),
        }

    print(json.dumps({"short": report(range(16)),
                      "long": report(range(16, 50))}))
"""


@unittest.skipIf(DEBUG_BUILD, DEBUG_REASON)
class StockComparisonTests(unittest.TestCase):
    """The extension sees in cpython-tco what it sees in stock CPython."""

    def run_compare(self, python, *options):
        proc = subprocess.run([python, *options, "-c", COMPARE, built.build_dir],
                              capture_output=True, text=True)
        self.assertEqual((proc.returncode, proc.stderr), (0, ""))
        return json.loads(proc.stdout)

    def test_same_as_stock(self):
        stock = self.run_compare(built.stock_python)
        tco = self.run_compare(sys.executable)
        off = self.run_compare(sys.executable, "-X", "tailcalls=off")
        self.assertEqual(off, stock)
        self.assertEqual(tco["short"], stock["short"])
        # Long chains keep KEPT frames.
        self.assertNotEqual(tco["long"]["names"], stock["long"]["names"])
        for names in tco["long"]["names"]:
            self.assertEqual(names,
                             ["chain"] * (KEPT + 1) + ["report", "<module>"])


if __name__ == "__main__":
    unittest.main()
