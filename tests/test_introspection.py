"""Code that names its caller keeps working: cross-module calls are
ordinary calls, and frame counting counts the frames tail calls replaced."""

import enum
import pickle
import sys
import unittest
import warnings

from tests.support import othermodule


def make_enum():
    return enum.Enum("Color", "RED GREEN")      # cross-module: ordinary


def make_point_type():
    return othermodule.make_point_type()


def depth_two():
    return depth_two_callee()


def depth_two_callee():
    # Frame 1 is depth_two, which this frame replaced.
    return (sys._getframe(1), sys._getframe(2),
            sys._getframemodulename(1), sys._getframemodulename(2))


def warn_twice_removed():
    return warn_helper()


def warn_helper():
    warnings.warn("from helper", UserWarning, stacklevel=3)


class CrossModuleTests(unittest.TestCase):

    def test_enum_functional_api_in_tail_position(self):
        Color = make_enum()
        self.assertEqual(Color.__module__, __name__)
        globals()["Color"] = Color
        try:
            self.assertIs(pickle.loads(pickle.dumps(Color.RED)), Color.RED)
        finally:
            del globals()["Color"]

    def test_namedtuple_in_tail_position(self):
        Point = make_point_type()
        self.assertEqual(Point.__module__, othermodule.__name__)

    def test_caller_module(self):
        def f():
            return othermodule.caller_module()
        self.assertEqual(f(), __name__)

    def test_cross_module_recursion_is_ordinary(self):
        def back(n):
            return n if n == 0 else othermodule.call_back(back, n - 1)
        with self.assertRaises(RecursionError):
            back(100_000)

    def test_other_modules_own_recursion_is_tail(self):
        self.assertEqual(othermodule.loop(1_000_000), 0)


class FrameCountingTests(unittest.TestCase):

    def test_getframe_counts_replaced_frames(self):
        me = sys._getframe()
        f1, f2, mod1, mod2 = depth_two()
        # depth 1 was depth_two, replaced: the replacing frame stands in.
        self.assertEqual(f1.f_code.co_name, "depth_two_callee")
        self.assertIs(f2, me)
        self.assertEqual(mod1, __name__)
        self.assertEqual(mod2, __name__)

    def test_getframe_deep_chain(self):
        def chain(n):
            if n == 0:
                return sys._getframe(1000).f_code.co_name
            return chain(n - 1)
        # 1000 levels up from the 5000th tail call is still chain's slot.
        self.assertEqual(chain(5000), "chain")

    def test_getframe_past_the_chain(self):
        me = sys._getframe()
        def chain(n):
            if n == 0:
                return sys._getframe(11)
            return chain(n - 1)
        self.assertIs(chain(10), me)

    def test_warning_stacklevel(self):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            warn_twice_removed()                 # the line to point at
        [w] = caught
        self.assertEqual(w.filename, __file__)
        self.assertIn("warn_twice_removed()", open(__file__).read()
                      .splitlines()[w.lineno - 1])


class GeneratorCalleeTests(unittest.TestCase):

    def test_making_a_coroutine_keeps_the_caller(self):
        async def coro():
            pass
        def make():
            return coro()
        sys.set_coroutine_origin_tracking_depth(2)
        try:
            c = make()
            names = [name for _, _, name in c.cr_origin]
            c.close()
        finally:
            sys.set_coroutine_origin_tracking_depth(0)
        self.assertEqual(names[0], "make")


if __name__ == "__main__":
    unittest.main()
