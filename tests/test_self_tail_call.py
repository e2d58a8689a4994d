"""A function that tail-calls itself deep in a chain runs again in its own
frame (TAIL_CALL_PY_EXACT_ARGS, tail_call_self() in ceval.c): what a frame
of its own would give must hold all the same."""

import dis
import gc
import sys
import traceback
import unittest
import weakref
from test.support import script_helper

from tests.support.chains import KEPT

DEPTH = 10_000


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
    local = Finalized(n)            # released at the next tail call
    if n == 0:
        return list(Finalized.log)
    return with_finalized(n - 1)


def keeps_its_frame(n, frames):
    if n % 1000 == 0:
        frames.append(sys._getframe())  # a frame object: no reuse
    return frames if n == 0 else keeps_its_frame(n - 1, frames)


class SelfTailCallTests(unittest.TestCase):

    def test_specializes_and_runs_deep(self):
        warm(count, 100, 0)
        self.assertIn("TAIL_CALL_PY_EXACT_ARGS", specialized(count))
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
        self.assertIn("TAIL_CALL_PY_EXACT_ARGS", specialized(Walker.walk))
        self.assertEqual(w.walk(DEPTH, 0), DEPTH)

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

    def test_locals_released_at_each_call(self):
        Finalized.log.clear()
        warm(with_finalized, 50)
        Finalized.log.clear()
        log = with_finalized(100)
        # The kept frames (the first call and KEPT tail calls) still hold
        # theirs; past them each call released its caller's local.
        self.assertEqual(log, list(range(100 - KEPT, 0, -1)))
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


if __name__ == "__main__":
    unittest.main()
