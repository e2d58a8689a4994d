"""Errors at tail calls, and frames that outlive the tail call."""

import dis
import gc
import sys
import traceback
import unittest
import weakref
from test.support import script_helper

from tests.support.chains import KEPT, chain
from tests.support.frames import raised


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
    """Frames that tail calls replace, deep in a chain: their frame objects,
    held by a traceback and by the code itself, while the chain goes on and
    after it ends."""

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

    def test_traceback_held_then_many_tail_calls(self):
        store = {}
        def keeper(n):
            local = ["keeper", n]
            try:
                raise ValueError(n)
            except ValueError:
                store["tb"] = sys.exc_info()[2]
            store["frame"] = sys._getframe()
            return onward(1000, store["frame"])
        def onward(k, held):
            if k == 500:
                # Mid-chain: the held frame was replaced; what it held
                # stays, and the frame below its slot is still running.
                store["mid_locals"] = dict(held.f_locals)
                below = held.f_back
                store["below"] = (below.f_code.co_name, below.f_locals["n"])
                try:
                    below.clear()
                except RuntimeError as e:
                    store["clear_running"] = str(e)
                gc.collect()
            return k if k == 0 else onward(k - 1, held)
        self.assertEqual(chain(2 * KEPT, lambda: keeper(7)), 0)
        tb, frame = store["tb"], store["frame"]
        self.assertIs(tb.tb_frame, frame)
        self.assertEqual(store["mid_locals"]["local"], ["keeper", 7])
        # Below keeper's slot: the last kept frame of the chain.
        self.assertEqual(store["below"], ("chain", 2 * KEPT - (KEPT - 1)))
        self.assertEqual(store["clear_running"],
                         "cannot clear an executing frame")
        # After the chain: the frame says where it was and what it held.
        self.assertEqual(frame.f_locals["local"], ["keeper", 7])
        self.assertEqual(frame.f_locals["n"], 7)
        self.assertEqual(frame.f_code.co_name, "keeper")
        # Its line is its tail call's.
        [tail_call_line] = {i.positions.lineno
                            for i in dis.get_instructions(keeper)
                            if i.opname.startswith("TAIL_CALL")}
        self.assertEqual(frame.f_lineno, tail_call_line)
        self.assertGreater(frame.f_lineno, tb.tb_lineno)
        names = []
        f, me = frame, sys._getframe().f_code
        while f is not None and f.f_code is not me:
            names.append(f.f_code.co_name)
            f = f.f_back
        self.assertEqual(names, ["keeper"] + ["chain"] * KEPT)
        text = "".join(traceback.format_tb(tb))
        self.assertIn("frames elided by tail calls", text)
        self.assertIn("raise ValueError(n)", text)
        # Clearing the replaced frame drops what it held; the traceback
        # stays printable.
        frame.clear()
        gc.collect()
        self.assertNotIn("local", frame.f_locals)
        self.assertIn("raise ValueError(n)", "".join(traceback.format_tb(tb)))
        self.assertEqual(tb.tb_frame.f_back.f_code.co_name, "chain")

    def test_frames_held_across_a_long_chain(self):
        held = []
        def step(n, tag):
            local = [tag, n]
            if n % 97 == 0:
                held.append(sys._getframe())
            if n % 211 == 0 and held:
                # Touch an older replaced frame mid-chain.
                old = held[0]
                self.assertEqual(old.f_locals["local"][1], old.f_locals["n"])
                old.f_back
            return n if n == 0 else step(n - 1, tag)
        for _ in range(3):
            held.clear()
            self.assertEqual(step(5000, "t"), 0)
            self.assertEqual(len(held), 5000 // 97 + 1)
            for f in held:
                self.assertEqual(f.f_locals["local"], ["t", f.f_locals["n"]])
            # Clear every other one, collect, read the others.
            for f in held[::2]:
                f.clear()
            gc.collect()
            for f in held[1::2]:
                self.assertEqual(f.f_locals["local"][0], "t")
                self.assertIsInstance(f.f_lineno, int)
                f.f_back


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
