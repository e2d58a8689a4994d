"""Tail calls under the tools a Python developer runs: tracers, profilers,
debuggers, coverage and sys.monitoring.

A frame that a tool monitors is replaced by a tail call as any other, past
the kept window: the program runs in bounded space under every tool, at
any depth.  To the tools the replaced frame returns, at the tail call: a
PY_RETURN event whose value is sys.monitoring.MISSING, a "return" event
with None for sys.settrace() and sys.setprofile(); then the callee starts.
Every frame that a tool saw start ends exactly once.

What the tools compute is what they compute on stock CPython for the same
program (stock run with the recursion limit raised): coverage.py's line
and branch data with each of its three cores, the call counts of cProfile
and profile, the counts of trace.  The third-party tools are Debian
trixie's own packages (python3-coverage, python3-pytest and their
dependencies), fetched and verified by tools/fetch-debs; TOOLS_SITE names
their dist-packages, STOCK_PYTHON the stock interpreter (`make test-ours`
sets both).
"""

import contextlib
import dis
import json
import os
import subprocess
import sys
import sysconfig
import tempfile
import textwrap
import threading
import unittest

from tests.support.chains import (CHAIN_FUNCTIONS, KEPT, form, loop, ping,
                                  pong)
from tests.support.process import run_ok, stock_python, tools_site

DEEP = 100_000
TIMEOUT = 600


@contextlib.contextmanager
def hooked(setter, getter, hook):
    """setter(hook) for the block, then the hook that was there before
    back (a tracer running the tests, as coverage's, stays)."""
    old = getter()
    setter(hook)
    try:
        yield
    finally:
        setter(old)

# A program of self, mutual and branching tail recursion: one argument,
# the depth.
PROGRAM = textwrap.dedent("""\
    import sys

    def loop(n):
        return n if n == 0 else loop(n - 1)

    def walk(n, acc):
        if n == 0:
            return acc
        if n % 3 == 0:
            return walk(n - 1, acc + 1)
        elif n % 3 == 1:
            return walk(n - 1, acc)
        return walk(n - 1, acc - 1)

    def ping(n):
        if n <= 0:
            return "done"
        return pong(n - 1)

    def pong(n):
        return ping(n)

    def main(n):
        loop(n)
        return walk(n, 0), ping(n)

    if __name__ == "__main__":
        print(main(int(sys.argv[1])))
    """)

# Runs a module as `python -m MODULE ARGS` would, with the recursion limit
# raised: stock CPython needs it for the deep chains (cpython-tco does not).
RUN_MODULE = textwrap.dedent("""\
    import runpy, sys
    sys.setrecursionlimit(10 ** 7)
    module, sys.argv = sys.argv[1], sys.argv[1:]
    runpy.run_module(module, run_name="__main__", alter_sys=True)
    """)


def setUpModule():
    # Each says what to set, and how, if it is not set.
    stock_python()
    tools_site()


def depth_of(frame):
    frames = 0
    while frame is not None:
        frames += 1
        frame = frame.f_back
    return frames


class ToolRun(unittest.TestCase):
    """Runs of PROGRAM under a tool, on cpython-tco and on stock."""

    # Only other processes run here: tools/run-tests -R leaves these out.
    OTHER_PROCESSES_ONLY = True

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="tco-tools-")
        self.addCleanup(subprocess.run, ["rm", "-rf", self.dir])
        self.program = os.path.join(self.dir, "program.py")
        with open(self.program, "w") as f:
            f.write(PROGRAM)

    def run_tool(self, python, *args, env=None, input=None, stderr=False):
        """Run python with TOOLS_SITE on its path, in self.dir; its stdout
        (and stderr after it, if asked)."""
        full_env = dict(os.environ, PYTHONPATH=tools_site(),
                        **(env or {}))
        full_env.pop("PYTHONSAFEPATH", None)
        proc = subprocess.run([python, *args], cwd=self.dir, env=full_env,
                              capture_output=True, text=True, input=input,
                              timeout=TIMEOUT)
        self.assertEqual(proc.returncode, 0, proc.stderr[-3000:])
        return proc.stdout + (proc.stderr if stderr else "")

    def module(self, python, module, *args, **kw):
        return self.run_tool(python, "-c", RUN_MODULE, module, *args, **kw)

    def on_both(self, func):
        """func(python) on cpython-tco, then on stock; both results."""
        return func(sys.executable), func(stock_python())


# coverage.py's C tracer (CTracer) in Debian's python3-coverage is built
# for CPython 3.13's default ABI only: the free-threaded build, stock's as
# ours, cannot import it, and coverage runs there with its other cores.
COVERAGE_CORES = (("pytrace", "sysmon")
                  if sysconfig.get_config_var("Py_GIL_DISABLED")
                  else ("ctrace", "pytrace", "sysmon"))


class CoverageTests(ToolRun):

    def coverage_data(self, python, core):
        os.makedirs(os.path.join(self.dir, core), exist_ok=True)
        data = os.path.join(self.dir, core, f"{os.path.basename(python)}.cov")
        env = {"COVERAGE_CORE": core, "COVERAGE_FILE": data}
        out = self.module(python, "coverage", "run", "--branch",
                          "--debug=sys", self.program, str(DEEP), env=env,
                          stderr=True)
        self.assertIn("'done'", out)
        # The core that ran is the one asked for.
        names = {"ctrace": "CTracer", "pytrace": "PyTracer",
                 "sysmon": "SysMonitor"}
        self.assertRegex(out, rf"core: {names[core]}")
        report = self.module(python, "coverage", "json", "-o", "-",
                             env=env)
        files = json.loads(report)["files"]
        (entry,) = [v for k, v in files.items() if k.endswith("program.py")]
        return {key: entry[key] for key in
                ("executed_lines", "missing_lines", "executed_branches",
                 "missing_branches")}

    def test_line_and_branch_data_as_stock(self):
        for core in COVERAGE_CORES:
            with self.subTest(core=core):
                tco, stock = self.on_both(
                    lambda python: self.coverage_data(python, core))
                self.assertEqual(tco, stock)
                self.assertTrue(tco["executed_branches"])

    def test_coverage_run_pytest(self):
        # The example of the issue: a test suite of tail-recursive code
        # under coverage, with every core.
        with open(os.path.join(self.dir, "test_deep.py"), "w") as f:
            f.write(textwrap.dedent(f"""\
                from program import loop, ping, walk
                def test_loop():
                    assert loop({DEEP}) == 0
                def test_mutual():
                    assert ping({DEEP}) == "done"
                def test_branches():
                    assert walk({DEEP}, 0) == 0
                """))
        for core in COVERAGE_CORES:
            with self.subTest(core=core):
                out = self.run_tool(
                    sys.executable, "-m", "coverage", "run", "--branch",
                    "-m", "pytest", "-q", "-p", "no:cacheprovider",
                    "test_deep.py", env={"COVERAGE_CORE": core})
                self.assertIn("3 passed", out)
                report = self.run_tool(sys.executable, "-m", "coverage",
                                       "report", "--include=program.py")
                self.assertRegex(report, r"program\.py\s+\d+\s+\d+")


class ProfilerTests(ToolRun):

    def call_counts(self, python, module):
        dump = os.path.join(self.dir, f"{module}.{os.path.basename(python)}")
        self.module(python, module, "-o", dump, self.program, str(DEEP))
        out = self.run_tool(python, "-c", textwrap.dedent(f"""\
            import pstats
            stats = pstats.Stats({dump!r}).stats
            print(sorted((func[2], calls[0], calls[1])
                         for func, calls in stats.items()
                         if func[0].endswith("program.py")))
            """))
        return out

    def test_cprofile_counts_as_stock(self):
        tco, stock = self.on_both(lambda p: self.call_counts(p, "cProfile"))
        self.assertEqual(tco, stock)
        # (name, primitive calls, all calls)
        self.assertIn(f"('loop', 1, {DEEP + 1})", tco)

    def test_profile_counts_as_stock(self):
        tco, stock = self.on_both(lambda p: self.call_counts(p, "profile"))
        self.assertEqual(tco, stock)
        self.assertIn(f"('pong', 1, {DEEP})", tco)

    def test_trace_counts_as_stock(self):
        def counts(python):
            where = os.path.join(self.dir, os.path.basename(python))
            self.module(python, "trace", "--count", "--missing", "-C",
                        where, self.program, str(DEEP))
            with open(os.path.join(where, "program.cover")) as f:
                return f.read()
        tco, stock = self.on_both(counts)
        self.assertEqual(tco, stock)
        self.assertIn(f"{DEEP + 1}:     return n if n == 0 else loop(n - 1)",
                      tco)

    def test_peak_memory_flat_under_tools(self):
        # Peak RSS at depth 10**6 within a few MiB of depth 10**4.
        def peak(depth, tool):
            out = self.run_tool(sys.executable, "-c", textwrap.dedent(f"""\
                import resource, runpy, sys
                sys.argv = ["program.py", "{depth}"]
                if {tool!r} == "cProfile":
                    import cProfile
                    cProfile.run("runpy.run_path('program.py',"
                                 " run_name='__main__')", "/dev/null")
                else:
                    import coverage
                    cov = coverage.Coverage(data_file=None, branch=True)
                    cov.start()
                    runpy.run_path("program.py", run_name="__main__")
                    cov.stop()
                print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
                """))
            return int(out.split()[-1])
        for tool in ("cProfile", "coverage"):
            with self.subTest(tool=tool):
                small, large = peak(10 ** 4, tool), peak(10 ** 6, tool)
                self.assertLess(large - small, 4096, (small, large))


class PdbTests(ToolRun):

    def pdb(self, commands):
        return self.run_tool(sys.executable, "-m", "pdb", self.program,
                             str(DEEP), input="\n".join(commands) + "\n")

    def test_breakpoint_deep_in_a_chain(self):
        out = self.pdb(["break program.py:4, n == 3", "continue",
                        "p n", "bt", "up", "p n > 3", "down", "p n",
                        "continue", "quit"])
        self.assertIn("(Pdb) 3\n", out)
        # bt: the kept frames of the chain, not 100,000 of them.
        bt = out.split("(Pdb) 3\n(Pdb) ", 1)[1].split("(Pdb)", 1)[0]
        self.assertLessEqual(bt.count("program.py(4)loop()"), KEPT + 2)
        self.assertIn("program.py(24)main()", bt)
        self.assertIn("(Pdb) True\n", out)       # the frame below
        self.assertIn("(Pdb) 3\n(Pdb)", out.split("(Pdb) True\n", 1)[1])
        self.assertIn("(0, 'done')", out)

    def test_stepping_over_a_tail_call(self):
        # next over `return loop(n - 1)` deep in the chain: the frame
        # returns (the tail call replaces it), and pdb stops at the return;
        # step then stops in the callee, as for a call.
        out = self.pdb(["break program.py:4, n == 10", "continue",
                        "next", "next", "p n", "step", "p n",
                        "return", "until", "continue", "quit"])
        after = out.split("(Pdb) > ", 1)[1]
        self.assertIn("--Return--", after)
        self.assertIn("loop()->None", after)
        self.assertIn("--Call--", after)
        self.assertIn("(Pdb) 9\n", after)
        self.assertIn("(0, 'done')", out)


class EventBalanceTests(unittest.TestCase):
    """In this process: events of deep chains, and tools switched on and
    off mid-chain."""

    TOOL = 4

    def setUp(self):
        mon = sys.monitoring
        mon.use_tool_id(self.TOOL, "tco-test")
        self.addCleanup(mon.free_tool_id, self.TOOL)
        self.addCleanup(mon.set_events, self.TOOL, 0)
        for event in (mon.events.PY_START, mon.events.PY_RETURN,
                      mon.events.PY_UNWIND, mon.events.LINE,
                      mon.events.CALL):
            self.addCleanup(mon.register_callback, self.TOOL, event, None)

    def test_kept_window_events_are_stock(self):
        # The first KEPT tail calls of a chain keep their frames: their
        # events are those of ordinary calls, as -X tailcalls=off shows.
        code = textwrap.dedent(f"""\
            import sys
            def loop(n):
                return n if n == 0 else loop(n - 1)
            log = []
            def tracer(frame, event, arg):
                log.append((event, frame.f_code.co_name, frame.f_lineno,
                            repr(arg) if event == "return" else None))
                return tracer
            sys.settrace(tracer)
            loop({KEPT - 2})
            sys.settrace(None)
            print(log)
            """)
        outs = [subprocess.run([sys.executable, "-X", f"tailcalls={mode}",
                                "-c", code], capture_output=True, text=True,
                               check=True).stdout for mode in ("on", "off")]
        self.assertEqual(outs[0], outs[1])
        self.assertEqual(outs[0].count("'call', 'loop'"), KEPT - 1)

    def test_settrace_balanced_and_bounded(self):
        events = {"call": 0, "return": 0}
        values = []
        deepest = [0]
        def tracer(frame, event, arg):
            if event in events and frame.f_code is loop.__code__:
                events[event] += 1
                deepest[0] = max(deepest[0], depth_of(frame))
                if event == "return":
                    values.append(arg)
            return tracer
        base = depth_of(sys._getframe())
        with hooked(sys.settrace, sys.gettrace, tracer):
            self.assertEqual(loop(DEEP), 0)
        self.assertEqual(events, {"call": DEEP + 1, "return": DEEP + 1})
        self.assertLessEqual(deepest[0] - base, KEPT + 2)
        # Replaced frames return None; the last one its value, which the
        # kept frames return in turn.
        self.assertEqual(values.count(0), KEPT + 1)
        self.assertEqual(values.count(None), DEEP - KEPT)

    def test_setprofile_balanced(self):
        events = {"call": 0, "return": 0}
        def profiler(frame, event, arg):
            if event in events and frame.f_code in (ping.__code__,
                                                    pong.__code__):
                events[event] += 1
        with hooked(sys.setprofile, sys.getprofile, profiler):
            self.assertEqual(ping(DEEP), 0)
        self.assertEqual(events, {"call": DEEP + 1, "return": DEEP + 1})

    def test_monitoring_return_of_a_replaced_frame(self):
        mon = sys.monitoring
        starts, returns = [], []
        def start(code, offset):
            if code is loop.__code__:
                starts.append(offset)
        def end(code, offset, value):
            if code is loop.__code__:
                returns.append((offset, value))
        mon.register_callback(self.TOOL, mon.events.PY_START, start)
        mon.register_callback(self.TOOL, mon.events.PY_RETURN, end)
        mon.set_events(self.TOOL, mon.events.PY_START | mon.events.PY_RETURN)
        self.assertEqual(loop(DEEP), 0)
        mon.set_events(self.TOOL, 0)
        self.assertEqual(len(starts), len(returns))
        self.assertEqual(len(starts), DEEP + 1)
        # A replaced frame returns at the RETURN_VALUE after its TAIL_CALL,
        # where stock's frame returns the call's result.
        code = list(dis.get_instructions(loop))
        (after_tail,) = [code[k + 1] for k, i in enumerate(code)
                         if i.opname.startswith("TAIL_CALL")]
        self.assertEqual(after_tail.opname, "RETURN_VALUE")
        replaced = [r for r in returns if r[1] is mon.MISSING]
        self.assertEqual(len(replaced), DEEP - KEPT)
        self.assertEqual({offset for offset, _ in replaced},
                         {after_tail.offset})

    def test_disable_at_a_tail_return(self):
        # A PY_RETURN callback that returns DISABLE turns the event off at
        # the RETURN_VALUE it came from, replaced frames included: the
        # same (function, offset) events as on stock, once each.
        code = CHAIN_FUNCTIONS + textwrap.dedent(f"""
            import sys
            mon = sys.monitoring
            seen = []
            def end(code, offset, value):
                if code.co_name in ("ping", "pong"):
                    seen.append((code.co_name, offset))
                return mon.DISABLE
            mon.use_tool_id({self.TOOL}, "test")
            mon.register_callback({self.TOOL}, mon.events.PY_RETURN, end)
            mon.set_events({self.TOOL}, mon.events.PY_RETURN)
            ping(500)                   # past the kept window; stock's limit
            print(sorted(seen))
            """)
        ours = run_ok(code)
        self.assertEqual(ours, run_ok(code, python=stock_python()))
        # ping's two returns and pong's tail call (500 is even: the chain
        # ends in ping).
        self.assertEqual(len(eval(ours)), 3)

    def test_line_events_keep_tail_calls_specialized(self):
        # A monitored tail site neither loses its tail call nor falls into
        # deoptimizing at each call.
        mon = sys.monitoring
        lines = [0]
        def line(code, number):
            if code is loop.__code__:
                lines[0] += 1
        mon.register_callback(self.TOOL, mon.events.LINE, line)
        mon.set_events(self.TOOL, mon.events.LINE)
        for _ in range(100):
            loop(50)
        self.assertEqual(loop(DEEP), 0)
        mon.set_events(self.TOOL, 0)
        self.assertEqual(lines[0], 100 * 51 + DEEP + 1)
        ops = [i.opname for i in dis.get_instructions(loop, adaptive=True)]
        self.assertIn(form("TAIL_CALL_PY_SELF"), ops)

    def test_monitoring_switched_on_and_off_mid_chain(self):
        mon = sys.monitoring
        seen = {"start": 0, "end": 0}
        def start(code, offset):
            seen["start"] += 1
        def end(code, offset, value):
            seen["end"] += 1
        mon.register_callback(self.TOOL, mon.events.PY_START, start)
        mon.register_callback(self.TOOL, mon.events.PY_RETURN, end)
        events = mon.events.PY_START | mon.events.PY_RETURN
        def switching(n):
            if n == DEEP // 2:
                mon.set_events(self.TOOL, events)
            elif n == DEEP // 4:
                mon.set_events(self.TOOL, 0)
            elif n == DEEP // 8:
                mon.set_events(self.TOOL, events)
            return n if n == 0 else switching(n - 1)
        self.assertEqual(switching(DEEP), 0)
        mon.set_events(self.TOOL, 0)
        # Frames that started before the tool was on end with it on: at
        # most the frames alive then (the kept window and the running one).
        self.assertGreater(seen["start"], DEEP // 4)
        self.assertLessEqual(seen["start"], seen["end"])
        self.assertLessEqual(seen["end"] - seen["start"], 2 * (KEPT + 2))

    def test_settrace_from_inside_a_deep_chain(self):
        events = {"call": 0, "return": 0}
        def tracer(frame, event, arg):
            if event in events and frame.f_code.co_name == "chain":
                events[event] += 1
            return tracer
        def chain(n):
            if n == DEEP // 2:
                sys.settrace(tracer)
            return n if n == 0 else chain(n - 1)
        try:
            self.assertEqual(chain(DEEP), 0)
        finally:
            sys.settrace(None)
        self.assertEqual(events["call"], DEEP // 2)
        self.assertLessEqual(events["call"], events["return"])
        self.assertLessEqual(events["return"] - events["call"], KEPT + 2)

    def test_tracing_one_thread_while_another_loops(self):
        results = {}
        def untraced():
            results["untraced"] = ping(10 ** 6)
        other = threading.Thread(target=untraced)
        calls = [0]
        def tracer(frame, event, arg):
            if event == "call" and frame.f_code is loop.__code__:
                calls[0] += 1
            return tracer
        other.start()
        with hooked(sys.settrace, sys.gettrace, tracer):
            results["traced"] = loop(DEEP)
        other.join()
        self.assertEqual(results, {"untraced": 0, "traced": 0})
        self.assertEqual(calls[0], DEEP + 1)

    def test_settrace_all_threads_mid_chain(self):
        # The other thread waits deep in its chain until the tracer is set:
        # each of the DEEP frames that start from then on is seen to start
        # and to end (at its tail call, or with its value).
        started, go = threading.Event(), threading.Event()
        results = {}
        def spin():
            def chain(n):
                if n == DEEP:
                    started.set()
                    go.wait()
                return n if n == 0 else chain(n - 1)
            results["spin"] = chain(4 * DEEP)
        events = {"call": 0, "return": 0}
        lock = threading.Lock()
        def tracer(frame, event, arg):
            if event in events and frame.f_code.co_name == "chain":
                with lock:
                    events[event] += 1
            return tracer
        t = threading.Thread(target=spin)
        t.start()
        self.assertTrue(started.wait(TIMEOUT))
        with hooked(threading.settrace_all_threads, threading.gettrace,
                    tracer):
            go.set()
            t.join()
        self.assertEqual(results, {"spin": 0})
        self.assertEqual(events, {"call": DEEP, "return": DEEP})

    def test_callback_error_at_a_tail_return(self):
        # A PY_RETURN callback that raises at a replaced frame: the error
        # is raised in that frame, at its tail call, and reaches the
        # caller; nothing else breaks.
        mon = sys.monitoring
        count = [0]
        def end(code, offset, value):
            if value is mon.MISSING:
                count[0] += 1
                if count[0] == 1000:
                    raise ValueError("from the tool")
        mon.register_callback(self.TOOL, mon.events.PY_RETURN, end)
        mon.set_events(self.TOOL, mon.events.PY_RETURN)
        try:
            with self.assertRaisesRegex(ValueError, "from the tool"):
                loop(DEEP)
        finally:
            mon.set_events(self.TOOL, 0)
        self.assertEqual(loop(DEEP), 0)


class PerfTrampolineTests(unittest.TestCase):
    """Linux perf support (a PEP 523 frame evaluator) keeps tail calls."""

    OTHER_PROCESSES_ONLY = True

    CHAIN = ("import sys\n" + CHAIN_FUNCTIONS
             + f"print(loop({DEEP}), ping({DEEP}),"
               f" sys.is_stack_trampoline_active())\n")

    def run_perf(self, *args):
        if not sys.platform.startswith("linux"):
            self.skipTest("perf support is Linux-only")
        proc = subprocess.run([sys.executable, *args], capture_output=True,
                              text=True, timeout=TIMEOUT)
        self.assertEqual(proc.returncode, 0, proc.stderr[-3000:])
        return proc.stdout

    def test_x_perf(self):
        out = self.run_perf("-X", "perf", "-c", self.CHAIN)
        self.assertEqual(out.split(), ["0", "0", "True"])

    def test_activated_at_run_time(self):
        code = ("import sys\nsys.activate_stack_trampoline('perf')\n"
                + self.CHAIN)
        self.assertEqual(self.run_perf("-c", code).split(),
                         ["0", "0", "True"])


if __name__ == "__main__":
    unittest.main()
