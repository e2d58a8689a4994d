"""A tail call deep in a chain whose callee takes exactly its arguments
(TAIL_CALL_PY_EXACT_ARGS, TAIL_CALL_BOUND_METHOD_EXACT_ARGS) binds them in
the running frame's slot, and the callee runs there
(tail_call_reuse_frame() in ceval_tailcall.h): a function that tail-calls itself runs
again in its own frame, and any other callee takes it over.  What a frame
of its own would give must hold all the same."""

import dis
import gc
import sys
import traceback
import textwrap
import unittest
import weakref
from test.support import script_helper

from tests.support.chains import KEPT, SPECIALIZES, form

DEPTH = 10_000
EXACT_ARGS = form("TAIL_CALL_PY_EXACT_ARGS")
# A site whose callee's code is the code it is in: the self form of
# EXACT_ARGS (TAIL_CALL_PY_SELF), which rebinds the frame in place.
SELF = form("TAIL_CALL_PY_SELF")


def warm(func, *args):
    """Run func a few times so that its tail call specializes."""
    for _ in range(3):
        func(*args)


def specialized(func):
    return {i.opname for i in dis.get_instructions(func, adaptive=True)
            if i.opname.startswith("TAIL_CALL")}


def count(n, acc):
    return acc if n == 0 else count(n - 1, acc + 1)


def cells(n, acc):
    get = lambda: n                 # n is a cell: a new one for each call
    if n == 0:
        return acc
    return cells(n - 1, acc + [get])


def make_counter(step):
    def counter(n, acc):            # step is a free variable
        return acc if n == 0 else counter(n - 1, acc + step)
    return counter


class Walker:
    def walk(self, n, acc):
        return acc if n == 0 else self.walk(n - 1, acc + 1)


def raise_at_bottom(n):
    if n == 0:
        raise ValueError("bottom")
    return raise_at_bottom(n - 1)


class Finalized:
    log = []

    def __init__(self, n):
        self.n = n

    def __del__(self):
        Finalized.log.append(self.n)


def with_finalized(n):
    local = Finalized(n)            # set aside at the next tail call
    if n == 0:
        return list(Finalized.log)
    return with_finalized(n - 1)


def keeps_its_frame(n, frames):
    if n % 1000 == 0:
        frames.append(sys._getframe())  # a frame object: no reuse
    return frames if n == 0 else keeps_its_frame(n - 1, frames)


# Functions of different sizes, globals and closures that tail-call each
# other round a ring.
RING = """
def small(n, acc):
    return acc if n == 0 else big(n - 1, acc + 1)

def big(n, acc):
    a = b = c = d = e = f = g = h = n
    return acc if n == 0 else other(n - 1, acc + 1 + (a - h))

def make_closure(step):
    def closure(n, acc):
        return acc if n == 0 else small(n - 1, acc + step)
    return closure
"""


def ring(module_name):
    """RING's functions, in a module namespace of their own: each call adds
    1; other() is a closure."""
    namespace = {"__name__": module_name}
    exec(RING, namespace)
    namespace["other"] = namespace["make_closure"](1)
    return namespace


class SelfTailCallTests(unittest.TestCase):

    def test_specializes_and_runs_deep(self):
        warm(count, 100, 0)
        self.assertIn(SELF, specialized(count))
        self.assertEqual(count(DEPTH * 100, 0), DEPTH * 100)

    def test_each_call_gets_its_own_cells(self):
        warm(cells, 50, [])
        getters = cells(3000, [])
        self.assertEqual([g() for g in getters], list(range(3000, 0, -1)))

    def test_free_variables(self):
        counter = make_counter(3)
        warm(counter, 50, 0)
        self.assertEqual(counter(DEPTH, 0), 3 * DEPTH)

    def test_bound_method(self):
        w = Walker()
        warm(w.walk, 50, 0)
        # self.walk(...) loads the method unbound: self is an argument.
        self.assertIn(SELF, specialized(Walker.walk))
        self.assertEqual(w.walk(DEPTH, 0), DEPTH)

    def test_code_assigned_in_the_middle_of_a_chain(self):
        # A plain self tail call keeps the frame's code: once the function
        # has other code, its calls run that code (the frame's code is no
        # longer the function's, and the reuse takes the new one).
        ns = {}
        exec(textwrap.dedent('''
            def f(n, log):
                if n == 1000:
                    f.__code__ = g.__code__
                return "f" if n == 0 else f(n - 1, log)
            def g(n, log):
                log.append(n)
                return "g" if n == 0 else f(n - 1, log)
        '''), ns)
        f = ns["f"]
        code = f.__code__
        for _ in range(3):
            log = []
            self.assertEqual(f(2000, log), "g")
            self.assertEqual(log, list(range(999, -1, -1)))
            f.__code__ = code

    def test_locals_of_every_kind(self):
        # Ints and strings are released inline, everything else as a
        # replaced frame's locals are (set aside when their release would
        # be seen).
        log = []
        class D:
            def __init__(self, i):
                self.i = i
            def __del__(self):
                log.append(self.i)
        def f(n, s, lst, d, flt):
            if n == 0:
                log.append("bottom")
                return (s, lst, flt)
            return f(n - 1, s + "x", [n], D(n), flt + 1.0)
        for _ in range(3):
            log.clear()
            self.assertEqual(f(DEPTH, "", [], None, 0.0),
                             ("x" * DEPTH, [1], float(DEPTH)))
            self.assertEqual(log, ["bottom"] + list(range(1, DEPTH + 1)))

    def test_traceback_counts_the_reused_frames(self):
        warm(lambda: self.assertRaises(ValueError, raise_at_bottom, 50))
        try:
            raise_at_bottom(DEPTH)
        except ValueError as e:
            summary = traceback.extract_tb(e.__traceback__)
        self.assertEqual(summary[-1].elided_count, DEPTH - KEPT)
        self.assertEqual(len(summary), 1 + 1 + KEPT)
        text = "".join(traceback.format_list(summary))
        self.assertIn(f"[... {DEPTH - KEPT} frames elided by tail calls ...]",
                      text)

    def test_finalizers_of_each_call_run_at_the_end(self):
        Finalized.log.clear()
        warm(with_finalized, 50)
        Finalized.log.clear()
        log = with_finalized(100)
        # As on stock, no finalizer has run when the last call runs: past
        # the kept frames each call set its caller's local aside.  They
        # run when the chain returns, the innermost frame's first.
        self.assertEqual(log, [])
        self.assertEqual(Finalized.log, list(range(101)))
        gc.collect()

    def test_finalizers_do_not_see_the_restarted_frame(self):
        # The old locals are released with the frame unlinked, as after a
        # return: a finalizer cannot reach the callee's arguments (its
        # caller is the last kept frame, which no longer uses n).
        class Meddle:
            def __del__(self):
                f = sys._getframe(1)
                if f.f_code.co_name == "meddled":
                    f.f_locals["n"] = 0

        def meddled(n, acc):
            m = Meddle()
            return acc if n == 0 else meddled(n - 1, acc + 1)

        for _ in range(3):
            self.assertEqual(meddled(200, 0), 200)

    def test_frame_object_stops_reuse(self):
        warm(keeps_its_frame, 50, [])
        frames = keeps_its_frame(5000, [])
        self.assertEqual(len(frames), 6)
        # Each frame object shows its own call, as after a return.
        self.assertEqual([f.f_locals["n"] for f in frames],
                         [5000, 4000, 3000, 2000, 1000, 0])

    def test_weakref_to_argument_dies(self):
        class Box:
            pass

        def hold(n, box):
            return weakref.ref(box) if n == 0 else hold(n - 1, Box())

        warm(hold, 50, Box())
        ref = hold(1000, Box())
        gc.collect()
        self.assertIsNone(ref())

    def test_shadow_frames(self):
        code = """if 1:
            import traceback
            def f(n):
                if n == 0:
                    raise KeyError(n)
                return f(n - 1)
            for _ in range(3):
                try: f(100)
                except KeyError: pass
            try:
                f(1000)
            except KeyError as e:
                s = traceback.extract_tb(e.__traceback__)[-1]
                print(s.elided_count, len(s.elided_frames),
                      {(f.name, f.lineno) for f in s.elided_frames})
            """
        out = script_helper.assert_python_ok("-X", "tailcalls=debug",
                                             "-c", code).out.decode()
        self.assertEqual(out.strip(), f"{1000 - KEPT} 128 {{('f', 6)}}")

    def test_infinite_self_loop_is_interruptible(self):
        code = """if 1:
            import signal, threading, _thread
            signal.signal(signal.SIGINT, signal.default_int_handler)
            def spin(n):
                return spin(n + 1)
            threading.Timer(0.2, _thread.interrupt_main).start()
            try:
                spin(0)
            except KeyboardInterrupt:
                print("interrupted")
            """
        out = script_helper.assert_python_ok("-c", code).out.decode()
        self.assertEqual(out.strip(), "interrupted")


class OtherCalleeTests(unittest.TestCase):
    """In place, the callee is another function: its frame takes the
    caller's slot, with the callee's code, globals and size."""

    def test_ring_of_different_frames_runs_deep(self):
        ns = ring("ringmod")
        warm(ns["small"], 100, 0)
        self.assertIn(EXACT_ARGS, specialized(ns["small"]))
        self.assertEqual(ns["small"](DEPTH * 30, 0), DEPTH * 30)

    def test_callee_sees_its_own_globals(self):
        a = ring("mod_a")
        b = ring("mod_b")
        # small() of a calls big() of b, which calls on within b.
        a["big"] = b["big"]
        b["other"] = b["make_closure"](2)
        warm(a["small"], 100, 0)
        # Then round b: big() adds 1 and calls b's other(), which adds 2
        # and calls b's small(), which adds 1 and calls b's big().
        self.assertEqual(a["small"](3 * 1000 + 1, 0), 3 * 1000 + 1 + 1000)

    def test_memory_is_bounded(self):
        code = """if 1:
            import resource
            def small(n):
                return n if n == 0 else big(n - 1)
            def big(n):
                a = b = c = d = e = f = g = h = i = j = k = l = m = n
                return n if n == 0 else small(n - 1)
            small(10**5)
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            small(3 * 10**6)
            after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            print(after - before)
            """
        grew = int(script_helper.assert_python_ok("-c", code).out)
        self.assertLess(grew, 1024)         # KiB

    def test_finalizer_reassigns_the_callees_code(self):
        # The callee's code is the frame's before the caller's locals are
        # released: a finalizer that gives the callee new code does not
        # pull it from under the call, whose guard saw the old one.
        def callee(n):
            return ("old", n)

        def other_code(n):
            return ("new", n)

        class Swap:
            def __del__(self):
                callee.__code__ = other_code.__code__

        def caller(n, make):
            local = make()          # only this frame holds it
            return callee(n)

        def start(n, make):
            return start(n - 1, make) if n else caller(n, make)

        for _ in range(3):
            start(40, object)
        self.assertEqual(start(40, Swap), ("old", 0))
        self.assertEqual(callee(5), ("new", 5))

    def test_finalizers_run_when_the_chain_returns(self):
        seen = []
        bottom = []

        class Witness:
            def __del__(self):
                seen.append((sys._getframe(1).f_code.co_name, len(bottom)))

        def first(n):
            w = Witness()
            if n == 0:
                bottom.append(n)
                return n
            return second(n - 1)

        def second(n):
            return n if n == 0 else first(n - 1)

        for _ in range(3):
            first(40)
        seen.clear()
        bottom.clear()
        first(40)
        # As on stock: every Witness dies after the chain reached the
        # bottom, with the frame below its own as the current frame (for
        # those of replaced frames, set aside until the chain returns: the
        # last kept frame, a second()).
        self.assertEqual(seen[:-1], [("second", 1)] * 20)
        self.assertEqual(seen[-1], (self._testMethodName, 1))

    def test_callee_that_does_not_fit_pushes_its_frame(self):
        # From where the small frame starts, a frame of 5000 locals does
        # not fit in the chunk: the frame is pushed above and moved down.
        ns = {}
        src = "def huge(n):\n" + "".join(
            f"    v{i} = n\n" for i in range(5000))
        src += "    return n if n == 0 else tiny(n - 1)\n"
        src += "def tiny(n):\n    return n if n == 0 else huge(n - 1)\n"
        exec(src, ns)
        warm(ns["tiny"], 50)
        self.assertEqual(ns["tiny"](3000), 0)


class PolicyTests(unittest.TestCase):
    """A tail site whose callee may not take the caller's slot (a generator
    function) stays specialized: the policy is a branch, not a guard."""

    def test_generator_callee_keeps_the_specialized_form(self):
        def gen(n):
            yield n

        def make(n):
            return gen(n)

        def deep(n):
            return make(n) if n == 0 else deep(n - 1)

        for _ in range(100):
            make(1)
        self.assertIn(EXACT_ARGS, specialized(make))
        # Deep in a chain, too: the generator is made, not a frame replaced.
        for _ in range(100):
            self.assertEqual(list(deep(KEPT * 3)), [0])
        self.assertIn(EXACT_ARGS, specialized(make))
        self.assertIn(EXACT_ARGS, specialized(deep))


if __name__ == "__main__":
    unittest.main()
