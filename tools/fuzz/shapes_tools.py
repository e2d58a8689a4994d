"""The fuzzer's programs (generator.py): tools that look in: tracers and
profilers, and tool callbacks that meddle with what runs."""

import string

from .common import OPS, T, indent


class ToolShapes:
    """Units of Gen (generator.py), a mixin: each returns code that
    defines run_<u>(), which prints."""

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
