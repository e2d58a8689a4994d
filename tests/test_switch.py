"""-X tailcalls=on|off|debug and PYTHONTAILCALLS, reflected in sys.flags
(0 off, 1 on, 2 debug)."""

import sys
import unittest
from test.support import script_helper

from tests.support.process import run_ok, stock_python

DEEP = """if 1:
    import sys
    def loop(n):
        return n if n == 0 else loop(n - 1)
    print(sys.flags.tail_calls)
    try:
        print(loop(100_000))
    except RecursionError:
        print("RecursionError")
"""


class SwitchTests(unittest.TestCase):

    def run_deep(self, *args, **env):
        res = script_helper.assert_python_ok(*args, "-c", DEEP, **env)
        return res.out.decode().split()

    def test_default_is_on(self):
        self.assertEqual(sys.flags.tail_calls, 1)
        self.assertEqual(self.run_deep(), ["1", "0"])

    def test_x_option(self):
        self.assertEqual(self.run_deep("-X", "tailcalls=off"),
                         ["0", "RecursionError"])
        self.assertEqual(self.run_deep("-X", "tailcalls=on"), ["1", "0"])
        self.assertEqual(self.run_deep("-X", "tailcalls=debug"), ["2", "0"])

    def test_environment(self):
        self.assertEqual(self.run_deep(PYTHONTAILCALLS="off"),
                         ["0", "RecursionError"])
        self.assertEqual(self.run_deep(PYTHONTAILCALLS="debug"), ["2", "0"])
        # -X wins over the environment; -E ignores the environment.
        self.assertEqual(self.run_deep("-X", "tailcalls=on",
                                       PYTHONTAILCALLS="off"), ["1", "0"])
        self.assertEqual(self.run_deep("-E", PYTHONTAILCALLS="off"),
                         ["1", "0"])

    def test_bad_value(self):
        res = script_helper.assert_python_failure("-X", "tailcalls=maybe",
                                                  "-c", "pass")
        self.assertIn(b"-X tailcalls: expected off, on or debug, not 'maybe'",
                      res.err)
        res = script_helper.assert_python_failure("-c", "pass",
                                                  PYTHONTAILCALLS="1")
        self.assertIn(b"PYTHONTAILCALLS: expected off, on or debug, not '1'",
                      res.err)

    def test_help(self):
        res = script_helper.assert_python_ok("--help-xoptions")
        self.assertIn(b"-X tailcalls=[on|off|debug]:", res.out)
        res = script_helper.assert_python_ok("--help-env")
        self.assertIn(b"PYTHONTAILCALLS :", res.out)

    def test_flags_tuple_unchanged(self):
        # Like gil, tail_calls is an attribute, not an item of the tuple.
        self.assertEqual(len(sys.flags), 18)

    def test_bytecode_does_not_depend_on_switch(self):
        code = ("import marshal, hashlib; "
                "c = compile('def f(n): return f(n - 1)', 'm', 'exec'); "
                "print(hashlib.sha256(marshal.dumps(c)).hexdigest())")
        on = script_helper.assert_python_ok("-X", "tailcalls=on", "-c", code)
        off = script_helper.assert_python_ok("-X", "tailcalls=off", "-c", code)
        self.assertEqual(on.out, off.out)

    def test_off_keeps_every_frame(self):
        code = """if 1:
            import traceback
            def chain(n):
                if n == 0:
                    raise ValueError
                return chain(n - 1)
            try:
                chain(50)
            except ValueError as e:
                print(len(traceback.extract_tb(e.__traceback__)))
            """
        on = script_helper.assert_python_ok("-c", code)
        off = script_helper.assert_python_ok("-X", "tailcalls=off", "-c", code)
        self.assertEqual(int(off.out), 52)
        self.assertLess(int(on.out), 52)


class OffIsStockTests(unittest.TestCase):
    """-X tailcalls=off: every event of a tail call through a wrapper, as on
    stock (on, such a call runs its function in the caller's place and
    has no C_RETURN: docs/debugging.md)."""

    CODE = """
        import sys, functools
        mon = sys.monitoring
        mon.use_tool_id(3, "probe")
        events = []
        E = mon.events
        for name in ("CALL", "C_RETURN", "C_RAISE", "PY_START", "PY_RETURN"):
            mon.register_callback(3, getattr(E, name), lambda *a, name=name:
                events.append((name, getattr(a[0], "co_name", None))))
        class K:
            def __call__(self, x): return x
        k = K()
        def f(x): return x
        p = functools.partial(f)
        def t(): return k(1)
        def u(): return p(2)
        def v(): return p(*(3,))
        mon.set_events(3, E.CALL | E.C_RETURN | E.C_RAISE | E.PY_START
                       | E.PY_RETURN)
        t(); u(); v()
        mon.set_events(3, 0)
        print(events)
    """

    def test_events_of_tail_calls_through_wrappers(self):
        expected = run_ok(self.CODE, python=stock_python())
        self.assertIn("C_RETURN", expected)
        self.assertEqual(run_ok(self.CODE, "-X", "tailcalls=off"), expected)


if __name__ == "__main__":
    unittest.main()
