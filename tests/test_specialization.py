"""TAIL_CALL's family mirrors CALL's: every specialized form of CALL has a
tail twin, and a tail site specializes into it.

The first test reads the cases generator's own output (_opcode_metadata,
generated from Python/bytecodes.c), so that a rebase that adds a CALL form
fails here until the tail twin is written."""

import dis
import textwrap
import unittest

import _opcode_metadata

from tests.support.assembler import hand_made_self_tail_generator
from tests.support.chains import form

# The one CALL form without a tail twin: it needs the POP_TOP of a call
# statement after it, so is never chosen at a tail site (list.append there
# is TAIL_CALL_METHOD_DESCRIPTOR_O, below).  The cases generator maps every
# other form to its twin by name (_PyOpcode_TailForm).
NO_TWIN = {"CALL_LIST_APPEND"}
# The one tail form without a CALL twin: TAIL_CALL_PY_EXACT_ARGS at a site
# whose callee's code is the code it is in (a self tail call), which
# _Py_Specialize_Call() chooses after the twin.
TAIL_ONLY = {"TAIL_CALL_PY_SELF"}

SETUP = """
import functools
class C:
    def __init__(self, x):
        self.x = x
    def m(self, x):
        return x
    def m_default(self, x, y=1):
        return x
obj = C(0)
bound = obj.m
bound_default = obj.m_default
def g(x):
    return x
def g_default(x, y=1):
    return x
lst = [1, 2, 3]
partial_abs = functools.partial(abs)
"""

# (tail call, the form the site takes)
CASES = [
    ("g(x)", "TAIL_CALL_PY_EXACT_ARGS"),
    ("site(x - 1) if x else x", "TAIL_CALL_PY_SELF"),
    ("bound(x)", "TAIL_CALL_BOUND_METHOD_EXACT_ARGS"),
    ("g_default(x)", "TAIL_CALL_PY_GENERAL"),
    ("bound_default(x)", "TAIL_CALL_BOUND_METHOD_GENERAL"),
    ("type(x)", "TAIL_CALL_TYPE_1"),
    ("str(x)", "TAIL_CALL_STR_1"),
    ("tuple(lst)", "TAIL_CALL_TUPLE_1"),
    ("range(x)", "TAIL_CALL_BUILTIN_CLASS"),
    ("abs(x)", "TAIL_CALL_BUILTIN_O"),
    ("divmod(x, 2)", "TAIL_CALL_BUILTIN_FAST"),
    ("sorted(lst)", "TAIL_CALL_BUILTIN_FAST_WITH_KEYWORDS"),
    ("len(lst)", "TAIL_CALL_LEN"),
    ("isinstance(x, int)", "TAIL_CALL_ISINSTANCE"),
    ("lst.count(x)", "TAIL_CALL_METHOD_DESCRIPTOR_O"),
    ("lst.sort()", "TAIL_CALL_METHOD_DESCRIPTOR_FAST_WITH_KEYWORDS"),
    ("lst.copy()", "TAIL_CALL_METHOD_DESCRIPTOR_NOARGS"),
    ("lst.index(1)", "TAIL_CALL_METHOD_DESCRIPTOR_FAST"),
    ("C(x)", "TAIL_CALL_ALLOC_AND_ENTER_INIT"),
    ("partial_abs(x)", "TAIL_CALL_NON_PY_GENERAL"),
    # list.append at a tail site: not CALL_LIST_APPEND, which needs the
    # POP_TOP of a call statement after it.
    ("lst.append(x)", "TAIL_CALL_METHOD_DESCRIPTOR_O"),
]


def tail_site(expr):
    """A function whose only call is `return EXPR`, warmed up."""
    namespace = {}
    exec(SETUP + textwrap.dedent(f"""
        def site(x):
            return {expr}
    """), namespace)
    site = namespace["site"]
    for _ in range(1000):
        site(1)
    return tail_forms(site)


def tail_forms(func):
    return [i.opname for i in dis.get_instructions(func, adaptive=True)
            if "CALL" in i.opname and "INTRINSIC" not in i.opname]


class FamilyTests(unittest.TestCase):

    def test_every_call_form_has_a_tail_twin(self):
        calls = set(_opcode_metadata._specializations["CALL"])
        tails = set(_opcode_metadata._specializations["TAIL_CALL"])
        self.assertEqual({"TAIL_" + name for name in calls - NO_TWIN},
                         tails - TAIL_ONLY)
        self.assertLessEqual(NO_TWIN, calls)
        self.assertLessEqual(TAIL_ONLY, tails)

    def test_tail_sites_specialize_into_the_twins(self):
        # Each form of TAIL_CALL's family is reached by one case here.
        reached = {name for _, name in CASES}
        self.assertEqual(reached,
                         set(_opcode_metadata._specializations["TAIL_CALL"]))
        for expr, name in CASES:
            with self.subTest(expr):
                self.assertEqual(tail_site(expr), [form(name)])

    def test_no_self_form_in_a_generators_code(self):
        # A generator owns its frame, and the self form leaves the owner
        # untested: _Py_Specialize_Call() gives a generator's self tail site
        # the exact-args form, whose decision tests it.
        g = hand_made_self_tail_generator()
        for _ in range(5):
            with self.assertRaises(StopIteration) as caught:
                next(g(5))
        self.assertEqual(tail_forms(g), [form("TAIL_CALL_PY_EXACT_ARGS")])
        # The tail call made a new generator, as a call does; the running
        # one ended.
        new = caught.exception.value
        self.assertIs(new.gi_code, g.__code__)
        self.assertEqual(new.gi_frame.f_locals, {"n": 5})
        self.assertIsNone(new.gi_frame.f_back)


if __name__ == "__main__":
    unittest.main()
