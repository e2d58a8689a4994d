"""Python code that runs in the middle of a tail call: a tool's callback for
the replaced frame's return (which may make that frame's frame object or
assign the callee's __code__), the finalizers of the caller's locals and of
the wrappers a call unwraps, the CALL event's callbacks.  A tail call decides
once, after the code that stock runs before the callee starts, and acts only
on what it re-checks after code that can run later (docs/internals.md, "One
decision, one path").  Each case prints what it saw; it must print what stock
CPython prints, in this process (which -R on the debug build checks for
leaks) and in a fresh one, where a crash shows as a crash."""

import sys
import textwrap
import unittest

from tests.support.chains import KEPT
from tests.support.process import run_ok, stock_python

TOOL = 3

# Each case defines main(), which returns what it saw.  The tool id is free
# again after it (run()).
CASES = {
    # A PY_RETURN callback makes the frame object of each frame that returns
    # (at its tail call, for a replaced frame); a finalizer of a released
    # local reads one of them.  The exact-args tail call must leave each
    # frame object its own copy of the frame before the slot is reused.
    "frame_object_from_return_callback": """
        import sys
        mon = sys.monitoring
        held = []
        seen = []
        def on_return(code, offset, retval):
            if code is f.__code__:
                held.append(sys._getframe(1))
        class D:
            def __del__(self):
                if held:
                    seen.append(type(held[-1].f_locals.get('junk')).__name__)
        def f(n, d, junk):
            if n == 0:
                return 'done'
            return f(n - 1, D(), bytearray(1000))
        def main():
            for i in range(3):
                f(40, None, None)
            result = watched(mon.events.PY_RETURN, on_return,
                     lambda: f(60, None, None))
            # Sorted: past the kept window a replaced frame returns, to
            # tools, at its tail call (docs/debugging.md).
            ns = sorted(fr.f_locals['n'] for fr in held
                        if fr.f_code is f.__code__)
            out = (result, len(held), len(set(map(id, held))), ns,
                   sorted(set(seen)))
            held.clear()
            return out
    """,
    # Without a finalizer: one frame object per frame, each with its own
    # locals, not the callee's.
    "one_frame_object_per_frame": """
        import sys
        mon = sys.monitoring
        held = []
        def on_return(code, offset, retval):
            if code is f.__code__:
                held.append(sys._getframe(1))
        def f(n, tag):
            if n == 0:
                return 'done'
            return f(n - 1, 'tag%d' % n)
        def main():
            for i in range(3):
                f(40, None)
            watched(mon.events.PY_RETURN, on_return,
                     lambda: f(50, 'first'))
            out = sorted((fr.f_locals['n'], fr.f_locals['tag'])
                         for fr in held)
            out.append(len(set(map(id, held))))
            held.clear()
            return out
    """,
    # A PY_RETURN callback assigns the callee's __code__ (one that takes
    # three arguments) after the exact-args guard passed: the callee runs
    # the code that was checked, as stock's call, made before, does.
    "code_assigned_by_return_callback": """
        import sys
        mon = sys.monitoring
        armed = False
        def h(a, b, c): return (a, b, c)
        def g(a): return ('g', a)
        G_CODE = g.__code__
        def on_return(code, offset, retval):
            global armed
            if armed:
                armed = False
                g.__code__ = h.__code__
        def f(n, arm):
            global armed
            if n:
                return f(n - 1, arm)
            armed = arm
            return g(0)
        def main():
            for i in range(10):
                f(40, False)
            first = watched(mon.events.PY_RETURN, on_return,
                     lambda: f(40, True))
            # Afterwards g has h's code, and its calls say so as on stock.
            try:
                f(40, False)
            except TypeError as e:
                second = str(e)
            g.__code__ = G_CODE
            return first, second
    """,
    # The caller's code is a new code object for each call, released when
    # the frame is replaced: the data stack's bookkeeping reads it first.
    "caller_code_released_last": """
        import types
        def tmpl(n, k=0):
            if n == 0:
                return 'done'
            return fresh()(n - 1, k=1)
        CO = tmpl.__code__
        def fresh():
            return types.FunctionType(CO.replace(co_name='tmpl'),
                                      globals(), None, (0,))
        def main():
            return fresh()(300)
    """,
    # The finalizer of a wrapper that the call unwraps rewires the partial
    # it wraps: the wrappers live until the callee's frame is made, as
    # their own calls keep them until they return.
    "wrapper_finalizer_rewires_partial": """
        import functools
        def f(*a): return ('f', a)
        def g(*a): return ('g', a)
        class P(functools.partial): pass
        class Hook:
            def __del__(self):
                inner.__setstate__((g, (), {}, None))
        def make():
            outer = P(inner, 'o'); outer.hook = Hook()
            return outer
        def t(n):
            return make()(n) if n % 2 else t2(n)
        def t2(n):
            return t(n - 1)
        def main():
            global inner
            out = []
            for depth in (1, 2 * KEPT + 1):
                inner = P(f, 'i')
                out.append(t(depth))
                out.append(inner.func.__name__)
            return out
    """,
    # The CALL event's callback rewires the partial being called: the
    # callee is decided after the event, as stock calls after it.
    "call_event_rewires_partial": """
        import functools, sys
        mon = sys.monitoring
        def f(*a, **k): return ('f', a, k)
        def g(*a, **k): return ('g', a, k)
        p = functools.partial(f, 1, x=2)
        def on_call(code, offset, callable, arg0):
            if callable is p and p.func is f:
                p.__setstate__((g, (9,), {'y': 3}, None))
        def kw(n):
            return p(n, z=4) if n == 0 else kw(n - 1)
        def ex(n, args):
            return p(*args) if n == 0 else ex(n - 1, args)
        def pos(n):
            return p(n) if n == 0 else pos(n - 1)
        def main():
            mon.register_callback(TOOL, mon.events.CALL, on_call)
            mon.set_events(TOOL, mon.events.CALL)
            out = []
            try:
                for fn, args in ((kw, ()), (ex, ((5, 6),)), (pos, ())):
                    for depth in (0, 3 * KEPT):
                        p.__setstate__((f, (1,), {'x': 2}, None))
                        out.append(fn(depth, *args))
            finally:
                mon.set_events(TOOL, 0)
            return out
    """,
    # Keyword names of a str subclass whose __eq__ rewires the partial
    # being called, while the keywords merge: that merge runs when stock
    # runs it (such a call is an ordinary call).
    "keyword_eq_rewires_partial": """
        import functools
        def f(*a, **k): return ('f', a, sorted(k))
        def g(*a, **k): return ('g', a, sorted(k))
        class Key(str):
            __hash__ = str.__hash__
            def __eq__(self, other):
                if p.func is f:
                    p.__setstate__((g, (), {'key': 0}, None))
                return str.__eq__(self, other)
        def t(n):
            return p(**{Key('key'): 1}) if n == 0 else t(n - 1)
        def main():
            global p
            out = []
            for depth in (0, 3 * KEPT):
                p = functools.partial(f, key=0)
                out.append(t(depth))
            return out
    """,
    # The finalizer of a local of the replaced frame, run while the frame is
    # cleared, assigns the callee's __code__ and defaults.
    "finalizer_assigns_code_and_defaults": """
        def h(a, b=5): return ('h', a, b)
        def g(a): return ('g', a)
        G = (g.__code__, g.__defaults__)
        class D:
            def __del__(self):
                g.__code__ = h.__code__
                g.__defaults__ = (7,)
        def f(n, d):
            if n:
                return f(n - 1, None)
            return g(0)
        def main():
            out = []
            for i in range(3):
                g.__code__, g.__defaults__ = G
                out.append(f(3 * KEPT, D()))
                out.append(g(1))
            g.__code__, g.__defaults__ = G
            return out
    """,
}


# Every case can run a call with a tool's callback for one event on.
PRELUDE = """
import sys
def watched(event, callback, call):
    sys.monitoring.register_callback(TOOL, event, callback)
    sys.monitoring.set_events(TOOL, event)
    try:
        return call()
    finally:
        sys.monitoring.set_events(TOOL, 0)
"""


def source(name):
    return (f"TOOL = {TOOL}\nKEPT = {KEPT}\n" + PRELUDE
            + textwrap.dedent(CASES[name]))


def run(name):
    """main() of the case, in this process."""
    namespace = {"__name__": f"reentrancy_{name}"}
    mon = sys.monitoring
    mon.use_tool_id(TOOL, "test_reentrancy")
    try:
        exec(source(name), namespace)
        return namespace["main"]()
    finally:
        for event in mon.events.__dict__.values():
            if isinstance(event, int) and event and not event & (event - 1):
                mon.register_callback(TOOL, event, None)
        mon.free_tool_id(TOOL)
        namespace.clear()


def printed(name, python, *options):
    """What main() of the case returns, in a fresh process of python."""
    code = (f"import sys\nsys.monitoring.use_tool_id({TOOL}, 'probe')\n"
            + source(name) + "\nprint(repr(main()))\n")
    return run_ok(code, *options, python=python).strip()


class ReentrancyTests(unittest.TestCase):

    def check(self, name):
        expected = printed(name, stock_python())
        # In this process (under -R, on the debug build, for leaks too).
        self.assertEqual(repr(run(name)), expected)
        # In fresh processes, where a crash is a crash, and with tail
        # calls off, which must change nothing.
        self.assertEqual(printed(name, sys.executable), expected)
        self.assertEqual(printed(name, sys.executable, "-X", "tailcalls=off"),
                         expected)

    def test_frame_object_from_return_callback(self):
        self.check("frame_object_from_return_callback")

    def test_one_frame_object_per_frame(self):
        self.check("one_frame_object_per_frame")

    def test_code_assigned_by_return_callback(self):
        self.check("code_assigned_by_return_callback")

    def test_caller_code_released_last(self):
        self.check("caller_code_released_last")

    def test_wrapper_finalizer_rewires_partial(self):
        self.check("wrapper_finalizer_rewires_partial")

    def test_call_event_rewires_partial(self):
        self.check("call_event_rewires_partial")

    def test_keyword_eq_rewires_partial(self):
        self.check("keyword_eq_rewires_partial")

    def test_finalizer_assigns_code_and_defaults(self):
        self.check("finalizer_assigns_code_and_defaults")


if __name__ == "__main__":
    unittest.main()
