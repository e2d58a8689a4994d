"""The fuzzer's programs (generator.py): tail calls in loops, self recursion,
state machines, and functions rebound in the middle of a chain."""

from .common import OPS, T


class LoopShapes:
    """Units of Gen (generator.py), a mixin: each returns code that
    defines run_<u>(), which prints."""

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
