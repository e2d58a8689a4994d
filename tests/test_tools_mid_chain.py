"""Tracers, profilers and a frame evaluator switched on in the middle of a
chain of tail calls.

    build/tco/python -m unittest tests.test_tools_mid_chain
"""

import json
import sys
import textwrap
import unittest
from tests.support.process import run_ok, tail_call_modes
from tests.support.chains import loop as countdown

try:
    import _testinternalcapi
except ImportError:
    _testinternalcapi = None


def script(*parts):
    return "".join(textwrap.dedent(part) for part in parts)


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



if __name__ == "__main__":
    unittest.main()
