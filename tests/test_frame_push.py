"""A tail call whose callee's frame cannot be pushed: allocations that fail
while a tail call pushes or replaces a frame, and frames too big for the
data stack's chunk.  Whatever fails is a MemoryError or the right answer,
never a crash, and the interpreter stays usable afterwards.

    build/tco/python -m unittest tests.test_frame_push
"""

import json
import sys
import sysconfig
import textwrap
import unittest
from test import support
from tests.support.process import run_ok, tail_call_modes
from tests.support.chains import KEPT, MAKE_RING, SPECIALIZES

try:
    import _testcapi
except ImportError:
    _testcapi = None

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



if __name__ == "__main__":
    unittest.main()
