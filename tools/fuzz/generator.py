"""The fuzzer's programs: program N of seed S comes from
random.Random("S:N") alone (generate())."""

import random
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


class Gen:
    """Generates one program from a random.Random."""

    def __init__(self, rng, max_depth=MAX_DEPTH):
        self.r = rng
        self.max_depth = max_depth

    # -- random helpers --------------------------------------------------

    def chance(self, p):
        return self.r.random() < p

    def pick(self, seq):
        return self.r.choice(seq)

    def weighted(self, table):
        names = list(table)
        return self.r.choices(names, [table[n] for n in names])[0]

    def depth(self, cap=None):
        cap = self.max_depth if cap is None else min(cap, self.max_depth)
        if self.chance(0.35):
            return self.pick([d for d in BOUNDARY if d <= cap])
        return self.r.randint(min(50, cap), cap)

    def depths(self, cap=None, k=None):
        return [self.depth(cap) for _ in range(k or self.r.randint(1, 3))]

    def step(self):
        return self.pick(["n - 1"] * 6 + ["n - 2", "n - 3"])

    def base(self):
        return self.pick(BAD_BASES if self.chance(0.07) else BASES)

    # -- the program -----------------------------------------------------

    UNITS = {"chain": 6, "methods": 2, "lambdas": 1.5, "closures": 1.5,
             "poly": 1.5, "ctor": 1.5, "gen": 1.5, "coro": 1, "exc": 1.5,
             "args": 1.5, "ccallee": 1.5, "cmed": 1, "decorator": 1,
             "trace": 1, "with": 1, "state": 1, "frames": 1.5,
             "finalizer": 1, "dunder": 1.5, "rebind": 1, "threads": 0.5,
             "selfrec": 2, "loops": 1.5, "callables": 1.5, "meddle": 1.5,
             "async": 1.5}
    ENDINGS = {"none": 45, "unguarded": 20, "boom": 15, "exit": 10,
               "badcall": 10}

    def program(self, seed, index, units=None, kinds=None):
        parts = [HEADER.format(seed=seed, index=index)]
        count = units or self.r.randint(3, 6)
        table = {k: self.UNITS[k] for k in kinds} if kinds else self.UNITS
        for u in range(count):
            kind = self.weighted(table)
            parts.append(f"# unit {u}: {kind}")
            parts.append(getattr(self, "unit_" + kind)(u) + "\n")
        ending = self.weighted(self.ENDINGS)
        for u in range(count):
            if ending == "unguarded" and u == count - 1:
                parts.append(f"run_{u}()")
            else:
                parts.append(T("""
                    try:
                        run_$u()
                    except Exception as e:
                        print('run_$u raised', type(e).__name__, e)
                    """, u=u))
        parts.append(self.ending(ending, count))
        return "\n".join(parts).rstrip() + "\n"

    def ending(self, kind, u):
        if kind == "boom":
            return T("""
                def boom_$u(n):
                    if n <= 0:
                        raise $EXC
                    return boom_$u(n - 1)
                print('boom', boom_$u($D))
                """, u=u, D=self.depth(),
                     EXC=self.pick(["ValueError('the end')", "KeyError(7)",
                                    "RuntimeError('end %d' % n)",
                                    "ZeroDivisionError()",
                                    "StopIteration('s')"]))
        if kind == "exit":
            return T("""
                def quit_$u(n):
                    return sys.exit($CODE) if n <= 0 else quit_$u(n - 1)
                print('quitting')
                quit_$u($D)
                print('not reached')
                """, u=u, D=self.depth(),
                     CODE=self.pick(["0", "1", "3", "None", "'bye'"]))
        if kind == "badcall":
            return T("""
                def bad_$u(n):
                    return bad_$u(n - 1) if n > 0 else $CALL
                print(bad_$u($D))
                """, u=u, D=self.depth(),
                     CALL=self.pick(["len(1, 2)", f"bad_{u}()",
                                     f"bad_{u}(1, 2)", f"bad_{u}(m=1)",
                                     "int('nope')", "(1).foo()"]))
        return ""

    # -- units -----------------------------------------------------------
    # Each unit returns code that defines run_<u>(), which prints.

    def unit_chain(self, u):
        """Self and mutual recursion through functions of every signature,
        called in every way, with prints, raises, wrong calls, guards."""
        k = self.r.randint(1, 4)
        names = [f"f{i}_{u}" for i in range(k)]
        self.styles = {name: self.pick(list(SIGS)) for name in names}
        self.c_med = False
        lines = []
        for name in names:
            lines += self.chain_func(u, name, names) + [""]
        helpers = T("""
            class Boom_$u(Exception):
                pass

            HOPS_$u = 0
            HELD_$u = []

            def show_held_$u():
                for f in HELD_$u[:$SHOW]:
                    print('held', f.f_code.co_name,
                          f.f_lineno - f.f_code.co_firstlineno,
                          sorted(f.f_locals.items()))
                print('held frames', len(HELD_$u))
                HELD_$u.clear()

            class Relay_$u:
                def __init__(self, fn):
                    self.fn = fn

                def __call__(self, *args, **kwargs):
                    return self.fn(*args, **kwargs)

            class CM_$u:
                def __init__(self, tag, n, swallow=()):
                    self.tag = tag
                    self.n = n
                    self.swallow = swallow

                def __enter__(self):
                    if self.n % 500 == 0:
                        print('enter', self.tag, self.n)
                    return self

                def __exit__(self, typ, val, tb):
                    if typ is not None and issubclass(typ, self.swallow):
                        print('swallow', self.tag, self.n, typ.__name__)
                        return True
                    return False
            """, u=u, SHOW=self.pick([3, 10, 40]))
        table = ", ".join(f"{n!r}: {n}" for n in names)
        ns = "\n".join(f"    {n} = staticmethod({n})" for n in names)
        cap = C_DEPTH if self.c_med else None
        driver = ["def run_%d():" % u, "    try:"]
        for d in self.depths(cap):
            call = self.call(u, names[0], str(d), str(self.r.randint(0, 9)),
                             allow_c=False)
            driver.append(f"        print('chain', {d}, {call})")
        driver += [f"        print('hops', HOPS_{u})", "    finally:",
                   f"        show_held_{u}()"]
        return "\n".join([helpers, ""] + lines + [
            f"TBL_{u} = {{{table}}}", "", f"class NS_{u}:", ns, "",
            f"NSI_{u} = NS_{u}()", ""] + driver)

    def chain_func(self, u, name, names):
        head, unpack = SIGS[self.styles[name]]
        body = list(unpack)
        if self.chance(0.15):
            body += [f"if {self.pick(EVERY + ['True', 'n % 7 == 0'])}:",
                     f"    HELD_{u}.append(sys._getframe())"]
        if self.chance(0.3):
            body += [f"global HOPS_{u}", f"HOPS_{u} += 1"]
        if self.chance(0.5):
            body += [f"if {self.pick(EVERY)}:", f"    print({name!r}, n, acc)"]
        if self.chance(0.25):
            body += [f"if n == {self.depth()}:",
                     "    " + self.raise_stmt(u, name)]
        if self.chance(0.07):
            target = self.pick(names)
            args = self.pick(BAD_ARGS[self.styles[target]]).format(
                x=self.step(), y="acc")
            call = self.pick([f"{self.ref(u, target, True)}({args})",
                              "(acc)(n)"])
            body += [f"if n == {self.depth()}:", f"    return {call}"]
        body += ["if n <= 0:", f"    return {self.base()}"]
        body += [f"acc = {self.pick(OPS)}"]
        body += self.tail(u, name, names)
        return [f"def {name}{head}:"] + indent(body)

    def raise_stmt(self, u, name):
        return self.pick([
            f"raise Boom_{u}('{name} %d' % n)", "raise ValueError(n)",
            f"raise KeyError({name!r})", "raise LookupError('deep')",
            "acc = 1 // (n - n)", "acc = [][n]", "acc = None.real",
            "raise StopIteration(n)", "raise TypeError('typed', n)"])

    def ref(self, u, target, allow_c):
        """An expression that evaluates to the function named target."""
        if self.chance(0.55):
            return target
        forms = [f"TBL_{u}[{target!r}]", f"NS_{u}.{target}",
                 f"NSI_{u}.{target}", f"globals()[{target!r}]",
                 f"(lambda *a, **k: {target}(*a, **k))"]
        if allow_c:
            forms += [f"functools.partial({target})", f"Relay_{u}({target})"]
        ref = self.pick(forms)
        if ref.startswith(("functools", "Relay")):
            self.c_med = True
        return ref

    def call(self, u, target, x, y, allow_c=True):
        args = self.pick(GOOD_ARGS[self.styles[target]]).format(x=x, y=y)
        return f"{self.ref(u, target, allow_c)}({args})"

    TAILS = {"plain": 6, "ifexp": 2, "ifstmt": 2, "and": 1, "or": 1,
             "while": 1, "match": 1, "alias": 1, "eval": 0.3, "for": 0.5,
             "try_except": 1, "try_finally": 1, "with": 1,
             "finally_tail": 0.5, "except_tail": 0.7, "after_try": 0.7,
             "after_trystar": 0.3,
             "assign": 0.5, "listwrap": 0.3, "iife": 0.7}

    def tail(self, u, name, names):
        """The statements that end a chain function: mostly tail calls,
        some calls that look like tail calls but are not."""
        def c():
            return self.call(u, self.pick(names), self.step(), "acc")
        form = self.weighted(self.TAILS)
        cond = self.pick(CONDS)
        if form == "ifexp":
            return [f"return {c()} if {cond} else {c()}"]
        if form == "ifstmt":
            return [f"if {cond}:", f"    return {c()}", f"return {c()}"]
        if form == "and":
            return [f"return n > 0 and {c()}"]
        if form == "or":
            return [f"return n <= 0 or {c()}"]
        if form == "while":
            return ["while True:", f"    return {c()}"]
        if form == "match":
            return ["match n % 3:", "    case 0:", f"        return {c()}",
                    "    case 1:", f"        return {c()}", "    case _:",
                    f"        return {c()}"]
        if form == "alias":
            target = self.pick(names)
            args = self.pick(GOOD_ARGS[self.styles[target]]).format(
                x=self.step(), y="acc")
            return [f"g = {self.ref(u, target, True)}", f"return g({args})"]
        if form == "eval":
            self.c_med = True
            return [f"return eval({c()!r})"]
        if form == "for":
            return ["for _ in range(1):", f"    return {c()}"]
        if form == "try_except":
            return ["try:", f"    return {c()}",
                    f"except {self.pick(CATCH).replace('$u', str(u))} as e:",
                    f"    print({name!r}, 'caught', n, type(e).__name__, e)",
                    "    return acc"]
        if form == "try_finally":
            return ["try:", f"    return {c()}", "finally:",
                    f"    if {self.pick(EVERY)}:",
                    f"        print({name!r}, 'finally', n)"]
        if form == "with":
            swallow = self.pick(["()", "(ValueError,)", "Exception",
                                 f"Boom_{u}", "(KeyError, TypeError)"])
            return [f"with CM_{u}({name!r}, n, {swallow}):",
                    f"    return {c()}", "return ('suppressed', n)"]
        if form == "finally_tail":
            first = self.pick([["acc += 1"], ["if n == 3:",
                                              "    raise ValueError('lost')"]])
            return ["try:"] + indent(first) + ["finally:",
                                               f"    return {c()}"]
        if form == "except_tail":
            return ["try:", "    if n % 4 == 0:", "        raise KeyError(n)",
                    "except KeyError:", f"    return {c()}", f"return {c()}"]
        if form == "after_try":
            return ["try:", "    acc += 1 // (n % 5)",
                    "except ZeroDivisionError as e:",
                    "    acc += len(str(e))", f"return {c()}"]
        if form == "after_trystar":
            return ["try:", "    if n % 3 == 0:",
                    "        raise ExceptionGroup('g', [ValueError(n), "
                    "KeyError(n)])",
                    "except* ValueError as eg:",
                    "    acc += len(eg.exceptions)",
                    "except* KeyError:", "    acc -= 1", f"return {c()}"]
        if form == "assign":
            return [f"r = {c()}", "return r"]
        if form == "listwrap":
            return [f"return [{c()}][0]"]
        if form == "iife":
            target = self.pick(names)
            args = self.pick(GOOD_ARGS[self.styles[target]]).format(
                x="m", y="a")
            return [f"return (lambda m, a: {self.ref(u, target, False)}"
                    f"({args}))({self.step()}, acc)"]
        return [f"return {c()}"]

    def unit_methods(self, u):
        """Instance, class and static methods calling each other, a
        subclass overriding some with super(), __call__, __init__ tail
        calls."""
        k = self.r.randint(2, 4)
        kinds = ["inst"] + [self.pick(["inst", "inst", "cls", "static"])
                            for _ in range(k - 1)]
        A, B = f"A_{u}", f"B_{u}"
        lines = [f"class {A}:", "    def __init__(self, k):",
                 "        self.k = k"]
        if self.chance(0.4):
            lines += ["        return (self.check(k) if k != 13 "
                      "else 'thirteen')",
                      "", "    def check(self, k):",
                      "        return None if k <= 0 else self.check(k - 1)"]
        for i, kind in enumerate(kinds):
            lines += [""] + indent(self.method(u, i, kind, kinds))
        lines += ["", "    def __call__(self, n, acc):",
                  "        return self.m0(n, acc)", ""]
        lines += [f"class {B}({A}):"]
        over = [i for i in range(k) if self.chance(0.5)]
        if not over:
            lines.append("    pass")
        for i in over:
            kind = kinds[i]
            if kind == "inst":
                up = self.pick([f"super().m{i}(n, acc + 1)",
                                f"{A}.m{i}(self, n, acc)",
                                f"super().m{i}(n=n, acc=acc)"])
                lines += indent([f"def m{i}(self, n, acc):",
                                 f"    if {self.pick(EVERY)}:",
                                 f"        print('B.m{i}', n)",
                                 f"    return {up}", ""])
            elif kind == "cls":
                lines += indent(["@classmethod", f"def m{i}(cls, n, acc):",
                                 f"    return super().m{i}(n, acc ^ 1)", ""])
            else:
                lines += indent(["@staticmethod", f"def m{i}(n, acc):",
                                 f"    return {A}.m{i}(n, acc + 2)", ""])
        driver = [f"def run_{u}():",
                  f"    a = {A}({self.r.randint(0, 20)})",
                  f"    b = {B}({self.r.randint(0, 20)})"]
        for d in self.depths():
            j = self.r.randrange(k)
            who = "b" if kinds[j] == "inst" else self.pick([A, B])
            driver += [f"    print('a', {d}, a.m0({d}, 0))",
                       f"    print('b', {d}, {who}.m{j}({d}, 1))",
                       f"    print('call', {d}, b({d}, 2))"]
        driver += ["    try:", f"        print('k13', {A}(13).k)",
                   "    except TypeError as e:", "        print('k13', e)"]
        return "\n".join(lines + driver)

    def method(self, u, i, kind, kinds):
        A, B = f"A_{u}", f"B_{u}"
        if kind == "inst":
            head = [f"def m{i}(self, n, acc):"]
        elif kind == "cls":
            head = ["@classmethod", f"def m{i}(cls, n, acc):"]
        else:
            head = ["@staticmethod", f"def m{i}(n, acc):"]

        def hop():
            j = self.r.randrange(len(kinds))
            s, tk, K = self.step(), kinds[j], self.r.randint(0, 20)
            if kind == "inst":
                forms = {
                    "inst": [f"self.m{j}({s}, acc)",
                             f"type(self).m{j}(self, {s}, acc)",
                             f"{A}.m{j}(self, {s}, acc)",
                             f"getattr(self, 'm{j}')({s}, acc)",
                             f"self.m{j}(n={s}, acc=acc)",
                             f"self.m{j}(*({s}, acc))"],
                    "cls": [f"self.m{j}({s}, acc)",
                            f"type(self).m{j}({s}, acc)",
                            f"{A}.m{j}({s}, acc=acc)"],
                    "static": [f"self.m{j}({s}, acc)", f"{A}.m{j}({s}, acc)",
                               f"type(self).m{j}(**{{'n': {s}, "
                               f"'acc': acc}})"]}[tk]
            elif kind == "cls":
                forms = {"inst": [f"cls({K}).m{j}({s}, acc)"],
                         "cls": [f"cls.m{j}({s}, acc)"],
                         "static": [f"cls.m{j}({s}, acc)"]}[tk]
            else:
                forms = {"inst": [f"{A}({K}).m{j}({s}, acc)",
                                  f"{B}({K}).m{j}({s}, acc)"],
                         "cls": [f"{A}.m{j}({s}, acc)",
                                 f"{B}.m{j}({s}, acc)"],
                         "static": [f"{A}.m{j}({s}, acc)"]}[tk]
            return self.pick(forms)
        body = []
        if self.chance(0.4):
            body += [f"if {self.pick(EVERY)}:",
                     f"    print('A.m{i}', n, acc)"]
        body += ["if n <= 0:", f"    return {self.base()}"]
        op = self.pick(OPS)
        body.append(f"acc = {op}" + (" + self.k" if kind == "inst" else ""))
        if self.chance(0.3):
            body.append(f"return {hop()} if {self.pick(CONDS)} else {hop()}")
        else:
            body.append(f"return {hop()}")
        return head + indent(body)

    def unit_lambdas(self, u):
        """Global lambdas recursing into each other."""
        k = self.r.randint(1, 3)
        styles = [self.pick(["pos", "default", "kwonly", "varargs"])
                  for _ in range(k)]

        def call(j, x, y):
            st = styles[j]
            if st == "kwonly":
                return f"L{j}_{u}({x}, acc={y})"
            return f"L{j}_{u}({x}, {y})"
        lines = []
        for i, st in enumerate(styles):
            c1 = call(self.r.randrange(k), self.step(), self.pick(OPS))
            c2 = call(self.r.randrange(k), self.step(), self.pick(OPS))
            body = self.pick([
                f"acc if n <= 0 else {c1}",
                f"{c1} if n > 0 else {self.base()}",
                f"{self.base()} if n <= 0 else ({c1} if "
                f"{self.pick(CONDS)} else {c2})",
                f"acc if n <= 0 else (lambda: {c1})()"])
            params = {"pos": "n, acc", "default": "n, acc=0",
                      "kwonly": "n, *, acc", "varargs": "*a"}[st]
            if st == "varargs":
                lines.append(f"L{i}_{u} = lambda *a: (lambda n, acc: "
                             f"{body})(*a)")
            else:
                lines.append(f"L{i}_{u} = lambda {params}: {body}")
        driver = [f"def run_{u}():"]
        for d in self.depths():
            driver.append(f"    print('lambda', {d}, {call(0, d, 0)})")
        return "\n".join(lines + [""] + driver)

    def unit_closures(self, u):
        """Closures over the frames that tail calls replace."""
        return T("""
            def make_$u(k):
                count = 0

                def even(n, acc):
                    nonlocal count
                    count += 1
                    if n <= 0:
                        return (acc, count)
                    return odd(n - 1, acc + k)

                def odd(n, acc):
                    return (acc, count) if n <= 0 else even(n - 1, $OP)
                return $STEP

            def collect_$u(n, fns):
                if n <= 0:
                    return sum(f() for f in fns)
                x = n * n % 97
                fns.append(lambda: x)
                return collect_$u(n - 1, fns)

            def outer_$u(a):
                def mid(b):
                    def inner(n, acc):
                        if n <= 0:
                            return acc
                        return inner(n - 1, (acc + a * b) % 10007)
                    return inner
                return mid

            def spread_$u(n, k):
                def again(m):
                    return spread_$u(m, k + 1)
                return (n, k) if n <= 0 else again(n - 1)

            def run_$u():
                f = make_$u($K)
                print('closure', f($D1, 1))
                print('closure again', f($D2, 2))
                print('collect', collect_$u($D3, []))
                print('nested', outer_$u(3)(4)($D1, 0))
                print('spread', spread_$u($D2, 0))
            """, u=u, K=self.r.randint(1, 9), OP=self.pick(OPS),
                 STEP=self.pick(["even", "odd",
                                 "lambda n, acc=0: even(n, acc)",
                                 "functools.partial(odd)"]),
                 D1=self.depth(), D2=self.depth(), D3=self.depth(1000))

    def unit_poly(self, u):
        """Call sites that see many kinds of callee (Python functions,
        builtins, classes, bound methods, partials, __call__), so that they
        specialize and deoptimize."""
        d = self.depth()
        cases = []
        for _ in range(self.r.randint(6, 16)):
            roll = self.r.random()
            if roll < 0.55:
                fn, arg = self.pick(POLY1)
                cases.append(f"lambda: apply1_$u({fn}, {arg})")
            elif roll < 0.85:
                fn, args = self.pick(POLYN)
                sep = ", " if args else ""
                cases.append(f"lambda: apply_$u({fn}{sep}{args})")
            else:
                fn, args = self.pick(POLYKW)
                cases.append(f"lambda: applykw_$u({fn}, {args})")
        table = "\n".join(f"    ({i}, {c})," for i, c in enumerate(cases))
        code = T("""
            def apply_$u(fn, *args):
                return fn(*args)

            def apply1_$u(fn, x):
                return fn(x)

            def applykw_$u(fn, *args, **kw):
                return fn(*args, **kw)

            class Mul_$u:
                def __init__(self, k):
                    self.k = k

                def __call__(self, x):
                    return x * self.k

            class Box_$u:
                def __init__(self, v):
                    self.v = v

                def get(self, x):
                    return self.v + x

                @classmethod
                def make(cls, x):
                    return cls(x)

                @staticmethod
                def twice(x):
                    return x * 2

                def __repr__(self):
                    return 'Box_$u(%r)' % (self.v,)

            def py_$u(x):
                return x + 1

            def walk_$u(n, acc=0):
                if n <= 0:
                    return acc
                return apply_$u(walk_$u, n - 1, acc + 1)

            CASES_$u = [
            $TABLE
            ]

            def run_$u():
                for i in range($R):
                    for label, thunk in CASES_$u:
                        try:
                            print(label, thunk())
                        except Exception as e:
                            print(label, type(e).__name__, e)
            """, u=u, TABLE="@@TABLE@@", R=self.r.randint(1, 4))
        return code.replace("@@TABLE@@", table).replace(
            "$u", str(u)).replace("$D", str(d))

    def unit_ctor(self, u):
        """`return Cls(x)` in tail position, __init__ and __new__ that make
        tail calls (deep ones too), __init__ returning non-None."""
        bad = self.r.randint(0, 40) if self.chance(0.2) else -7
        init_tail = self.pick([
            f"check_{u}(v)", "self.setup(v * 7 % 2000)", "self.setup(v % 20)",
            "None", f"print('init', v) if v == 7 else check_{u}(v)",
            f"self.setup_bad(v % 30) if v == {bad} else None"])
        return T("""
            class Node_$u:
                def __init__(self, v, nxt):
                    self.v = v
                    self.nxt = nxt
                    return $INIT_TAIL

                def setup(self, k):
                    return None if k <= 0 else self.setup(k - 1)

                def setup_bad(self, k):
                    return k if k <= 0 else self.setup_bad(k - 1)

            class Sub_$u(Node_$u):
                def __init__(self, v):
                    return super().__init__(v, None)

            def check_$u(v):
                if v == $BAD:
                    return v
                return None

            def build_$u(n, node):
                if n <= 0:
                    return node
                return build_$u(n - 1, Node_$u(n, node))

            def make_$u(n):
                return Node_$u(n, None) if n <= 0 else make_$u(n - 1)

            def mksub_$u(n):
                return Sub_$u(n) if n <= 0 else mksub_$u(n - 1)

            def mkbad_$u(n):
                return Node_$u(n) if n <= 0 else mkbad_$u(n - 1)

            def length_$u(node, k):
                return k if node is None else length_$u(node.nxt, k + 1)

            def total_$u(node, acc):
                if node is None:
                    return acc
                return total_$u(node.nxt, (acc + node.v) % 100003)

            class Pair_$u(tuple):
                def __new__(cls, a, b):
                    return super().__new__(cls, (a, b))

            class Sing_$u:
                def __new__(cls, n):
                    return make_inst_$u(cls, n)

                def __init__(self, n):
                    self.n = n

            def make_inst_$u(cls, n):
                if n <= 0:
                    return object.__new__(cls)
                return make_inst_$u(cls, n - 1)

            def run_$u():
                node = build_$u($D1, None)
                print('built', length_$u(node, 0), total_$u(node, 0))
                print('made', make_$u($D2).v)
                for i in range(4):
                    print('again', make_$u(i * 9).v, mksub_$u(i * 7).nxt)
                try:
                    mkbad_$u($D3)
                except TypeError as e:
                    print('bad', e)
                print('pair', Pair_$u(1, 2), type(Pair_$u(3, 4)).__name__)
                print('single', Sing_$u($D3).n)
                for v in ($BAD, 1, $BAD):
                    try:
                        print('node', Node_$u(v, None).v)
                    except TypeError as e:
                        print('node', v, e)
                try:
                    Node_$u(1)
                except TypeError as e:
                    print('missing', e)
            """, u=u, D1=self.depth(), D2=self.depth(), D3=self.depth(),
                 BAD=bad, INIT_TAIL=init_tail)

    def unit_gen(self, u):
        """Generators returning calls (not tail calls), driven with next()
        and send(); tail calls that make generators; throw()."""
        return T("""
            def leaf_$u(n, acc):
                if n <= 0:
                    return acc
                return leaf_$u(n - 1, $OP)

            def gen_$u(m):
                total = 0
                for i in range(m):
                    got = yield leaf_$u(i * $SCALE, i)
                    if got is not None:
                        total += got
                    if i == $RAISE_AT:
                        raise $EXC
                return leaf_$u(total % 50, total)

            def sub_$u(m):
                r = yield from gen_$u(m)
                return ('sub', r)

            def mk_$u(n, m):
                return gen_$u(m) if n <= 0 else mk_$u(n - 1, m)

            def tailgen_$u(n):
                yield n
                return leaf_$u(n, 0)

            def catcher_$u(n):
                try:
                    yield n
                except ValueError as e:
                    print('caught in generator', e)
                    return leaf_$u(n, 1)
                return 0

            def run_$u():
                g = $MAKE
                v = next(g)
                while True:
                    print('yield', v)
                    try:
                        v = g.send(v % 11 if isinstance(v, int) else 1)
                    except StopIteration as e:
                        print('return', e.value)
                        break
                print('sum', sum(leaf_$u(i, 0) for i in range($K)))
                print('list', list(tailgen_$u($K2)))
                c = catcher_$u($D)
                print('first', next(c))
                try:
                    c.throw(ValueError('thrown'))
                except StopIteration as e:
                    print('catcher', e.value)
            """, u=u, OP=self.pick(OPS), SCALE=self.r.randint(1, 300),
                 RAISE_AT=self.pick([-1, -1, 0, 2, 5]),
                 EXC=self.pick(["ValueError('gen %d' % i)", "StopIteration(i)",
                                "KeyError(i)"]),
                 MAKE=self.pick([f"gen_{u}({self.r.randint(1, 8)})",
                                 f"sub_{u}({self.r.randint(1, 8)})",
                                 f"mk_{u}({self.depth()}, "
                                 f"{self.r.randint(1, 8)})"]),
                 K=self.r.randint(0, 30), K2=self.depth(), D=self.depth())

    def unit_coro(self, u):
        """Coroutines awaiting each other, a custom awaitable, tail calls
        that make coroutines, driven with send(None)."""
        return T("""
            class Tick_$u:
                def __init__(self, v):
                    self.v = v

                def __await__(self):
                    r = yield self.v
                    return r

            def chain_$u(n, acc):
                return acc if n <= 0 else chain_$u(n - 1, $OP)

            async def leaf_$u(n):
                x = await Tick_$u(n)
                return chain_$u(n * $SCALE, x if x is not None else 0)

            async def co_$u(n, acc):
                if n <= 0:
                    return await leaf_$u(acc % 5)
                if n % $EVERY == 0:
                    acc += await Tick_$u(n)
                if n == $RAISE_AT:
                    raise ValueError('coroutine %d' % n)
                return await co_$u(n - 1, acc + 1)

            def start_$u(n):
                return start_$u(n - 1) if n > 0 else co_$u($R, 0)

            async def outer_$u():
                try:
                    return await start_$u($D)
                except ValueError as e:
                    return 'caught %s' % e

            def run_$u():
                c = $MAKE
                v = None
                try:
                    while True:
                        y = c.send(v)
                        print('tick', y)
                        v = y * 2 if isinstance(y, int) else 0
                except StopIteration as e:
                    print('done', e.value)
            """, u=u, OP=self.pick(OPS), SCALE=self.r.randint(1, 500),
                 EVERY=self.r.randint(2, 9), RAISE_AT=self.pick([-1, -1, 3]),
                 R=self.r.randint(0, 60), D=self.depth(),
                 MAKE=self.pick([f"start_{u}({self.depth()})",
                                 f"outer_{u}()"]))

    def unit_async(self, u):
        """Chains of tail awaits under asyncio: mutual recursion, suspension
        along the way, tasks, gather, cancellation, exceptions, a Future
        or a custom awaitable at the bottom, and finalizers of the ended
        coroutines' locals."""
        bottom = self.pick([
            "await asyncio.sleep(0)",
            "await Tick_$u()",
            "await asyncio.get_running_loop().create_future() if n < -99 "
            "else None",
            "await fut_$u(n)",
            "raise ValueError('bottom %d' % n)",
            "raise StopIteration('s')",
            "log_$u.append(len(asyncio.current_task().get_stack()) < 60)",
        ])
        return T("""
            import asyncio

            class Tick_$u:
                def __await__(self):
                    yield

            class D_$u:
                def __init__(self, i):
                    self.i = i

                def __del__(self):
                    log_$u.append(('del', self.i))

            log_$u = []

            async def fut_$u(n):
                f = asyncio.get_running_loop().create_future()
                asyncio.get_running_loop().call_soon(
                    lambda: f.done() or f.set_result(n))
                return await f

            async def ping_$u(n, acc):
                $LOCAL
                if n % $EVERY == 0:
                    await asyncio.sleep(0)
                if n <= 0:
                    $BOTTOM
                    return acc
                return await pong_$u($STEP, $OP)

            async def pong_$u(n, acc):
                if n <= 0:
                    return await ping_$u(n, acc)
                return await ping_$u($STEP, acc + 1)

            async def main_$u():
                results = []
                for n in $DEPTHS:
                    task = asyncio.create_task(ping_$u(n, 0))
                    if $CANCEL:
                        await asyncio.sleep(0)
                        task.cancel()
                    got = await asyncio.gather(task, pong_$u(n // 2, 1),
                                               return_exceptions=True)
                    results.append([r if not isinstance(r, BaseException)
                                    else (type(r).__name__, str(r))
                                    for r in got])
                return results

            def run_$u():
                print('async', asyncio.run(main_$u()))
                print('log', len(log_$u), log_$u[:4], log_$u[-4:])
            """, u=u, BOTTOM=T(bottom, u=u).strip(), EVERY=self.r.randint(2, 400),
                 STEP=self.step(), OP=self.pick(OPS),
                 # The StopIteration that a coroutine turns into a
                 # RuntimeError holds the bottom frame beyond the
                 # RuntimeError's traceback: what the frames it replaced
                 # set aside goes with it (docs/semantics.md, "What is
                 # finalized where"), later than stock's frames.
                 LOCAL=self.pick(["d = None", "d = [n]"] + (
                     [] if "StopIteration" in bottom else
                     [f"d = D_{u}(n)"])),
                 CANCEL=self.pick(["False", "False", "True"]),
                 DEPTHS=self.depths(cap=3000))

    def unit_exc(self, u):
        """Exceptions through chains: caught at various levels, in handlers
        that make tail calls, sys.exception() deep in a chain, raise from,
        the innermost traceback entry."""
        catch = self.pick(CATCH).replace("$u", str(u))
        return T("""
            class Err_$u(Exception):
                pass

            class Boom_$u(Err_$u):
                pass

            def deep_$u(n, tag):
                if n <= 0:
                    $RAISE
                return deep_$u(n - 1, tag)

            def mid_$u(n, tag):
                try:
                    return deep_$u(n, tag)
                except $CATCH as e:
                    print('mid caught', type(e).__name__, e)
                    return handler_$u(e, $H)
                finally:
                    print('mid finally', n)

            def handler_$u(e, n):
                return report_$u(n, str(e))

            def report_$u(n, msg):
                if n <= 0:
                    exc = sys.exception()
                    return '%s/%s' % (msg, type(exc).__name__)
                return report_$u(n - 1, msg)

            def chain_$u(n, tag):
                return mid_$u($M, tag) if n <= 0 else chain_$u(n - 1, tag)

            def wrap_$u(n, tag):
                try:
                    return chain_$u(n, tag)
                except Exception as e:
                    $RERAISE

            def innermost(tb):
                while tb.tb_next is not None:
                    tb = tb.tb_next
                return tb

            def run_$u():
                for tag in $TAGS:
                    try:
                        print(wrap_$u($D, tag))
                    except Exception as e:
                        tb = innermost(e.__traceback__)
                        print('run caught', type(e).__name__, e,
                              type(e.__cause__).__name__,
                              type(e.__context__).__name__,
                              tb.tb_frame.f_code.co_name,
                              tb.tb_lineno - tb.tb_frame.f_code.co_firstlineno)
            """, u=u, CATCH=catch, H=self.depth(), M=self.depth(),
                 D=self.depth(),
                 TAGS=repr(tuple(self.pick(["a", "bb", "key", "z", "7"])
                                 for _ in range(self.r.randint(1, 3)))),
                 RAISE=self.pick([f"raise Err_{u}(tag)",
                                  f"raise Boom_{u}(tag)",
                                  "raise ValueError(tag)",
                                  "raise KeyError(tag)", "return 1 // 0",
                                  "return {}[tag]", "return int(tag)",
                                  "return tag.nope"]),
                 RERAISE=self.pick(["raise RuntimeError('wrapped') from e",
                                    "raise RuntimeError('again')", "raise",
                                    "raise e", "return 'swallowed %s' % e",
                                    "return handler_%d(e, 3)" % u]))

    def unit_args(self, u):
        """Calls with right and wrong arguments in tail position at several
        depths: the errors are raised in the caller."""
        params, result = self.pick(SIGNATURES)
        modes = [self.pick(ARG_LISTS) for _ in range(self.r.randint(3, 8))]
        target = self.pick(["target_$u", "obj_$u.meth", "Cls_$u",
                            "functools.partial(target_$u)", "Relay_$u()"])
        lines = ["def go_$u(n, mode):",
                 "    if n > 0:",
                 "        return go_$u(n - 1, mode)"]
        for i, args in enumerate(modes):
            lines += [f"    if mode == {i}:",
                      f"        return {target}({args})"]
        lines.append("    return None")
        depths = sorted({self.pick(BOUNDARY), self.depth(), 0})
        code = T("""
            def target_$u$PARAMS:
                return $RESULT

            class Holder_$u:
                def meth$MPARAMS:
                    return $RESULT

            class Cls_$u:
                def __init__$MPARAMS:
                    self.r = $RESULT

                def __repr__(self):
                    return 'Cls(%r)' % (self.r,)

            class Relay_$u:
                def __call__(self, *args, **kwargs):
                    return target_$u(*args, **kwargs)

            obj_$u = Holder_$u()

            @@GO@@

            def run_$u():
                for mode in range($N):
                    for d in $DEPTHS:
                        try:
                            print(mode, d, go_$u(d, mode))
                        except TypeError as e:
                            print(mode, d, 'TypeError', e)
            """, u=u, PARAMS=params, MPARAMS=params.replace("(", "(self, ", 1),
                 RESULT=result, N=len(modes), DEPTHS=tuple(depths))
        return code.replace("@@GO@@", "\n".join(lines).replace("$u", str(u)))

    def unit_ccallee(self, u):
        """C callees in tail position, list.append in tail position (which
        the specializer expects to be followed by POP_TOP)."""
        k = self.r.randint(2, 6)
        exprs = [self.pick(C_EXPRS) for _ in range(k)]
        values = [self.pick(C_VALUES) for _ in range(self.r.randint(2, 5))]
        funcs = []
        for i, e in enumerate(exprs):
            funcs += [f"def c{i}_{u}(x):", f"    return {e}", ""]
        names = ", ".join(f"c{i}_{u}" for i in range(k))
        code = T("""
            def push_$u(lst, n):
                if n <= 0:
                    return lst.append(-1)
                if n % $P == 0:
                    lst.append(n)
                return push_$u(lst, n - 1)

            class Stack_$u:
                def __init__(self):
                    self.items = []

                def push(self, x):
                    return self.items.append(x)

                def fill(self, n):
                    if n <= 0:
                        return self.items.append(0)
                    self.push(n)
                    return self.fill(n - 1)

            def via_$u(n, f, x):
                return f(x) if n <= 0 else via_$u(n - 1, f, x)

            def run_$u():
                lst = []
                print('push', push_$u(lst, $D), len(lst), lst[:5])
                for i in range(5):
                    print('again', push_$u(lst, i), len(lst))
                s = Stack_$u()
                print('fill', s.fill($D2), len(s.items), sum(s.items))
                for rep in range(3):
                    for f in ($NAMES,):
                        for x in ($VALUES,):
                            try:
                                print(f.__name__, repr(x), f(x),
                                      via_$u($D3, f, x))
                            except Exception as e:
                                print(f.__name__, repr(x), type(e).__name__, e)
            """, u=u, P=self.r.randint(1, 400), D=self.depth(),
                 D2=self.depth(), D3=self.pick(BOUNDARY), NAMES=names,
                 VALUES=", ".join(values))
        return "\n".join(funcs) + code

    def unit_cmed(self, u):
        """Recursion through C code (partial, __call__, sorted(key=),
        map, reduce, eval, lru_cache), with chains of Python tail calls
        between the C frames."""
        hop = self.pick([
            "functools.partial(f_$u, n - 1)(acc + 1)",
            "Relay_$u(f_$u)(n - 1, acc + 1)",
            "functools.reduce(lambda a, v: f_$u(v, a), [n - 1], acc + 1)",
            "list(map(lambda v: f_$u(v, acc + 1), [n - 1]))[0]",
            "max([n - 1], key=lambda v: (f_$u(v, acc), v)[1])",
            "eval('f_$u(n - 1, acc + 1)')",
            "sorted([(n - 1, acc + 1)], key=lambda p: f_$u(*p) or 0)[0][1]",
            "cached_$u(n - 1, acc % 7)"])
        return T("""
            class Relay_$u:
                def __init__(self, fn):
                    self.fn = fn

                def __call__(self, *args):
                    return self.fn(*args)

            def f_$u(n, acc):
                if n <= 0:
                    return acc
                if n % $EVERY == 0:
                    return $HOP
                return f_$u(n - 1, $OP)

            @functools.lru_cache(maxsize=None)
            def cached_$u(n, acc):
                return acc if n <= 0 else f_$u(n, acc)

            def run_$u():
                for d in $DEPTHS:
                    print('cmed', d, f_$u(d, 0))
                print('cache', cached_$u.cache_info().currsize > 0)
            """, u=u, HOP=hop.replace("$u", str(u)),
                 EVERY=self.pick([1, 2, 5, 17, 20, 40]), OP=self.pick(OPS),
                 DEPTHS=tuple(self.depths(C_DEPTH)))

    def unit_decorator(self, u):
        """Decorated recursive functions: wrappers with *args, **kwargs."""
        return T("""
            def counted_$u(fn):
                @functools.wraps(fn)
                def wrapper(*args, **kwargs):
                    wrapper.calls += 1
                    return fn(*args, **kwargs)
                wrapper.calls = 0
                return wrapper

            def logged_$u(tag):
                def deco(fn):
                    def inner(n, **kw):
                        if n in (0, 16, 17):
                            print(tag, n, sorted(kw))
                        return fn(n, **kw)
                    return inner
                return deco

            @counted_$u
            def dec_$u(n, acc=0):
                return acc if n <= 0 else dec_$u(n - 1, acc=$OP)

            @logged_$u('log')
            @counted_$u
            def both_$u(n, *, acc=1, extra=None):
                if n <= 0:
                    return (acc, extra)
                return both_$u(n - 1, acc=acc + 1, extra=extra)

            def run_$u():
                print('dec', dec_$u($D1), dec_$u.calls, dec_$u.__name__)
                print('both', both_$u($D2, extra='x'))
                print('both', both_$u($D3))
            """, u=u, OP=self.pick(OPS), D1=self.depth(), D2=self.depth(),
                 D3=self.pick(BOUNDARY))

    MON_EVENTS = {
        # event: (callback parameters after code, may return DISABLE)
        "PY_START": ("off", True), "PY_RESUME": ("off", True),
        "PY_RETURN": ("off, v", True), "PY_YIELD": ("off, v", True),
        "CALL": ("off, fn, a0", True), "C_RETURN": ("off, fn, a0", False),
        "C_RAISE": ("off, fn, a0", False), "LINE": ("line", True),
        "INSTRUCTION": ("off", True), "JUMP": ("off, dest", True),
        "BRANCH": ("off, dest", True), "RAISE": ("off, exc", False),
        "PY_UNWIND": ("off, exc", False),
        "EXCEPTION_HANDLED": ("off, exc", False),
    }
    # Events whose count depends on frames that a tail call replaced
    # before the tool was switched on: by design, only for whole runs.
    MON_WHOLE_ONLY = ("PY_RETURN", "INSTRUCTION", "PY_UNWIND", "RAISE",
                      "C_RETURN", "C_RAISE", "EXCEPTION_HANDLED")

    def unit_trace(self, u):
        """sys.settrace, sys.setprofile and sys.monitoring around, or
        switched on inside, a chain: the events must be stock's."""
        mode = self.pick(["trace", "trace", "profile", "trace_mid",
                          "monitor", "monitor", "monitor_mid"])
        on = self.r.randint(20, 200)
        off = self.r.randint(0, on - 1)
        if mode == "monitor_mid":
            pool = [e for e in self.MON_EVENTS if e not in self.MON_WHOLE_ONLY]
        else:
            pool = list(self.MON_EVENTS)
        events = self.r.sample(pool, self.r.randint(1, 4))
        if any(e in events for e in ("C_RETURN", "C_RAISE")):
            events += ["CALL", "C_RETURN", "C_RAISE"]
        events = sorted(set(events))
        disable = self.chance(0.3)
        switch_on = {"trace_mid": f"sys.settrace(tracer_{u})",
                     "monitor_mid": f"mon_on_{u}()"}.get(mode, "pass")
        switch_off = {"trace_mid": "sys.settrace(None)",
                      "monitor_mid": f"mon_off_{u}()"}.get(mode, "pass")
        # By design (docs/debugging.md), a frame that a tail call replaces
        # runs no RETURN_VALUE, so instruction events are one fewer (only
        # whether they were seen is compared), and it returns to a tracer
        # switched on during the chain, where stock's frames return only
        # after it is off (those returns, and the instruction events of
        # such a tracer, are not compared).
        seen_only = ("opcode:", "INSTRUCTION:")
        ignored = ("return:", "opcode:") if mode == "trace_mid" else ()
        lines = [T("""
            EV_$u = {}
            HELD_$u = []

            def count_$u(key):
                if key.startswith($IGNORED):
                    return
                if key.startswith($SEEN_ONLY):
                    EV_$u[key] = 1
                else:
                    EV_$u[key] = EV_$u.get(key, 0) + 1

            def loop_$u(n, acc):
                if n == $ON:
                    $SWITCH_ON
                if n == $OFF:
                    $SWITCH_OFF
                if n <= 0:
                    return acc
                if n == $RAISE:
                    try:
                        raise KeyError(n)
                    except KeyError:
                        acc += 1
                return hop_$u(n - 1, $OP) if n % 3 else loop_$u(n - 1, acc)

            def hop_$u(n, acc):
                return loop_$u(n, acc + len(str(n)))

            def tracer_$u(frame, event, arg):
                if frame.f_code.co_name.endswith('_$u'):
                    count_$u(event + ':' + frame.f_code.co_name)
                    if event == 'call':
                        frame.f_trace_opcodes = $OPCODES
                        if $KEEP:
                            HELD_$u.append(frame)
                return $LOCAL

            def profiler_$u(frame, event, arg):
                if frame.f_code.co_name.endswith('_$u'):
                    count_$u(event + ':' + frame.f_code.co_name)
            """, u=u, OP=self.pick(OPS), ON=on, OFF=off,
                   SEEN_ONLY=repr(seen_only), IGNORED=repr(ignored),
                   SWITCH_ON=switch_on, SWITCH_OFF=switch_off,
                   RAISE=self.r.randint(0, 100),
                   OPCODES=self.pick(["False", "False", "True"]),
                   KEEP=self.pick(["False", "True"]),
                   LOCAL=self.pick([f"tracer_{u}", "None"]))]
        d = self.depth(500)
        if mode.endswith("_mid"):
            d = on + self.r.randint(0, 400)
        if mode in ("monitor", "monitor_mid"):
            mon = ["def mon_on_%d():" % u, "    mon = sys.monitoring",
                   "    mon.use_tool_id(3, 'fuzz')"]
            for e in events:
                params, can_disable = self.MON_EVENTS[e]
                result = "mon.DISABLE" if disable and can_disable else "None"
                name = ("getattr(fn, '__name__', '?')" if "fn" in params
                        else "''")
                mon += [f"    def cb_{e.lower()}(code, {params}):",
                        f"        if code.co_name.endswith('_{u}'):",
                        f"            count_{u}('{e}:' + code.co_name + "
                        f"':' + {name})",
                        f"        return {result}",
                        f"    mon.register_callback(3, mon.events.{e}, "
                        f"cb_{e.lower()})"]
            mask = " | ".join(f"mon.events.{e}" for e in events)
            if self.chance(0.3):
                mon.append(f"    mon.set_local_events(3, loop_{u}.__code__, "
                           f"{mask})")
            else:
                mon.append(f"    mon.set_events(3, {mask})")
            mon += ["", "def mon_off_%d():" % u, "    mon = sys.monitoring",
                    "    if mon.get_tool(3) is not None:",
                    "        mon.set_events(3, 0)",
                    f"        mon.set_local_events(3, loop_{u}.__code__, 0)",
                    "        mon.free_tool_id(3)"]
            lines.append("\n".join(mon))
        start, stop = {
            "trace": (f"sys.settrace(tracer_{u})", "sys.settrace(None)"),
            "profile": (f"sys.setprofile(profiler_{u})",
                        "sys.setprofile(None)"),
            "trace_mid": ("pass", "sys.settrace(None)"),
            "monitor": (f"mon_on_{u}()", f"mon_off_{u}()"),
            "monitor_mid": ("pass", f"mon_off_{u}()")}[mode]
        lines.append(T("""
            def run_$u():
                $START
                try:
                    r = loop_$u($D, 0)
                finally:
                    $STOP
                print('$MODE', r, sorted(EV_$u.items()))
                print('held', len(HELD_$u), [
                    (f.f_code.co_name, f.f_lineno - f.f_code.co_firstlineno,
                     sorted(f.f_locals.items())) for f in HELD_$u[:3]])
            """, u=u, START=start, STOP=stop, D=d, MODE=mode))
        return "\n\n".join(lines)

    def unit_with(self, u):
        """Context managers whose __enter__ and __exit__ make tail calls,
        bodies that return calls, exits that swallow."""
        return T("""
            def spin_$u(n, acc):
                return acc if n <= 0 else spin_$u(n - 1, acc + n % 3)

            class Ctx_$u:
                def __init__(self, n):
                    self.n = n

                def __enter__(self):
                    return spin_$u(self.n, 0)

                def __exit__(self, typ, val, tb):
                    print('exit', self.n, typ.__name__ if typ else None)
                    if typ is None:
                        return None
                    return $SWALLOW

            def body_$u(n):
                with Ctx_$u(n) as v:
                    if n % 2:
                        raise ValueError(v)
                    return spin_$u(v % 50, n)
                return ('suppressed', n)

            def run_$u():
                for n in $NS:
                    try:
                        print('with', n, body_$u(n))
                    except ValueError as e:
                        print('with raised', n, e)
            """, u=u, SWALLOW=self.pick(["spin_%d(self.n, 0) > 100" % u,
                                         "False", "True",
                                         "spin_%d(self.n %% 30, 1)" % u]),
                 NS=tuple(self.depths(k=self.r.randint(1, 4))))

    def unit_frames(self, u):
        """Frames of very different sizes (thousands of locals, long value
        stacks) replacing each other across data stack chunks, finalizers
        that push frames while a frame is being replaced, growing keyword
        arguments, exceptions and frame objects that outlive the frames they
        hold; gc mid-chain."""
        width = self.pick([10, 100, 500, 1000, 2000, 4000, 8000])
        names = ", ".join(f"v{i}" for i in range(width))
        kwonly = ", ".join(f"a{i}=0" for i in range(self.r.randint(1, 300)))
        return T("""
            SAVED_$u = []
            DELS_$u = []

            def deep_$u(n):
                return 0 if n <= 0 else 1 + deep_$u(n - 1)

            class Del_$u:
                def __init__(self, n):
                    self.n = n

                def __del__(self):
                    DELS_$u.append(deep_$u(self.n % $DEL))

            def fat_$u(n, acc):
                $NAMES = (n,) * $WIDTH
                guard = Del_$u(n) if n % $K4 == 0 else None
                if n <= 0:
                    return acc
                if n == $GC:
                    gc.collect()
                return lean_$u(n - 1, (acc + v$LAST) % 1009)

            def lean_$u(n, acc, *rest):
                if n <= 0:
                    return (acc, len(rest))
                if n % $K:
                    return fat_$u(n - 1, acc + 1)
                return lean_$u(n - 1, acc, *range(n % $R))

            def grow_$u(n, *rest):
                if n <= 0:
                    return (len(rest), sum(rest) % 1000)
                if n % $K2 == 0:
                    return grow_$u(n - 1, *rest[:len(rest) // 2])
                return grow_$u(n - 1, *rest, n)

            def kwgrow_$u(n, **kw):
                if n <= 0:
                    return (len(kw), sum(kw.values()) % 1000)
                if n % $K2 == 0:
                    return kwgrow_$u(n - 1)
                return kwgrow_$u(n - 1, **kw, **{'k%d' % n: n})

            def wide_$u(n, *, $KWONLY):
                if n <= 0:
                    return a0
                return wide_$u(n - 1, a0=a0 + 1)

            def catch_$u(n, acc):
                if n <= 0:
                    return acc
                try:
                    if n % $K3 == 0:
                        raise KeyError(n)
                except KeyError as e:
                    SAVED_$u.append(e)
                    acc += 1
                return catch_$u(n - 1, acc)

            def run_$u():
                print('fat', fat_$u($D1, 0))
                print('dels', len(DELS_$u), sum(DELS_$u))
                print('grow', grow_$u($D2))
                print('kwgrow', kwgrow_$u($D2))
                print('wide', wide_$u($D3))
                print('lean', lean_$u($D3, 0, *range($W)))
                print('catch', catch_$u($D4, 0), len(SAVED_$u))
                for e in SAVED_$u[:$SHOW]:
                    tb = e.__traceback__
                    f = tb.tb_frame
                    print('saved', e, tb.tb_lineno - f.f_code.co_firstlineno,
                          f.f_code.co_name, sorted(f.f_locals))
                SAVED_$u.clear()
                DELS_$u.clear()
            """, u=u, NAMES=names, WIDTH=width, LAST=width - 1,
                 KWONLY=kwonly, GC=self.r.randint(0, 100),
                 K=self.r.randint(1, 7), K4=self.r.randint(1, 20),
                 DEL=self.pick([1, 50, 500, 2000]),
                 R=self.pick([3, 50, 500, 3000]), K2=self.r.randint(1, 3000),
                 K3=self.r.randint(1, 50), W=self.pick([0, 10, 1000, 5000]),
                 D1=self.depth(), D2=self.depth(1000), D3=self.depth(),
                 D4=self.depth(), SHOW=self.pick([2, 5]))

    def unit_finalizer(self, u):
        """Finalizers that run Python code (deep non-tail recursion, long
        tail chains) in the locals of frames that tail calls replace, held
        directly or through closures, containers, generators with finally
        blocks and weakref callbacks: their order is printed, and must be
        stock's (docs/semantics.md, "What is finalized where").  Only the
        collection of cycles, whose timing the garbage collector decides,
        is summarized without order."""
        return T("""
            DELS_$u = []

            def churn_$u(n):
                return 0 if n <= 0 else 1 + churn_$u(n - 1)

            def spin_$u(n, acc):
                return acc if n <= 0 else spin_$u(n - 1, acc + 1)

            class Fin_$u:
                def __init__(self, n):
                    self.n = n

                def __del__(self):
                    DELS_$u.append($WORK)

            def carry_$u(n, obj):
                if n <= 0:
                    return obj.n
                local = Fin_$u(n)
                return carry_$u(n - 1, Fin_$u(n + 1) if n % $K else obj)

            def closed_$u(n):
                try:
                    yield n
                finally:
                    DELS_$u.append(-n)

            def hold_$u(n, acc):
                if n <= 0:
                    return acc
                f = Fin_$u(n)
                $HOLD
                return hold_$u(n - 1, acc + 1)

            def each_$u(n, acc):
                if n <= 0:
                    return acc
                for x in closed_$u(n):
                    return each_$u(n - 1, acc + x % 7)

            def cycle_$u(n, acc):
                if n <= 0:
                    return acc
                a = Fin_$u(n)
                a.self = a
                if n % $GC == 0:
                    gc.collect()
                return cycle_$u(n - 1, acc + 1)

            def run_$u():
                print('carry', carry_$u($D1, Fin_$u(0)))
                print('hold', hold_$u($D3, 0))
                print('each', each_$u($D4, 0))
                print('dels', len(DELS_$u), hash(tuple(DELS_$u)))
                DELS_$u.clear()
                print('cycle', cycle_$u($D2, 0))
                gc.collect()
                print('cycle dels', len(DELS_$u), sum(DELS_$u) % 100003)
                DELS_$u.clear()
            """, u=u, K=self.r.randint(1, 5), GC=self.r.randint(1, 400),
                 HOLD=self.pick([
                     "r = weakref.ref(f, lambda r, n=n: DELS_$u.append(-n))",
                     "g = lambda: f.n",
                     "box = {'k': [f, n]}",
                     "it = iter([f])",
                     "gen = closed_$u(n); next(gen)",
                     "m = f.__init__",
                     "f = [f, Fin_$u(-n)]",
                     "del f"]).replace("$u", str(u)),
                 D3=self.depth(1000), D4=self.depth(1000),
                 WORK=self.pick([f"churn_{u}(self.n % {self.depth() + 1})",
                                 f"spin_{u}(self.n % {self.depth() + 1}, 1)",
                                 f"spin_{u}(churn_{u}(self.n % 40), 0)",
                                 "self.n", "self.n + 0 * len(sys._getframe"
                                 "(1).f_locals)", "self.n + 0 * "
                                 "sys._getframe(1).f_lineno",
                                 "self.n + 0 * gc.collect()"]),
                 D1=self.depth(1000), D2=self.depth(1000))

    def unit_dunder(self, u):
        """Special methods called from C code (len, bool, hash, ==, <,
        repr, index, iter, getattr, call, __init_subclass__, a metaclass
        __call__) whose frames make long chains of tail calls."""
        return T("""
            def count_$u(n, acc):
                return acc if n <= 0 else count_$u(n - 1, acc + 1)

            def is_even_$u(n):
                return True if n <= 0 else is_odd_$u(n - 1)

            def is_odd_$u(n):
                return False if n <= 0 else is_even_$u(n - 1)

            def same_$u(a, b):
                if a <= 0 or b <= 0:
                    return a == b
                return same_$u(a - 1, b - 1)

            def less_$u(a, b):
                if a <= 0 or b <= 0:
                    return a < b
                return less_$u(a - 1, b - 1)

            def fmt_$u(n, s):
                if n <= 0:
                    return 'Obj(%s)' % s
                return fmt_$u(n - 1, (s + str(n % 10))[-12:])

            def lookup_$u(n, name):
                if n <= 0:
                    if name.startswith('x'):
                        raise AttributeError(name)
                    return name.upper()
                return lookup_$u(n - 1, name)

            def gen_$u(n):
                yield from range(n % 5)

            class Obj_$u:
                def __init__(self, n):
                    self.n = n

                def __len__(self):
                    return count_$u(self.n, $LEN0)

                def __bool__(self):
                    return is_even_$u(self.n)

                def __eq__(self, other):
                    return same_$u(self.n, other.n)

                def __lt__(self, other):
                    return less_$u(self.n, other.n)

                def __hash__(self):
                    return count_$u(self.n % 50, 7)

                def __repr__(self):
                    return fmt_$u(self.n, '')

                def __index__(self):
                    return count_$u(self.n, 0)

                def __iter__(self):
                    return gen_$u(self.n)

                def __getitem__(self, i):
                    return count_$u(self.n + i, i)

                def __call__(self, k):
                    return count_$u(k, self.n)

                def __getattr__(self, name):
                    return lookup_$u(len(name) * $ATTR, name)

            class Base_$u:
                def __init_subclass__(cls, depth=0, **kw):
                    cls.total = count_$u(depth, 0)
                    return count_$u(depth, 1)

            class Meta_$u(type):
                def __call__(cls, *args):
                    return super().__call__(*args)

            class WithMeta_$u(metaclass=Meta_$u):
                def __init__(self, n):
                    self.n = count_$u(n, 0)

            def build_meta_$u(n):
                return WithMeta_$u(n) if n <= 0 else build_meta_$u(n - 1)

            def make_class_$u(n):
                return type('K%d' % n, (Base_$u,), {}, depth=n)

            def run_$u():
                objs = [Obj_$u(d) for d in $DEPTHS]
                for o in objs:
                    print('len', len(o), 'bool', bool(o), 'repr', repr(o),
                          'hash', hash(o), 'attr', o.anything,
                          'iter', list(o), 'call', o(5), 'index',
                          operator.index(o), 'item', o[2],
                          'default', getattr(o, 'xyz', 'dflt'))
                print('sorted', [o.n for o in sorted(objs)])
                print('eq', objs[0] == objs[-1], objs[-1] in objs,
                      len({o: 1 for o in objs}))
                print('minmax', min(objs).n, max(objs).n)
                print('str', str(objs[0]), '%s' % objs[0], f'{objs[-1]!r}')
                print('class', make_class_$u($D1).total)
                print('meta', build_meta_$u($D2).n)
                try:
                    print('x', objs[0].xenon)
                except AttributeError as e:
                    print('no attribute', e)
            """, u=u, DEPTHS=repr(self.depths(k=self.r.randint(1, 4))),
                 LEN0=self.pick(["0", "0", "-1"]),
                 ATTR=self.pick([0, 1, 5, 40]), D1=self.depth(),
                 D2=self.depth())

    def unit_rebind(self, u):
        """Callees that change under a call site in the middle of a chain:
        a global rebound, __code__ and __defaults__ replaced, a method
        replaced on its class, a function made from an eval code object
        (no CO_OPTIMIZED)."""
        return T("""
            def target_a_$u(n, acc):
                return acc if n <= 0 else step_$u(n - 1, acc + 1)

            def target_b_$u(n, acc, extra=5):
                return acc if n <= 0 else step_$u(n - 1, acc + extra)

            def alt_$u(n, acc):
                return -acc if n <= 0 else step_$u(n - 1, acc + 2)

            ORIG_$u = target_a_$u.__code__

            def step_$u(n, acc):
                global target_$u
                if n == $K1:
                    target_$u = target_b_$u
                if n == $K2:
                    target_b_$u.__defaults__ = (7,)
                if n == $K3:
                    target_a_$u.__code__ = alt_$u.__code__
                if n == $K4:
                    target_$u = target_a_$u
                return target_$u(n, acc)

            target_$u = target_a_$u

            class Host_$u:
                def m(self, n, acc):
                    if n == $K5:
                        Host_$u.m = Host_$u.m2
                    return acc if n <= 0 else self.m(n - 1, acc + 1)

                def m2(self, n, acc):
                    if n == $K6:
                        Host_$u.m = Host_$u.orig
                    return acc * 2 if n <= 0 else self.m(n - 1, acc + 3)

            Host_$u.orig = Host_$u.m

            EVALFN_$u = types.FunctionType(
                compile('step_$u(N_$u, 0) if N_$u > 0 else evalfn_$u()',
                        '<eval>', 'eval'), globals())

            def evalfn_$u():
                global N_$u
                N_$u -= 1
                return EVALFN_$u() if N_$u % 3 else step_$u(N_$u % 20, 1)

            def run_$u():
                global target_$u, N_$u
                for d in $DEPTHS:
                    target_$u = target_a_$u
                    target_a_$u.__code__ = ORIG_$u
                    target_b_$u.__defaults__ = (5,)
                    Host_$u.m = Host_$u.orig
                    print('rebind', d, step_$u(d, 0), Host_$u().m(d, 0))
                N_$u = $N
                print('evalfn', EVALFN_$u())
            """, u=u, K1=self.depth(), K2=self.depth(), K3=self.depth(),
                 K4=self.depth(), K5=self.depth(), K6=self.depth(),
                 DEPTHS=repr(self.depths()), N=self.r.randint(0, 30))

    def unit_threads(self, u):
        """Tail-call chains in several threads at once, switching often."""
        return T("""
            def tchain_$u(n, acc):
                if n <= 0:
                    return acc
                return thop_$u(n - 1, (acc * 7 + n) % 10007)

            def thop_$u(n, acc, *extra):
                if n % $K == 0:
                    return tchain_$u(*(n - 1, acc + len(extra)))
                return tchain_$u(n, acc)

            def tgen_$u(n):
                for i in range(3):
                    yield tchain_$u(n + i, i)

            def worker_$u(i, n, out):
                out[i] = (tchain_$u(n, i), sum(tgen_$u(n % 100)))

            def run_$u():
                out = [None] * $T
                old = sys.getswitchinterval()
                sys.setswitchinterval(1e-5)
                try:
                    threads = [threading.Thread(target=worker_$u,
                                                args=(i, $D + i * 37, out))
                               for i in range($T)]
                    for t in threads:
                        t.start()
                    for t in threads:
                        t.join()
                finally:
                    sys.setswitchinterval(old)
                print('threads', out)
            """, u=u, K=self.r.randint(1, 9), T=self.r.randint(2, 4),
                 D=self.depth())

    def unit_selfrec(self, u):
        """Functions that tail-call themselves with exactly their
        positional arguments (the frame is reused in place): locals that
        must start unbound again, arguments and locals captured by
        closures, free variables, methods on changing instances, defaults
        all passed, exact calls mixed with keyword and star calls."""
        nvars = self.r.randint(1, 40)
        chain = ["    x0 = n + a"] + [
            f"    x{i} = x{i - 1} * {self.r.randint(2, 9)} % 10007"
            for i in range(1, nvars)]
        k1, k2, k3 = (self.r.randint(2, 9) for _ in range(3))
        return T("""
            class Obj_$u:
                def __init__(self, k):
                    self.k = k

                def m(self, n, acc):
                    if n <= 0:
                        return (acc, self.k)
                    nxt = self if n % $K1 else Obj_$u(self.k + 1)
                    return nxt.m(n - 1, acc + self.k)

            def fresh_$u(n, acc, seen):
                if n % $K1 == 1:
                    one = n
                if n % $K2 == $K2 - 1:
                    two = [n]
                if n <= 0:
                    return (acc, len(seen), sum(f() for f in seen[-5:]),
                            sorted(locals()))
                if n % $K3 == 0:
                    seen.append(lambda: n + acc)
                if n % $K2 == 1:
                    acc += 1
                    inner = lambda: acc * 2
                    acc = inner()
                return fresh_$u(n - 1, acc % 10007, seen)

            def outer_$u(k):
                total = [0]

                def inner(n, acc):
                    total[0] += 1
                    if n <= 0:
                        return (acc, total[0], k)
                    return inner(n - 1, acc + k)
                return inner

            def many_$u(n, acc, a=1, b=2):
            $CHAIN
                if n <= 0:
                    return (acc, a, b)
                return many_$u(n - 1, (acc + x$LAST) % 10007, b, a)

            def mixed_$u(n, acc):
                if n <= 0:
                    return acc
                if n % 3 == 0:
                    return mixed_$u(n - 1, acc=acc + 1)
                if n % 7 == 1:
                    return mixed_$u(*(n - 1, acc + 2))
                return mixed_$u(n - 1, acc + 3)

            def keep_$u(n, objs):
                if n <= 0:
                    return len(objs)
                box = [n] * (n % 5)
                if n % $K3 == 0:
                    objs.append(box)
                return keep_$u(n - 1, objs)

            def run_$u():
                for d in $DEPTHS:
                    print('method', d, Obj_$u(1).m(d, 0))
                    print('fresh', d, fresh_$u(d, 0, []))
                    print('closure', d, outer_$u(3)(d, 0))
                    print('many', d, many_$u(d, 0, 1, 2), many_$u(d, 1))
                    print('mixed', d, mixed_$u(d, 0))
                    print('keep', d, keep_$u(d, []))
            """, u=u, K1=k1, K2=k2, K3=k3, CHAIN="@@CHAIN@@", LAST=nvars - 1,
                 DEPTHS=repr(self.depths())).replace(
                     "@@CHAIN@@", "\n".join(chain))

    def unit_loops(self, u):
        """Returns from inside for loops (over lists, ranges, iterators and
        generators whose finally blocks run when they are released) and
        nested loops.  The order in which the finally blocks ran is
        printed: stock's, since a tail call sets aside what it would run."""
        return T("""
            FIN_$u = []

            class Items_$u:
                def __init__(self, n):
                    self.n = n

                def __iter__(self):
                    return iter(range(self.n % 4))

            def gen_$u(n):
                try:
                    yield from range(n % 4)
                finally:
                    FIN_$u.append(n)

            def walk_$u(n, acc):
                if n <= 0:
                    return acc
                for i in $ITER:
                    if i == $PICK:
                        return walk_$u($STEP, $OP)
                return walk_$u(n - 1, acc + 1)

            def nest_$u(n, acc):
                for a in [[n], [n + 1, n]]:
                    for b in $INNER:
                        return acc if n <= 0 else nest_$u(n - 1, acc + b)

            def run_$u():
                print('walk', walk_$u($D1, 0))
                print('nest', nest_$u($D2, 0))
                print('fins', len(FIN_$u), hash(tuple(FIN_$u)))
                FIN_$u.clear()
            """, u=u, STEP=self.step(), OP=self.pick(OPS),
                 PICK=self.pick([0, 1, 2, 3]),
                 ITER=self.pick(["range(3)", "[0, 1, 2]", f"gen_{u}(n)",
                                 f"Items_{u}(n)", "(x for x in range(3))",
                                 f"iter(gen_{u}(n))", "reversed([2, 1, 0])"]),
                 INNER=self.pick(["a", "iter(a)", f"gen_{u}(b0) "
                                  f"if (b0 := len(a)) else a", "a[::-1]"]),
                 D1=self.depth(), D2=self.depth())

    def unit_callables(self, u):
        """Chains of calls through objects whose call ends in a Python
        function: instances with a Python __call__, functools.partial
        (nested, subclassed, with keywords), staticmethod objects, bound
        methods of these; sometimes one that rejects its arguments."""
        items = [f"Call_{u}()", f"functools.partial(f_{u}, k={{K}})",
                 f"functools.partial(functools.partial(f_{u}), k={{K}})",
                 f"Sub_{u}(f_{u}, k={{K}})", f"staticmethod(f_{u})", f"f_{u}",
                 f"functools.partial(Call_{u}())",
                 f"staticmethod(functools.partial(f_{u}, k={{K}}))",
                 f"types.MethodType(Bound_{u}.step, Bound_{u}())"]
        if self.chance(0.1):
            items.append(self.pick([f"functools.partial(f_{u}, x=1)",
                                    f"functools.partial(f_{u}, 1, 2, 3)",
                                    f"functools.partial(f_{u}, **{{{{1: 2}}}})",
                                    "len", f"Call_{u}"]))
        ring = [self.pick(items).format(K=self.r.randint(0, 9))
                for _ in range(self.r.randint(1, 4))]
        return T("""
            def f_$u(n, acc, k=0):
                return acc if n <= 0 else RING_$u[n % len(RING_$u)](n - 1, $OP + k)

            class Call_$u:
                def __call__(self, n, acc):
                    return acc if n <= 0 else RING_$u[n % len(RING_$u)](n - 1, $OP)

            class Sub_$u(functools.partial):
                pass

            class Bound_$u:
                def step(self, n, acc):
                    return f_$u(n, acc, 1)

            RING_$u = [$RING]

            def run_$u():
                print('ring', RING_$u[0]($D, 0))
                print('kw', RING_$u[-1](n=$D2, acc=1))
            """, u=u, OP=self.pick(OPS), RING=", ".join(ring),
                 D=self.depth(600), D2=self.depth(600))

    MEDDLE_ACTIONS = ("frame", "locals", "code", "defaults", "kwdefaults",
                      "gc", "rewire")

    def unit_meddle(self, u):
        """Python code that runs inside tail calls and meddles with what
        they act on, without changing what the program computes: tool
        callbacks (sys.monitoring, settrace, setprofile) that make frame
        objects, read f_locals, assign an equivalent __code__,
        __defaults__ or __kwdefaults__ to the functions being called, run
        gc.collect() or raise; finalizers and weakref callbacks of the
        locals being released that do the same (but raise); wrappers whose
        finalizers rewire a partial and a __call__ between two equivalent
        functions.  When such code runs differs by design (a replaced frame
        returns to tools at its tail call), so only what the chain returns,
        or the exception it raised, is printed: a crash, a lost exception
        or a wrong result is a divergence."""
        hook = self.pick(["monitor_return", "monitor_call", "monitor_both",
                          "monitor_both", "trace", "profile", "none"])
        actions = self.r.sample(self.MEDDLE_ACTIONS, self.r.randint(1, 4))
        raise_at = self.r.randint(1, 200) if self.chance(0.2) else 0
        body = []
        if "frame" in actions:
            body += ["if len(HELD_$u) > 64:", "    del HELD_$u[:32]",
                     "HELD_$u.append(sys._getframe(1))"]
        if "locals" in actions:
            body += ["for fr in HELD_$u[-3:] + [sys._getframe(1)]:",
                     "    SEEN_$u[0] += len(fr.f_locals)"]
        if "code" in actions:
            body += ["step_$u.__code__ = CODES_$u[k % 2]",
                     "hop_$u.__code__ = HOPS_$u[k % 2]"]
        if "defaults" in actions:
            body += ["step_$u.__defaults__ = (0,) if k % 2 else (0, )[:]",
                     "hop_$u.__defaults__ = (None,)"]
        if "kwdefaults" in actions:
            body += ["step_$u.__kwdefaults__ = {'w': 1}"]
        if "gc" in actions:
            body += ["if k % $GC == 0:", "    gc.collect()"]
        if "rewire" in actions:
            body += ["INNER_$u.__setstate__((FS_$u[k % 2], (), {}, None))",
                     "Call_$u.__call__ = CALLS_$u[k % 2]"]
        hooks = {
            "monitor_return": ["PY_RETURN"], "monitor_call": ["CALL"],
            "monitor_both": ["PY_RETURN", "CALL"]}.get(hook, [])
        params = {"PY_RETURN": "offset, retval",
                  "CALL": "offset, fn, arg0"}
        install, remove = "pass", "pass"
        mon = []
        if hooks:
            for e in hooks:
                mon += [f"def cb_{e.lower()}_{u}(code, {params[e]}):",
                        f"    if code.co_name in CHAIN_{u}:",
                        f"        meddle_{u}(True)"]
            mask = " | ".join(f"mon.events.{e}" for e in hooks)
            mon += [f"def on_{u}():", "    mon = sys.monitoring",
                    "    mon.use_tool_id(4, 'meddle')"]
            mon += [f"    mon.register_callback(4, mon.events.{e}, "
                    f"cb_{e.lower()}_{u})" for e in hooks]
            mon += [f"    mon.set_events(4, {mask})", "",
                    f"def off_{u}():", "    mon = sys.monitoring",
                    "    mon.set_events(4, 0)", "    mon.free_tool_id(4)"]
            install, remove = f"on_{u}()", f"off_{u}()"
        elif hook == "trace":
            mon = [f"def tracer_{u}(frame, event, arg):",
                   f"    if frame.f_code.co_name in CHAIN_{u}:",
                   f"        meddle_{u}(event == 'call')",
                   f"    return tracer_{u}"]
            install, remove = f"sys.settrace(tracer_{u})", "sys.settrace(None)"
        elif hook == "profile":
            mon = [f"def profiler_{u}(frame, event, arg):",
                   f"    if frame.f_code.co_name in CHAIN_{u}:",
                   f"        meddle_{u}(event == 'call')"]
            install, remove = (f"sys.setprofile(profiler_{u})",
                               "sys.setprofile(None)")
        meddle = T("""
            def meddle_$u(may_raise):
                COUNT_$u[0] += 1
                k = COUNT_$u[0]
                if may_raise:
                    RAISES_$u[0] += 1
                    if RAISES_$u[0] == $RAISE_AT:
                        raise ValueError('meddled')
            """, u=u, RAISE_AT=raise_at)
        gc_every = self.r.randint(1, 50)
        meddle += "\n" + "\n".join(indent([
            string.Template(line).substitute(u=u, GC=gc_every)
            for line in body]))
        return T("""
            import weakref
            HELD_$u = []
            SEEN_$u = [0]
            COUNT_$u = [0]
            RAISES_$u = [0]
            CHAIN_$u = ('step_$u', 'hop_$u', 'fa_$u', 'fb_$u', 'call_a_$u',
                        'call_b_$u')

            def step_$u(n, acc, k=0, *, w=1):
                if n <= 0:
                    return acc
                junk = Fin_$u(n)
                ref = weakref.ref(Fin_$u(n), lambda r: meddle_$u(False))
                if n % 4 == 0:
                    return hop_$u(n - 1, acc + w, junk)
                if n % 4 == 1:
                    return WRAP_$u(n - 1, $OP)
                if n % 4 == 2:
                    return Call_$u()(n - 1, acc)
                return step_$u(n - 1, $OP)

            CODES_$u = [step_$u.__code__, step_$u.__code__.replace()]

            def hop_$u(n, acc, junk, extra=None):
                return step_$u(n, acc + junk.n % 3)

            HOPS_$u = [hop_$u.__code__, hop_$u.__code__.replace()]

            def fa_$u(n, acc):
                return step_$u(n, acc + 1)

            def fb_$u(n, acc):
                return step_$u(n, acc + 1)

            FS_$u = [fa_$u, fb_$u]

            def call_a_$u(self, n, acc):
                return step_$u(n, acc + 2)

            def call_b_$u(self, n, acc):
                return step_$u(n, acc + 2)

            CALLS_$u = [call_a_$u, call_b_$u]

            class Call_$u:
                __call__ = call_a_$u

            class Hook_$u:
                def __del__(self):
                    meddle_$u(False)

            class P_$u(functools.partial):
                pass

            INNER_$u = P_$u(fa_$u)

            def wrap_$u(n, acc):
                outer = P_$u(INNER_$u)
                outer.hook = Hook_$u()
                return outer(n, acc)

            WRAP_$u = $WRAP

            class Fin_$u:
                def __init__(self, n):
                    self.n = n

                def __del__(self):
                    meddle_$u(False)
            """, u=u, OP=self.pick(OPS),
                 WRAP=self.pick([f"wrap_{u}", f"INNER_{u}",
                                 f"P_{u}(INNER_{u})", f"fa_{u}"])) + \
            "\n\n" + meddle + "\n\n" + "\n".join(mon) + "\n\n" + T("""
            def run_$u():
                for d in $DS:
                    $INSTALL
                    try:
                        r = step_$u(d, 0)
                    except ValueError as e:
                        r = 'raised ValueError'
                    finally:
                        $REMOVE
                    print('meddle', d, r)
                HELD_$u.clear()
            """, u=u, DS=self.depths(400), INSTALL=install, REMOVE=remove)

    def unit_state(self, u):
        """A state machine: states are functions, dispatched through a
        dict, each tail-calling the next."""
        pieces = [f"{self.pick(['a', 'b', 'ab', 'ba', 'c', 'x', 'bca'])!r}"
                  f" * {self.r.randint(1, 300)}"
                  for _ in range(self.r.randint(1, 4))]
        return T("""
            def start_$u(s, i, acc):
                if i >= len(s):
                    return ('end', acc)
                return STATES_$u.get(s[i], other_$u)(s, i + 1, acc)

            def a_$u(s, i, acc):
                return start_$u(s, i, acc + 1)

            def b_$u(s, i, acc):
                if i % 2:
                    return start_$u(s, i, acc * 2 % 1009)
                return other_$u(s, i, acc)

            def other_$u(s, i, acc):
                if $RAISE and s[i - 1] == 'x' and i > $AT:
                    raise ValueError('x at %d' % i)
                return start_$u(s, i, acc - 1)

            STATES_$u = {'a': a_$u, 'b': b_$u}

            def run_$u():
                s = $S
                print('state', len(s), start_$u(s, 0, 0))
            """, u=u, RAISE=self.pick(["True", "False"]),
                 AT=self.r.randint(0, 2000), S=" + ".join(pieces))


def generate(seed, index, max_depth=MAX_DEPTH, units=None, kinds=None):
    """Program `index` of the run with seed `seed`, of units of the given
    kinds (Gen.UNITS' names; all of them by default)."""
    rng = random.Random(f"{seed}:{index}")
    return Gen(rng, max_depth).program(seed, index, units, kinds)
