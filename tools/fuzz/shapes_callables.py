"""The fuzzer's programs (generator.py): callables of every kind at tail sites:
methods, lambdas, closures, polymorphic sites, constructors, dunder
methods, decorators and callable objects."""

from .common import (BOUNDARY, OPS, CONDS, EVERY, POLY1,
                     POLYN, POLYKW, T, indent)


class CallableShapes:
    """Units of Gen (generator.py), a mixin: each returns code that
    defines run_<u>(), which prints."""

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
