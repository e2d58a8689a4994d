"""Tail calls with more arguments than one opcode argument holds
(EXTENDED_ARG), from source and made by hand (tests/support/assembler.py).

    build/tco/python -m unittest tests.test_many_arguments
"""

import dis
import gc
import traceback
import unittest
from tests.support.chains import KEPT, big_frame_function, chain, form, loop as countdown
from tests.support.assembler import NARGS, PARAMS, hand_made_tail_caller


class ManyArgumentsTests(unittest.TestCase):

    def test_300_keyword_arguments_from_source(self):
        kwargs = ", ".join(f"a{i}=a{i}" for i in range(NARGS))
        src = (f"def by_keyword(n, {PARAMS}):\n"
               f"    return a0 + a299 if n == 0 else "
               f"kw_only(n - 1, {kwargs})\n"
               f"def kw_only(n, *, {PARAMS}):\n"
               f"    return collect(n, {PARAMS})\n"
               f"def collect(n, *args, **kwargs):\n"
               f"    return by_keyword(n, *args, **kwargs)\n")
        ns = {}
        exec(src, ns)
        # More than 30 arguments: the compiler builds a tuple and a dict
        # (TAIL_CALL_FUNCTION_EX), whatever their number.
        for name in ("by_keyword", "kw_only"):
            ops = {i.opname for i in dis.get_instructions(ns[name])}
            self.assertIn("TAIL_CALL_FUNCTION_EX", ops)
        for _ in range(3):
            self.assertEqual(ns["by_keyword"](3_000, *range(NARGS)), 299)

    def test_extended_arg_tail_call(self):
        f = hand_made_tail_caller(kw=False)
        ops = [i.opname for i in dis.get_instructions(f)]
        self.assertEqual(ops[-3:], ["EXTENDED_ARG", "TAIL_CALL",
                                    "RETURN_VALUE"])
        def collect(n, *args):
            return (n, sum(args)) if n == 0 else f(n - 1, *args)
        exec(f"def exact(n, {PARAMS}):\n"
             f"    return (n, a0 + a299) if n == 0 else f(n - 1, {PARAMS})\n",
             f.__globals__)
        for callee, expected in ((collect, (0, sum(range(NARGS)))),
                                 (f.__globals__["exact"], (0, 299))):
            f.__globals__["nxt"] = callee
            for _ in range(3):
                self.assertEqual(f(10_000, *range(NARGS)), expected)
        # The exact form specialized, with its 301 arguments.
        specialized = [i.opname
                       for i in dis.get_instructions(f, adaptive=True)]
        self.assertIn(form("TAIL_CALL_PY_EXACT_ARGS"), specialized)

    def test_extended_arg_tail_call_kw(self):
        f = hand_made_tail_caller(kw=True)
        self.assertIn("TAIL_CALL_KW",
                      [i.opname for i in dis.get_instructions(f)])
        def collect(**kwargs):
            n = kwargs.pop("n")
            return (n, sum(kwargs.values())) if n == 0 else f(n - 1, **kwargs)
        f.__globals__["nxt"] = collect
        for _ in range(3):
            self.assertEqual(f(3_000, *range(NARGS)), (0, sum(range(NARGS))))

    def test_extended_arg_argument_error(self):
        f = hand_made_tail_caller(kw=False)
        def two(n, a):
            return n
        f.__globals__["nxt"] = two
        for depth in (0, 3 * KEPT):
            with self.subTest(depth=depth):
                try:
                    chain(depth, lambda: f(0, *range(NARGS)))
                except TypeError as e:
                    self.assertIn("takes 2 positional arguments but 301 "
                                  "were given", str(e))
                    # Raised in the caller, f, which made the tail call.
                    last = traceback.extract_tb(e.__traceback__)[-1]
                    self.assertEqual(last.name, "f")
                else:
                    self.fail("no TypeError")
        self.assertEqual(countdown(10**5), 0)

    def test_keyword_names_with_python_eq(self):
        # Binding keywords whose names are str subclasses compares them by
        # ==, running Python code while the callee's frame is pushed but not
        # yet running: deep chains, the collector, an exception.
        calls = []
        class Key(str):
            __hash__ = str.__hash__
            def __eq__(self, other):
                calls.append(1)
                if len(calls) % 50 == 0:
                    gc.collect()
                if countdown(300) != 0 or big_frame_function(3000)(3) != 0:
                    raise AssertionError
                if self.endswith("boom"):
                    raise LookupError("from __eq__")
                return str.__eq__(self, other)
        def target(n, acc=0):
            return (n, acc) if n == 0 else step(n - 1, acc)
        def step(n, acc):
            return target(n, **{Key("acc"): acc + 1})
        def bad(n):
            return target(n, **{Key("accboom"): 0})
        self.assertEqual(step(200, 0), (0, 201))
        self.assertGreaterEqual(len(calls), 201)
        for depth in (0, 3 * KEPT):
            with self.assertRaisesRegex(LookupError, "from __eq__"):
                chain(depth, lambda: bad(3))
        self.assertEqual(step(200, 0), (0, 201))



if __name__ == "__main__":
    unittest.main()
