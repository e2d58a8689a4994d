"""The fuzzer's programs (generator.py): control flow around tail calls:
generators and coroutines, exceptions, argument binding and with
blocks."""

from .common import BOUNDARY, OPS, CATCH, SIGNATURES, ARG_LISTS, T


class FlowShapes:
    """Units of Gen (generator.py), a mixin: each returns code that
    defines run_<u>(), which prints."""

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
