"""Tail calls under the tools a Python developer runs: tracers, profilers,
debuggers, coverage and sys.monitoring.

Each tool runs on the same program with tail calls on and with
-X tailcalls=off (every tail call an ordinary call, as in stock CPython);
the outputs must be the same.  Today a traced or profiled frame is never
replaced: when the caller's code is traced, the tail call is an ordinary
call."""

import dis
import os
import sys
import tempfile
import textwrap
import unittest
from test.support import script_helper

PROGRAM = textwrap.dedent("""\
    def ping(n):
        if n == 0:
            return "done"
        return pong(n - 1)

    def pong(n):
        return ping(n)

    def main():
        result = ping(40)
        return result

    if __name__ == "__main__":
        print(main())
    """)


class ToolTests(unittest.TestCase):

    def setUp(self):
        fd, self.path = tempfile.mkstemp(suffix=".py")
        with os.fdopen(fd, "w") as f:
            f.write(PROGRAM)
        self.addCleanup(os.unlink, self.path)

    def both(self, *args, input=None, clean=lambda s: s):
        outs = []
        for mode in ("on", "off"):
            proc = script_helper.spawn_python("-X", f"tailcalls={mode}",
                                              *args)
            out, _ = proc.communicate(input)
            self.assertEqual(proc.returncode, 0, out)
            outs.append(clean(out.decode()))
        return outs

    def test_pdb(self):
        # step into the tail calls, next over lines, return, up, where.
        script = b"\n".join([b"break ping", b"continue", b"next", b"next",
                             b"step", b"step", b"step", b"where", b"up",
                             b"return", b"continue", b"quit"]) + b"\n"
        on, off = self.both("-m", "pdb", self.path, input=script)
        self.assertEqual(on, off)
        self.assertIn("-> return pong(n - 1)", on)
        self.assertIn("pong()", on)

    def test_cprofile(self):
        code = ("import cProfile, pstats, runpy, sys; "
                f"p = cProfile.Profile(); p.enable(); "
                f"runpy.run_path({self.path!r}, run_name='__main__'); "
                "p.disable(); s = pstats.Stats(p); "
                "print(sorted((f[2], v[0], v[1]) for f, v in s.stats.items()"
                " if f[0].endswith('.py') and f[0].startswith('/tmp')))")
        on, off = self.both("-c", code)
        self.assertEqual(on, off)
        # (name, primitive calls, all calls): ping(40) .. ping(0)
        self.assertIn("('ping', 1, 41)", on)

    def test_trace_counts(self):
        def clean(out):
            # trace prints the summary with file names; drop timing noise.
            return "\n".join(line for line in out.splitlines()
                             if "ping" in line or "pong" in line
                             or "lines" in line)
        on, off = self.both("-m", "trace", "--count", "--summary",
                            "--missing", self.path, clean=clean)
        self.assertEqual(on, off)
        self.assertTrue(on)

    def test_settrace_events(self):
        code = textwrap.dedent(f"""\
            import runpy, sys
            events = []
            def tracer(frame, event, arg):
                if frame.f_code.co_filename == {self.path!r}:
                    events.append((event, frame.f_code.co_name, frame.f_lineno))
                return tracer
            sys.settrace(tracer)
            runpy.run_path({self.path!r}, run_name='__main__')
            sys.settrace(None)
            print(len(events), events[:5], events[-5:])
            print(sum(e[0] == 'call' for e in events),
                  sum(e[0] == 'return' for e in events))
            """)
        on, off = self.both("-c", code)
        self.assertEqual(on, off)

    def test_monitoring_line_coverage(self):
        code = textwrap.dedent(f"""\
            import runpy, sys
            mon = sys.monitoring
            lines, starts, returns = set(), [0], [0]
            mon.use_tool_id(mon.COVERAGE_ID, "cov")
            mon.register_callback(mon.COVERAGE_ID, mon.events.LINE,
                lambda code, line: lines.add((code.co_name, line)))
            mon.register_callback(mon.COVERAGE_ID, mon.events.PY_START,
                lambda code, off: starts.__setitem__(0, starts[0] + 1))
            mon.register_callback(mon.COVERAGE_ID, mon.events.PY_RETURN,
                lambda code, off, val: returns.__setitem__(0, returns[0] + 1))
            mon.set_events(mon.COVERAGE_ID, mon.events.LINE |
                           mon.events.PY_START | mon.events.PY_RETURN)
            runpy.run_path({self.path!r}, run_name='__main__')
            mon.set_events(mon.COVERAGE_ID, 0)
            print(sorted(l for l in lines if l[0] in ('ping', 'pong', 'main')))
            print(starts[0] == returns[0] or (starts[0], returns[0]))
            """)
        on, off = self.both("-c", code)
        self.assertEqual(on, off)


def loop(n):
    return n if n == 0 else loop(n - 1)


def ping(n):
    return n if n == 0 else pong(n - 1)


def pong(n):
    return n if n == 0 else ping(n - 1)


class TracingTests(unittest.TestCase):
    """When the caller's code is traced, the tail call is an ordinary call."""

    def test_settrace_sees_every_call_and_return(self):
        events = []
        def tracer(frame, event, arg):
            if event in ("call", "return"):
                events.append((event, frame.f_code.co_name))
            return tracer
        sys.settrace(tracer)
        try:
            ping(5)
        finally:
            sys.settrace(None)
        calls = [e for e in events if e[0] == "call"]
        returns = [e for e in events if e[0] == "return"]
        self.assertEqual(len(calls), 6)
        self.assertEqual(len(returns), 6)
        self.assertEqual([name for _, name in calls],
                         ["ping", "pong"] * 3)

    def test_setprofile_sees_every_call_and_return(self):
        depth = []
        counts = {"call": 0, "return": 0}
        def profiler(frame, event, arg):
            if event in counts and frame.f_code is loop.__code__:
                counts[event] += 1
                depth.append(len(depth_of(frame)))
        sys.setprofile(profiler)
        try:
            loop(50)
        finally:
            sys.setprofile(None)
        self.assertEqual(counts, {"call": 51, "return": 51})
        # The frames nest as for ordinary calls.
        self.assertEqual(max(depth) - min(depth), 50)

    def test_traced_deep_tail_recursion_is_ordinary(self):
        # A traced frame is never dropped, so the recursion limit applies.
        sys.settrace(lambda *a: None)
        try:
            with self.assertRaises(RecursionError):
                loop(100_000)
        finally:
            sys.settrace(None)
        # Untraced again: the tail call is back.
        self.assertEqual(loop(100_000), 0)

    def test_monitoring_start_return_balance(self):
        mon = sys.monitoring
        tool = mon.PROFILER_ID
        counts = {"start": 0, "return": 0}
        def on_start(code, offset):
            if code is loop.__code__:
                counts["start"] += 1
        def on_return(code, offset, value):
            if code is loop.__code__:
                counts["return"] += 1
        mon.use_tool_id(tool, "tailcall-test")
        try:
            mon.register_callback(tool, mon.events.PY_START, on_start)
            mon.register_callback(tool, mon.events.PY_RETURN, on_return)
            mon.set_events(tool, mon.events.PY_START | mon.events.PY_RETURN)
            loop(100)
            mon.set_events(tool, 0)
        finally:
            mon.register_callback(tool, mon.events.PY_START, None)
            mon.register_callback(tool, mon.events.PY_RETURN, None)
            mon.free_tool_id(tool)
        self.assertEqual(counts, {"start": 101, "return": 101})
        self.assertEqual(loop(1_000_000), 0)

    def test_monitoring_call_events(self):
        # CALL events come from INSTRUMENTED_TAIL_CALL.
        mon = sys.monitoring
        tool = mon.PROFILER_ID
        calls = []
        def on_call(code, offset, callable, arg0):
            if code is loop.__code__:
                calls.append(callable)
        mon.use_tool_id(tool, "tailcall-test")
        try:
            mon.register_callback(tool, mon.events.CALL, on_call)
            mon.set_events(tool, mon.events.CALL)
            loop(10)
            mon.set_events(tool, 0)
        finally:
            mon.register_callback(tool, mon.events.CALL, None)
            mon.free_tool_id(tool)
        self.assertEqual(calls, [loop] * 10)
        import dis
        self.assertIn("TAIL_CALL",
                      [i.opname for i in dis.get_instructions(loop)])

    def test_local_line_events_on_callee_only(self):
        # Monitoring the callee's code only: the caller may still be dropped.
        mon = sys.monitoring
        tool = mon.COVERAGE_ID
        lines = []
        def target(n):
            return n
        def caller(n):
            return target(n)
        mon.use_tool_id(tool, "tailcall-test")
        try:
            mon.register_callback(tool, mon.events.LINE,
                                  lambda code, line: lines.append(line))
            mon.set_local_events(tool, target.__code__, mon.events.LINE)
            self.assertEqual(caller(3), 3)
            mon.set_local_events(tool, target.__code__, 0)
        finally:
            mon.register_callback(tool, mon.events.LINE, None)
            mon.free_tool_id(tool)
        self.assertEqual(len(lines), 1)


def depth_of(frame):
    frames = []
    while frame is not None:
        frames.append(frame)
        frame = frame.f_back
    return frames


if __name__ == "__main__":
    unittest.main()
