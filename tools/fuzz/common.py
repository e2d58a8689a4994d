"""The fuzzer's vocabulary: the constants and templates that
generator.py and its units (shapes_*.py) draw programs from."""

import string
import textwrap

MAX_DEPTH = 3000                        # deepest chain (stock survives it)
C_DEPTH = 60                            # deepest recursion through C code

HEADER = """\
# cpython-tco fuzz program {seed}:{index}
import sys
sys.setrecursionlimit(100000)
import functools
import gc
import operator
import threading
import types
import weakref
"""

# Depths on and around the 16 frames that a chain keeps.
BOUNDARY = (0, 1, 2, 3, 15, 16, 17, 18, 19, 31, 32, 33, 34, 47, 48, 49)

# Signatures of chain functions: (parameters, lines binding n and acc).
SIGS = {
    "pos": ("(n, acc)", []),
    "default": ("(n, acc=0, k=3)", []),
    "kwonly": ("(n, *, acc)", []),
    "posonly": ("(n, acc, /)", []),
    "varargs": ("(*args)", ["n, acc = args"]),
    "varkw": ("(**kw)", ["n = kw['n']", "acc = kw['acc']"]),
    "mixed": ("(n, *args, **kw)", ["acc = args[0] if args else kw['acc']"]),
}

GOOD_ARGS = {
    "pos": ["{x}, {y}", "{x}, {y}", "{x}, acc={y}", "n={x}, acc={y}",
            "acc={y}, n={x}", "*({x}, {y})", "*[{x}], **{{'acc': {y}}}",
            "**{{'n': {x}, 'acc': {y}}}", "{x}, *[{y}]"],
    "kwonly": ["{x}, acc={y}", "{x}, acc={y}", "n={x}, acc={y}",
               "*[{x}], acc={y}", "**{{'n': {x}, 'acc': {y}}}",
               "{x}, **{{'acc': {y}}}"],
    "posonly": ["{x}, {y}", "{x}, {y}", "*({x}, {y})", "{x}, *[{y}]",
                "*[{x}, {y}], **{{}}"],
    "varargs": ["{x}, {y}", "{x}, {y}", "*({x}, {y})", "*[{x}, {y}]",
                "{x}, *({y},)"],
    "varkw": ["n={x}, acc={y}", "**{{'n': {x}, 'acc': {y}}}",
              "**dict(n={x}, acc={y})", "n={x}, **{{'acc': {y}}}"],
    "mixed": ["{x}, {y}", "{x}, {y}", "{x}, acc={y}", "*({x}, {y})",
              "{x}, **{{'acc': {y}}}"],
}
GOOD_ARGS["default"] = GOOD_ARGS["pos"] + ["{x}, {y}, 5", "{x}, {y}, k=2"]

BAD_ARGS = {
    "pos": ["{x}, {y}, 0, 0", "{x}", "{x}, {y}, bogus=1", "{x}, n={x}",
            "{x}, **({y})", "*({y})", "{x}, **{{1: {y}}}",
            "{x}, acc={y}, **{{'acc': 1}}"],
    "kwonly": ["{x}, {y}", "{x}", "{x}, acc={y}, extra=2"],
    "posonly": ["n={x}, acc={y}", "{x}", "{x}, {y}, {y}", "{x}, *({y})"],
    "varargs": ["n={x}, acc={y}", "{x}", "{x}, {y}, 1"],
    "varkw": ["{x}, {y}", "n={x}", "**({y})"],
    "mixed": ["{x}", "{x}, n={x}", "acc={y}"],
}
BAD_ARGS["default"] = BAD_ARGS["pos"]

# Expressions of n and acc (ints) that make the next accumulator.
OPS = ["acc + n", "(acc * 31 + n) % 1000003", "acc ^ (n * 7)", "acc - n % 5",
       "(acc + n * n) % 65521", "acc + 1", "max(acc, n % 97)",
       "abs(acc - n)"]

# What a chain returns at its bottom; C callees in tail position, some of
# which raise.
BASES = ["acc", "acc", "acc", "(acc, n)", "str(acc)", "len(str(acc))",
         "[acc, n]", "abs(acc)", "divmod(acc, 97)", "isinstance(acc, int)",
         "sorted([acc % 10, 3, 7])", "max(acc, 5)", "dict(acc=acc)",
         "int(str(acc))", "hex(acc)", "'{}:{}'.format('done', acc)",
         "acc.bit_length()", "functools.reduce(operator.add, [acc, 1, 2])",
         "tuple([acc])", "min(acc, n, key=abs)", "str(acc).zfill(8)",
         "type(acc)(acc)", "float(acc)", "repr(acc)", "bool(acc)",
         "operator.mul(acc, 3)", "sum([acc, n, 1])", "print('base', acc)",
         "[acc].append(n)", "isinstance(acc, (str, bytes))",
         "list(range(acc % 4))", "'-'.join(['x', str(acc)])",
         "sorted(locals())", "locals()", "dir()", "eval('n + acc')",
         "len(vars())", "exec('acc + 1')", "sys._getframe().f_code.co_name",
         "sys.exception()"]
BAD_BASES = ["len(acc)", "int('x%d' % acc)", "max([])", "sorted([acc, 'a'])",
             "getattr(acc, 'nope')", "{}[acc]", "divmod(acc, 0)", "acc(n)",
             "(acc).nope()", "[][acc]", "int.from_bytes(acc)",
             "str(acc, 'ascii')"]

CONDS = ["n % 2", "n % 3 == 0", "acc % 2", "n > 100", "n in (16, 17)",
         "n % 5 < 2"]
EVERY = ["n % 97 == 0", "n % 250 == 0", "n % 500 == 1", "n < 3",
         "n in (15, 16, 17)", "n == 40", "n % 1000 == 0"]
CATCH = ["Exception", "ValueError", "KeyError", "LookupError",
         "ArithmeticError", "TypeError", "Boom_$u", "(Boom_$u, KeyError)",
         "(IndexError, AttributeError)"]

# Callables for a polymorphic call site, with an argument that suits them
# (or, for some, that makes them raise).
POLY1 = [("len", "'abcd'"), ("str", "12"), ("abs", "-7"), ("py_$u", "41"),
         ("lambda v: v * 3", "5"), ("Box_$u", "9"), ("Box_$u(2).get", "5"),
         ("Box_$u.make", "3"), ("Box_$u.twice", "4"), ("Mul_$u(3)", "7"),
         ("functools.partial(pow, 2)", "10"), ("str.upper", "'abc'"),
         ("tuple", "[1, 2]"), ("type", "3.5"), ("repr", "'q'"),
         ("sorted", "'cba'"), ("list", "range(3)"), ("bool", "0"),
         ("int", "'17'"), ("float", "'2.5'"), ("hex", "255"),
         ("'-'.join", "['a', 'b']"), ("[].append", "1"),
         ("dict.fromkeys", "'ab'"), ("len", "5"), ("int", "'x'"),
         ("py_$u", "'s'"), ("None", "1"), ("Mul_$u", "2"),
         ("walk_$u", "3"), ("Box_$u(1).get", "'z'"), ("isinstance", "1")]
POLYN = [("max", "3, 9, 2"), ("isinstance", "3, int"), ("divmod", "17, 5"),
         ("py_$u", ""), ("Box_$u", "1, 2"), ("walk_$u", "$D, 0"),
         ("walk_$u", "17, 1"), ("min", ""), ("Box_$u(4).get", "6"),
         ("functools.partial(walk_$u, 20)", "0"), ("pow", "2, 8, 7"),
         ("Mul_$u(2)", "21"), ("operator.add", "'a', 'b'")]
POLYKW = [("sorted", "[3, 1, 2], reverse=True"), ("int", "'ff', base=16"),
          ("py_$u", "1, y=2"), ("walk_$u", "$D, acc=5"),
          ("Box_$u.make", "x=3"), ("dict", "1, a=2"),
          ("functools.partial(walk_$u, acc=1)", "40"),
          ("max", "[1, 5], key=operator.neg")]

# Arguments for a C callee in tail position.
C_VALUES = ["5", "-3", "'abc'", "''", "[3, 1, 2]", "(1, 2)", "[]", "None",
            "2.5", "{'k': 1}", "b'xy'"]
C_EXPRS = ["len(x)", "isinstance(x, int)", "isinstance(x, (str, list))",
           "str(x)", "repr(x)", "sorted(x)", "dict(v=x)", "max(x)",
           "min(x, default=None)", "tuple(x)", "list(x)", "type(x)",
           "abs(x)", "bool(x)", "divmod(x, 3)", "pow(x, 2)", "sum(x)",
           "any(x)", "'{}!'.format(x)", "', '.join(map(str, x))",
           "operator.itemgetter(0)(x)", "hash(x)", "x.__class__.__name__",
           "getattr(x, 'real', 'none')", "functools.partial(max, x)()",
           "int(x)", "float(x)", "str(x).upper()", "x.count(1)",
           "[x].append(x)", "operator.add(x, x)", "callable(x)",
           "frozenset([x]).__len__()", "ord(x)", "chr(x)"]

SIGNATURES = [
    ("(a, b=2, /, c=3, *, d=4, **kw)", "(a, b, c, d, sorted(kw.items()))"),
    ("(a, b, c=3)", "(a, b, c)"),
    ("(a, *rest, d)", "(a, rest, d)"),
    ("(*, a, b=1)", "(a, b)"),
    ("(a, /, *args, **kw)", "(a, args, sorted(kw))"),
]
ARG_LISTS = ["", "1", "1, 2", "1, 2, 3", "1, 2, 3, 4", "1, c=5", "a=1",
             "1, d=7", "1, 2, 3, d=5, e=6", "1, b=2", "*(1, 2)",
             "*[1], **{'c': 9}", "**{'a': 1}", "1, **{'d': 2, 'z': 3}",
             "1, *5", "1, **5", "1, **{1: 2}", "1, c=1, **{'c': 2}",
             "*'ab'", "1, *range(2)", "a=1, d=2", "1, 2, d=3",
             "*(1, 2), d=0", "**{'a': 1, 'd': 2}"]


def T(template, **kw):
    """A dedented code template with $names substituted."""
    text = textwrap.dedent(template).strip("\n")
    return string.Template(text).substitute(
        {k: str(v) for k, v in kw.items()})


def indent(lines, n=1):
    return ["    " * n + line if line else line for line in lines]
