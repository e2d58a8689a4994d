"""C extensions built for stock CPython 3.13 work in cpython-tco.

The extension (tests/support/cext/tcoext.c) is compiled against the headers
of the *stock* build -- as a wheel built for CPython 3.13 would be -- and
imported into this interpreter.  It calls back into Python callables that
run long chains of tail calls, is called from inside such chains, walks the
frames through the C API (PyEval_GetFrame, PyFrame_GetBack, PyFrame_GetCode,
PyFrame_GetLineNumber, PyFrame_GetLocals, PyFrame_GetVar), sees exceptions
raised deep in a chain, and keeps reference counts right.  A second module,
built from the same file with Py_LIMITED_API, does the calls through the
stable ABI.

STOCK_PYTHON names the stock interpreter (e.g. build/stock/python); its
directory holds pyconfig.h and ../src-stock/Include the headers.  `make
test-ours` and `make test` set it; the tests fail, not skip, without it.
A --with-pydebug interpreter (`make refleaks`) skips them: an extension
built for a release build does not load into a debug build, as in stock.
"""

import dis
import gc
import importlib.machinery
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import traceback
import unittest

from tests.support.chains import (KEPT, chain, form, is_even, is_odd,
                                  loop as countdown)

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCE = os.path.join(TOP, "tests", "support", "cext", "tcoext.c")
DEPTH = 100_000
DEBUG_BUILD = hasattr(sys, "gettotalrefcount")
DEBUG_REASON = ("a stock release-build extension cannot load into a "
                "--with-pydebug interpreter (different ABI, as in stock)")

# Set by setUpModule.
tcoext = tcoext_limited = None
build_dir = stock_python = stock_ext_suffix = None


def stock_config(python):
    """What the stock interpreter says of itself."""
    code = ("import json, sys, sysconfig; print(json.dumps({"
            "'ext_suffix': sysconfig.get_config_var('EXT_SUFFIX'),"
            "'version': list(sys.version_info[:2]),"
            "'tail_calls': hasattr(sys.flags, 'tail_calls'),"
            "'debug': hasattr(sys, 'gettotalrefcount'),"
            "'free_threaded': bool(sysconfig.get_config_var("
            "'Py_GIL_DISABLED'))}))")
    proc = subprocess.run([python, "-c", code], capture_output=True,
                          text=True)
    if proc.returncode:
        raise RuntimeError(f"STOCK_PYTHON={python} failed:\n{proc.stderr}")
    return json.loads(proc.stdout)


def compile_module(directory, include_dirs, filename, *defines):
    command = ["gcc", "-shared", "-fPIC", "-O2", "-Wall",
               *(f"-I{d}" for d in include_dirs), *defines,
               "-o", os.path.join(directory, filename), SOURCE]
    proc = subprocess.run(command, capture_output=True, text=True)
    if proc.returncode:
        raise RuntimeError(f"{' '.join(command)} failed:\n{proc.stderr}")
    if proc.stderr:
        raise RuntimeError(f"{' '.join(command)} warned:\n{proc.stderr}")
    return os.path.join(directory, filename)


def load(name, path):
    loader = importlib.machinery.ExtensionFileLoader(name, path)
    spec = importlib.util.spec_from_file_location(name, path, loader=loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def setUpModule():
    global tcoext, tcoext_limited, build_dir, stock_python, stock_ext_suffix
    if DEBUG_BUILD:
        return                  # the classes skip
    stock_python = os.environ.get("STOCK_PYTHON")
    if not stock_python:
        raise RuntimeError(
            "STOCK_PYTHON is not set: it must name the stock CPython 3.13 "
            "interpreter whose headers the test extension is built against, "
            "e.g. STOCK_PYTHON=build/stock/python (`make stock` builds it; "
            "`make test-ours` sets it)")
    stock_python = os.path.abspath(stock_python)
    if not os.access(stock_python, os.X_OK):
        raise RuntimeError(f"STOCK_PYTHON={stock_python}: no such "
                           f"executable")
    stock_dir = os.path.dirname(stock_python)
    include_dirs = [os.path.join(os.path.dirname(stock_dir), "src-stock",
                                 "Include"),
                    stock_dir]
    for header in (os.path.join(include_dirs[0], "Python.h"),
                   os.path.join(include_dirs[1], "pyconfig.h")):
        if not os.path.isfile(header):
            raise RuntimeError(f"STOCK_PYTHON={stock_python}: no {header}")
    config = stock_config(stock_python)
    if config["tail_calls"] or config["debug"]:
        raise RuntimeError(f"STOCK_PYTHON={stock_python} is not a stock "
                           f"release build of CPython")
    if tuple(config["version"]) != sys.version_info[:2]:
        raise RuntimeError(f"STOCK_PYTHON={stock_python} is Python "
                           f"{config['version']}, not {sys.version_info[:2]}")
    directory = tempfile.mkdtemp(prefix="test_cext-")
    try:
        full = compile_module(directory, include_dirs,
                              "tcoext" + config["ext_suffix"])
        if config["free_threaded"]:
            # No stable ABI in 3.13t: the same module, the full API.
            limited = compile_module(directory, include_dirs,
                                     "tcoext_limited" + config["ext_suffix"],
                                     "-DTCOEXT_LIMITED")
        else:
            limited = compile_module(directory, include_dirs,
                                     "tcoext_limited.abi3.so",
                                     "-DPy_LIMITED_API=0x030d0000")
        tcoext = load("tcoext", full)
        tcoext_limited = load("tcoext_limited", limited)
    except BaseException:
        shutil.rmtree(directory)
        raise
    build_dir = directory
    stock_ext_suffix = config["ext_suffix"]


def tearDownModule():
    # The modules stay loaded (an extension cannot be unloaded); their
    # files may go.  Another run builds and loads them anew, from another
    # directory.
    global tcoext, tcoext_limited, build_dir
    if build_dir is not None:
        shutil.rmtree(build_dir, ignore_errors=True)
    tcoext = tcoext_limited = build_dir = None


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


def py_names(depth=1):
    """co_name of every frame from the caller's (depth 1) down."""
    names, f = [], sys._getframe(depth)
    while f is not None:
        names.append(f.f_code.co_name)
        f = f.f_back
    return names


def py_frames(depth=1):
    frames, f = [], sys._getframe(depth)
    while f is not None:
        frames.append(f)
        f = f.f_back
    return frames


def both_walks():
    """The stack seen from C and from Python, from the same frame."""
    return tcoext.stack_names(), py_names()


def raised(exc_type, func):
    try:
        func()
    except exc_type as e:
        return e
    raise AssertionError(f"{func} did not raise {exc_type.__name__}")


@unittest.skipIf(DEBUG_BUILD, DEBUG_REASON)
class BuildTests(unittest.TestCase):

    def test_built_for_stock(self):
        suffix = stock_ext_suffix
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
        for python in (sys.executable, stock_python):
            with self.subTest(python=python):
                proc = subprocess.run([python, "-c", code, build_dir],
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
        self.stable(FrameTests.step_info.__code__, action)


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
        proc = subprocess.run([python, *options, "-c", COMPARE, build_dir],
                              capture_output=True, text=True)
        self.assertEqual((proc.returncode, proc.stderr), (0, ""))
        return json.loads(proc.stdout)

    def test_same_as_stock(self):
        stock = self.run_compare(stock_python)
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
