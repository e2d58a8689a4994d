"""Errors at tail calls, and frames that outlive the tail call."""

import gc
import sys
import traceback
import unittest
import weakref
from test.support import script_helper

from tests.support.chains import KEPT, chain


def callee(a, b):
    return a + b


def tail_bad_count():
    return callee(1)                    # line of the error


def tail_bad_keyword():
    return callee(1, c=2)


def tail_bad_star():
    return callee(*(1, 2, 3))


def plain_bad_count():
    r = callee(1)
    return r


def plain_bad_keyword():
    r = callee(1, c=2)
    return r


def plain_bad_star():
    r = callee(*(1, 2, 3))
    return r


def raised(exc_type, func):
    """The exception func() raises, with its traceback (assertRaises drops it)."""
    try:
        func()
    except exc_type as e:
        return e
    raise AssertionError(f"{func} did not raise {exc_type.__name__}")


class ArgumentErrorTests(unittest.TestCase):
    """A tail call that cannot bind its arguments fails as CALL does."""

    def check_same_error(self, tail, plain):
        tail_error = raised(TypeError, tail)
        plain_error = raised(TypeError, plain)
        self.assertEqual(str(tail_error), str(plain_error))
        # The traceback ends in the caller, at the tail call's line.
        last = traceback.extract_tb(tail_error.__traceback__)[-1]
        self.assertEqual(last.name, tail.__name__)
        self.assertIn("callee(", last.line)

    def test_wrong_count(self):
        self.check_same_error(tail_bad_count, plain_bad_count)

    def test_unexpected_keyword(self):
        self.check_same_error(tail_bad_keyword, plain_bad_keyword)

    def test_wrong_count_star(self):
        self.check_same_error(tail_bad_star, plain_bad_star)

    def test_missing_keyword_only(self):
        def kwonly(*, key):
            return key
        def tail():
            return kwonly()
        with self.assertRaisesRegex(TypeError, "missing 1 required keyword"):
            tail()

    def test_error_is_catchable_by_callers(self):
        def outer():
            try:
                tail_bad_count()
            except TypeError:
                return "caught"
        self.assertEqual(outer(), "caught")

    def test_error_under_map(self):
        def tail(n):
            return callee(n)
        error = raised(TypeError, lambda: list(map(tail, [1])))
        names = [f.name for f in traceback.extract_tb(error.__traceback__)]
        self.assertEqual(names[-1], "tail")

    def test_error_in_callee_at_depth(self):
        def loop(n):
            return callee(n) if n == 0 else loop(n - 1)
        with self.assertRaises(TypeError):
            loop(100_000)

    def test_arguments_released_after_error(self):
        class Arg:
            pass
        def tail(a):
            return callee(a)
        arg = Arg()
        ref = weakref.ref(arg)
        try:
            tail(arg)
        except TypeError:
            pass
        del arg
        gc.collect()
        self.assertIsNone(ref())

    def test_entered_from_c_then_bad_arguments(self):
        # Unwinding from a failed tail call straight back into C.
        script_helper.assert_python_ok("-c", """if 1:
            def callee(a): return a
            def tail(x): return callee(x, x)
            for f in (lambda: list(map(tail, [1])),
                      lambda: sorted([1, 2], key=tail),
                      lambda: eval("tail(1)")):
                try:
                    f()
                except TypeError as e:
                    assert "takes 1 positional argument" in str(e), e
                else:
                    raise AssertionError("no TypeError")
            """)


class HeldFrameTests(unittest.TestCase):
    """Frames that tail calls replace, deep in a chain."""

    def test_frame_object_survives(self):
        held = []
        def step(n):
            local = f"local-{n}"
            held.append(sys._getframe())
            return n if n == 0 else step(n - 1)
        self.assertEqual(step(3 * KEPT), 0)
        for n, frame in zip(range(3 * KEPT, -1, -1), held):
            self.assertEqual(frame.f_code.co_name, "step")
            self.assertEqual(frame.f_locals["local"], f"local-{n}")
            self.assertEqual(frame.f_locals["n"], n)
            self.assertIsInstance(frame.f_lineno, int)
        # A replaced frame's f_back is the frame below its slot.
        self.assertIs(held[-1].f_back, held[KEPT - 1])

    def test_traceback_frame_survives(self):
        def first():
            try:
                1 / 0
            except ZeroDivisionError as e:
                err = e
            return second(err)
        def second(err):
            return err
        err = chain(2 * KEPT, first)
        frames = [f.name for f in traceback.extract_tb(err.__traceback__)]
        self.assertEqual(frames, ["first"])
        self.assertEqual(err.__traceback__.tb_frame.f_code.co_name, "first")

    def test_closure_cells_survive(self):
        def first():
            value = ["cell"]
            def inner():
                return value[0]
            return second(inner)
        def second(f):
            return f
        self.assertEqual(chain(2 * KEPT, first)(), "cell")

    def test_locals_released_at_tail_call(self):
        class Big:
            pass
        def first():
            big = Big()
            return second()
        def second():
            # Seen by the garbage collector, which neither a finalizer nor
            # a weak reference has to tell.
            return not any(type(o) is Big for o in gc.get_objects())
        # Deep in a chain, first's frame is replaced by second's.
        self.assertTrue(chain(2 * KEPT, first))
        # In a short chain it is kept, as without tail calls.
        self.assertFalse(chain(0, first))

    def test_finalizer_runs_after_the_callee(self):
        log = []
        class Noisy:
            def __del__(self):
                log.append(sys._getframe(1).f_code.co_name)
        def first():
            n = Noisy()
            return second()
        def second():
            return list(log)
        # As on stock, the finalizer runs when the chain returns (set aside
        # at the tail call), with the frame below first's as the current
        # frame: below the chain's slot, the last kept frame.
        self.assertEqual(chain(2 * KEPT, first), [])
        self.assertEqual(log, ["chain"])


class KeptFramesTests(unittest.TestCase):
    """Short chains keep every frame; long ones keep KEPT."""

    def stack_depth(self):
        depth, f = 0, sys._getframe(1)
        while f is not None:
            depth, f = depth + 1, f.f_back
        return depth

    def test_short_chain_keeps_every_frame(self):
        base = self.stack_depth()
        for n in range(KEPT):
            # chain's n tail calls, plus chain's first frame and the lambda
            self.assertEqual(chain(n, self.stack_depth), base + n + 1)

    def test_long_chain_is_bounded(self):
        base = self.stack_depth()
        # The KEPT frames of the first tail calls stay; every later callee
        # takes the slot of the last one.
        for n in (KEPT, KEPT + 1, 10 * KEPT, 100_000):
            self.assertEqual(chain(n, self.stack_depth), base + KEPT)

    def test_short_chain_traceback_is_complete(self):
        def boom():
            raise ValueError
        error = raised(ValueError, lambda: chain(5, boom))
        names = [f.name for f in traceback.extract_tb(error.__traceback__)]
        self.assertEqual(names, ["raised", "<lambda>"] + ["chain"] * 6 + ["boom"])


if __name__ == "__main__":
    unittest.main()
