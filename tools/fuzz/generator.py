"""The fuzzer's programs: program N of seed S comes from
random.Random("S:N") alone (generate())."""

import random

from .common import (MAX_DEPTH, C_DEPTH, HEADER, BOUNDARY, SIGS,
                     GOOD_ARGS, BAD_ARGS, OPS, BASES, BAD_BASES,
                     CONDS, EVERY, CATCH, T, indent)
from .shapes_callables import CallableShapes
from .shapes_flow import FlowShapes
from .shapes_loops import LoopShapes
from .shapes_runtime import RuntimeShapes
from .shapes_tools import ToolShapes


class Gen(CallableShapes, FlowShapes, LoopShapes, RuntimeShapes,
          ToolShapes):
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

    MEDDLE_ACTIONS = ("frame", "locals", "code", "defaults", "kwdefaults",
                      "gc", "rewire")


def generate(seed, index, max_depth=MAX_DEPTH, units=None, kinds=None):
    """Program `index` of the run with seed `seed`, of units of the given
    kinds (Gen.UNITS' names; all of them by default)."""
    rng = random.Random(f"{seed}:{index}")
    return Gen(rng, max_depth).program(seed, index, units, kinds)
