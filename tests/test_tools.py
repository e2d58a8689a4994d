"""Tracers, profilers and monitoring tools see ordinary calls; signals and
threads are served during tail loops; memory stays flat."""

import os
import signal
import subprocess
import sys
import threading
import time
import unittest
from test.support import script_helper


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


class InterruptTests(unittest.TestCase):

    def test_sigint_interrupts_infinite_tail_loop(self):
        code = """if 1:
            import signal, sys
            signal.signal(signal.SIGINT, signal.default_int_handler)
            def spin(n):
                return spin(n + 1)
            print("ready", flush=True)
            try:
                spin(0)
            except KeyboardInterrupt:
                print("interrupted", flush=True)
                sys.exit(0)
            """
        proc = subprocess.Popen([sys.executable, "-c", code],
                                stdout=subprocess.PIPE, text=True)
        try:
            self.assertEqual(proc.stdout.readline().strip(), "ready")
            time.sleep(0.2)             # well inside the loop by now
            proc.send_signal(signal.SIGINT)
            # The timeout only guards against a hang; speed is not tested.
            out, _ = proc.communicate(timeout=60)
        finally:
            proc.kill()
            proc.stdout.close()
        self.assertEqual(out.strip(), "interrupted")
        self.assertEqual(proc.returncode, 0)

    def test_sigint_latency_in_infinite_tail_loops(self):
        # The child spins in an infinite tail loop, self or mutual, five
        # times; each time the parent sends SIGINT and the child prints the
        # time (CLOCK_MONOTONIC, one clock for both processes) at which the
        # KeyboardInterrupt reached it.  The eval breaker is checked at every
        # frame start, replaced frames included, so the delay is that of a
        # signal to a process: the median must stay well under 100 ms.
        code = """if 1:
            import signal, time
            signal.signal(signal.SIGINT, signal.default_int_handler)
            def spin(n):
                return spin(n + 1)
            def ping(n):
                return pong(n + 1)
            def pong(n):
                return ping(n + 1)
            for loop in [spin, ping, spin, ping, spin]:
                print("ready", flush=True)
                try:
                    loop(0)
                except KeyboardInterrupt:
                    print(time.monotonic(), flush=True)
            """
        proc = subprocess.Popen([sys.executable, "-c", code],
                                stdout=subprocess.PIPE, text=True)
        delays = []
        # A child that never sees the signal is killed: readline() then
        # returns "" and the test fails instead of hanging.
        watchdog = threading.Timer(60, proc.kill)
        watchdog.start()
        try:
            for _ in range(5):
                self.assertEqual(proc.stdout.readline().strip(), "ready")
                time.sleep(0.05)        # inside the loop by now
                sent = time.monotonic()
                proc.send_signal(signal.SIGINT)
                delays.append(float(proc.stdout.readline()) - sent)
            self.assertEqual(proc.wait(timeout=60), 0)
        finally:
            watchdog.cancel()
            watchdog.join()
            proc.kill()
            proc.stdout.close()
        delays.sort()
        self.assertLess(delays[2], 0.1, f"delays: {delays}")

    def test_other_threads_run_during_tail_loop(self):
        ticks = []
        stop = threading.Event()
        def ticker():
            while not stop.is_set():
                ticks.append(1)
                time.sleep(0.001)
        t = threading.Thread(target=ticker)
        t.start()
        try:
            def spin(n):
                return n if n == 0 else spin(n - 1)
            spin(3_000_000)
            during = len(ticks)
        finally:
            stop.set()
            t.join()
        self.assertGreater(during, 1)


class MemoryTests(unittest.TestCase):

    def peak_rss_kib(self, depth):
        code = f"""if 1:
            import resource
            def loop(n):
                return n if n == 0 else loop(n - 1)
            def ping(n):
                return n if n == 0 else pong(n - 1)
            def pong(n):
                return n if n == 0 else ping(n - 1)
            loop({depth})
            ping({depth})
            print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
            """
        res = script_helper.assert_python_ok("-c", code)
        return int(res.out)

    def test_peak_rss_flat(self):
        small = self.peak_rss_kib(10**3)
        large = self.peak_rss_kib(10**7)
        self.assertLess(large - small, 1024, (small, large))


if __name__ == "__main__":
    unittest.main()
