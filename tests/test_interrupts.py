"""Signals and other threads are served while a thread runs a tail loop,
however long: KeyboardInterrupt reaches an infinite tail loop, and other
threads run beside it."""

import json
import signal
import subprocess
import sys
import threading
import time
import traceback
import unittest

from tests.support.chains import KEPT, big_frame_function, loop as countdown
from tests.support.process import run_ok, tail_call_modes


class InterruptTests(unittest.TestCase):

    def test_sigint_interrupts_infinite_tail_loop(self):
        code = """if 1:
            import signal, sys
            signal.signal(signal.SIGINT, signal.default_int_handler)
            def spin(n):
                if n == 100_000:        # deep in the loop
                    print("ready", flush=True)
                return spin(n + 1)
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
            proc.send_signal(signal.SIGINT)
            # The timeout only guards against a hang; speed is not tested.
            out, _ = proc.communicate(timeout=60)
        finally:
            proc.kill()
            proc.stdout.close()
        self.assertEqual(out.strip(), "interrupted")
        self.assertEqual(proc.returncode, 0)

    def test_sigint_interrupts_tail_loops_again_and_again(self):
        # The child spins in an infinite tail loop, self or mutual, five
        # times; each time the parent sends SIGINT once the loop is deep,
        # and the child names the loop that KeyboardInterrupt stopped.  The
        # eval breaker is checked at every frame start, replaced frames
        # included.  (How fast is not tested: a timeout guards a hang.)
        code = """if 1:
            import signal
            signal.signal(signal.SIGINT, signal.default_int_handler)
            def spin(n):
                if n == 100_000:
                    print("ready", flush=True)
                return spin(n + 1)
            def ping(n):
                if n == 100_000:
                    print("ready", flush=True)
                return pong(n + 1)
            def pong(n):
                return ping(n + 1)
            for loop in [spin, ping, spin, ping, spin]:
                try:
                    loop(0)
                except KeyboardInterrupt as e:
                    *_, (frame, _) = __import__("traceback").walk_tb(
                        e.__traceback__)
                    print(frame.f_code.co_name, flush=True)
            """
        proc = subprocess.Popen([sys.executable, "-c", code],
                                stdout=subprocess.PIPE, text=True)
        stopped = []
        # A child that never sees the signal is killed: readline() then
        # returns "" and the test fails instead of hanging.
        watchdog = threading.Timer(60, proc.kill)
        watchdog.start()
        try:
            for _ in range(5):
                self.assertEqual(proc.stdout.readline().strip(), "ready")
                proc.send_signal(signal.SIGINT)
                stopped.append(proc.stdout.readline().strip())
            self.assertEqual(proc.wait(timeout=60), 0)
        finally:
            watchdog.cancel()
            watchdog.join()
            proc.kill()
            proc.stdout.close()
        self.assertEqual(stopped[0::2], ["spin"] * 3)
        self.assertEqual(len(stopped), 5)
        self.assertLessEqual(set(stopped[1::2]), {"ping", "pong"})

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
            while not ticks:            # the ticker runs
                time.sleep(0.001)
            def spin(n):
                return n if n == 0 else spin(n - 1)
            before = len(ticks)
            spin(3_000_000)
            during = len(ticks) - before
        finally:
            stop.set()
            t.join()
        self.assertGreater(during, 0)


class ThreadTests(unittest.TestCase):

    def test_infinite_tail_loops_in_threads(self):
        # Two threads spin in infinite tail loops while this one runs its
        # own chains; an asynchronous exception ends each loop.
        import ctypes
        class Stop(Exception):
            pass
        stop_anyway = []
        started = [threading.Event(), threading.Event()]
        def spin(n):
            if n == 1000:
                started[0].set()
            return n if stop_anyway else spin(n + 1)
        def ping(n):
            if n == 1000:
                started[1].set()
            return n if stop_anyway else pong(n + 1)
        def pong(n):
            return ping(n + 1)
        results = {}
        def run(name, f):
            try:
                f(0)
            except Stop as e:
                *_, (frame, _) = traceback.walk_tb(e.__traceback__)
                results[name] = (frame.f_code.co_name, frame.f_locals["n"],
                                 frame.f_elided_count)
        threads = [threading.Thread(target=run, args=("spin", spin)),
                   threading.Thread(target=run, args=("ping", ping))]
        for t in threads:
            t.start()
        try:
            for event in started:
                self.assertTrue(event.wait(30))
            for _ in range(5):
                self.assertEqual(countdown(100_000), 0)
                self.assertEqual(big_frame_function(3000)(500), 0)
            for t in threads:
                self.assertEqual(ctypes.pythonapi.PyThreadState_SetAsyncExc(
                    ctypes.c_ulong(t.ident), ctypes.py_object(Stop)), 1)
            for t in threads:
                t.join(30)
        finally:
            stop_anyway.append(True)
            for t in threads:
                t.join()
        self.assertEqual(set(results), {"spin", "ping"})
        self.assertEqual(results["spin"][0], "spin")
        self.assertIn(results["ping"][0], {"ping", "pong"})
        for name, (func, n, tail_calls) in results.items():
            # The loop was entered from run(): its first KEPT calls kept
            # their frames, every later one replaced a frame.
            self.assertEqual(tail_calls, n - KEPT)
            self.assertGreater(n, 1000)

    def test_daemon_thread_in_tail_loop_at_exit(self):
        code = """
        import threading
        started = threading.Event()
        def spin(n):
            if n == 1000:
                started.set()
            return spin(n + 1)
        for _ in range(2):
            threading.Thread(target=spin, args=(0,), daemon=True).start()
        started.wait()
        def loop(n):
            return n if n == 0 else loop(n - 1)
        print(loop(10**6))
        """
        for mode in tail_call_modes():
            with self.subTest(mode=mode):
                self.assertEqual(run_ok(code, *mode).split(), ["0"])

    def test_interrupt_main_stops_infinite_tail_loop(self):
        code = """
        import _thread, json, signal, threading, traceback
        # A process started in the background may ignore SIGINT;
        # interrupt_main() does nothing then.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        def spin(n):
            if n == 100_000:
                threading.Timer(0.05, _thread.interrupt_main).start()
            return spin(n + 1)
        try:
            spin(0)
        except KeyboardInterrupt as e:
            *_, (f, _) = traceback.walk_tb(e.__traceback__)
            print(json.dumps([f.f_code.co_name, f.f_locals["n"],
                              f.f_elided_count]))
        """
        for mode in tail_call_modes():
            with self.subTest(mode=mode):
                name, n, tail_calls = json.loads(run_ok(code, *mode))
                self.assertEqual(name, "spin")
                self.assertGreater(n, 100_000)
                self.assertEqual(tail_calls, n - KEPT)


if __name__ == "__main__":
    unittest.main()
