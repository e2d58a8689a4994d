"""C extensions built for stock CPython 3.13 work in cpython-tco: calls,
chains through C, exceptions and reference counts.

The extension (tests/support/cext/tcoext.c) is compiled against the headers
of the *stock* build -- as a wheel built for CPython 3.13 would be -- and
imported into this interpreter (tests/support/cext.py, which says what
STOCK_PYTHON must name).  It calls back into Python callables that run long
chains of tail calls, is called from inside such chains, sees exceptions
raised deep in a chain, and keeps reference counts right.  A second module,
built from the same file with Py_LIMITED_API, does the calls through the
stable ABI.  What it sees of the frames: tests/test_cext_frames.py.

    STOCK_PYTHON=build/stock/python build/tco/python -m unittest tests.test_cext
"""

import dis
import gc
import importlib.machinery
import subprocess
import sys
import sysconfig
import traceback
import unittest

from tests.support import cext
from tests.support.cext import DEBUG_BUILD, DEBUG_REASON, DEPTH
from tests.support.frames import raised
from tests.support.chains import (KEPT, form, is_even, is_odd,
                                  loop as countdown)
from tests.support.frames import py_names

# Set by setUpModule.
built = tcoext = tcoext_limited = None
setUpModule, tearDownModule = cext.fixtures(globals())


# Python code that C calls, and that calls C (and countdown, is_even and
# is_odd from tests.support.chains).

def carry(n, x):
    return x if n == 0 else carry(n - 1, x)


def carry_many(n, a, b, c, d, e, f, g, h, i, j):
    if n == 0:
        return (a, b, c, d, e, f, g, h, i, j)
    return carry_many(n - 1, a, b, c, d, e, f, g, h, i, j)


def deep_raise(n, exc_type=ValueError):
    if n == 0:
        raise exc_type(f"raised at depth 0 of {DEPTH}")
    return deep_raise(n - 1, exc_type)


def deep_raise_with(x):
    return deep_raise_carrying(1000, x)


def deep_raise_carrying(n, x):
    if n == 0:
        raise ValueError(x)
    return deep_raise_carrying(n - 1, x)


def through_c(n, x):
    # A Python tail call into C, which calls back into Python.
    return x if n == 0 else tcoext.call(through_c, n - 1, x)


def segments(k, length, then):
    """k + 1 chains of length + 1 tail calls, each but the first entered
    from C (tcoext.call) at the end of the one before; then()."""
    return segment(k, length, length, then)


def segment(k, n, length, then):
    if n:
        return segment(k, n - 1, length, then)
    if k:
        return tcoext.call(segments, k - 1, length, then)
    return then()


SEGMENT = 5_000


def both_walks():
    """The stack seen from C and from Python, from the same frame."""
    return tcoext.stack_names(), py_names()



@unittest.skipIf(DEBUG_BUILD, DEBUG_REASON)
class BuildTests(unittest.TestCase):

    def test_built_for_stock(self):
        suffix = built.ext_suffix
        self.assertTrue(tcoext.__file__.endswith(suffix))
        # The import system of cpython-tco takes both suffixes.
        self.assertIn(suffix, importlib.machinery.EXTENSION_SUFFIXES)
        self.assertIn(".abi3.so", importlib.machinery.EXTENSION_SUFFIXES)
        # The free-threaded build has no stable ABI to build for (stock's
        # as ours): tcoext_limited is built against the full API there.
        self.assertTrue(tcoext_limited.__file__.endswith(
            suffix if sysconfig.get_config_var("Py_GIL_DISABLED")
            else ".abi3.so"))

    def test_import_through_sys_path(self):
        code = ("import sys; sys.path.insert(0, sys.argv[1]); "
                "import tcoext, tcoext_limited; "
                "print(tcoext.call(lambda: 'ok'), "
                "tcoext_limited.vectorcall(lambda: 'ok'))")
        for python in (sys.executable, built.stock_python):
            with self.subTest(python=python):
                proc = subprocess.run([python, "-c", code, built.build_dir],
                                      capture_output=True, text=True)
                self.assertEqual((proc.returncode, proc.stderr), (0, ""))
                self.assertEqual(proc.stdout, "ok ok\n")


@unittest.skipIf(DEBUG_BUILD, DEBUG_REASON)
class CallBackTests(unittest.TestCase):
    """C calls Python callables that make deep tail calls."""

    def setUp(self):
        self.assertEqual(sys.getrecursionlimit(), 1000)

    def test_deep_tail_recursion(self):
        self.assertEqual(tcoext.call(countdown, DEPTH), 0)
        self.assertEqual(tcoext.call_catch(countdown, DEPTH), (0, None, None))

    def test_deep_mutual_recursion(self):
        self.assertIs(tcoext.call(is_even, DEPTH), True)
        self.assertIs(tcoext.call(is_even, DEPTH + 1), False)

    def test_deep_chain_returns_its_argument(self):
        arg = object()
        self.assertIs(tcoext.call(carry, DEPTH, arg), arg)

    def test_call_object(self):
        self.assertEqual(tcoext_limited.call_object(countdown, (DEPTH,)), 0)
        self.assertIs(tcoext_limited.call_object(is_even, (DEPTH,)), True)

    def test_vectorcall(self):
        self.assertEqual(tcoext_limited.vectorcall(countdown, DEPTH), 0)
        self.assertIs(tcoext_limited.vectorcall(is_odd, DEPTH), False)
        # More arguments than the module's array on the C stack holds.
        args = tuple(range(10))
        self.assertEqual(tcoext_limited.vectorcall(carry_many, DEPTH, *args),
                         args)

    def test_check_in_c(self):
        arg = object()
        self.assertIs(tcoext_limited.check(countdown, DEPTH, 0, 5), True)
        self.assertIs(tcoext_limited.check(lambda x: carry(DEPTH, x),
                                           arg, arg, 5), True)
        error = raised(AssertionError,
                       lambda: tcoext_limited.check(countdown, DEPTH, 1, 1))
        self.assertEqual(str(error), "PyObject_CallObject returned 0, not 1")

    def test_bound_methods_and_lambdas(self):
        class Counter:
            def down(self, n):
                return n if n == 0 else self.down(n - 1)
        self.assertEqual(tcoext.call(Counter().down, DEPTH), 0)
        self.assertEqual(tcoext_limited.vectorcall(Counter().down, DEPTH), 0)
        self.assertEqual(tcoext.call(lambda: countdown(DEPTH)), 0)


@unittest.skipIf(DEBUG_BUILD, DEBUG_REASON)
class ChainThroughCTests(unittest.TestCase):
    """Python tail-calls into C, which calls Python, which tail-calls."""

    def test_through_c(self):
        # Each level is a Python tail call into C, which keeps its frame
        # (a C callee takes no frame's slot), and a call from C: as in
        # stock, such a recursion is bounded by the recursion limit.
        arg = object()
        self.assertIs(through_c(300, arg), arg)

    def test_long_segments(self):
        # 21 chains of 5000 tail calls, each entered from C.
        self.assertEqual(segments(20, SEGMENT, lambda: "bottom"), "bottom")
        self.assertGreater(21 * SEGMENT, sys.getrecursionlimit())

    def test_stack_at_the_bottom(self):
        base = py_names()
        c_names, python_names = segments(3, SEGMENT, both_walks)
        self.assertEqual(c_names, python_names)
        # Each chain shows KEPT + 1 frames: its first KEPT, then the frame
        # in the slot of the replaced ones.
        self.assertEqual(c_names,
                         ["both_walks"] + ["segment"] * (KEPT - 1)
                         + ["segments"]
                         + (["segment"] * KEPT + ["segments"]) * 3
                         + base)

    def test_short_segments_keep_every_frame(self):
        base = py_names()
        c_names, python_names = segments(2, 3, both_walks)
        self.assertEqual(c_names, python_names)
        self.assertEqual(c_names,
                         ["both_walks"]
                         + (["segment"] * 4 + ["segments"]) * 3
                         + base)

    def test_tail_calls_into_c(self):
        # Warm enough that the tail calls specialize, for each calling
        # convention of the module's functions.
        def fast(x):
            return tcoext.call(carry, 100, x)               # METH_FASTCALL
        def one(x):
            local = ("local", x)
            return tcoext.caller_var("local")               # METH_O
        def noargs():
            return tcoext.stack_names()                     # METH_NOARGS
        def varargs(x):
            return tcoext.call_many(lambda y: y, x, 2)      # METH_VARARGS
        def limited(x):
            return tcoext_limited.vectorcall(carry, 100, x)
        for i in range(200):
            self.assertEqual(fast(i), i)
            self.assertEqual(one(i), ("local", i))
            self.assertEqual(noargs()[:2], ["noargs", "test_tail_calls_into_c"])
            self.assertEqual(varargs(i), 2)
            self.assertEqual(limited(i), i)
        specialized = {fast: "TAIL_CALL_BUILTIN_FAST",
                       one: "TAIL_CALL_BUILTIN_O",
                       noargs: "TAIL_CALL_NON_PY_GENERAL",
                       varargs: "TAIL_CALL_NON_PY_GENERAL",
                       limited: "TAIL_CALL_BUILTIN_FAST"}
        for func, opname in specialized.items():
            calls = [i.opname for i in dis.get_instructions(func, adaptive=True)
                     if "CALL" in i.opname]
            self.assertEqual(calls, [form(opname)], func.__name__)

    def test_tail_call_into_c_at_depth(self):
        def down(n):
            here = n
            return down(n - 1) if n else tcoext.caller_var("here")
        self.assertEqual(down(DEPTH), 0)
        def down_limited(n):
            return down_limited(n - 1) if n else tcoext_limited.caller()
        name, line = down_limited(DEPTH)
        self.assertEqual(name, "down_limited")
        self.assertEqual(line, down_limited.__code__.co_firstlineno + 1)


@unittest.skipIf(DEBUG_BUILD, DEBUG_REASON)
class ExceptionTests(unittest.TestCase):
    """An exception raised deep in a chain reaches C, then Python."""

    def test_seen_in_c(self):
        for module in (tcoext, tcoext_limited):
            for exc_type in (ValueError, KeyError, ZeroDivisionError):
                with self.subTest(module=module.__name__, exc=exc_type):
                    result, occurred, exc = module.call_catch(
                        deep_raise, DEPTH, exc_type)
                    self.assertIsNone(result)
                    self.assertIs(occurred, exc_type)
                    self.assertIs(type(exc), exc_type)
                    self.assertEqual(exc.args,
                                     (f"raised at depth 0 of {DEPTH}",))

    def test_propagates_through_c(self):
        for call in (tcoext.call, tcoext_limited.vectorcall,
                     lambda f, *a: tcoext_limited.call_object(f, a)):
            with self.assertRaisesRegex(ValueError,
                                        f"^raised at depth 0 of {DEPTH}$"):
                call(deep_raise, DEPTH)

    def test_traceback(self):
        error = raised(ValueError, lambda: tcoext.call(deep_raise, DEPTH))
        names = [f.name for f in traceback.extract_tb(error.__traceback__)]
        # C has no frame; the chain shows its first KEPT frames and the
        # frame that raised, in the slot of the replaced ones.
        self.assertEqual(names, ["raised", "<lambda>"]
                         + ["deep_raise"] * (KEPT + 1))
        text = "".join(traceback.format_exception(error))
        self.assertIn(f"[... {DEPTH + 1 - (KEPT + 1)} frames elided "
                      f"by tail calls ...]", text)

    def test_short_chain_traceback(self):
        def shallow(n):
            return shallow(n - 1) if n else tcoext.call(deep_raise, 3)
        error = raised(ValueError, lambda: shallow(2))
        names = [f.name for f in traceback.extract_tb(error.__traceback__)]
        self.assertEqual(names, ["raised", "<lambda>"] + ["shallow"] * 3
                         + ["deep_raise"] * 4)

    def test_through_segments(self):
        def boom():
            raise KeyError("bottom")
        error = raised(KeyError, lambda: segments(5, SEGMENT, boom))
        self.assertEqual(error.args, ("bottom",))
        self.assertEqual(segments(5, SEGMENT,
                                  lambda: tcoext.call_catch(boom))[1],
                         KeyError)

    def test_raised_in_c_at_the_end_of_a_chain(self):
        def down(n, flag):
            return down(n - 1, flag) if n else tcoext.raise_if(flag, "from C")
        self.assertEqual(down(DEPTH, False), "from C")
        with self.assertRaisesRegex(ValueError, "^from C$"):
            down(DEPTH, True)
        result, occurred, exc = tcoext.call_catch(down, DEPTH, True)
        self.assertIs(occurred, ValueError)
        self.assertEqual(str(exc), "from C")

    def test_argument_error_at_a_tail_call(self):
        def bad(n):
            return bad(n - 1) if n else countdown(1, 2)
        result, occurred, exc = tcoext.call_catch(bad, DEPTH)
        self.assertIs(occurred, TypeError)
        self.assertIn("takes 1 positional argument", str(exc))
        names = [f.name for f in traceback.extract_tb(exc.__traceback__)]
        self.assertEqual(names, ["bad"] * (KEPT + 1))

    def test_recursion_error_through_c_still_raised(self):
        # A recursion through C is not a chain of tail calls.
        def recurse(n):
            return tcoext.call(recurse, n + 1)
        result, occurred, exc = tcoext.call_catch(recurse, 0)
        self.assertIs(occurred, RecursionError)


@unittest.skipIf(DEBUG_BUILD, DEBUG_REASON)
class RefcountTests(unittest.TestCase):
    """Calls from C through deep chains leave reference counts as they
    were."""

    def stable(self, obj, action):
        action()                # warm up: caches, specialization
        gc.collect()
        before = sys.getrefcount(obj)
        for _ in range(3):
            action()
        gc.collect()
        self.assertEqual(sys.getrefcount(obj), before)

    def test_argument(self):
        arg = object()
        def through(x):
            return carry(1000, x)
        def action():
            self.assertEqual(tcoext.call_many(through, arg, 1000), 1000)
            self.assertIs(tcoext.call(carry, DEPTH, arg), arg)
        self.stable(arg, action)

    def test_through_c_levels(self):
        arg = object()
        self.stable(arg, lambda: self.assertIs(through_c(100, arg), arg))

    def test_exceptions(self):
        arg = object()
        self.stable(arg, lambda: self.assertEqual(
            tcoext.catch_many(deep_raise_with, arg, 300), 300))
        def caught():
            result, occurred, exc = tcoext_limited.call_catch(
                deep_raise_with, arg)
            self.assertIs(exc.args[0], arg)
        self.stable(arg, caught)

    def test_limited(self):
        arg = object()
        args = tuple(object() for _ in range(10))
        def action():
            self.assertIs(tcoext_limited.check(
                lambda x: carry(1000, x), arg, arg, 500), True)
            self.assertIs(tcoext_limited.vectorcall(carry, DEPTH, arg), arg)
            self.assertEqual(tcoext_limited.call_object(
                carry_many, (DEPTH, *args)), args)
        self.stable(arg, action)
        self.stable(args[9], action)

    def test_frame_api(self):
        arg = object()
        def hold(n, x):
            return hold(n - 1, x) if n else (tcoext.stack_info(),
                                            tcoext.stack_frames(),
                                            tcoext.stack_names(),
                                            tcoext.caller_var("x"))
        def action():
            for n in (3, DEPTH):
                info, frames, names, x = hold(n, arg)
                self.assertIs(x, arg)
                self.assertIs(info[0][2]["x"], arg)
            for _ in range(1000):
                tcoext.stack_names()
                tcoext_limited.caller()
        self.stable(arg, action)
        self.stable(hold.__code__, action)
        # The code of a frame that the walks pass through.
        self.stable(RefcountTests.test_frame_api.__code__, action)


if __name__ == "__main__":
    unittest.main()
