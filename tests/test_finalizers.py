"""Objects are finalized where stock CPython finalizes them.  A tail call
that replaces its caller's frame ends the caller before the callee runs, but
what the release of the caller's locals would run or show (a finalizer, a
generator's finally block, a weakref callback, at any depth of what the
locals hold) is set aside and released when the chain returns, most recent
first (docs/semantics.md, "What is finalized where").  Each case logs what
ran, in order, at depths inside and far past the kept window; the log must be
stock's, in this process (which -R on the debug build checks for leaks), in
a fresh one, and with tail calls off.  What goes at the tail call itself
(the locals whose release nothing can see, a for loop's iterators):
tests/test_released_at_call.py."""

import gc
import sys
import textwrap
import unittest
import weakref
from test.support import import_helper

from tests.support.chains import KEPT, big_frame_function, chain, loop as countdown
from tests.support.process import (asan_build, run_ok, small_asan_quarantine,
                                    stock_python)

DEPTHS = (20, 200, 100_000)

# Past some 10,000 traceback entries (some 450 on a debug build, whose C
# recursion limit is lower), stock's order of deallocation is the
# trashcan's: Py_TRASHCAN_BEGIN defers the deallocation of deeply nested
# objects, which a short traceback does not meet.
TRACEBACK_DEPTHS = (20, 200) if hasattr(sys, "gettotalrefcount") else (
    20, 200, 5000)

# Each case defines main(n), which returns the log of a chain n calls deep.
# step(n, body) tail-calls itself n times, then tail-calls body(); D(i)
# logs ('del', i) when it is finalized (PRELUDE).
CASES = {
    # The row of docs/semantics.md: `for x in gen(): return callee(x)`,
    # gen has try/finally.  Every frame of the chain iterates one.
    "generator_finally": """
        def gen(i):
            try:
                yield i
            finally:
                log.append(('finally', i))
        def callee(x):
            log.append(('callee', x))
            return x
        def f(n):
            for x in gen(n):
                if n == 0:
                    return callee(x)
                return f(n - 1)
        def main(n):
            f(n)
    """,
    # A generator that yields inside `with Res():`: the resource is open
    # while its row is used.
    "with_in_generator": """
        class Res:
            def __init__(self, i):
                self.i = i
            def __enter__(self):
                log.append(('open', self.i))
                return self
            def __exit__(self, *exc):
                log.append(('close', self.i))
        def rows(i):
            with Res(i) as r:
                yield r
        def use(r):
            log.append(('use', r.i))
            return r.i
        def body():
            for r in rows('last'):
                return use(r)
        def main(n):
            step(n, body)
    """,
    # A local with __del__ in every frame of the chain.
    "local_del": """
        def callee():
            log.append('callee')
            return 0
        def f(n):
            d = D(n)
            if n == 0:
                return callee()
            return f(n - 1)
        def main(n):
            f(n)
    """,
    # The wrapper has no finalizer; the closer it holds has one.
    "named_temporary_file": """
        import os, tempfile
        def exists(name):
            log.append(('exists', os.path.exists(name)))
            return name
        def body():
            t = tempfile.NamedTemporaryFile()
            return exists(t.name)
        def main(n):
            name = step(n, body)
            log.append(('after', os.path.exists(name)))
    """,
    # A weakref callback on a local, and a weak reference that goes dead.
    "weakref_callback": """
        import weakref
        class Obj:
            pass
        refs = []
        def callee(i):
            log.append(('callee', i, [r() is None for r in refs[-2:]]))
            return i
        def f(n):
            o = Obj()
            refs.append(weakref.ref(o, lambda r, n=n: log.append(('cb', n))))
            if n == 0:
                return callee(n)
            return f(n - 1)
        def main(n):
            f(n)
            log.append(('dead', all(r() is None for r in refs)))
            refs.clear()
    """,
    # Objects with finalizers that others hold too: one passed down the
    # chain (and sometimes replaced), one in a registry that the callee
    # clears.  Stock's callers hold them until they return.
    "shared": """
        registry = []
        def callee(obj):
            registry.clear()
            log.append(('callee', obj.i))
            return obj.i
        def carry(n, obj):
            if n == 0:
                return callee(obj)
            mine = D(('mine', n))
            registry.append(mine)
            return carry(n - 1, D(n) if n % 3 == 0 else obj)
        def main(n):
            carry(n, D('first'))
    """,
    # The weak reference is a local too: released before its referent, it
    # would never call its callback.
    "weakref_local": """
        import weakref
        class Obj:
            pass
        def f(n, acc):
            if n == 0:
                return acc
            o = Obj()
            r = weakref.ref(o, lambda r, n=n: log.append(('cb', n)))
            return f(n - 1, acc + 1)
        def main(n):
            log.append(f(n, 0))
    """,
    # Deeper: a closure cell, a list in a dict, an instance's attribute, a
    # bound method; each holds the object with the finalizer.
    "held_at_depth": """
        class Box:
            pass
        def callee(tag):
            log.append(('callee', tag))
            return tag
        def closure(n):
            d = D(('cell', n))
            get = lambda: d
            return callee(n) if n == 0 else closure(n - 1)
        def nested(n):
            data = {'k': [D(('dict', n))]}
            return callee(n) if n == 0 else nested(n - 1)
        def attr(n):
            b = Box()
            b.d = D(('attr', n))
            return callee(n) if n == 0 else attr(n - 1)
        def method(n):
            m = D(('method', n)).__init__
            return callee(n) if n == 0 else method(n - 1)
        def main(n):
            for f in (closure, nested, attr, method):
                f(n)
    """,
    # The chain ends by an exception: the traceback's frame objects keep
    # their frames' locals, and the frame that replaced others what they
    # set aside, until the handler is done with it; then they go,
    # innermost first, as stock's.
    "chain_raises": """
        def f(n):
            d = D(n)
            if n == 0:
                raise ValueError('bottom')
            return f(n - 1)
        def main(n):
            try:
                f(n)
            except ValueError as e:
                log.append(('caught', str(e)))
            log.append(('after',))
    """,
    # A finalizer that itself runs a chain of tail calls (with its own
    # finalizers) while the outer chain's objects are being released.
    "finalizer_runs_a_chain": """
        class D:
            def __init__(self, i, inner):
                self.i = i
                self.inner = inner
            def __del__(self):
                if self.inner:
                    g(3 * KEPT, self.i)
                log.append(('del', self.i))
        def g(n, tag):
            e = D((tag, n), False)
            return tag if n == 0 else g(n - 1, tag)
        def f(n):
            d = D(n, n % 97 == 0)
            return 'done' if n == 0 else f(n - 1)
        def main(n):
            log.append(f(n))
    """,
    # A function that only its own frame and its own argument hold, whose
    # attribute holds a D: the D dies with the function, when the frame
    # that runs it ends (stock: when the chain returns).  Its frame lets go
    # of it before its locals, as stock's clearing does, so that releasing
    # the argument sees the last reference go.
    # The code is nested: the free-threaded build counts references to a
    # top-level function lazily, and only its collector frees one
    # (docs/semantics.md).
    "function_dies_with_its_frame": """
        def nested():
            def run_step(n, me):
                if n == 0:
                    log.append('bottom')
                    return 0
                return hop(n - 1, make(me.i + 1))
            return run_step
        run_step = nested()
        def make(i):
            f = type(run_step)(run_step.__code__, run_step.__globals__)
            f.i = i
            f.res = D(i)
            return f
        def hop(n, f):
            return f(n, f)
        def main(n):
            hop(n, make(0))
    """,
}

PRELUDE = """
import hashlib, sys
sys.setrecursionlimit(1_000_000)
log = []
class D:
    # An object whose finalizer logs it.
    def __init__(self, i):
        self.i = i
    def __del__(self):
        log.append(('del', self.i))
def step(n, body):
    if n == 0:
        return body()
    return step(n - 1, body)
def summary(log):
    # The log, or for a long one its length, ends and digest.
    text = repr(log)
    if len(log) <= 50:
        return text
    return (len(log), log[:10], log[-10:],
            hashlib.sha256(text.encode()).hexdigest())
"""


def source(name):
    return f"KEPT = {KEPT}\n" + PRELUDE + textwrap.dedent(CASES[name])


def run(name, n):
    """The log of the case's main(n), in this process."""
    namespace = {"__name__": f"finalizers_{name}"}
    limit = sys.getrecursionlimit()
    try:
        exec(source(name), namespace)
        namespace["main"](n)
        return repr(namespace["summary"](namespace["log"]))
    finally:
        sys.setrecursionlimit(limit)
        namespace.clear()


def printed(name, n, python, *options):
    """The log of the case's main(n), in a fresh process of python."""
    code = source(name) + f"main({n})\nprint(repr(summary(log)))\n"
    return run_ok(code, *options, python=python, timeout=300).strip()


class FinalizerOrderTests(unittest.TestCase):

    def check(self, name, depths=DEPTHS):
        for n in depths:
            with self.subTest(depth=n):
                expected = printed(name, n, stock_python())
                if n <= 200:
                    # In this process (under -R, for leaks too).
                    self.assertEqual(run(name, n), expected)
                self.assertEqual(printed(name, n, sys.executable), expected)
                if n > 1000 and asan_build():
                    # Ordinary deep frames: their order is the trashcan's,
                    # which differs from stock's release build here.
                    continue
                self.assertEqual(
                    printed(name, n, sys.executable, "-X", "tailcalls=off"),
                    expected)

    def test_generator_finally(self):
        self.check("generator_finally")

    def test_with_in_generator(self):
        self.check("with_in_generator")

    def test_local_del(self):
        self.check("local_del")

    def test_named_temporary_file(self):
        self.check("named_temporary_file")

    def test_weakref_callback(self):
        self.check("weakref_callback")

    def test_shared(self):
        self.check("shared")

    def test_weakref_local(self):
        self.check("weakref_local")

    def test_held_at_depth(self):
        self.check("held_at_depth")

    def test_chain_raises(self):
        self.check("chain_raises", depths=TRACEBACK_DEPTHS)

    def test_finalizer_runs_a_chain(self):
        self.check("finalizer_runs_a_chain")

    def test_function_dies_with_its_frame(self):
        self.check("function_dies_with_its_frame")


class ConstantSpaceTests(unittest.TestCase):
    """Steps that leave nothing with a finalizer or a weak reference behind
    set nothing aside: a chain of them runs in constant space."""

    CODE = """
        import resource, sys
        class Plain:
            def __init__(self, i):
                self.i = i
        def f(n):
            a = [n, str(n), {'k': (n, float(n))}]
            b = Plain(a)
            it = iter(a)
            return n if n == 0 else f(n - 1)
        f(int(sys.argv[1]))
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    """

    def test_peak_rss(self):
        with small_asan_quarantine():
            small = int(run_ok(self.CODE, args=("10000",)))
            big = int(run_ok(self.CODE, args=("1000000",), timeout=300))
        self.assertLess(big - small, 4 * 1024)


class Hostile:
    """An object whose finalizer misbehaves while a tail call releases it:
    it collects garbage, makes its own long chains (some in frames too big
    for the data stack chunk), and sometimes raises."""

    def __init__(self, n, log):
        self.n = n
        self.log = log

    def __del__(self):
        self.log.append(self.n)
        if self.n % 25 == 0:
            gc.collect()
        if countdown(2000) != 0 or big_frame_function(3000)(20) != 0:
            raise AssertionError("wrong result inside a finalizer")
        if chain(100, lambda: self.n) != self.n:
            raise AssertionError("wrong result inside a finalizer")
        if self.n % 3 == 0:
            raise ValueError(f"from __del__ {self.n}")


class Target:
    pass


class HostileFinalizerTests(unittest.TestCase):
    """Finalizers and weakref callbacks that run during a tail call, when
    it releases the replaced frame's locals."""

    def setUp(self):
        self.unraisable = []
        old_hook = sys.unraisablehook
        sys.unraisablehook = lambda u: self.unraisable.append(
            (type(u.exc_value).__name__, str(u.exc_value)))
        self.addCleanup(setattr, sys, "unraisablehook", old_hook)

    def callback(self, ref):
        n = self.ref_numbers.pop(ref)
        if n % 25 == 0:
            gc.collect()
        if countdown(1000) != 0 or big_frame_function(3000)(10) != 0:
            raise AssertionError("wrong result inside a callback")
        self.callback_log.append(n)
        if n % 5 == 0:
            raise KeyError(f"from callback {n}")

    def check(self, top, start):
        log = []
        self.callback_log = []
        def track(n):
            target = Target()
            ref = weakref.ref(target, self.callback)
            self.ref_numbers[ref] = n       # hashed while alive
            return target
        self.ref_numbers = {}
        result = start(top, 0, log, track)      # not a tail call
        self.assertEqual(result, sum(range(top + 1)))
        gc.collect()
        # As on stock, every frame's finalizers run when the chain returns,
        # the innermost frame's first: those of the replaced frames were
        # set aside at their tail calls.
        self.assertEqual(log, list(range(top + 1)))
        self.assertEqual(len(self.callback_log), top + 1)
        errors = sorted(self.unraisable)
        expected_errors = sorted(
            [("ValueError", f"from __del__ {n}") for n in range(0, top + 1, 3)]
            + [("KeyError", f"'from callback {n}'")
               for n in self.callback_log if n % 5 == 0])
        self.assertEqual(errors, expected_errors)
        self.unraisable.clear()

    def test_finalizers_during_self_tail_calls(self):
        def step(n, acc, log, track):
            h = Hostile(n, log)
            t = track(n)
            return acc + n if n == 0 else step(n - 1, acc + n, log, track)
        for _ in range(3):
            self.check(200, step)

    def test_finalizers_during_mutual_tail_calls(self):
        def ping(n, acc, log, track):
            h = Hostile(n, log)
            t = track(n)
            return acc + n if n == 0 else pong(n - 1, acc + n, log, track)
        def pong(n, acc, log, track):
            h = Hostile(n, log)
            t = track(n)
            return acc + n if n == 0 else ping(n - 1, acc + n, log, track)
        for _ in range(3):
            self.check(200, ping)

    def test_garbage_cycles_collected_during_tail_calls(self):
        # Cycles with finalizers, collected by gc.collect() in finalizers
        # that tail calls run.
        log = []
        class Cyclic(Hostile):
            pass
        def step(n, acc):
            cycle = [Cyclic(-1 - n, log)]
            cycle.append(cycle)
            h = Hostile(n, log)
            return acc if n == 0 else step(n - 1, acc + n)
        self.assertEqual(step(300, 0), sum(range(301)))
        gc.collect()
        self.assertEqual(sorted(log), list(range(-301, 301)))
        self.assertTrue(all(name == "ValueError"
                            for name, _ in self.unraisable))
        self.unraisable.clear()


OUT_OF_MEMORY = """
import sys, _testcapi
seen = []
class D:
    def __del__(self):
        frame = sys._getframe(1)
        local = frame.f_locals.get("d")
        seen.append((frame.f_code.co_name, sorted(frame.f_locals),
                     local is self))
def a(n, d):
    if n == 0:
        return len(seen)
    return b(n - 1, ds.pop())
def b(n, d):
    if n == 0:
        return len(seen)
    return a(n - 1, ds.pop())
def step(n, d):
    if n == 0:
        return len(seen)
    return step(n - 1, ds.pop())
for start in (a, step):
    # Room for the pops: the list does not shrink, nothing else allocates.
    ds = [D() for _ in range(400)]
    start(150, None)                    # specialized, and the D's set aside
    ds = [D() for _ in range(400)]
    seen.clear()
    _testcapi.set_nomemory(0, 1)        # the first allocation fails: the
    during = start(150, None)           # one that sets aside the first D
    _testcapi.remove_mem_hooks()
    print(start.__name__, during, seen[0])
    del ds
"""


class OutOfMemoryTests(unittest.TestCase):
    """What cannot be set aside for want of memory is released after the
    tail call, by the interpreter's pending calls, not in the middle of it:
    its finalizer finds the callee's frame complete, never its own object
    still in the frame's locals (docs/semantics.md)."""

    def test_out_of_memory_releases_after_the_call(self):
        import_helper.import_module("_testcapi")
        out = run_ok(OUT_OF_MEMORY).splitlines()
        self.assertEqual(len(out), 2)
        for line, name, callees in zip(out, ("a", "step"),
                                       (("a", "b"), ("step",))):
            with self.subTest(name):
                start, during, first = line.split(" ", 2)
                # One D finalized during the chain, the one that found no
                # memory: in a callee's frame, which holds both its
                # locals, and not the dying D.
                self.assertEqual((start, during), (name, "1"))
                code_name, local_names, its_own = eval(first)
                self.assertIn(code_name, callees)
                self.assertEqual(local_names, ["d", "n"])
                self.assertFalse(its_own)


if __name__ == "__main__":
    unittest.main()
