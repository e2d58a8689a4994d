"""The fuzzer's programs (generator.py): the runtime around chains: C callees
and C code in the middle of chains, frame objects, finalizers and
threads."""

from .common import C_DEPTH, BOUNDARY, OPS, C_VALUES, C_EXPRS, T


class RuntimeShapes:
    """Units of Gen (generator.py), a mixin: each returns code that
    defines run_<u>(), which prints."""

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
