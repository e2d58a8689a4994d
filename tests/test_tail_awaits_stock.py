"""Tail awaits give stock's results, exceptions, cancellation and
finalization order: programs run on stock CPython (its recursion limit
raised) and on cpython-tco, with tail calls on and off, at depths up to
5,000."""

import textwrap
import unittest

from tests.support.process import asan_build, run_ok, stock_python
from tests.test_finalizers import TRACEBACK_DEPTHS
from tests.test_tail_awaits import CHAINS


# Programs whose output must be stock's: each defines main(n), a coroutine
# whose chain is n tail awaits deep, and prints what it gives.
STOCK_PROGRAMS = {
    "result": """
        async def main(n):
            return await count(n)
    """,
    "mutual": """
        async def main(n):
            return (await even(n), await odd(n))
    """,
    "raises": """
        async def boom(n):
            if n == 0:
                raise ValueError(f"boom")
            return await boom(n - 1)
        async def main(n):
            try:
                await boom(n)
            except ValueError as exc:
                return repr(exc)
    """,
    "stop_iteration": """
        async def stop(n):
            if n == 0:
                raise StopIteration("inside")
            return await stop(n - 1)
        async def main(n):
            try:
                await stop(n)
            except RuntimeError as exc:
                return repr(exc), repr(exc.__cause__)
    """,
    "cancel": """
        async def waiter(n):
            if n == 0:
                try:
                    await asyncio.sleep(3600)
                finally:
                    log.append("finally")
            return await waiter(n - 1)
        async def main(n):
            task = asyncio.create_task(waiter(n))
            await asyncio.sleep(0)
            task.cancel("stop")
            try:
                await task
            except asyncio.CancelledError as exc:
                return "cancelled", exc.args, task.cancelled()
    """,
    "future": """
        async def wait(n, fut):
            if n == 0:
                return await fut
            return await wait(n - 1, fut)
        async def main(n):
            fut = asyncio.get_running_loop().create_future()
            asyncio.get_running_loop().call_soon(fut.set_result, "set")
            return await wait(n, fut)
    """,
    "gather": """
        async def main(n):
            return await asyncio.gather(count(n), even(n), odd(n // 2),
                                        return_exceptions=True)
    """,
    "finalizers": """
        async def step(n):
            d = D(n)
            if n == 0:
                log.append("bottom")
                await asyncio.sleep(0)
                return "bottom"
            return await step(n - 1)
        async def main(n):
            r = await step(n)
            log.append("returned")
            return r
    """,
    "traceback_holds_frames": """
        async def step(n):
            d = D(n)
            if n == 0:
                raise ValueError(n)
            return await step(n - 1)
        async def main(n):
            try:
                await step(n)
            except ValueError:
                log.append("caught")
            log.append("after")
            return n
    """,
    "generator_local": """
        def gen(i):
            try:
                yield i
            finally:
                log.append(("finally", i))
        async def step(n):
            for x in gen(n):
                if n == 0:
                    log.append("bottom")
                    return x
                return await step(n - 1)
        async def main(n):
            return await step(n)
    """,
}

STOCK_PRELUDE = """
import asyncio, hashlib, sys
sys.setrecursionlimit(100_000)
log = []
class D:
    # An object whose finalizer logs it.
    def __init__(self, i):
        self.i = i
    def __del__(self):
        log.append(("del", self.i))
""" + CHAINS

STOCK_MAIN = """
for n in {depths}:
    result = asyncio.run(main(n))
    summary = log[:3] + ["..."] + log[-3:] if len(log) > 8 else log
    digest = hashlib.sha256(repr(log).encode()).hexdigest()[:16]
    print(n, result, len(log), summary, digest)
    log.clear()
"""


class StockTests(unittest.TestCase):
    """Results, exceptions, cancellation and finalization order are stock's
    (stock with a raised recursion limit) at depths up to 5,000."""

    DEPTHS = (0, 1, 20, 200, 5000)

    def test_programs(self):
        stock = stock_python()
        for name, body in STOCK_PROGRAMS.items():
            depths = self.DEPTHS
            if name == "traceback_holds_frames":
                # tests/test_finalizers.py: the trashcan's order.
                depths = (0, 1) + TRACEBACK_DEPTHS
            source = (STOCK_PRELUDE + textwrap.dedent(body)
                      + STOCK_MAIN.format(depths=depths))
            with self.subTest(name=name):
                expected = run_ok(source, python=stock)
                self.assertEqual(run_ok(source), expected)
                if (name == "traceback_holds_frames"
                        and asan_build()):
                    # Ordinary deep frames: their order is the trashcan's,
                    # which differs from stock's release build here.
                    continue
                self.assertEqual(run_ok(source, "-X", "tailcalls=off"),
                                 expected)


if __name__ == "__main__":
    unittest.main()
