"""What a tail call that replaces its caller's frame releases at once: the
caller's locals whose release nothing can see (no weak reference, no
finalizer), and what a for loop under the call holds; a kept frame's stay.
Those whose release can be seen go when the callee returns, as on stock
(tests/test_finalizers.py)."""

import gc
import unittest
import weakref

from tests.support.chains import KEPT, chain

class Big:
    pass


def alive(cls):
    """How many instances of cls exist (seen by the garbage collector, which
    neither a finalizer nor a weak reference has to tell)."""
    return sum(type(o) is cls for o in gc.get_objects())


class LocalsReleasedTests(unittest.TestCase):
    """A replaced frame's locals go at the tail call, not when the callee
    returns, when nothing can see them go; a kept frame's stay.  Those
    whose release can be seen (a weak reference, a finalizer) go when the
    callee returns, as on stock."""

    def released_before_callee_returns(self, n, weakly_held=False):
        refs = []
        def holder():
            big = Big()
            if weakly_held:
                refs.append(weakref.ref(big))
            return check()
        def check():
            return alive(Big) == 0
        released = chain(n, holder)         # not a tail call
        return released

    def test_boundary(self):
        # holder() makes the chain's (n + 2)th tail call: it replaces
        # holder()'s frame from n = KEPT - 1 on; in a short chain it is
        # kept, as without tail calls.
        for n in [0, *range(KEPT - 3, KEPT + 2), 2 * KEPT]:
            with self.subTest(n=n):
                self.assertEqual(self.released_before_callee_returns(n),
                                 n >= KEPT - 1)

    def test_weakly_held_local_stays_until_the_callee_returns(self):
        for n in (KEPT - 3, KEPT + 2, 10 * KEPT):
            with self.subTest(n=n):
                self.assertFalse(self.released_before_callee_returns(
                    n, weakly_held=True))

    def test_self_tail_call(self):
        # A function that tail-calls itself releases its locals at each
        # call past the kept frames too (in its own frame, reused).
        log = []
        def loop(n):
            big = Big()
            log.append(alive(Big))
            return n if n == 0 else loop(n - 1)
        for _ in range(3):
            log.clear()
            loop(3 * KEPT)
            # Alive when loop(n) runs: the kept frames' and its own.
            self.assertEqual(log, list(range(1, KEPT + 2))
                             + [KEPT + 1] * (2 * KEPT))


class LoopReleaseTests(unittest.TestCase):
    """What a for loop holds is released when the frame is replaced."""

    def test_generator_closed_after_the_callee(self):
        events = []

        def items():
            try:
                yield 1
            finally:
                events.append("generator closed")

        def callee():
            events.append("callee runs")
            return len(events)

        def caller(n):
            if n:
                return caller(n - 1)
            for _ in items():
                return callee()

        # Past the kept window the loop's frame is replaced: the generator,
        # which nothing else holds, is set aside and closed after the
        # callee runs, as on stock.
        caller(KEPT + 1)
        self.assertEqual(events, ["callee runs", "generator closed"])
        events.clear()
        # In the kept window the frame stays, as on stock.
        caller(0)
        self.assertEqual(events, ["callee runs", "generator closed"])

    def test_self_tail_call_releases_the_iterators(self):
        # _TAIL_CALL_REUSE_FRAME reuses the frame: the iterators under the
        # call go with the old locals (no leak: the -R run checks the
        # count).
        alive = []

        class Tracked(list):
            def __del__(self):
                alive.append(False)

        def walk(n):
            for _ in Tracked("ab"):
                return n if n == 0 else walk(n - 1)

        self.assertEqual(walk(10_000), 0)
        gc.collect()
        self.assertEqual(len(alive), 10_001)


if __name__ == "__main__":
    unittest.main()
