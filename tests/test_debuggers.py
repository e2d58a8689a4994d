"""Debuggers, profilers and coverage tools see what they see without tail
calls: a traced or profiled frame is never replaced.  Each tool runs on the
same program with tail calls on and with -X tailcalls=off (every tail call
an ordinary call, as in stock CPython); the outputs must be the same."""

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


if __name__ == "__main__":
    unittest.main()
