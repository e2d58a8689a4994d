"""Chains of tail calls run at any depth under the default recursion limit."""

import functools
import sys
import threading
import unittest
from test.support import script_helper

from tests.support.chains import (CHAIN_FUNCTIONS, is_even, is_odd,
                                  loop as countdown, make_ring)

DEPTH = 1_000_000


def accumulate(n, *, acc=0):
    return acc if n == 0 else accumulate(n - 1, acc=acc + 1)


def star(n, *rest):
    return (n, rest) if n == 0 else star(*(n - 1,) + rest)


def star_kwargs(n, **kwargs):
    return kwargs if n == 0 else star_kwargs(n - 1, **kwargs)


class Counter:
    def __init__(self):
        self.calls = 0

    def down(self, n):
        self.calls += 1
        return n if n == 0 else self.down(n - 1)

    def down_star(self, n):
        return n if n == 0 else self.down_star(*(n - 1,))

    @classmethod
    def cdown(cls, n):
        return cls if n == 0 else cls.cdown(n - 1)

    @staticmethod
    def sdown(n):
        return n if n == 0 else Counter.sdown(n - 1)


class Callable:
    def __call__(self, n):
        return n if n == 0 else self(n - 1)


class DepthTests(unittest.TestCase):

    def setUp(self):
        self.assertEqual(sys.getrecursionlimit(), 1000)

    def test_self_recursion(self):
        self.assertEqual(countdown(DEPTH), 0)

    def test_mutual_recursion(self):
        self.assertTrue(is_even(DEPTH))
        self.assertFalse(is_even(DEPTH + 1))

    def test_keyword_arguments(self):
        self.assertEqual(accumulate(DEPTH), DEPTH)

    def test_star_arguments(self):
        self.assertEqual(star(DEPTH, "a", "b"), (0, ("a", "b")))

    def test_star_kwargs(self):
        self.assertEqual(star_kwargs(DEPTH, x=1), {"x": 1})

    def test_bound_method(self):
        c = Counter()
        self.assertEqual(c.down(DEPTH), 0)
        self.assertEqual(c.calls, DEPTH + 1)

    def test_bound_method_star_arguments(self):
        self.assertEqual(Counter().down_star(DEPTH), 0)

    def test_classmethod_and_staticmethod(self):
        self.assertIs(Counter.cdown(DEPTH), Counter)
        self.assertEqual(Counter.sdown(DEPTH), 0)

    def test_lambda(self):
        ns = {}
        exec("f = lambda n: n if n == 0 else f(n - 1)", ns)
        self.assertEqual(ns["f"](DEPTH), 0)

    def test_closure(self):
        def make():
            def loop(n, acc):
                return acc if n == 0 else loop(n - 1, acc + 1)
            return loop
        self.assertEqual(make()(DEPTH, 0), DEPTH)

    def test_callable_object(self):
        # Its type's __call__ is a Python function: a tail call into it.
        self.assertEqual(Callable()(DEPTH), 0)

    def test_non_tail_recursion_still_raises(self):
        def f(n):
            return 1 + f(n - 1)
        with self.assertRaises(RecursionError):
            f(DEPTH)

    def test_tail_call_in_try_is_ordinary(self):
        def f(n):
            try:
                return n if n == 0 else f(n - 1)
            except ZeroDivisionError:
                pass
        with self.assertRaises(RecursionError):
            f(DEPTH)

    def test_warm_then_deep(self):
        # Specialization must keep the tail call (TAIL_CALL_PY_EXACT_ARGS).
        def loop(n):
            return n if n == 0 else loop(n - 1)
        for _ in range(20_000):
            loop(3)
        self.assertEqual(loop(DEPTH), 0)

    def test_warm_method_then_deep(self):
        class A:
            def loop(self, n):
                return n if n == 0 else self.loop(n - 1)
        a = A()
        for _ in range(20_000):
            a.loop(3)
        self.assertEqual(a.loop(DEPTH), 0)

    def test_callee_changes_between_c_and_python(self):
        # A tail site specialized for a C callee deoptimizes to TAIL_CALL,
        # never to CALL.
        def step(f, n):
            return f(n)
        for _ in range(20_000):
            step(abs, -1)
        def loop(n):
            return n if n == 0 else step(loop, n - 1)
        self.assertEqual(loop(DEPTH), 0)

    def test_exception_at_depth_caught_at_top(self):
        def dive(n):
            if n == 0:
                raise ValueError("bottom")
            return dive(n - 1)
        with self.assertRaisesRegex(ValueError, "bottom"):
            dive(DEPTH)

    def test_exception_caught_by_callers_handler(self):
        def dive(n):
            if n == 0:
                raise KeyError(n)
            return dive(n - 1)
        def top():
            try:
                dive(DEPTH)
            except KeyError:
                return "caught"
        self.assertEqual(top(), "caught")

    def test_entered_from_c(self):
        # The frame replaced is the first one above a C entry frame.
        self.assertEqual(list(map(countdown, [DEPTH, 5])), [0, 0])
        self.assertEqual(sorted([3, 1, 2], key=lambda n: countdown(DEPTH) + n),
                         [1, 2, 3])
        self.assertEqual(functools.reduce(
            lambda a, n: countdown(DEPTH) + a + n, [1, 2, 3], 0), 6)
        self.assertEqual(eval("countdown(DEPTH)"), 0)
        ns = {"countdown": countdown, "DEPTH": DEPTH}
        exec("def f(n): return countdown(n)\nr = f(DEPTH)", ns)
        self.assertEqual(ns["r"], 0)

    def test_threads(self):
        results = []
        def work(k):
            results.append(countdown(DEPTH) + k)
        threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(sorted(results), [0, 1, 2, 3])

    def test_many_arguments(self):
        # A call with more than 30 arguments compiles to
        # TAIL_CALL_FUNCTION_EX (tests/support/assembler.py assembles TAIL_CALL
        # with 301 arguments, EXTENDED_ARG, by hand).
        names = ", ".join(f"a{i}" for i in range(300))
        src = (f"def f(n, {names}):\n"
               f"    return a299 if n == 0 else f(n - 1, {names})\n")
        ns = {}
        exec(src, ns)
        self.assertEqual(ns["f"](100_000, *range(300)), 299)

    def test_functools_partial(self):
        # A new partial at every step: a tail call into its function.
        def loop(n):
            return n if n == 0 else functools.partial(loop, n - 1)()
        self.assertEqual(loop(DEPTH), 0)

    def test_lru_cache_is_ordinary(self):
        # The cache needs the result after the call: an ordinary call.
        @functools.lru_cache(maxsize=None)
        def loop(n):
            return n if n == 0 else loop(n - 1)
        with self.assertRaises(RecursionError):
            loop(DEPTH)

    def test_recursion_limit_change_mid_chain(self):
        def loop(n):
            if n == DEPTH // 2:
                sys.setrecursionlimit(200)
            return n if n == 0 else loop(n - 1)
        try:
            self.assertEqual(loop(DEPTH), 0)
        finally:
            sys.setrecursionlimit(1000)


class MemoryTests(unittest.TestCase):

    def peak_rss_kib(self, depth):
        code = ("import resource\n" + CHAIN_FUNCTIONS
                + f"loop({depth})\nping({depth})\n"
                  "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n")
        res = script_helper.assert_python_ok("-c", code)
        return int(res.out)

    def test_peak_rss_flat(self):
        small = self.peak_rss_kib(10**3)
        large = self.peak_rss_kib(10**7)
        self.assertLess(large - small, 1024, (small, large))


class DataStackChunkTests(unittest.TestCase):
    """Frames live in chunks of the thread's data stack (16 KiB and up).
    A tail call whose callee does not fit in the caller's chunk leaves the
    callee in a new chunk; these runs start at many depths so that every
    position of the caller in its chunk is met."""

    def run_from_depths(self, ring, depths, chain):
        def descend(d, start):
            if d == 0:
                return start(chain)
            return descend(d - 1, start) + 0      # not a tail call
        for d in depths:
            for start in ring:
                self.assertEqual(descend(d, start), 0)

    def test_medium_frames(self):
        self.run_from_depths(make_ring(200, 0), range(0, 300, 3), 2_000)

    def test_frames_larger_than_half_a_chunk(self):
        # Two such frames never share a chunk: each tail call between them
        # opens a new chunk and frees the one the caller had alone.
        self.run_from_depths(make_ring(1200, 1200, 0), range(0, 60, 7), 2_000)

    def test_frames_larger_than_a_chunk(self):
        self.run_from_depths(make_ring(2500, 10, 3000), range(0, 20, 3), 300)


if __name__ == "__main__":
    unittest.main()
