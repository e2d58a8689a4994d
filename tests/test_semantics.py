"""Tail calls keep the semantics of the calls they replace."""

import asyncio
import contextlib
import unittest

try:
    import _testinternalcapi
except ImportError:
    _testinternalcapi = None


def callee(x):
    if x == "raise":
        raise ValueError("from callee")
    return x


class HandlersTests(unittest.TestCase):
    """Calls under a handler are ordinary calls: handlers still run."""

    def test_finally_runs(self):
        log = []
        def f(x):
            try:
                return callee(x)
            finally:
                log.append("finally")
        self.assertEqual(f(1), 1)
        self.assertRaises(ValueError, f, "raise")
        self.assertEqual(log, ["finally", "finally"])

    def test_except_catches_callee_error(self):
        def f(x):
            try:
                return callee(x)
            except ValueError:
                return "caught"
        self.assertEqual(f("raise"), "caught")

    def test_with_exit_runs(self):
        log = []
        @contextlib.contextmanager
        def cm():
            log.append("enter")
            try:
                yield
            finally:
                log.append("exit")
        def f(x):
            with cm():
                return callee(x)
        self.assertEqual(f(2), 2)
        self.assertRaises(ValueError, f, "raise")
        self.assertEqual(log, ["enter", "exit"] * 2)

    def test_exception_context_preserved(self):
        def f():
            try:
                raise KeyError("first")
            except KeyError:
                pass
            return callee("raise")
        try:
            f()
        except ValueError as e:
            self.assertIsNone(e.__context__)
        else:
            self.fail("no ValueError")

    def test_tail_call_from_except_body_keeps_context(self):
        def f():
            try:
                raise KeyError("first")
            except KeyError:
                return callee("raise")
        try:
            f()
        except ValueError as e:
            self.assertIsInstance(e.__context__, KeyError)
        else:
            self.fail("no ValueError")


class GeneratorTests(unittest.TestCase):

    def test_generator_returning_call(self):
        def gen():
            yield 1
            return callee(42)
        g = gen()
        self.assertEqual(next(g), 1)
        with self.assertRaises(StopIteration) as cm:
            next(g)
        self.assertEqual(cm.exception.value, 42)

    def test_coroutine_returning_call(self):
        async def coro(n):
            await asyncio.sleep(0)
            return callee(n)
        self.assertEqual(asyncio.run(coro(7)), 7)

    def test_tail_call_into_generator_function(self):
        def gen(n):
            yield n
        def f(n):
            return gen(n)
        self.assertEqual(list(f(3)), [3])

    def test_tail_call_into_coroutine_function(self):
        async def coro(n):
            return n
        def f(n):
            return coro(n)
        self.assertEqual(asyncio.run(f(5)), 5)


class CalleeKindsTests(unittest.TestCase):
    """Callees that are not Python functions behave as with CALL."""

    def test_builtins_and_types(self):
        def f(x):
            return len(x)
        def g(x):
            return isinstance(x, int)
        def h(x):
            return str(x)
        def k(cls, x):
            return cls(x)
        for _ in range(2000):      # warm up: specialized C-callee forms
            self.assertEqual(f("abc"), 3)
            self.assertTrue(g(1))
            self.assertEqual(h(5), "5")
            self.assertEqual(k(list, "ab"), ["a", "b"])

    def test_class_with_python_init(self):
        class P:
            def __init__(self, x):
                self.x = x
        def make(x):
            return P(x)
        for i in range(2000):
            self.assertEqual(make(i).x, i)

    def test_list_append(self):
        def f(lst, x):
            return lst.append(x)
        lst = []
        for i in range(2000):
            self.assertIsNone(f(lst, i))
        self.assertEqual(lst, list(range(2000)))

    def test_functools_partial(self):
        import functools
        def f(x):
            return functools.partial(callee, x)()
        self.assertEqual(f(3), 3)

    def test_error_in_c_callee(self):
        def f(x):
            return int(x)
        with self.assertRaises(ValueError):
            f("nope")


@unittest.skipIf(_testinternalcapi is None, "needs _testinternalcapi")
class PEP523Tests(unittest.TestCase):

    def test_frame_evaluator_sees_every_call(self):
        def loop(n):
            return n if n == 0 else loop(n - 1)
        seen = []
        _testinternalcapi.set_eval_frame_record(seen)
        try:
            loop(20)
        finally:
            _testinternalcapi.set_eval_frame_default()
        self.assertEqual(seen.count("loop"), 21)


if __name__ == "__main__":
    unittest.main()
