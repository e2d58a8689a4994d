"""Threads that run long tail chains at the same time, while another thread
looks at them and switches tools on and off.

On the free-threaded build (--disable-gil, `make ft`) the threads truly run
at once; on the default build they take turns at the GIL's switch
interval.  Turning sys.settrace() on and off for all threads while they
run crashes stock 3.13.5's free-threaded build (python/cpython gh-137400,
a race on the thread states' trace function, fixed after 3.13.5), so
there the meddler toggles sys.monitoring for all threads and
sys.settrace() for itself.  Each worker runs, in a loop, a 10^6-deep mutual tail chain, a
self tail loop and chains through a __call__ object and a
functools.partial, and checks every result.  Meanwhile a meddler thread
installs and removes sys.settrace() and a sys.monitoring tool for all
threads, takes sys._current_frames(), formats the stacks of the workers
(traceback.format_stack() on their frames, frame objects read from
another thread), runs gc.collect(), and reads the frames' elided counts
and, under -X tailcalls=debug, their shadow frames.  Peak memory does not
grow with the chains' depth: no chain keeps its frames.

Each case runs in a fresh interpreter (test.support.script_helper), with a
timeout, so that a crash or a deadlock is a failure of that case.
"""

import json
import sysconfig
import unittest
from test import support

from tests.support.chains import KEPT
from tests.support.process import run_ok, small_asan_quarantine, tail_call_modes

try:
    import _interpreters
except ImportError:
    _interpreters = None

FREE_THREADED = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
# A sanitizer runs the programs several times slower.
SLOWER = 4 if support.check_sanitizer(address=True, memory=True,
                                      thread=True) else 1

PROGRAM = r"""
import functools, gc, json, resource, sys, threading, time, traceback

DEPTH = {depth}
WORKERS = {workers}
ALL_THREADS_TRACE = {all_threads_trace}
READ_FRAMES = {read_frames}
ROUNDS = {rounds}

def ping(n):
    return n if n == 0 else pong(n - 1)

def pong(n):
    return n if n == 0 else ping(n - 1)

def count(n, acc):
    return acc if n == 0 else count(n - 1, acc + 1)

class Step:
    def __call__(self, n):
        return n if n == 0 else STEP(n - 1)

STEP = Step()

def partial_step(n, tag):
    return tag if n == 0 else NEXT(n - 1)

NEXT = functools.partial(partial_step, tag="done")

errors = []
started = threading.Barrier(WORKERS + 1)
stop = threading.Event()
runs = [0] * WORKERS

def worker(i):
    try:
        started.wait()
        for _ in range(ROUNDS):
            assert ping(DEPTH + i) == 0
            assert count(DEPTH, i) == DEPTH + i
            assert STEP(DEPTH // 4) == 0
            assert NEXT(DEPTH // 4) == "done"
            runs[i] += 1
    except BaseException as e:
        errors.append(f"worker {{i}}: {{e!r}}")

events = {{"trace": 0, "monitor": 0, "stacks": 0, "frames": 0}}

def tracer(frame, event, arg):
    events["trace"] += 1
    return None

def on_call(code, offset):
    events["monitor"] += 1

def meddle(ids):
    mon = sys.monitoring
    tool = mon.PROFILER_ID
    started.wait()
    try:
        mon.use_tool_id(tool, "meddler")
        mon.register_callback(tool, mon.events.PY_START, on_call)
        turn = 0
        while not stop.is_set():
            turn += 1
            if turn % 4 == 0:
                if ALL_THREADS_TRACE:
                    threading.settrace_all_threads(tracer)
                sys.settrace(tracer)
            elif turn % 4 == 1:
                if ALL_THREADS_TRACE:
                    threading.settrace_all_threads(None)
                sys.settrace(None)
            elif turn % 4 == 2:
                mon.set_events(tool, mon.events.PY_START)
            else:
                mon.set_events(tool, 0)
            frames = sys._current_frames() if READ_FRAMES else {{}}
            for tid in ids:
                frame = frames.get(tid)
                if frame is None:
                    continue
                stack = traceback.format_stack(frame)
                assert stack, "empty stack"
                events["stacks"] += 1
                f = frame
                while f is not None:
                    assert f.f_elided_count >= 0
                    if hasattr(f, "f_elided_frames"):
                        for code, line in f.f_elided_frames:
                            assert code.co_name in (
                                "ping", "pong", "count", "__call__",
                                "partial_step"), code
                    f = f.f_back
                    events["frames"] += 1
            frames = frame = f = None
            if turn % 8 == 0:
                gc.collect()
            time.sleep(0.001)
    except BaseException as e:
        errors.append(f"meddler: {{e!r}}")
    finally:
        if ALL_THREADS_TRACE:
            threading.settrace_all_threads(None)
        sys.settrace(None)
        mon.set_events(tool, 0)
        mon.free_tool_id(tool)

threads = [threading.Thread(target=worker, args=(i,)) for i in range(WORKERS)]
for t in threads:
    t.start()
ids = [t.ident for t in threads]
meddler = threading.Thread(target=meddle, args=(ids,))
meddler.start()
for t in threads:
    t.join()
stop.set()
meddler.join()
print(json.dumps({{
    "errors": errors, "runs": runs, "events": events,
    "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    "gil": sys._is_gil_enabled(),
}}))
"""


def run(workers, rounds, *options, read_frames=True, depth=10**6):
    code = PROGRAM.format(workers=workers, rounds=rounds, depth=depth,
                          all_threads_trace=not FREE_THREADED,
                          read_frames=read_frames)
    # -X gil=0 keeps the GIL off on the free-threaded build even if an
    # extension asks for it; the default build has no such option.
    if FREE_THREADED:
        options = ("-X", "gil=0", *options)
    return json.loads(run_ok(code, *options, timeout=600 * SLOWER))


class ConcurrentChainTests(unittest.TestCase):

    # Only other processes run here: tools/run-tests -R leaves these out.
    OTHER_PROCESSES_ONLY = True
    # Whether the meddler reads the workers' frames.
    READ_FRAMES = True

    def check(self, workers, rounds, *options):
        result = run(workers, rounds, *options, read_frames=self.READ_FRAMES)
        self.assertEqual(result["errors"], [])
        self.assertEqual(result["runs"], [rounds] * workers)
        self.assertEqual(result["gil"], not FREE_THREADED)
        if self.READ_FRAMES:
            # The meddler saw the workers' stacks while they ran.
            self.assertGreater(result["events"]["stacks"], 0)

    def test_two_threads(self):
        self.check(2, 3)

    def test_four_threads(self):
        self.check(4, 2)

    def test_eight_threads(self):
        self.check(8, 1)

    def test_eight_threads_with_shadow_frames(self):
        self.check(8, 1, "-X", "tailcalls=debug")


class PeakMemoryTests(unittest.TestCase):

    OTHER_PROCESSES_ONLY = True

    def test_peak_memory_does_not_grow_with_depth(self):
        # Stock at depth 10^6 needs about 100 MiB per thread for its
        # frames; the chains here keep none of theirs.  Measured as the
        # growth of the peak RSS from depth 10^4 to 10^6, so that what
        # does not depend on depth (a sanitizer's shadow memory and
        # allocator) counts at both; ASan's quarantine of freed memory,
        # which fills with the work done rather than the depth, is kept
        # small for the two runs.
        with small_asan_quarantine():
            small = run(4, 2, depth=10**4)
            large = run(4, 2, depth=10**6)
        for result in (small, large):
            self.assertEqual(result["errors"], [])
            self.assertEqual(result["runs"], [2] * 4)
        growth = large["maxrss_kib"] - small["maxrss_kib"]
        self.assertLess(growth, 32 * 1024, (small["maxrss_kib"],
                                            large["maxrss_kib"]))


class ChainsUnderToolsTests(ConcurrentChainTests):
    """The same, with a meddler that switches the tools and collects but
    never reads the workers' frames: `make test-tsan` runs these.  Reading
    the frames of running threads is not synchronized in 3.13's
    free-threaded build: stock's TSan build reports races in
    _PyFrame_ClearExceptCode() and take_ownership() for a program that
    reads them while ordinary recursion returns (docs/free-threading.md)."""

    READ_FRAMES = False


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
