"""Which calls the compiler marks as tail calls (flowgraph.c, mark_tail_calls)."""

import dis
import opcode
import os
import re
import textwrap
import unittest

TAIL_OPS = {"TAIL_CALL", "TAIL_CALL_KW", "TAIL_CALL_FUNCTION_EX"}
CALL_OPS = {"CALL", "CALL_KW", "CALL_FUNCTION_EX"}


def compile_function(source, name="f"):
    ns = {}
    exec(textwrap.dedent(source), ns)
    return ns[name]


def opnames(code):
    return [i.opname for i in dis.get_instructions(code)]


class TailPositionTests(unittest.TestCase):

    def assertTail(self, source, expected, name="f"):
        func = compile_function(source, name)
        ops = [op for op in opnames(func) if op in TAIL_OPS | CALL_OPS]
        self.assertEqual(ops, expected, dis.Bytecode(func).dis())

    def test_return_call(self):
        self.assertTail("def f(x): return g(x)", ["TAIL_CALL"])

    def test_return_keyword_call(self):
        self.assertTail("def f(x): return g(x, key=1)", ["TAIL_CALL_KW"])

    def test_return_star_call(self):
        self.assertTail("def f(*a, **k): return g(*a, **k)",
                        ["TAIL_CALL_FUNCTION_EX"])

    def test_return_method_call(self):
        self.assertTail("def f(o): return o.m(1)", ["TAIL_CALL"])

    def test_arguments_are_not_tail_calls(self):
        self.assertTail("def f(x): return g(h(x))", ["CALL", "TAIL_CALL"])

    def test_lambda(self):
        func = eval("lambda x: g(x)")
        self.assertIn("TAIL_CALL", opnames(func))

    def test_conditional_expression(self):
        # Each branch returns its call; the RETURN_VALUE after the call
        # may open the next basic block.
        self.assertTail("def f(n): return n if n == 0 else f(n - 1)",
                        ["TAIL_CALL"])
        self.assertTail("def f(c, x): return a(x) if c else b(x)",
                        ["TAIL_CALL", "TAIL_CALL"])

    def test_if_else_returns(self):
        self.assertTail("""
            def f(n):
                if n:
                    return a(n)
                else:
                    return b(n)
            """, ["TAIL_CALL", "TAIL_CALL"])

    def test_eval_expression(self):
        code = compile("g(1)", "<eval>", "eval")
        self.assertIn("TAIL_CALL", opnames(code))

    def test_not_a_tail_call(self):
        self.assertTail("def f(n): return 1 + f(n - 1)", ["CALL"])
        self.assertTail("def f(n): g(n)", ["CALL"])
        self.assertTail("def f(n):\n x = g(n)\n return x", ["CALL"])
        self.assertTail("def f(n): return [g(n)]", ["CALL"])
        self.assertTail("def f(n): return g(n),", ["CALL"])

    def test_module_code_is_not_tail(self):
        code = compile("g(1)", "<exec>", "exec")
        self.assertNotIn("TAIL_CALL", opnames(code))

    def test_inside_for_loop(self):
        # The loop's iterator is popped after the call (SWAP 2, POP_TOP):
        # it goes with the frame.
        self.assertTail("def f(xs):\n for x in xs:\n  return g(x)",
                        ["TAIL_CALL"])
        self.assertTail("""
            def f(xs):
                for x in xs:
                    for y in x:
                        for z in y:
                            return g(z, key=1)
            """, ["TAIL_CALL_KW"])

    def test_swap_not_for_a_loop(self):
        # Only SWAP 2, POP_TOP pairs: a value used after the call is work.
        self.assertTail("def f(xs):\n for x in xs:\n  return g(x), x",
                        ["CALL"])


class HandlerTests(unittest.TestCase):
    """A call covered by an exception handler is never a tail call."""

    def assertNoTail(self, source, name="f"):
        func = compile_function(source, name)
        ops = set(opnames(func))
        self.assertFalse(ops & TAIL_OPS, dis.Bytecode(func).dis())
        self.assertTrue(ops & CALL_OPS)

    def test_try_except(self):
        self.assertNoTail("""
            def f(x):
                try:
                    return g(x)
                except ValueError:
                    pass
            """)

    def test_except_body(self):
        self.assertNoTail("""
            def f(x):
                try:
                    pass
                except ValueError:
                    return g(x)
            """)

    def test_try_finally(self):
        self.assertNoTail("""
            def f(x):
                try:
                    return g(x)
                finally:
                    print()
            """)

    def test_finally_body(self):
        # The finally body is compiled twice: on the normal path it is not
        # under a handler and its call is a tail call; on the exceptional
        # path it runs under the handler that restores the exception.
        func = compile_function("""
            def f(x):
                try:
                    pass
                finally:
                    return g(x)
            """)
        ops = [op for op in opnames(func) if op in TAIL_OPS | CALL_OPS]
        self.assertEqual(ops, ["TAIL_CALL", "CALL"])

    def test_with(self):
        self.assertNoTail("""
            def f(cm, x):
                with cm:
                    return g(x)
            """)

    def test_except_star(self):
        self.assertNoTail("""
            def f(x):
                try:
                    return g(x)
                except* ValueError:
                    pass
            """)

    def test_else_clause_is_tail(self):
        func = compile_function("""
            def f(x):
                try:
                    y = h(x)
                except ValueError:
                    return None
                else:
                    return g(y)
            """)
        self.assertIn("TAIL_CALL", opnames(func))

    def test_after_try_is_tail(self):
        func = compile_function("""
            def f(x):
                try:
                    x = h(x)
                finally:
                    pass
                return g(x)
            """)
        self.assertIn("TAIL_CALL", opnames(func))


class GeneratorFrameCompileTests(unittest.TestCase):
    """Generator and coroutine frames belong to their objects."""

    def assertNoTail(self, source, name="f"):
        func = compile_function(source, name)
        ops = set(opnames(func))
        self.assertFalse(ops & TAIL_OPS, dis.Bytecode(func).dis())
        self.assertTrue(ops & CALL_OPS)

    def test_generator(self):
        self.assertNoTail("def f(x):\n yield 1\n return g(x)")

    def test_coroutine(self):
        self.assertNoTail("async def f(x): return g(x)")

    def test_async_with(self):
        self.assertNoTail("""
            async def f(cm, x):
                async with cm:
                    return g(x)
            """)



class OpcodeTests(unittest.TestCase):

    def test_names(self):
        for name in TAIL_OPS:
            self.assertIn(name, opcode.opmap)
            self.assertEqual(dis.opname[opcode.opmap[name]], name)

    def test_upstream_numbers_unchanged(self):
        # CPython 3.13's own numbers (Include/opcode_ids.h of 3.13.5).
        upstream = {"CALL": 53, "CALL_KW": 57, "CALL_FUNCTION_EX": 54,
                    "RETURN_VALUE": 36, "UNPACK_EX": 116, "YIELD_VALUE": 118,
                    "RESUME": 149, "INSTRUMENTED_RESUME": 236,
                    "INSTRUMENTED_CALL": 244, "INSTRUMENTED_LINE": 254}
        for name, number in upstream.items():
            self.assertEqual(opcode.opmap[name], number, name)
        self.assertEqual(opcode._specialized_opmap["CALL_PY_EXACT_ARGS"], 177)
        self.assertEqual(
            opcode._specialized_opmap["UNPACK_SEQUENCE_TWO_TUPLE"], 222)

    def test_cache_entries_like_call(self):
        self.assertEqual(opcode._inline_cache_entries["TAIL_CALL"],
                         opcode._inline_cache_entries["CALL"])

    def test_dis_shows_argument(self):
        func = compile_function("def f(x): return g(x, 2)")
        [instr] = [i for i in dis.get_instructions(func)
                   if i.opname == "TAIL_CALL"]
        self.assertEqual(instr.arg, 2)
        # The next instruction, past the inline caches, is the return.
        following = [i for i in dis.get_instructions(func)
                     if i.offset > instr.offset]
        self.assertEqual(following[0].opname, "RETURN_VALUE")

    def test_magic_number(self):
        import importlib.util
        number = int.from_bytes(importlib.util.MAGIC_NUMBER[:2], "little")
        # The series' bytecode, tail awaits included: 3599, cpython-tco's
        # before them, must not load (its coroutines would not tail-await).
        self.assertEqual(number, 3598)


class DocumentedPositionsTests(unittest.TestCase):
    """docs/semantics.md shows the tail positions as a Python block whose
    returns are marked `# tail` or `# not tail`: each mark must be what the
    compiler does."""

    DOC = os.path.join(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))), "docs", "semantics.md")

    def block(self):
        with open(self.DOC, encoding="utf-8") as f:
            text = f.read()
        section = text.split("## What is a tail call", 1)[1]
        return re.search(r"```python\n(.*?)```", section, re.S).group(1)

    def test_marks_match_the_compiler(self):
        source = self.block()
        code = compile(source, "semantics.md", "exec")
        ops_by_line = {}
        todo = [code]
        while todo:
            co = todo.pop()
            for instr in dis.get_instructions(co):
                if instr.opname in TAIL_OPS | CALL_OPS:
                    ops_by_line.setdefault(instr.positions.lineno,
                                           set()).add(instr.opname)
            todo += [c for c in co.co_consts if hasattr(c, "co_code")]
        marks = 0
        for lineno, line in enumerate(source.splitlines(), 1):
            m = re.search(r"# (not tail|tail on the normal path|tail)\b",
                          line)
            if not m:
                continue
            marks += 1
            ops = ops_by_line.get(lineno, set())
            tail = ops & TAIL_OPS
            with self.subTest(line=line.strip()):
                self.assertTrue(ops, "no call on the line")
                if m.group(1) == "tail":
                    self.assertEqual(ops, tail)
                elif m.group(1) == "not tail":
                    self.assertEqual(tail, set())
                else:
                    # Compiled twice: a tail call, and an ordinary call
                    # under the handler.
                    self.assertTrue(tail)
                    self.assertTrue(ops - tail)
        self.assertGreaterEqual(marks, 20)


if __name__ == "__main__":
    unittest.main()