"""python -m tailcall and @tailcall.tailrec."""

import os
import tempfile
import textwrap
import unittest
from test.support import script_helper

import tailcall

SAMPLE = textwrap.dedent("""\
    def loop(n):
        return n if n == 0 else loop(n - 1)

    def guarded(n):
        try:
            return loop(n)
        except ValueError:
            return loop(0)

    def gen(n):
        yield 1
        return loop(n)

    async def coro(n):
        return loop(n)

    def inloop(xs):
        for x in xs:
            return loop(x)

    def held(cm):
        with cm:
            return loop(1)

    def final():
        try:
            pass
        finally:
            return loop(2)

    f = lambda n: loop(n)
    """)


class AnalyzeTests(unittest.TestCase):

    def test_report(self):
        got = {(line, name): (tail, reason)
               for line, name, tail, reason in tailcall.analyze(SAMPLE)}
        self.assertEqual(got[(2, "loop")], (True, None))
        self.assertEqual(got[(6, "guarded")], (False, "inside a try block"))
        self.assertEqual(got[(8, "guarded")],
                         (False, "inside an except block"))
        self.assertEqual(got[(12, "gen")], (False, "in a generator"))
        self.assertEqual(got[(15, "coro")], (False, "in a coroutine"))
        # The loop's iterator is released with the frame.
        self.assertEqual(got[(19, "inloop")], (True, None))
        self.assertEqual(got[(23, "held")], (False, "inside a with block"))
        tail, reason = got[(29, "final")]
        self.assertTrue(tail)
        self.assertIn("normal path only", reason)
        self.assertEqual(got[(31, "<lambda>")], (True, None))

    def test_command_line(self):
        with tempfile.NamedTemporaryFile("w", suffix=".py",
                                         delete=False) as f:
            f.write(SAMPLE)
        self.addCleanup(os.unlink, f.name)
        res = script_helper.assert_python_ok("-m", "tailcall", f.name)
        out = res.out.decode()
        self.assertIn(f"{f.name}:2: in loop(): tail call\n", out)
        self.assertIn(f"{f.name}:12: in gen(): not a tail call: "
                      f"in a generator\n", out)

    def test_tail_awaits(self):
        source = textwrap.dedent("""\
            async def count(n):
                return n if n == 0 else await count(n - 1)

            async def guarded(n):
                try:
                    return await count(n)
                finally:
                    pass

            async def later(n):
                x = await count(n)
                return await count(x)
            """)
        got = {(line, name): (tail, reason)
               for line, name, tail, reason in tailcall.analyze(source)}
        self.assertEqual(got, {
            (2, "count"): (True, None),
            (6, "guarded"): (False, "inside a try block"),
            (12, "later"): (True, None),
        })
        with tempfile.NamedTemporaryFile("w", suffix=".py",
                                         delete=False) as f:
            f.write(source)
        self.addCleanup(os.unlink, f.name)
        out = script_helper.assert_python_ok("-m", "tailcall",
                                             f.name).out.decode()
        self.assertIn(f"{f.name}:2: in count(): tail await\n", out)
        self.assertIn(f"{f.name}:6: in guarded(): not a tail await: "
                      f"inside a try block\n", out)

    def test_right_operand_and_both_branches(self):
        got = tailcall.analyze(textwrap.dedent("""\
            def f(x):
                return x and g(x)
            def h(c):
                return a(c) if c else (b(c) or k(c))
            """))
        self.assertEqual(got, [(2, "f", True, None), (4, "h", True, None),
                               (4, "h", True, None)])

    def test_address_of_a_local(self):
        got = tailcall.analyze(textwrap.dedent("""\
            import ctypes
            from ctypes import byref
            def helper(a):
                return ctypes.string_at(a, 4)
            def passes_address():
                buf = ctypes.create_string_buffer(b"ABCD")
                return helper(ctypes.addressof(buf))
            def passes_pointer(buf):
                return helper(byref(buf))
            def passes_cast():
                buf = ctypes.create_string_buffer(b"ABCD")
                return helper(ctypes.cast(buf, ctypes.c_void_p))
            GLOBAL = ctypes.create_string_buffer(b"ABCD")
            def passes_global():
                return helper(ctypes.addressof(GLOBAL))
            """))
        reasons = {line: reason for line, _, tail, reason in got if tail}
        self.assertIsNone(reasons[4])
        self.assertIn("addressof(buf) passes on the address of a local",
                      reasons[7])
        self.assertIn("byref(buf)", reasons[9])
        self.assertIn("cast(buf)", reasons[12])
        self.assertIsNone(reasons[15])

    def test_deep_expression(self):
        # A 3,000-term expression: the walk is not recursive.  (A debug
        # build's compiler, with its smaller C stack budget, rejects it:
        # then the tool says so, without a traceback.)
        expr = " + ".join(["a"] * 3000)
        source = f"def f(a):\n    return g({expr})\n"
        with tempfile.NamedTemporaryFile("w", suffix=".py",
                                         delete=False) as f:
            f.write(f"x = {expr}\n" + SAMPLE)
        self.addCleanup(os.unlink, f.name)
        try:
            compile(f"x = {expr}\n", "<deep>", "exec")
        except RecursionError:
            res = script_helper.assert_python_failure("-m", "tailcall",
                                                      f.name)
            self.assertIn(f"{f.name}: maximum recursion depth",
                          res.err.decode())
            self.assertNotIn(b"Traceback", res.err)
            return
        self.assertEqual(tailcall.analyze(source), [(2, "f", True, None)])
        res = script_helper.assert_python_ok("-m", "tailcall", f.name)
        self.assertIn(f"{f.name}:3: in loop(): tail call\n", res.out.decode())

    def test_command_line_bad_file(self):
        res = script_helper.assert_python_failure("-m", "tailcall",
                                                  "/nonexistent.py")
        self.assertIn(b"/nonexistent.py", res.err)


class TailrecTests(unittest.TestCase):

    def test_accepts_tail_recursion(self):
        @tailcall.tailrec
        def count(n, acc=0):
            if n == 0:
                return acc
            return count(n - 1, acc + 1)
        self.assertEqual(count(100_000), 100_000)

    def test_coroutine_tail_awaits(self):
        import asyncio
        @tailcall.tailrec
        async def count(n, acc=0):
            if n == 0:
                return acc
            return await count(n - 1, acc + 1)
        self.assertEqual(asyncio.run(count(100_000)), 100_000)
        with self.assertRaises(tailcall.TailCallError) as cm:
            @tailcall.tailrec
            async def total(n):
                return 0 if n == 0 else n + await total(n - 1)
        self.assertIn("total(n - 1)", cm.exception.text)

    def test_rejects_non_tail_recursion(self):
        with self.assertRaises(tailcall.TailCallError) as cm:
            @tailcall.tailrec
            def fact(n):
                return 1 if n == 0 else n * fact(n - 1)
        self.assertIn("fact() calls itself other than in tail position",
                      str(cm.exception))
        self.assertEqual(cm.exception.filename, __file__)
        self.assertIn("n * fact(n - 1)", cm.exception.text)

    def test_other_calls_on_the_line(self):
        # Decided by the call instructions, not by line: abs() shares the
        # line of the tail call.
        @tailcall.tailrec
        def fact(n, acc=1):
            return acc if n == 0 else fact(n - 1, acc * abs(n))
        self.assertEqual(fact(5), 120)
        with self.assertRaises(tailcall.TailCallError) as cm:
            @tailcall.tailrec
            def twice(n):
                return n if n == 0 else twice(twice(n - 1) - 1 + 1)
        self.assertIn("twice(n - 1)", cm.exception.text)

    def test_for_loop(self):
        @tailcall.tailrec
        def walk(items, n):
            for _ in items:
                return n if n == 0 else walk(items, n - 1)
        self.assertEqual(walk("x", 100_000), 0)

    def test_rejects_call_in_try(self):
        with self.assertRaises(tailcall.TailCallError):
            @tailcall.tailrec
            def f(n):
                try:
                    return f(n - 1)
                except KeyError:
                    return None

    def test_methods(self):
        class A:
            @tailcall.tailrec
            def walk(self, n):
                return n if n == 0 else self.walk(n - 1)
        self.assertEqual(A().walk(100_000), 0)
        with self.assertRaises(tailcall.TailCallError):
            class B:
                @tailcall.tailrec
                def walk(self, n):
                    return 0 if n == 0 else 1 + self.walk(n - 1)


if __name__ == "__main__":
    unittest.main()
