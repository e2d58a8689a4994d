"""Code that walks the stack keeps working: short chains of tail calls keep
every frame, so what such code sees is what it sees without tail calls."""

import enum
import pickle
import sys
import traceback
import unittest
import warnings

from tests.support import othermodule
from tests.test_frames import KEPT, chain


def make_enum():
    return enum.Enum("Color", "RED GREEN")


def make_point_type():
    return othermodule.make_point_type()


def warn_from_helper():
    return warn_helper()          # the line the warning must point at


def warn_helper():
    return warn_helper2()


def warn_helper2():
    warnings.warn("from helper", UserWarning, stacklevel=3)


class ShortChainTests(unittest.TestCase):

    def test_enum_functional_api_in_tail_position(self):
        # EnumType.__call__ tail-calls _create_(), which names the module
        # from sys._getframemodulename(2).
        Color = make_enum()
        self.assertEqual(Color.__module__, __name__)
        globals()["Color"] = Color
        try:
            self.assertIs(pickle.loads(pickle.dumps(Color.RED)), Color.RED)
        finally:
            del globals()["Color"]

    def test_namedtuple_in_tail_position(self):
        self.assertEqual(make_point_type().__module__, othermodule.__name__)

    def test_caller_module(self):
        def f():
            return othermodule.caller_module()
        self.assertEqual(f(), __name__)

    def test_getframe(self):
        def a():
            return b()
        def b():
            return c()
        def c():
            return [sys._getframe(i).f_code.co_name for i in range(4)]
        self.assertEqual(a(), ["c", "b", "a", "test_getframe"])

    def test_warning_stacklevel(self):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            warn_from_helper()
        [w] = caught
        self.assertEqual(w.filename, __file__)
        with open(__file__) as f:
            line = f.read().splitlines()[w.lineno - 1]
        self.assertIn("return warn_helper()", line)

    def test_stack_walk(self):
        def inner():
            return [f.name for f in traceback.extract_stack(limit=3)]
        def outer():
            return inner()
        self.assertEqual(outer(), ["test_stack_walk", "outer", "inner"])


class LongChainTests(unittest.TestCase):

    def test_cross_module_recursion_is_tail(self):
        def back(n):
            return n if n == 0 else othermodule.call_back(back, n - 1)
        self.assertEqual(back(1_000_000), 0)

    def test_other_modules_own_recursion_is_tail(self):
        self.assertEqual(othermodule.loop(1_000_000), 0)

    def test_traceback_of_long_chain(self):
        def boom():
            raise ValueError
        try:
            chain(1000, boom)
        except ValueError as e:
            names = [f.name for f in traceback.extract_tb(e.__traceback__)]
        # The first KEPT chain frames, then the frame that replaced the rest.
        self.assertEqual(names, ["test_traceback_of_long_chain"]
                         + ["chain"] * KEPT + ["boom"])


class GeneratorCalleeTests(unittest.TestCase):

    def test_making_a_coroutine_keeps_the_caller(self):
        async def coro():
            pass
        def make():
            return coro()
        sys.set_coroutine_origin_tracking_depth(2)
        try:
            c = chain(3 * KEPT, make)
            names = [name for _, _, name in c.cr_origin]
            c.close()
        finally:
            sys.set_coroutine_origin_tracking_depth(0)
        self.assertEqual(names, ["make", "chain"])


if __name__ == "__main__":
    unittest.main()
