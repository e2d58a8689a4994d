"""Tail positions beyond `return f(x)` at function level: returns from
inside for loops, and tail calls through callable objects (an instance
with a Python __call__, functools.partial, staticmethod).  Each shape runs
10**6 deep under the default recursion limit, binds its arguments and
fails exactly as stock does, and stays an ordinary call with
-X tailcalls=off."""

import dis
import sys
import textwrap
import unittest

from tests.support.chains import form
from tests.support.process import run_ok, stock_python

DEPTH = 1_000_000


# The shapes, as source: run in this process and in fresh interpreters
# (-X tailcalls=off, and stock CPython for the errors).
SHAPES = textwrap.dedent("""
    import functools

    class Node:
        __slots__ = ("children",)
        def __init__(self, child=None):
            self.children = () if child is None else (child,)

    def tree(depth):
        node = Node()
        for _ in range(depth):
            node = Node(node)
        return node

    def for_list(node, depth=0):
        for child in node.children:
            return for_list(child, depth + 1)
        return depth

    def for_nested(node, depth=0):
        for level in [node.children]:
            for child in level:
                return for_nested(child, depth + 1)
        return depth

    def children(node):
        yield from node.children

    def for_generator(node, depth=0):
        for child in children(node):
            return for_generator(child, depth + 1)
        return depth

    def while_for(n):
        while True:
            for _ in "x":
                return n if n == 0 else while_for(n - 1)

    class Step:
        def __call__(self, n):
            return 0 if n == 0 else STEP(n - 1)

    STEP = Step()

    def loop(n, acc):
        return acc if n == 0 else NEXT(n - 1)

    NEXT = functools.partial(loop, acc="done")

    def pair(a, b, n):
        return (a, b) if n == 0 else PAIR(n - 1)

    PAIR = functools.partial(functools.partial(pair, 1), 2)

    class MyPartial(functools.partial):
        pass

    def keywords(a, *, b, n):
        return (a, b) if n == 0 else KEYWORDS(n=n - 1)

    KEYWORDS = MyPartial(MyPartial(keywords, "a"), b="b")

    def star(a, n):
        return a if n == 0 else NEXT_STAR(*(n - 1,))

    NEXT_STAR = functools.partial(star, "star")

    def static(n):
        return n if n == 0 else STATIC(n - 1)

    STATIC = staticmethod(static)

    class Wrapper:
        def __call__(self, n):
            return n if n == 0 else WRAPPED(n - 1)

    # A staticmethod of a partial of a bound method of a __call__ object.
    WRAPPED = staticmethod(functools.partial(Wrapper().__call__))
""")

# name: (call at depth n, the result)
CASES = {
    "for_list": ("for_list(tree({n}))", "{n}"),
    "for_nested": ("for_nested(tree({n}))", "{n}"),
    "for_generator": ("for_generator(tree({n}))", "{n}"),
    "while_for": ("while_for({n})", "0"),
    "__call__": ("STEP({n})", "0"),
    "partial with a keyword": ("NEXT({n}, acc='done')", "'done'"),
    "nested partials": ("PAIR({n})", "(1, 2)"),
    "partial subclass, keywords": ("KEYWORDS(n={n})", "('a', 'b')"),
    "partial, f(*args)": ("NEXT_STAR({n})", "'star'"),
    "staticmethod": ("STATIC({n})", "0"),
    "staticmethod(partial(method))": ("WRAPPED({n})", "0"),
}


def shapes():
    ns = {}
    exec(SHAPES, ns)
    return ns


class DeepShapesTests(unittest.TestCase):
    """10**6 deep, under the default recursion limit of 1000."""

    def test_depth(self):
        ns = shapes()
        self.assertEqual(sys.getrecursionlimit(), 1000)
        for name, (call, result) in CASES.items():
            with self.subTest(name):
                value = eval(call.format(n=DEPTH), ns)
                self.assertEqual(repr(value), result.format(n=DEPTH))

    def test_off_is_an_ordinary_call(self):
        # -X tailcalls=off: stock's RecursionError deep, the result shallow.
        code = SHAPES + textwrap.dedent("""
            import sys
            for call, result in CASES.values():
                assert repr(eval(call.format(n=100))) == result.format(n=100)
                try:
                    eval(call.format(n=10_000))
                except RecursionError:
                    print("RecursionError")
                else:
                    print("no error:", call)
        """)
        out = run_ok(f"CASES = {CASES!r}\n" + code, "-X", "tailcalls=off")
        self.assertEqual(out.split("\n")[:-1], ["RecursionError"] * len(CASES))

    def test_tail_sites_specialize(self):
        # Each call site through an object specializes as on stock
        # (CALL_NON_PY_GENERAL), to its tail form, which keeps tail calls.
        ns = shapes()
        for name, (call, result) in CASES.items():
            self.assertEqual(repr(eval(call.format(n=1000), ns)),
                             result.format(n=1000))
        for func in (ns["loop"], ns["pair"], ns["static"],
                     ns["Step"].__call__, ns["Wrapper"].__call__):
            with self.subTest(func.__qualname__):
                ops = {i.opname for i in dis.get_instructions(
                    func, adaptive=True)}
                self.assertIn(form("TAIL_CALL_NON_PY_GENERAL"), ops)


SPECIALIZED = SHAPES + textwrap.dedent("""
    import dis, types
    for call, _ in CASES.values():
        eval(call.format(n=200))        # under stock's recursion limit
    sites = {}
    for name, obj in list(globals().items()):
        for func in [obj, *vars(obj).values()] if isinstance(obj, type) \
                else [obj]:
            if isinstance(func, types.FunctionType):
                # A tail form is its CALL twin's; the self form is
                # CALL_PY_EXACT_ARGS's (TAIL_CALL_PY_SELF).
                sites[func.__qualname__] = [
                    (i.offset, i.opname.replace("TAIL_", "")
                     .replace("CALL_PY_SELF", "CALL_PY_EXACT_ARGS"))
                    for i in dis.get_instructions(func, adaptive=True)
                    if "CALL" in i.opname]
    print(sorted(sites.items()))
""")


class SpecializedAsStockTests(unittest.TestCase):

    def test_sites_specialize_as_on_stock(self):
        # Every call site of the shapes, warmed up the same way, takes the
        # same specialized form as on stock (its tail twin at a tail site):
        # no site is left unspecialized that stock specializes.
        code = f"CASES = {CASES!r}\n" + SPECIALIZED
        ours = run_ok(code)
        self.assertEqual(ours, run_ok(code, python=stock_python()))
        self.assertIn(f"'{form('CALL_NON_PY_GENERAL')}'", ours)
        self.assertIn(f"'{form('CALL_PY_EXACT_ARGS')}'", ours)


class CompiledShapesTests(unittest.TestCase):

    def test_for_loop_returns_are_tail_calls(self):
        ns = shapes()
        for name in ("for_list", "for_nested", "for_generator", "while_for"):
            with self.subTest(name):
                ops = [i.opname for i in dis.get_instructions(ns[name])]
                self.assertIn("TAIL_CALL", ops)

    def test_handlers_and_async_stay_ordinary(self):
        ns = {}
        exec(textwrap.dedent("""
            def with_body(cm, xs):
                for x in xs:
                    with cm:
                        return g(x)
            def try_body(xs):
                for x in xs:
                    try:
                        return g(x)
                    except ValueError:
                        pass
            async def coroutine(xs):
                for x in xs:
                    return g(x)
            def generator(xs):
                for x in xs:
                    return g(x)
                yield
        """), ns)
        for name in ("with_body", "try_body", "coroutine", "generator"):
            with self.subTest(name):
                ops = {i.opname for i in dis.get_instructions(ns[name])}
                self.assertIn("CALL", ops)
                self.assertNotIn("TAIL_CALL", ops)


ERRORS = SHAPES + textwrap.dedent("""
    import traceback

    def lines(exc):
        return [l for l in traceback.format_exception(exc)
                if not l.startswith("    ")]

    cases = [
        lambda: STEP(1, 2),
        lambda: NEXT(1, 1, 2),
        lambda: NEXT(**{1: 2}),
        lambda: NEXT(n=1, acc=3),
        lambda: NEXT(),
        lambda: STATIC(),
        lambda: STATIC(1, x=2),
        lambda: KEYWORDS(1, n=0),
        lambda: PAIR(0, 1),
        lambda: classmethod(static)(1),
    ]
    def tail(case):
        return case()
    for case in cases:
        try:
            print(repr(tail(case)))
        except Exception as exc:
            print(type(exc).__name__, exc)
    # An error in the callee of a tail call through an object.
    def fails(n):
        return 1 / n
    FAILS = functools.partial(fails)
    def caller():
        return FAILS(0)
    try:
        caller()
    except ZeroDivisionError as exc:
        print("".join(lines(exc)))
""")


class AsStockTests(unittest.TestCase):
    """Argument binding and its errors, as stock gives them."""

    def test_errors_as_stock(self):
        ours = run_ok(ERRORS)
        self.assertEqual(ours, run_ok(ERRORS, python=stock_python()))
        self.assertIn("got multiple values for argument 'acc'", ours)

    def test_results_match_stock_shallow(self):
        code = f"CASES = {CASES!r}\n" + SHAPES + (
            "for call, _ in CASES.values():"
            " print(repr(eval(call.format(n=50))))")
        self.assertEqual(run_ok(code), run_ok(code, python=stock_python()))


class OrdinaryCallablesTests(unittest.TestCase):
    """C code that needs the result after the call: ordinary calls, which
    hit the recursion limit as on stock."""

    def test_lru_cache_and_c_call(self):
        out = run_ok("""
            import functools
            @functools.lru_cache(maxsize=None)
            def cached(n):
                return n if n == 0 else cached(n - 1)
            def through_c(n):
                return n if n == 0 else next(map(through_c, [n - 1]))
            for f in (cached, through_c):
                try:
                    f(100_000)
                except RecursionError:
                    print("RecursionError")
        """)
        self.assertEqual(out.split(), ["RecursionError"] * 2)


if __name__ == "__main__":
    unittest.main()
