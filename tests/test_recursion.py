"""Tail calls and the recursion limit: recursion through C callables and
through objects' slots, __init__ at a tail site, and the limit lowered in
the middle of a chain.  Stock's RecursionError where stock raises it,
never a crash.

    build/tco/python -m unittest tests.test_recursion
"""

import json
import textwrap
import unittest
from tests.support.process import run_ok, run_python, tail_call_modes
from tests.support.chains import KEPT, chain, form, loop as countdown


def script(*parts):
    return "".join(textwrap.dedent(part) for part in parts)


class RecursionThroughCTests(unittest.TestCase):
    """A recursion through a callable that is not a Python function (nor an
    object whose call ends in one) is an ordinary recursion, even when the
    call is in tail position: it ends in RecursionError, never in a
    crash."""

    PRELUDE = """
    import functools, operator, sys
    def chain(n, then):
        return then() if n == 0 else chain(n - 1, then)
    """

    CASES = {
        "init": """
            class K:
                def __init__(self, n):
                    return f(n + 1)
            def f(n):
                return K(n)
            f(0)
            """,
        "new": """
            class K:
                def __new__(cls, n):
                    return f(n + 1)
            def f(n):
                return K(n)
            f(0)
            """,
        "operator_call": """
            def f(n):
                return operator.call(f, n + 1)
            f(0)
            """,
        "sorted_key": """
            def f(n):
                return sorted([n + 1], key=f)
            f(0)
            """,
        "map": """
            def f(n):
                return list(map(f, [n + 1]))
            f(0)
            """,
        "property": """
            class A:
                @property
                def x(self):
                    return f()
            def f():
                return A().x
            f()
            """,
        # Long chains of tail calls between the C calls: each C level
        # keeps the chain's first frames, and replaces the others.
        "chains_between_c_calls": """
            def f():
                return operator.call(chain, 40, f)
            f()
            """,
        "chains_in_init": """
            class K:
                def __init__(self):
                    return chain(40, f)
            def f():
                return K()
            f()
            """,
    }

    def test_infinite_recursion_through_c(self):
        for name, case in self.CASES.items():
            for mode in tail_call_modes():
                with self.subTest(case=name, mode=mode):
                    code = script(self.PRELUDE, case)
                    proc = run_python(code, *mode)
                    self.assertEqual(proc.returncode, 1, proc.stderr[-2000:])
                    self.assertIn("RecursionError", proc.stderr)
                    # The interpreter is still consistent: it printed the
                    # traceback and exited normally.
                    self.assertIn("Traceback (most recent call last)",
                                  proc.stderr)

    def test_recursion_through_c_is_catchable(self):
        import operator
        def f():
            return operator.call(chain, 40, f)
        for _ in range(3):
            with self.assertRaises(RecursionError):
                f()
            self.assertEqual(countdown(10**5), 0)


class RecursionThroughObjectsTests(unittest.TestCase):
    """A recursion through objects whose call ends in a Python function
    (__call__, functools.partial) is a chain of tail calls: it runs past
    any recursion limit, in bounded space (stock raises RecursionError)."""

    PRELUDE = RecursionThroughCTests.PRELUDE + """
    STEPS = 100_000
    """

    CASES = {
        "call_method": """
            class C:
                def __call__(self, n):
                    return n if n == STEPS else f(n + 1)
            c = C()
            def f(n):
                return c(n)
            print(f(0))
            """,
        "partial": """
            def f(n):
                return n if n == STEPS else functools.partial(f, n + 1)()
            print(f(0))
            """,
        "chains_in_call_method": """
            class C:
                def __call__(self, n):
                    return n if n == STEPS // 40 else chain(40, lambda: f(n + 1))
            c = C()
            def f(n):
                return c(n)
            print(f(0))
            """,
    }

    def test_recursion_through_objects(self):
        expected = {"call_method": "100000", "partial": "100000",
                    "chains_in_call_method": "2500"}
        for name, case in self.CASES.items():
            for mode in tail_call_modes():
                with self.subTest(case=name, mode=mode):
                    out = run_ok(script(self.PRELUDE, case), *mode)
                    self.assertEqual(out.strip(), expected[name])
            with self.subTest(case=name, mode="off"):
                proc = run_python(script(self.PRELUDE, case),
                                  "-X", "tailcalls=off")
                self.assertIn("RecursionError", proc.stderr)


class InitTailCallTests(unittest.TestCase):
    """__init__ runs in a frame above a shim frame that checks its result;
    tail calls from __init__ may replace frames above the shim."""

    def test_init_makes_long_chains(self):
        class K:
            def __init__(self, n, ret=None):
                self.n = n
                return chain(n, lambda: ret)
        def make(n):
            return K(n)         # TAIL_CALL_ALLOC_AND_ENTER_INIT once warm
        for _ in range(5):
            for n in (0, KEPT - 1, KEPT, KEPT + 1, 1000):
                self.assertEqual(K(n).n, n)
                self.assertEqual(make(n).n, n)
                self.assertEqual(chain(3 * KEPT, lambda: make(n)).n, n)
                with self.assertRaisesRegex(TypeError,
                                            "should return None, not 'int'"):
                    K(n, 5)


class RecursionLimitTests(unittest.TestCase):
    """sys.setrecursionlimit() mid-chain counts the frames that are there:
    the kept frames and the non-tail part, not the replaced frames."""

    DEPTH = """
    import json, sys
    def depth():
        # The frames of the caller and below, as the recursion depth counts.
        f, d = sys._getframe(1), 0
        while f is not None:
            d, f = d + 1, f.f_back
        return d
    """

    SCRIPT = DEPTH + """
    def probe():
        # How many more non-tail calls fit.
        reached = [0]
        def down(k):
            reached[0] = k
            return 0 + down(k + 1)
        try:
            down(1)
        except RecursionError:
            pass
        return reached[0]
    def loop(n, at, extra, log):
        log.append(n)
        if n == at:
            d = depth()
            try:
                sys.setrecursionlimit(d + extra)
                log.append(["set", d])
            except RecursionError as e:
                log.append(["refused", d, str(e)])
        if n == 0:
            return [depth(), probe()]
        return loop(n - 1, at, extra, log)
    def nontail(k, f):
        return f() if k == 0 else (nontail(k - 1, f),)[0]
    results = []
    for n, at, extra in RUNS:
        log = []
        try:
            r = nontail(100, lambda: loop(n, at, extra, log))
        except RecursionError:
            r = "RecursionError"
        sys.setrecursionlimit(1000)
        results.append([r, [x for x in log if isinstance(x, list)],
                        min(x for x in log if isinstance(x, int))])
    print(json.dumps(results))
    """

    def run_script(self, runs, *options):
        code = "RUNS = %r\n" % (runs,) + textwrap.dedent(self.SCRIPT)
        return json.loads(run_ok(code, *options))

    def test_limit_below_current_depth(self):
        # Deep in a long chain (5000 tail calls, 2000 more to go).
        [(result, [(what, d, message)], _)] = self.run_script(
            [(5000, 3000, -50)])
        self.assertEqual(what, "refused")
        self.assertEqual(message, f"cannot set the recursion limit to "
                                  f"{d - 50} at the recursion depth {d}: "
                                  f"the limit is too low")
        # The depth is what is there: 100 non-tail frames and KEPT + 1
        # chain frames over the few frames of the script.
        self.assertLess(d, 100 + KEPT + 10)
        self.assertEqual(result, [d, 1000 - d - 1])

    def test_limit_just_above_current_depth(self):
        for extra in (1, 30):
            with self.subTest(extra=extra):
                [(result, [(what, d)], lowest)] = self.run_script(
                    [(5000, 3000, extra)])
                self.assertEqual(what, "set")
                self.assertEqual(lowest, 0)
                # The chain went on at the same depth; then exactly the
                # non-tail calls that fit under the new limit fit.
                self.assertEqual(result, [d, extra - 1])

    def test_same_rule_as_without_tail_calls(self):
        # Short chains, where tail calls off (as stock CPython) fits: the
        # same rule, limit - depth - 1 more frames.
        runs = [(50, 20, extra) for extra in (1, 30)] + [(50, 20, -50)]
        for options in (("-X", "tailcalls=on"), ("-X", "tailcalls=off")):
            with self.subTest(options=options):
                for (result, events, lowest), (_, _, extra) in zip(
                        self.run_script(runs, *options), runs):
                    d = events[0][1]
                    if extra < 0:
                        self.assertEqual(events[0][0], "refused")
                    elif result == "RecursionError":
                        # Off, the chain itself grows past the limit.
                        self.assertEqual(options[1], "tailcalls=off")
                        self.assertEqual(lowest, 20 - extra)
                    else:
                        self.assertEqual(result[1],
                                         d + extra - result[0] - 1)

    def test_limit_lowered_among_the_kept_frames(self):
        # At the chain's third frame, with KEPT - 2 kept frames to come:
        # the chain grows up to the new limit and stops there, as without
        # tail calls.
        runs = [(1000, 998, 5)]
        for options in (("-X", "tailcalls=on"), ("-X", "tailcalls=off")):
            with self.subTest(options=options):
                [(result, [(what, d)], lowest)] = self.run_script(
                    runs, *options)
                self.assertEqual(what, "set")
                self.assertEqual(result, "RecursionError")
                self.assertEqual(lowest, 998 - 5)

    def test_general_forms_check_the_limit(self):
        # The specialized general forms (defaults, a bound method object)
        # check the limit at a kept tail call as the exact-args forms do.
        # Stock 3.13.5's CALL_PY_GENERAL and CALL_BOUND_METHOD_GENERAL do
        # not: there the chain below runs on past the limit, to n == 0.
        code = script(self.DEPTH, """
            import dis
            reached = []
            def general(n, at, unused=None):
                reached.append(n)
                if n == at:
                    sys.setrecursionlimit(depth() + 5)
                return 0 if n == 0 else general(n - 1, at)
            class C:
                def method(self, n, at, unused=None):
                    reached.append(n)
                    if n == at:
                        sys.setrecursionlimit(depth() + 5)
                    return 0 if n == 0 else bound(n - 1, at)
            bound = C().method
            results = []
            for f in (general, bound):
                f(100, -1)          # warm up: the site specializes
                code = getattr(f, "__func__", f).__code__
                forms = [i.opname for i in dis.get_instructions(
                    code, adaptive=True) if i.opname.startswith("TAIL_")]
                reached.clear()
                try:
                    f(1000, 998)
                    results.append([forms, "no error"])
                except RecursionError:
                    results.append([forms, min(reached)])
                sys.setrecursionlimit(1000)
            print(json.dumps(results))
            """)
        for options in tail_call_modes() + [("-X", "tailcalls=off")]:
            with self.subTest(options=options):
                self.assertEqual(
                    json.loads(run_ok(code, *options)),
                    [[[form("TAIL_CALL_PY_GENERAL")], 998 - 5],
                     [[form("TAIL_CALL_BOUND_METHOD_GENERAL")], 998 - 5]])



if __name__ == "__main__":
    unittest.main()
