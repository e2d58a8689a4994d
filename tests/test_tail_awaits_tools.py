"""Tail awaits under the tools a developer runs: sys.monitoring,
sys.settrace() and their callbacks at the tail await, and Debian trixie's
coverage.py (each core) and pdb on a program of tail awaits, against
stock (TOOLS_SITE, STOCK_PYTHON: see tests/test_under_tools.py).  Each
coroutine's frame starts, and ends, as often as on stock."""

import asyncio
import gc
import json
import os
import sys
import textwrap
import types
import unittest

from tests import test_under_tools as under_tools
from tests.support.chains import KEPT
from tests.test_tail_awaits import count


class ToolTests(unittest.TestCase):
    """Tools see each coroutine's frame start, and end (return, yield or
    unwind) as often as it starts or resumes."""

    async def chain(self, n):
        if n % 50 == 0:
            await asyncio.sleep(0)
        if n == 0:
            return "done"
        return await self.chain(n - 1)

    def test_monitoring_balanced(self):
        mon = sys.monitoring
        E = mon.events
        code = self.chain.__code__
        counts = dict.fromkeys(["start", "resume", "return", "yield"], 0)
        def make(name):
            def callback(c, *args):
                if c is code:
                    counts[name] += 1
            return callback
        mon.use_tool_id(mon.DEBUGGER_ID, "test_tail_awaits")
        try:
            for name, event in (("start", E.PY_START),
                                ("resume", E.PY_RESUME),
                                ("return", E.PY_RETURN),
                                ("yield", E.PY_YIELD)):
                mon.register_callback(mon.DEBUGGER_ID, event, make(name))
            mon.set_events(mon.DEBUGGER_ID, E.PY_START | E.PY_RESUME |
                           E.PY_RETURN | E.PY_YIELD)
            self.assertEqual(asyncio.run(self.chain(3000)), "done")
        finally:
            mon.set_events(mon.DEBUGGER_ID, 0)
            mon.free_tool_id(mon.DEBUGGER_ID)
        self.assertEqual(counts["start"], 3001)
        self.assertEqual(counts["return"], 3001)
        self.assertEqual(counts["yield"], counts["resume"])
        self.assertGreater(counts["yield"], 0)

    def test_settrace_balanced(self):
        events = []
        code = self.chain.__code__
        def tracer(frame, event, arg):
            if frame.f_code is code and event in ("call", "return"):
                events.append(event)
            return tracer
        sys.settrace(tracer)
        try:
            self.assertEqual(asyncio.run(self.chain(3000)), "done")
        finally:
            sys.settrace(None)
        self.assertEqual(events.count("call"), events.count("return"))
        self.assertGreater(events.count("call"), 3000)

    def test_return_callback_raises(self):
        mon = sys.monitoring
        code = count.__code__
        state = {"left": 3}
        def on_return(c, offset, value):
            if c is code and value is mon.MISSING:
                state["left"] -= 1
                if state["left"] == 0:
                    raise KeyError("from the tool")
        mon.use_tool_id(mon.DEBUGGER_ID, "test_tail_awaits")
        try:
            mon.register_callback(mon.DEBUGGER_ID, mon.events.PY_RETURN,
                                  on_return)
            mon.set_events(mon.DEBUGGER_ID, mon.events.PY_RETURN)
            # The coroutine that the failed tail await made is never
            # awaited, as when an exception interrupts any call.
            with self.assertRaises(KeyError), \
                 self.assertWarnsRegex(RuntimeWarning, "never awaited"):
                asyncio.run(count(500))
                gc.collect()
        finally:
            mon.set_events(mon.DEBUGGER_ID, 0)
            mon.free_tool_id(mon.DEBUGGER_ID)
        self.assertEqual(asyncio.run(count(500)), "done")

    def test_return_callback_meddles(self):
        # A tool's callback at the tail await tries to run, close or throw
        # into every coroutine of the chain, the one about to run in the
        # ending one's place among them: none of it may break the chain.
        mon = sys.monitoring
        code = count.__code__
        def on_return(c, offset, value):
            if c is not code:
                return
            for obj in gc.get_objects():
                if type(obj) is types.CoroutineType and obj.cr_code is code:
                    for act in (lambda: obj.send(None), obj.close,
                                lambda: obj.throw(KeyError)):
                        try:
                            act()
                        except (ValueError, RuntimeError, StopIteration,
                                KeyError):
                            pass
        mon.use_tool_id(mon.DEBUGGER_ID, "test_tail_awaits")
        try:
            mon.register_callback(mon.DEBUGGER_ID, mon.events.PY_RETURN,
                                  on_return)
            mon.set_events(mon.DEBUGGER_ID, mon.events.PY_RETURN)
            try:
                result = asyncio.run(count(60))
            except (ValueError, RuntimeError, KeyError) as exc:
                result = type(exc).__name__
        finally:
            mon.set_events(mon.DEBUGGER_ID, 0)
            mon.free_tool_id(mon.DEBUGGER_ID)
        self.assertIn(result, ("done", "ValueError", "RuntimeError",
                               "KeyError"))


ASYNC_PROGRAM = textwrap.dedent("""\
    import asyncio, sys
    async def count(n):
        if n == 0:
            return "done"
        return await count(n - 1)
    async def walk(n, acc):
        if n % 3 == 0:
            acc += 1
            await asyncio.sleep(0)
        if n == 0:
            return acc
        return await walk(n - 1, acc)
    async def main(n):
        return await count(n), await walk(n, 0)
    sys.setrecursionlimit(10 ** 6)
    print(asyncio.run(main(int(sys.argv[1]))))
    """)

ASYNC_DEEP = 5_000


class AsyncToolTests(under_tools.ToolRun):
    """coverage.py (each of its cores) and pdb, Debian trixie's, on a
    program of tail awaits: coverage's data is stock's, and pdb stops deep
    in a chain and shows a short stack."""

    def setUp(self):
        super().setUp()
        with open(self.program, "w") as f:
            f.write(ASYNC_PROGRAM)

    def coverage_data(self, python, core):
        data = os.path.join(self.dir, f"{core}-{os.path.basename(python)}")
        env = {"COVERAGE_CORE": core, "COVERAGE_FILE": data}
        out = self.module(python, "coverage", "run", "--branch",
                          self.program, str(ASYNC_DEEP), env=env)
        self.assertIn("('done', ", out)
        report = json.loads(self.module(python, "coverage", "json", "-o",
                                        "-", env=env))
        (entry,) = [v for k, v in report["files"].items()
                    if k.endswith("program.py")]
        return {key: entry[key] for key in
                ("executed_lines", "missing_lines", "executed_branches",
                 "missing_branches")}

    def test_coverage_as_stock(self):
        for core in under_tools.COVERAGE_CORES:
            with self.subTest(core=core):
                tco, stock = self.on_both(
                    lambda python: self.coverage_data(python, core))
                self.assertEqual(tco, stock)

    def test_pdb_deep_in_a_chain(self):
        out = self.run_tool(
            sys.executable, "-m", "pdb", self.program, str(ASYNC_DEEP),
            input="break program.py:4\ncontinue\np n\nbt\ncontinue\n"
                  "quit\n")
        self.assertIn("(Pdb) 0\n", out)
        bt = out.split("(Pdb) 0\n(Pdb) ", 1)[1].split("(Pdb)", 1)[0]
        self.assertLessEqual(bt.count("program.py(5)count()"), KEPT + 2)
        self.assertIn("program.py(14)main()", bt)
        self.assertIn(f"('done', {ASYNC_DEEP // 3 + 1})", out)


if __name__ == "__main__":
    unittest.main()
