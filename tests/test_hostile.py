"""Tail calls under bad input and hostile conditions: allocations that fail
while a tail call pushes its frame, argument lists too long for one opcode
argument, recursion through C callables, frames that tracebacks hold,
finalizers and the collector running in the middle of a tail call, the
recursion limit lowered mid-chain, threads, interrupts, and tracers or a
frame evaluator switched on mid-chain.  Whatever happens must be an
exception or the right answer, never a crash, and the interpreter must stay
usable afterwards."""

import dis
import functools
import gc
import json
import opcode
import sys
import sysconfig
import textwrap
import traceback
import unittest
import weakref
from test import support

from tests.support.process import run_ok, run_python, tail_call_modes
from tests.support.chains import (KEPT, MAKE_RING, big_frame_function,
                                  SPECIALIZES, chain, form,
                                  loop as countdown)

try:
    import _testcapi
except ImportError:
    _testcapi = None

try:
    import _testinternalcapi
except ImportError:
    _testinternalcapi = None

try:
    import _interpreters
except ImportError:
    _interpreters = None

try:
    import resource
except ImportError:
    resource = None


def script(*parts):
    return "".join(textwrap.dedent(part) for part in parts)


# Frames live on the thread's data stack, in chunks of 16 KiB and up: a
# frame of 3000 locals (24 KiB) never fits in the caller's chunk, so every
# tail call to such a function allocates a new chunk.
BIG_FRAMES = f"import sys\nKEPT = {KEPT}\n" + MAKE_RING


@unittest.skipIf(_testcapi is None or not hasattr(_testcapi, "set_nomemory"),
                 "needs _testcapi.set_nomemory")
@unittest.skipIf(sysconfig.get_config_var("Py_GIL_DISABLED"),
                 "after _testcapi.set_nomemory() the free-threaded build of "
                 "stock 3.13.5 runs NOMEMORY's program for more than 120 s "
                 "too (docs/free-threading.md)")
class AllocationFailureTests(unittest.TestCase):
    """MemoryError anywhere in a tail chain is an exception like any other."""

    NOMEMORY = """
    import _testcapi, gc, json
    # big() has 3000 locals: a new data stack chunk at every call.  (The
    # chunks come from the arena allocator, which set_nomemory() leaves
    # alone: FramePushFailureTests makes those fail.)  The tail calls pass
    # *args and **kwargs, so that binding the arguments of the new frame
    # allocates (a tuple and a dict) once the frame is pushed.  Some frames
    # are held by frame objects, so that replacing them allocates too.
    src = ("def big(n, held, *rest, **kw):\\n"
           + "".join(f"    v{j} = n\\n" for j in range(3000))
           + "    if held is not None and n % 7 == 0:\\n"
           + "        held.append(sys._getframe())\\n"
           + "    return n if n == 0 else small(n - 1, held, *rest, **kw)\\n"
           + "def small(n, held, *rest, **kw):\\n"
           + "    return n if n == 0 else big(n - 1, held, *rest, k=n)\\n")
    ns = {"sys": sys}
    exec(src, ns)
    big = ns["big"]

    def run(hold):
        held = [] if hold else None
        return big(40, held, 1, 2), len(held or ())

    outcomes = {}
    for mode in ("once", "forever"):
        # Holding frames under lasting allocation failures runs into a bug
        # of CPython 3.13 (gh-131173: take_ownership() clears the pending
        # MemoryError when a frame object outlives its frame), tail calls
        # or not; a single failure is enough to reach every path.
        hold = mode == "once"
        expected = run(hold)
        start = successes = 0
        while successes < 5:
            stop = start + 1 if mode == "once" else 0
            try:
                _testcapi.set_nomemory(start, stop)
                try:
                    result = run(hold)
                finally:
                    _testcapi.remove_mem_hooks()
            except MemoryError:
                result = "MemoryError"
            if result == expected:
                successes += 1
                key = mode + " ok"
            else:
                successes = 0
                key = mode + " " + str(result)
            outcomes[key] = outcomes.get(key, 0) + 1
            # The interpreter is consistent: the same chain works again.
            assert run(hold) == expected, start
            start += 1
    gc.collect()
    assert make_ring(3000, 10)[0](10**4) == 0
    print(json.dumps(outcomes))
    """

    def test_nomemory_in_deep_tail_chain(self):
        for mode in tail_call_modes():
            with self.subTest(mode=mode):
                outcomes = json.loads(run_ok(script(BIG_FRAMES, self.NOMEMORY),
                                             *mode))
                # Every allocation of the chain failed once, in turn: each
                # run ended in MemoryError or the right answer.
                self.assertEqual(set(outcomes), {"once ok", "once MemoryError",
                                                 "forever ok",
                                                 "forever MemoryError"})
                self.assertGreater(outcomes["once MemoryError"], 40)
                self.assertGreater(outcomes["forever MemoryError"], 40)


@unittest.skipIf(resource is None or not sys.platform.startswith("linux"),
                 "needs resource.RLIMIT_AS and /proc")
@support.skip_if_sanitizer("address space limits", address=True, memory=True)
class FramePushFailureTests(unittest.TestCase):
    """The frame of a tail call cannot be pushed: the data stack cannot grow
    (the address space is limited).  _PyThreadState_PushFrame() fails in
    the caller, which raises MemoryError at its tail call."""

    LIMIT = """
    import resource
    def vm_size():
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    def limit(extra):
        resource.setrlimit(resource.RLIMIT_AS,
                           (vm_size() + extra, resource.RLIM_INFINITY))
    def unlimit():
        resource.setrlimit(resource.RLIMIT_AS,
                           (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    def chain(n, f, *args):
        return f(*args) if n == 0 else chain(n - 1, f, *args)
    def big_stack(stacksize):
        # A frame of stacksize value stack slots: its chunk is mapped but
        # never touched.
        def f(n):
            return n
        f.__code__ = f.__code__.replace(co_stacksize=stacksize)
        return f
    """

    def test_huge_frame_at_every_depth(self):
        code = script(self.LIMIT, """
        import json, traceback
        huge = big_stack(2**26)            # 512 MiB
        tiny = lambda n: n
        limit(256 * 2**20)
        seen = []
        for depth in (0, 5, 14, 15, 16, 17, 40, 1000):
            for _ in range(3):
                try:
                    chain(depth, huge, depth)
                except MemoryError as e:
                    last = traceback.extract_tb(e.__traceback__)[-1]
                    *_, (innermost, _) = traceback.walk_tb(e.__traceback__)
                    seen.append([depth, last.name, last.line,
                                 innermost.f_locals["n"],
                                 innermost.f_elided_count])
                else:
                    seen.append([depth, "no error"])
                assert chain(depth, tiny, depth) == depth
        assert chain(10**5, tiny, "ok") == "ok"
        unlimit()
        print(json.dumps(seen))
        """)
        for mode in tail_call_modes():
            with self.subTest(mode=mode):
                seen = json.loads(run_ok(code, *mode))
                self.assertEqual(len(seen), 24)
                for depth, name, line, n, tail_calls in seen:
                    # Raised in the caller, at its tail call.
                    self.assertEqual(name, "chain")
                    self.assertEqual(line, "return f(*args) if n == 0 "
                                           "else chain(n - 1, f, *args)")
                    self.assertEqual(n, 0)
                    self.assertEqual(tail_calls, max(0, depth - KEPT))

    def test_chunk_allocation_fails_at_every_point(self):
        # Frames of 3000, 10 and 2500 locals: chunks are allocated and
        # freed all along the chain.  Sweep the address space limit over
        # the chain's needs, so that allocating a chunk fails in turn at
        # each tail call of the kept frames and at the first replacing one.
        # Under -X tailcalls=on, the first replacing call leaves the chain
        # in a chunk that every frame of the ring fits from where it
        # starts, and the later calls bind in place (tail_call_reuse_frame()):
        # no allocation, so none fails.  The shadow frames of debug mode
        # take the path that pushes the callee above its caller, as do the
        # unspecialized sites of the free-threaded build, and later
        # replacing calls allocate too.
        code = script(BIG_FRAMES, self.LIMIT, """
        import gc, json, traceback
        f0 = make_ring(3000, 10, 2500)[0]
        assert f0(100) == 0
        gc.collect()
        outcomes = {}
        failed_at = set()
        for extra in range(0, 2 * 2**20, 16384):
            limit(extra)
            try:
                r = f0(100)
            except MemoryError as e:
                r = "MemoryError"
                *_, (innermost, _) = traceback.walk_tb(e.__traceback__)
                if innermost.f_code.co_name != "<module>":
                    # The tail call of the frame at this depth failed.
                    depth = 100 - innermost.f_locals["n"]
                    failed_at.add("kept" if depth < KEPT else
                                  "first replacing" if depth == KEPT else
                                  "later replacing")
            finally:
                unlimit()
            outcomes[str(r)] = outcomes.get(str(r), 0) + 1
            assert f0(100) == 0
        print(json.dumps([outcomes, sorted(failed_at)]))
        """)
        for mode in tail_call_modes():
            with self.subTest(mode=mode):
                outcomes, failed_at = json.loads(run_ok(code, *mode))
                self.assertEqual(set(outcomes), {"0", "MemoryError"})
                if mode == ("-X", "tailcalls=on") and SPECIALIZES:
                    self.assertEqual(failed_at, ["first replacing", "kept"])
                else:
                    self.assertEqual(failed_at, ["first replacing", "kept",
                                                 "later replacing"])

    def test_replaced_frames_release_their_chunks(self):
        # Each frame takes 16 MiB of address space (a chunk of its own).  A
        # long chain of them fits in 400 MiB only if every tail call gives
        # back the chunk of the frame it replaces.
        code = script(self.LIMIT, """
        import sys
        def f(n):
            return vm_size() - base if n == 0 else f(n - 1)
        # Just under 16 MiB: a chunk of 16 MiB each.
        f.__code__ = f.__code__.replace(co_stacksize=2**21 - 4096)
        base = vm_size()
        depth = int(sys.argv[1])
        if depth > 100:
            limit(400 * 2**20)
        print(f(depth) >> 20)
        unlimit()
        """)
        for mode in tail_call_modes():
            with self.subTest(mode=mode):
                # The kept frames and the slot: KEPT + 1 chunks.
                grown = int(run_ok(code, *mode, args=["1000"]))
                self.assertLessEqual(grown, 16 * (KEPT + 2))
        # With tail calls off (no limit: CPython 3.13 can lose the
        # MemoryError of a failed frame push, gh-131173), every frame keeps
        # its chunk.
        grown = int(run_ok(code, "-X", "tailcalls=off", args=["100"]))
        self.assertGreaterEqual(grown, 16 * 100)


def assemble(ops):
    """Bytecode for [(opname, arg)]: EXTENDED_ARG where the argument needs
    it, and zeroed inline caches."""
    out = bytearray()
    for name, arg in ops:
        if arg > 0xFF:
            out += bytes([dis.opmap["EXTENDED_ARG"], (arg >> 8) & 0xFF])
        out += bytes([dis.opmap[name], arg & 0xFF])
        out += bytes(2 * opcode._inline_cache_entries.get(name, 0))
    return bytes(out)


def line_table(code_units):
    """A location table that puts every instruction on the line after
    co_firstlineno (entries without columns, 8 code units at most)."""
    table = bytearray()
    delta = 1
    while code_units > 0:
        n = min(code_units, 8)
        table.append(0x80 | (13 << 3) | (n - 1))
        table.append(delta << 1)        # signed varint: zigzag, one byte
        delta = 0
        code_units -= n
    return bytes(table)


NARGS = 300
PARAMS = ", ".join(f"a{i}" for i in range(NARGS))


def hand_made_tail_caller(kw):
    """f(n, a0, ..., a299) whose body is `return nxt(n, a0, ..., a299)`
    as one TAIL_CALL (or TAIL_CALL_KW, all by keyword) with an argument of
    301: EXTENDED_ARG.  The compiler never makes these (a call with more
    than 30 arguments compiles to CALL_FUNCTION_EX), so they are built by
    hand."""
    ns = {}
    exec(f"def f(n, {PARAMS}):\n    pass\n", ns)
    f = ns["f"]
    ops = [("RESUME", 0), ("LOAD_GLOBAL", 1)]
    ops += [("LOAD_FAST", i) for i in range(NARGS + 1)]
    if kw:
        ops += [("LOAD_CONST", 1), ("TAIL_CALL_KW", NARGS + 1)]
        consts = (None, ("n",) + tuple(f"a{i}" for i in range(NARGS)))
    else:
        ops += [("TAIL_CALL", NARGS + 1)]
        consts = (None,)
    ops += [("RETURN_VALUE", 0)]
    code = assemble(ops)
    f.__code__ = f.__code__.replace(
        co_code=code, co_names=("nxt",), co_consts=consts,
        co_stacksize=NARGS + 4, co_linetable=line_table(len(code) // 2),
        co_exceptiontable=b"")
    f.__globals__["nxt"] = None
    return f


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


class HeldFrameTests(unittest.TestCase):
    """Frame objects of replaced frames, held by a traceback and by the
    code itself, while the chain goes on and after it ends."""

    def test_traceback_held_then_many_tail_calls(self):
        store = {}
        def keeper(n):
            local = ["keeper", n]
            try:
                raise ValueError(n)
            except ValueError:
                store["tb"] = sys.exc_info()[2]
            store["frame"] = sys._getframe()
            return onward(1000, store["frame"])
        def onward(k, held):
            if k == 500:
                # Mid-chain: the held frame was replaced; what it held
                # stays, and the frame below its slot is still running.
                store["mid_locals"] = dict(held.f_locals)
                below = held.f_back
                store["below"] = (below.f_code.co_name, below.f_locals["n"])
                try:
                    below.clear()
                except RuntimeError as e:
                    store["clear_running"] = str(e)
                gc.collect()
            return k if k == 0 else onward(k - 1, held)
        self.assertEqual(chain(2 * KEPT, lambda: keeper(7)), 0)
        tb, frame = store["tb"], store["frame"]
        self.assertIs(tb.tb_frame, frame)
        self.assertEqual(store["mid_locals"]["local"], ["keeper", 7])
        # Below keeper's slot: the last kept frame of the chain.
        self.assertEqual(store["below"], ("chain", 2 * KEPT - (KEPT - 1)))
        self.assertEqual(store["clear_running"],
                         "cannot clear an executing frame")
        # After the chain: the frame says where it was and what it held.
        self.assertEqual(frame.f_locals["local"], ["keeper", 7])
        self.assertEqual(frame.f_locals["n"], 7)
        self.assertEqual(frame.f_code.co_name, "keeper")
        # Its line is its tail call's.
        [tail_call_line] = {i.positions.lineno
                            for i in dis.get_instructions(keeper)
                            if i.opname.startswith("TAIL_CALL")}
        self.assertEqual(frame.f_lineno, tail_call_line)
        self.assertGreater(frame.f_lineno, tb.tb_lineno)
        names = []
        f, me = frame, sys._getframe().f_code
        while f is not None and f.f_code is not me:
            names.append(f.f_code.co_name)
            f = f.f_back
        self.assertEqual(names, ["keeper"] + ["chain"] * KEPT)
        text = "".join(traceback.format_tb(tb))
        self.assertIn("frames elided by tail calls", text)
        self.assertIn("raise ValueError(n)", text)
        # Clearing the replaced frame drops what it held; the traceback
        # stays printable.
        frame.clear()
        gc.collect()
        self.assertNotIn("local", frame.f_locals)
        self.assertIn("raise ValueError(n)", "".join(traceback.format_tb(tb)))
        self.assertEqual(tb.tb_frame.f_back.f_code.co_name, "chain")

    def test_frames_held_across_a_long_chain(self):
        held = []
        def step(n, tag):
            local = [tag, n]
            if n % 97 == 0:
                held.append(sys._getframe())
            if n % 211 == 0 and held:
                # Touch an older replaced frame mid-chain.
                old = held[0]
                self.assertEqual(old.f_locals["local"][1], old.f_locals["n"])
                old.f_back
            return n if n == 0 else step(n - 1, tag)
        for _ in range(3):
            held.clear()
            self.assertEqual(step(5000, "t"), 0)
            self.assertEqual(len(held), 5000 // 97 + 1)
            for f in held:
                self.assertEqual(f.f_locals["local"], ["t", f.f_locals["n"]])
            # Clear every other one, collect, read the others.
            for f in held[::2]:
                f.clear()
            gc.collect()
            for f in held[1::2]:
                self.assertEqual(f.f_locals["local"][0], "t")
                self.assertIsInstance(f.f_lineno, int)
                f.f_back


class Hostile:
    """An object whose finalizer misbehaves while a tail call releases it:
    it collects garbage, makes its own long chains (some in frames too big
    for the data stack chunk), and sometimes raises."""

    def __init__(self, n, log):
        self.n = n
        self.log = log

    def __del__(self):
        self.log.append(self.n)
        if self.n % 25 == 0:
            gc.collect()
        if countdown(2000) != 0 or big_frame_function(3000)(20) != 0:
            raise AssertionError("wrong result inside a finalizer")
        if chain(100, lambda: self.n) != self.n:
            raise AssertionError("wrong result inside a finalizer")
        if self.n % 3 == 0:
            raise ValueError(f"from __del__ {self.n}")


class Target:
    pass


class FinalizerTests(unittest.TestCase):
    """Finalizers and weakref callbacks that run during a tail call, when
    it releases the replaced frame's locals."""

    def setUp(self):
        self.unraisable = []
        old_hook = sys.unraisablehook
        sys.unraisablehook = lambda u: self.unraisable.append(
            (type(u.exc_value).__name__, str(u.exc_value)))
        self.addCleanup(setattr, sys, "unraisablehook", old_hook)

    def callback(self, ref):
        n = self.ref_numbers.pop(ref)
        if n % 25 == 0:
            gc.collect()
        if countdown(1000) != 0 or big_frame_function(3000)(10) != 0:
            raise AssertionError("wrong result inside a callback")
        self.callback_log.append(n)
        if n % 5 == 0:
            raise KeyError(f"from callback {n}")

    def check(self, top, start):
        log = []
        self.callback_log = []
        def track(n):
            target = Target()
            ref = weakref.ref(target, self.callback)
            self.ref_numbers[ref] = n       # hashed while alive
            return target
        self.ref_numbers = {}
        result = start(top, 0, log, track)      # not a tail call
        self.assertEqual(result, sum(range(top + 1)))
        gc.collect()
        # As on stock, every frame's finalizers run when the chain returns,
        # the innermost frame's first: those of the replaced frames were
        # set aside at their tail calls.
        self.assertEqual(log, list(range(top + 1)))
        self.assertEqual(len(self.callback_log), top + 1)
        errors = sorted(self.unraisable)
        expected_errors = sorted(
            [("ValueError", f"from __del__ {n}") for n in range(0, top + 1, 3)]
            + [("KeyError", f"'from callback {n}'")
               for n in self.callback_log if n % 5 == 0])
        self.assertEqual(errors, expected_errors)
        self.unraisable.clear()

    def test_finalizers_during_self_tail_calls(self):
        def step(n, acc, log, track):
            h = Hostile(n, log)
            t = track(n)
            return acc + n if n == 0 else step(n - 1, acc + n, log, track)
        for _ in range(3):
            self.check(200, step)

    def test_finalizers_during_mutual_tail_calls(self):
        def ping(n, acc, log, track):
            h = Hostile(n, log)
            t = track(n)
            return acc + n if n == 0 else pong(n - 1, acc + n, log, track)
        def pong(n, acc, log, track):
            h = Hostile(n, log)
            t = track(n)
            return acc + n if n == 0 else ping(n - 1, acc + n, log, track)
        for _ in range(3):
            self.check(200, ping)

    def test_garbage_cycles_collected_during_tail_calls(self):
        # Cycles with finalizers, collected by gc.collect() in finalizers
        # that tail calls run.
        log = []
        class Cyclic(Hostile):
            pass
        def step(n, acc):
            cycle = [Cyclic(-1 - n, log)]
            cycle.append(cycle)
            h = Hostile(n, log)
            return acc if n == 0 else step(n - 1, acc + n)
        self.assertEqual(step(300, 0), sum(range(301)))
        gc.collect()
        self.assertEqual(sorted(log), list(range(-301, 301)))
        self.assertTrue(all(name == "ValueError"
                            for name, _ in self.unraisable))
        self.unraisable.clear()


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


class ToolsSwitchedOnMidChainTests(unittest.TestCase):

    TRACE = """
    import json, sys
    events = []
    def tracer(frame, event, arg):
        if frame.f_code.co_name in ("step", "start_tracing", "stop_tracing"):
            events.append([event, frame.f_code.co_name,
                           frame.f_locals.get("n")])
        return tracer
    def start_tracing(n):
        sys.settrace(tracer)
        return step(n - 1)
    def stop_tracing(n):
        sys.settrace(None)
        return step(n - 1)
    def step(n):
        if n == 0:
            return "done"
        if n == ON:
            return start_tracing(n)
        if n == OFF:
            return stop_tracing(n)
        return step(n - 1)
    result = step(N)
    print(json.dumps([result, events]))
    """

    def trace(self, n, on, off, *options):
        code = f"N, ON, OFF = {n}, {on}, {off}\n" + textwrap.dedent(self.TRACE)
        return json.loads(run_ok(code, *options))

    def test_settrace_installed_and_removed_mid_chain(self):
        # Tail calls off: stock's events (no frame of the traced part
        # returns while tracing is on).
        reference = self.trace(600, 300, 290, "-X", "tailcalls=off")
        self.assertEqual(reference[0], "done")
        self.assertEqual(len([e for e in reference[1] if e[0] == "call"]), 11)
        self.assertNotIn("return", [e[0] for e in reference[1]])
        for mode in tail_call_modes():
            for n, on, off in ((600, 300, 290), (100_000, 50_300, 50_290)):
                with self.subTest(mode=mode, n=n):
                    # Past the kept window traced frames are replaced too:
                    # each returns (with None) at its tail call, and the
                    # other events are stock's.
                    result, events = self.trace(n, on, off, *mode)
                    self.assertEqual(result, "done")
                    shifted = [[e, name, k - (on - 300)]
                               for e, name, k in events]
                    self.assertEqual(
                        [e for e in shifted if e[0] != "return"],
                        reference[1])
                    calls = [e for e in shifted if e[0] == "call"]
                    returns = [e for e in shifted if e[0] == "return"]
                    # All but stop_tracing's frame, which turns it off.
                    self.assertEqual(returns, [["return", name, k]
                                               for _, name, k in calls[:-1]])

    def test_settrace_from_a_finalizer_mid_chain(self):
        events = []
        def tracer(frame, event, arg):
            if event == "call":
                events.append(frame.f_code.co_name)
            return None
        class Switch:
            # Deleted deep in the chain: tracing starts in the middle of
            # it.  The others are set aside at the tail calls, and released
            # when the chain returns, as on stock.
            def __init__(self, n):
                self.n = n
            def __del__(self):
                if self.n == 600:
                    sys.settrace(tracer)
        def step(n):
            s = Switch(n)
            if n == 600:
                del s
            if n == 590:
                sys.settrace(None)
            return n if n == 0 else step(n - 1)
        try:
            self.assertEqual(step(100_000), 0)
        finally:
            sys.settrace(None)
        self.assertIn("step", events)
        self.assertLess(len(events), 100)
        self.assertEqual(countdown(100_000), 0)

    @unittest.skipIf(_testinternalcapi is None, "needs _testinternalcapi")
    def test_frame_evaluator_installed_mid_chain(self):
        seen = []
        def step(n):
            if n == 0:
                return "done"
            if n == 50_000:
                _testinternalcapi.set_eval_frame_record(seen)
            if n == 49_990:
                _testinternalcapi.set_eval_frame_default()
            return step(n - 1)
        try:
            for _ in range(3):
                seen.clear()
                self.assertEqual(step(100_000), "done")
                # Under the evaluator every call is ordinary and seen.
                self.assertEqual(seen, ["step"] * 10)
        finally:
            _testinternalcapi.set_eval_frame_default()


class SubinterpreterTests(unittest.TestCase):

    @unittest.skipIf(_interpreters is None, "needs _interpreters")
    def test_deep_chains_in_a_subinterpreter(self):
        code = """
        import _interpreters, os
        r, w = os.pipe()
        interp = _interpreters.create()
        try:
            err = _interpreters.run_string(interp, f'''if 1:
                import os, sys, traceback
                def loop(n):
                    return n if n == 0 else loop(n - 1)
                def boom(n):
                    if n == 0:
                        raise ValueError
                    return boom(n - 1)
                try:
                    boom(10_000)
                except ValueError as e:
                    *_, (innermost, _) = traceback.walk_tb(e.__traceback__)
                    tail_calls = innermost.f_elided_count
                os.write({w}, f"{{loop(10**6)}} {{tail_calls}}".encode())
                ''')
            assert err is None, err
            print(os.read(r, 100).decode())
        finally:
            _interpreters.destroy(interp)
        """
        for mode in tail_call_modes():
            with self.subTest(mode=mode):
                self.assertEqual(run_ok(code, *mode).split(),
                                 ["0", str(10_000 - KEPT)])


if __name__ == "__main__":
    unittest.main()
