"""Tail awaits: `return await f(...)` in a coroutine, outside try, with and
finally, ends the coroutine at the await; the awaited coroutine runs in its
place, and whoever awaited the first (a Task, another coroutine, a caller of
send()) goes on with it (docs/semantics.md, "Tail awaits").  Chains of tail
awaits run at any depth in constant space, and give stock's results,
exceptions, cancellation and finalization order."""

import asyncio
import dis
import gc
import inspect
import sys
import textwrap
import types
import unittest
import weakref

from tests.support.process import run_ok

DEEP = 1_000_000


# The chains that the tests run, here and in other processes: a
# coroutine that tail-awaits itself, and two that tail-await each other.
CHAINS = """\
async def count(n):
    if n == 0:
        return "done"
    return await count(n - 1)

async def even(n):
    if n == 0:
        return True
    return await odd(n - 1)

async def odd(n):
    if n == 0:
        return False
    return await even(n - 1)
"""
exec(CHAINS)


@types.coroutine
def suspend(value=None):
    """Suspend the coroutine chain that awaits this, once: send() returns
    value to the driver."""
    return (yield value)


def await_chain(coro):
    """coro, what it awaits, what that awaits, and so on."""
    chain = []
    while coro is not None:
        chain.append(coro)
        coro = getattr(coro, "cr_await", None) or getattr(
            coro, "gi_yieldfrom", None)
    return chain


def opnames(func):
    return [ins.opname for ins in dis.get_instructions(func)]


class CompilerTests(unittest.TestCase):
    """Which awaits flowgraph.c marks (TAIL_AWAIT in place of the
    LOAD_CONST None that the await sends first)."""

    def assertTailAwaits(self, source, expected):
        ns = {}
        exec(textwrap.dedent(source), ns)
        self.assertEqual(opnames(ns["f"]).count("TAIL_AWAIT"), expected,
                         dis.Bytecode(ns["f"]).dis())

    def test_return_await_call(self):
        self.assertTailAwaits("""
            async def f(g, x):
                return await g(x)
        """, 1)
        self.assertTailAwaits("""
            async def f(g, a, k):
                if a:
                    return await g(*a, **k)
                return await g(k=k)
        """, 2)

    def test_in_loops(self):
        self.assertTailAwaits("""
            async def f(g, xs, ait):
                for x in xs:
                    return await g(x)
                async for x in ait:
                    return await g(x)
        """, 2)

    def test_not_under_handlers(self):
        self.assertTailAwaits("""
            async def f(g, cm, acm):
                try:
                    return await g()
                except ValueError:
                    return await g()
                finally:
                    pass
        """, 0)
        self.assertTailAwaits("""
            async def f(g, cm, acm):
                with cm:
                    return await g()
        """, 0)
        self.assertTailAwaits("""
            async def f(g, cm, acm):
                async with acm:
                    return await g()
        """, 0)

    def test_not_other_awaits(self):
        self.assertTailAwaits("""
            async def f(g, x):
                y = await g(x)
                await g(y)
                return await x
        """, 0)
        self.assertTailAwaits("""
            async def f(g, x):
                return (await g(x)) + 1
        """, 0)

    def test_await_goes_on_when_not_a_tail_await(self):
        # TAIL_AWAIT pushes the constant that the await sends first.
        async def f(aw):
            return await aw()
        self.assertIn("TAIL_AWAIT", opnames(f))
        fut_like = suspend
        c = f(fut_like)
        self.assertIsNone(c.send(None))
        with self.assertRaises(StopIteration) as cm:
            c.send(42)
        self.assertEqual(cm.exception.value, 42)


class DepthTests(unittest.TestCase):

    def test_asyncio_run(self):
        self.assertEqual(asyncio.run(count(DEEP)), "done")

    def test_mutual(self):
        self.assertIs(asyncio.run(even(DEEP + 1)), False)

    def test_awaited_by_a_coroutine(self):
        # The chain is awaited by an ordinary await: the frame below holds
        # the coroutine that runs in place of the one it awaited.
        async def main():
            first = await count(DEEP)
            return first, await even(DEEP)
        self.assertEqual(asyncio.run(main()), ("done", True))

    def test_in_tasks_and_gather(self):
        async def main():
            task = asyncio.create_task(count(DEEP))
            return await asyncio.gather(count(DEEP // 2), odd(DEEP // 2 + 1),
                                        task)
        self.assertEqual(asyncio.run(main()), ["done", True, "done"])

    def test_suspending_along_the_way(self):
        async def sleepy(n):
            if n % 1000 == 0:
                await asyncio.sleep(0)
            if n == 0:
                return "slept"
            return await sleepy(n - 1)
        self.assertEqual(asyncio.run(sleepy(200_000)), "slept")

    def test_send_from_c_and_python(self):
        c = count(DEEP)
        with self.assertRaises(StopIteration) as cm:
            c.send(None)
        self.assertEqual(cm.exception.value, "done")

    def test_try_is_not_a_tail_await(self):
        async def guarded(n):
            if n == 0:
                return "done"
            try:
                return await guarded(n - 1)
            finally:
                pass
        self.assertNotIn("TAIL_AWAIT", opnames(guarded))
        with self.assertRaises(RecursionError):
            asyncio.run(guarded(100_000))

    def test_off(self):
        out = run_ok("""
            import asyncio
            async def count(n):
                if n == 0:
                    return "done"
                return await count(n - 1)
            print(asyncio.run(count(500)))
            try:
                asyncio.run(count(100_000))
            except RecursionError:
                print("RecursionError")
        """, "-X", "tailcalls=off")
        self.assertEqual(out.split(), ["done", "RecursionError"])


class MemoryTests(unittest.TestCase):

    def peak_rss_kib(self, depth):
        out = run_ok(CHAINS + textwrap.dedent(f"""
            import asyncio, resource
            async def sleepy(n):
                if n % 1000 == 0:
                    await asyncio.sleep(0)
                return n if n == 0 else await sleepy(n - 1)
            assert asyncio.run(even({depth})) is True
            assert asyncio.run(sleepy({depth})) == 0
            print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
        """), timeout=300)
        return int(out)

    def test_peak_rss_flat(self):
        small = self.peak_rss_kib(10**4)
        large = self.peak_rss_kib(10**6)
        self.assertLess(large - small, 8 * 1024, (small, large))


class CoroutineTests(unittest.TestCase):
    """A coroutine that ended in a tail await forwards to the one that runs
    in its place: send(), throw(), close() and what says how it runs."""

    async def bottom_suspends(self, n, log):
        if n == 0:
            try:
                log.append(("got", await suspend("bottom")))
            except KeyError:
                log.append("caught")
                return "caught"
            finally:
                log.append("finally")
            return "sent"
        return await self.bottom_suspends(n - 1, log)

    def test_send(self):
        log = []
        c = self.bottom_suspends(1000, log)
        self.assertEqual(c.send(None), "bottom")
        with self.assertRaises(StopIteration) as cm:
            c.send("value")
        self.assertEqual(cm.exception.value, "sent")
        self.assertEqual(log, [("got", "value"), "finally"])
        with self.assertRaisesRegex(RuntimeError, "cannot reuse already"):
            c.send(None)

    def test_throw(self):
        log = []
        c = self.bottom_suspends(1000, log)
        c.send(None)
        with self.assertRaises(StopIteration) as cm:
            c.throw(KeyError)
        self.assertEqual(cm.exception.value, "caught")
        self.assertEqual(log, ["caught", "finally"])
        c = self.bottom_suspends(1000, log)
        c.send(None)
        with self.assertRaises(ZeroDivisionError):
            c.throw(ZeroDivisionError())

    def test_close(self):
        log = []
        c = self.bottom_suspends(1000, log)
        c.send(None)
        c.close()
        self.assertEqual(log, ["finally"])
        self.assertEqual(inspect.getcoroutinestate(c), inspect.CORO_CLOSED)
        self.assertIsNone(c.cr_frame)
        self.assertIsNone(c.cr_await)

    def test_introspection(self):
        # The first coroutines of a chain keep their frames (the kept
        # window), as the first tail calls of a chain do: what they show
        # is stock's.
        log = []
        c = self.bottom_suspends(1000, log)
        self.assertEqual(inspect.getcoroutinestate(c), inspect.CORO_CREATED)
        c.send(None)
        self.assertEqual(inspect.getcoroutinestate(c), inspect.CORO_SUSPENDED)
        self.assertTrue(c.cr_suspended)
        self.assertFalse(c.cr_running)
        self.assertEqual(c.cr_frame.f_locals["n"], 1000)
        self.assertEqual(c.cr_await.cr_frame.f_locals["n"], 999)
        self.assertEqual(len(await_chain(c)), 18)
        c.close()

    async def catch_then_go_on(self, n, log):
        if n == 0:
            try:
                await suspend("first")
            except KeyError:
                log.append("caught")
            return await self.tail_then_suspend(2000, log)
        return await self.catch_then_go_on(n - 1, log)

    async def tail_then_suspend(self, n, log):
        if n == 0:
            log.append(("got", await suspend("second")))
            return "end"
        return await self.tail_then_suspend(n - 1, log)

    def test_chain_driven_from_c(self):
        # throw() runs the bottom of the chain from C; its tail awaits
        # then end coroutines that no frame awaits: the coroutine that
        # throw() ran forwards to the one that runs in its place, and the
        # frame above awaits it as before.
        log = []
        c = self.catch_then_go_on(100, log)
        self.assertEqual(c.send(None), "first")
        self.assertEqual(c.throw(KeyError), "second")
        chain = await_chain(c)
        self.assertLess(len(chain), 40)
        live = chain[-2]
        self.assertEqual(live.cr_code.co_name, "tail_then_suspend")
        self.assertEqual(live.cr_frame.f_locals["n"], 0)
        self.assertTrue(chain[-3].cr_suspended)
        self.assertIs(chain[-3].cr_frame, live.cr_frame)
        with self.assertRaises(StopIteration) as cm:
            c.send("x")
        self.assertEqual(cm.exception.value, "end")
        self.assertEqual(log, ["caught", ("got", "x")])
        self.assertEqual(inspect.getcoroutinestate(c), inspect.CORO_CLOSED)

    def test_running_inside(self):
        seen = []
        async def probe(n, root):
            if n == 0:
                seen.append((root.cr_running,
                             inspect.getcoroutinestate(root)))
                return "ok"
            return await probe(n - 1, root)
        async def start(n):
            return await probe(n, me)
        me = start(500)
        with self.assertRaises(StopIteration):
            me.send(None)
        self.assertEqual(seen, [(True, inspect.CORO_RUNNING)])

    def test_a_second_await_of_the_same_coroutine(self):
        async def main():
            c = self.bottom_suspends(100, [])
            task = asyncio.ensure_future(c)
            await asyncio.sleep(0)
            try:
                await c
            except RuntimeError as exc:
                task.cancel()
                return str(exc)
        self.assertEqual(asyncio.run(main()),
                         "coroutine is being awaited already")

    def test_cycle_is_collected(self):
        # The first coroutine passes itself down the chain: a cycle between
        # it and the one that runs in its place.
        refs = []
        async def chain(n, first):
            if n == 0:
                refs.append(weakref.ref(first))
                await suspend()
                return "never"
            return await chain(n - 1, first)
        async def start():
            return await chain(200, me)
        me = start()
        me.send(None)
        del me
        gc.collect()
        self.assertIsNone(refs[0]())

    def test_task_get_stack_is_short(self):
        async def deep(n):
            if n == 0:
                task = asyncio.current_task()
                stack = task.get_stack()
                return len(stack), stack[-1].f_code.co_name
            return await deep(n - 1)
        size, name = asyncio.run(deep(100_000))
        self.assertLess(size, 40)
        self.assertEqual(name, "deep")

    def test_not_a_coroutine_is_an_ordinary_await(self):
        class Awaitable:
            def __await__(self):
                return (yield from suspend("custom"))
        async def f(aw):
            return await aw()
        for make in (Awaitable, lambda: suspend("custom")):
            c = f(make)
            self.assertEqual(c.send(None), "custom")
            # It awaits the awaitable itself: nothing ran in its place.
            self.assertIsNotNone(c.cr_await)
            self.assertIsNot(type(c.cr_await), types.CoroutineType)
            self.assertEqual(c.cr_frame.f_code, f.__code__)
            with self.assertRaises(StopIteration) as cm:
                c.send(7)
            self.assertEqual(cm.exception.value, 7)


class TracebackTests(unittest.TestCase):

    def test_elided_frames_line(self):
        async def boom(n):
            if n == 0:
                raise ValueError("boom")
            return await boom(n - 1)
        try:
            asyncio.run(boom(10_000))
        except ValueError as exc:
            import traceback
            text = "".join(traceback.format_exception(exc))
        self.assertEqual(text.count("frames elided by tail calls"), 1, text)
        self.assertIn('raise ValueError("boom")', text)
        self.assertLess(len(text.splitlines()), 100)


class AsyncioFeatureTests(unittest.TestCase):

    def test_debug_mode(self):
        # asyncio's debug mode: coroutine origins, slow callbacks.
        self.assertEqual(asyncio.run(count(100_000), debug=True), "done")

    def test_never_awaited_warning(self):
        async def forget(n):
            if n == 0:
                count(1)            # never awaited
                return "forgot"
            return await forget(n - 1)
        with self.assertWarnsRegex(RuntimeWarning,
                                   "coroutine 'count' was never awaited"):
            self.assertEqual(asyncio.run(forget(1000)), "forgot")
            gc.collect()

    def test_origin_tracking(self):
        origins = []
        async def chain(n):
            if n == 0:
                inner = count(0)
                origins.append(inner.cr_origin)
                return await inner
            return await chain(n - 1)
        old = sys.get_coroutine_origin_tracking_depth()
        sys.set_coroutine_origin_tracking_depth(3)
        try:
            self.assertEqual(asyncio.run(chain(1000)), "done")
        finally:
            sys.set_coroutine_origin_tracking_depth(old)
        (origin,) = origins
        self.assertEqual(len(origin), 3)
        self.assertEqual([name for _, _, name in origin],
                         ["chain", "chain", "chain"])


if __name__ == "__main__":
    unittest.main()
