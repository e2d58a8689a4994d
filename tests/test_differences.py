"""What code that walks the stack sees, through a short chain of tail calls
(at most _Py_TAIL_CALL_KEPT_FRAMES: every frame is kept, as in stock
CPython) and through a long one (the frames past the kept ones are gone:
the frame that runs sits in one slot above the kept frames).  One test per
documented difference, for code that is not traced, so that
docs/semantics.md and docs/debugging.md stay true; and -X tailcalls=off
gives the stock behaviour back."""

import enum
import faulthandler
import inspect
import json
import logging
import pickle
import sys
import tempfile
import traceback
import unittest
import warnings

from tests.support import othermodule
from tests.support.chains import KEPT, chain
from tests.support.process import run_ok

SHORT = 5           # chain(SHORT, then): then() and every chain frame kept
LONG = 100          # chain(LONG, then): then() replaces the frames past KEPT

# chain(n, then) is called by a non-tail call, so its frames make n tail
# calls and then() one more.  With n < KEPT every frame is kept; with
# n >= KEPT, then() runs in the slot above the KEPT kept frames
# chain(n), ..., chain(n - KEPT + 1), and replaced n + 1 - KEPT frames.


def chain_line():
    """The line of chain()'s tail calls."""
    code = chain.__code__
    return code.co_firstlineno + 2


def names_below(frame, stop):
    """(function name, n) of the frames from frame down to stop's frame."""
    out = []
    while frame is not None and frame.f_code is not stop:
        out.append((frame.f_code.co_name, frame.f_locals.get("n")))
        frame = frame.f_back
    return out


def expected_names(n, top="<lambda>"):
    if n < KEPT:
        kept = range(0, n + 1)
    else:
        kept = range(n - KEPT + 1, n + 1)
    return [(top, None)] + [("chain", k) for k in kept]


def replaced(n, extra=0):
    """How many frames the running frame replaced: chain(n, then) where
    then() makes extra tail calls of its own."""
    return max(0, n + 1 + extra - KEPT)


class FrameWalkTests(unittest.TestCase):
    """sys._getframe(n), frame.f_back, inspect.stack(), traceback's stack
    functions: the same stack, without the replaced frames."""

    def test_getframe_and_f_back(self):
        me = sys._getframe().f_code
        for n in (SHORT, KEPT - 1, KEPT, LONG):
            with self.subTest(n=n):
                def then():
                    frames = []
                    depth = 0
                    while sys._getframe(depth).f_code is not me:
                        frames.append(sys._getframe(depth))
                        depth += 1
                    return ([(f.f_code.co_name, f.f_locals.get("n"))
                             for f in frames],
                            names_below(frames[0], me),
                            frames[0].f_elided_count)
                by_getframe, by_f_back, tail_calls = chain(n, then)
                self.assertEqual(by_getframe, expected_names(n, "then"))
                self.assertEqual(by_f_back, by_getframe)
                self.assertEqual(tail_calls, replaced(n))
        # So the caller of the chain's last function is chain(0) in a short
        # chain, the last kept frame in a long one.
        caller = lambda: sys._getframe(1).f_locals["n"]
        self.assertEqual(chain(SHORT, caller), 0)
        self.assertEqual(chain(LONG, caller), LONG - KEPT + 1)

    def test_inspect_stack(self):
        me = sys._getframe().f_code
        for n in (SHORT, LONG):
            with self.subTest(n=n):
                # Not a tail call: the lambda's frame stays.
                stack = chain(n, lambda: (inspect.stack(),)[0])
                mine = [i for i, info in enumerate(stack)
                        if info.frame.f_code is me][0]
                stack = stack[:mine]
                self.assertEqual(
                    [(info.function, info.frame.f_locals.get("n"))
                     for info in stack],
                    expected_names(n))
                # FrameInfo has no count of its own; its frame has.
                self.assertEqual([info.frame.f_elided_count for info in stack],
                                 [replaced(n)] + [0] * (len(stack) - 1))
                self.assertEqual(stack[1].lineno, chain_line())
        # inspect.stack() in tail position replaces its caller too: deep in
        # a chain, the stack it sees starts at the last kept frame.
        stack = chain(LONG, inspect.stack)
        self.assertEqual((stack[0].function, stack[0].frame.f_locals["n"]),
                         ("chain", LONG - KEPT + 1))

    def test_traceback_stack_functions(self):
        for n in (SHORT, LONG):
            with self.subTest(n=n):
                summary = chain(
                    n, lambda: (traceback.extract_stack(limit=KEPT + 3),)[0])
                self.assertEqual(summary[-1].name, "<lambda>")
                self.assertEqual(summary[-1].elided_count, replaced(n))
                self.assertEqual([f.elided_count for f in summary[:-1]],
                                 [0] * (len(summary) - 1))
                text = "".join(
                    chain(n, lambda: (traceback.format_stack(),)[0]))
                if n < KEPT:
                    self.assertNotIn("frames elided by tail calls", text)
                else:
                    marker = (f"  [... {replaced(n)} frames elided by tail "
                              f"calls ...]\n")
                    self.assertEqual(text.count(marker), 1)
                    self.assertEqual(text.count("elided"), 1)


def warner():
    return warnings.warn("from warner", UserWarning, stacklevel=2)


def warn_caller():
    return warner()                     # stacklevel=2 points here...


class WarningsTests(unittest.TestCase):

    def warning_position(self, n):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            chain(n, warn_caller)
        [w] = caught
        return w.filename, w.lineno

    def test_stacklevel(self):
        # ...in a short chain.  In a long one warner() replaced
        # warn_caller(), and stacklevel=2 is the last kept frame.
        self.assertEqual(self.warning_position(SHORT),
                         (__file__, warn_caller.__code__.co_firstlineno + 1))
        self.assertEqual(self.warning_position(LONG),
                         (chain.__code__.co_filename, chain_line()))

    def test_stacklevel_one(self):
        # warnings.warn is a C function: warner() is still running.
        def direct():
            return warnings.warn("direct", UserWarning, stacklevel=1)
        for n in (SHORT, LONG):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                chain(n, direct)
            self.assertEqual(caught[0].lineno,
                             direct.__code__.co_firstlineno + 1)


LOGGER = logging.getLogger("tests.test_differences")


def log_tail():
    return LOGGER.info("tail")          # Logger.info replaces this frame


def log_plain():
    LOGGER.info("plain")
    return None


class LoggingTests(unittest.TestCase):

    def setUp(self):
        self.records = []
        records = self.records
        class Collect(logging.Handler):
            def emit(self, record):
                records.append((record.getMessage(), record.funcName,
                                record.lineno))
        handler = Collect()
        LOGGER.addHandler(handler)
        old = LOGGER.propagate, LOGGER.level
        LOGGER.propagate = False
        LOGGER.setLevel(logging.INFO)
        def restore():
            LOGGER.removeHandler(handler)
            LOGGER.propagate, LOGGER.level = old
        self.addCleanup(restore)

    def test_caller_information(self):
        tail_line = log_tail.__code__.co_firstlineno + 1
        plain_line = log_plain.__code__.co_firstlineno + 1
        chain(SHORT, log_tail)
        chain(SHORT, log_plain)
        chain(LONG, log_tail)
        chain(LONG, log_plain)
        self.assertEqual(self.records, [
            ("tail", "log_tail", tail_line),
            ("plain", "log_plain", plain_line),
            # Deep in a chain, `return logger.info(...)` replaces the
            # function that logs: the record names the last kept frame.
            ("tail", "chain", chain_line()),
            ("plain", "log_plain", plain_line),
        ])


class FaulthandlerTests(unittest.TestCase):

    def dump(self, n):
        with tempfile.TemporaryFile("w+") as f:
            chain(n, lambda: faulthandler.dump_traceback(f, all_threads=False))
            f.seek(0)
            return f.read()

    def test_dump_traceback_shows_the_kept_frames(self):
        short, long = self.dump(SHORT), self.dump(LONG)
        self.assertEqual(short.count(" in chain\n"), SHORT + 1)
        self.assertEqual(long.count(" in chain\n"), KEPT)
        self.assertIn(" in <lambda>\n", long)
        # Nothing else differs: the frames below the chain are the same.
        below = lambda text: text.split(" in chain\n")[-1]
        self.assertEqual(below(short), below(long))


class ModuleOfCallerTests(unittest.TestCase):
    """sys._getframemodulename() and the functions that name a new type's
    module after their caller's."""

    def test_short_chain(self):
        self.assertEqual(chain(SHORT, othermodule.make_point_type).__module__,
                         othermodule.__name__)
        for make in (othermodule.make_typevar, othermodule.make_newtype,
                     othermodule.make_enum):
            with self.subTest(make=make.__name__):
                self.assertEqual(chain(SHORT, make).__module__,
                                 othermodule.__name__)

    def test_long_chain_namedtuple(self):
        # namedtuple() is a Python function: make_point_type()'s tail call
        # to it replaces make_point_type()'s frame, and the module it finds
        # one frame up is that of the last kept frame: chain()'s.
        self.assertEqual(chain(LONG, othermodule.make_point_type).__module__,
                         chain.__module__)
        self.assertNotEqual(chain.__module__, othermodule.__name__)

    def test_long_chain_enum(self):
        # Enum's metaclass has a Python __call__: make_enum()'s call of
        # Enum is a tail call into EnumType.__call__, and _create_() finds
        # the module of the last kept frame, as namedtuple() does.
        self.assertEqual(chain(LONG, othermodule.make_enum).__module__,
                         chain.__module__)
        self.assertEqual(
            chain(LONG, othermodule.make_enum_in_module).__module__,
            othermodule.__name__)

    def test_long_chain_through_c(self):
        # TypeVar (a C type) and NewType (a class: type.__call__, C, runs
        # it) are called as CALL calls them: the frame that calls them
        # stays, and they name the right module however long the chain.
        for make in (othermodule.make_typevar, othermodule.make_newtype):
            with self.subTest(make=make.__name__):
                self.assertEqual(chain(LONG, make).__module__,
                                 othermodule.__name__)

    def test_cross_module_chain(self):
        # hop_*() and othermodule.call_back() tail-call each other; the
        # chain ends in hop_*(), which tail-calls othermodule's function
        # that reads its caller.  In a long chain, that "caller" is the last
        # kept frame, a call_back() frame of the other module.
        self.assertEqual(hop_module(4), __name__)
        self.assertEqual(hop_name(4), "hop_name")
        self.assertEqual(hop_module(40), othermodule.__name__)
        self.assertEqual(hop_name(40), "call_back")


def hop_module(n):
    if n == 0:
        return othermodule.caller_module()
    return othermodule.call_back(hop_module, n - 1)


def hop_name(n):
    if n == 0:
        return othermodule.caller_name()
    return othermodule.call_back(hop_name, n - 1)


OTHER = '''
import collections, sys
def make_point_type():
    return collections.namedtuple("Point", "x y")
def caller_name():
    return sys._getframe(1).f_code.co_name
def call_back(f, n):
    return f(n)
'''

# The observations of the tests above, in one process, for one chain
# length: run with tail calls on and off.
SWITCH = '''
import faulthandler, gc, inspect, io, json, logging, sys, tempfile
import traceback, types, warnings, weakref
other = types.ModuleType("other")
exec(OTHER, other.__dict__)
sys.modules["other"] = other

def chain(n, then):
    return then() if n == 0 else chain(n - 1, then)

def warner():
    return warnings.warn("w", UserWarning, stacklevel=2)
def warn_caller():
    return warner()

records = []
class Collect(logging.Handler):
    def emit(self, record):
        records.append(record.funcName)
log = logging.getLogger("switch")
log.addHandler(Collect())
log.setLevel(logging.INFO)
def log_tail():
    return log.info("x")

class Big:
    pass
refs = []
def holder(weakly_held):
    big = Big()
    if weakly_held:
        refs.append(weakref.ref(big))
    return check()
def check():
    # Seen by the garbage collector, which neither a finalizer nor a weak
    # reference has to tell.
    return not any(type(o) is Big for o in gc.get_objects())

def hop(n):
    return other.caller_name() if n == 0 else other.call_back(hop, n - 1)

def count_chain(frames):
    return sum(f.f_code.co_name == "chain" for f in frames)

def frames_from(frame):
    while frame is not None:
        yield frame
        frame = frame.f_back

N = int(sys.argv[1])
out = {"tail_calls": sys.flags.tail_calls}
out["getframe"] = chain(N, lambda: count_chain(frames_from(sys._getframe())))
out["caller_n"] = chain(N, lambda: sys._getframe(1).f_locals["n"])
out["inspect"] = chain(
    N, lambda: count_chain(i.frame for i in inspect.stack()))
out["marker"] = "frames elided by tail calls" in "".join(
    chain(N, lambda: (traceback.format_stack(),)[0]))
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    chain(N, warn_caller)
out["warning"] = caught[0].lineno == warn_caller.__code__.co_firstlineno + 1
chain(N, log_tail)
out["logging"] = records[0]
with tempfile.TemporaryFile("w+") as f:
    chain(N, lambda: faulthandler.dump_traceback(f, all_threads=False))
    f.seek(0)
    out["faulthandler"] = f.read().count(" in chain\\n")
out["namedtuple"] = chain(N, other.make_point_type).__module__
out["caller_name"] = hop(N)
out["released"] = chain(N, lambda: holder(False))
out["weakly_held_released"] = chain(N, lambda: holder(True))
print(json.dumps(out))
'''


class DifferencesUnderSwitchTests(unittest.TestCase):
    """The differences above, in one process, with tail calls on and off:
    off, every one is stock's (how the switch itself is read and set:
    tests/test_switch.py)."""

    def observe(self, n, *options):
        code = "OTHER = %r\n" % OTHER + SWITCH
        return json.loads(run_ok(code, *options, args=(str(n),)))

    # What stock CPython shows, whatever the chain's length.
    def stock(self, n):
        return {"tail_calls": 0, "getframe": n + 1, "caller_n": 0,
                "inspect": n + 1, "marker": False, "warning": True,
                "logging": "log_tail", "faulthandler": n + 1,
                "namedtuple": "other", "caller_name": "hop",
                "released": False, "weakly_held_released": False}

    def test_off_is_stock(self):
        # faulthandler shows 100 frames at most: stay below.
        for n in (SHORT, 80):
            with self.subTest(n=n):
                self.assertEqual(self.observe(n, "-X", "tailcalls=off"),
                                 self.stock(n))

    def test_on(self):
        self.assertEqual(self.observe(SHORT, "-X", "tailcalls=on"),
                         dict(self.stock(SHORT), tail_calls=1))
        self.assertEqual(self.observe(80, "-X", "tailcalls=on"), {
            "tail_calls": 1, "getframe": KEPT, "caller_n": 80 - KEPT + 1,
            "inspect": KEPT, "marker": True, "warning": False,
            "logging": "chain", "faulthandler": KEPT,
            "namedtuple": "__main__", "caller_name": "call_back",
            "released": True, "weakly_held_released": False})


# Short chains keep every frame: what stack-walking code sees there is
# stock's.

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
