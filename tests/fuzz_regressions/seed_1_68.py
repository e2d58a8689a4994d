# Fuzz regression: python3 tools/fuzz --show 1:68, minimized.
# Divergence stdout.
# stock: exit 0
# tco:   exit 0
#   first difference, stdout line 1:
#     stock "monitor 54 [('PY_RETURN:hop_1:', 1), ('PY_RETURN:loop_1:', 2), ('PY_RETURN:mon_on_1:', 1)]"
#     tco   "monitor 54 [('PY_RETURN:hop_1:', 2), ('PY_RETURN:loop_1:', 3), ('PY_RETURN:mon_on_1:', 1)]"
# before minimizing, stock: exit 0
# before minimizing, tco:   exit 0
#   first difference, stdout line 10:
#     stock "monitor 400 [('PY_RETURN:hop_1:', 1), ('PY_RETURN:loop_1:', 3), ('PY_RETURN:mon_on_1:', 1)]"
#     tco   "monitor 400 [('PY_RETURN:hop_1:', 17), ('PY_RETURN:loop_1:', 25), ('PY_RETURN:mon_on_1:', 1)]"
# expect-exit: 0
# expect-stdout: monitor 54 [('PY_RETURN:hop_1:', 1), ('PY_RETURN:loop_1:', 2), ('PY_RETURN:mon_on_1:', 1)]

import sys
sys.setrecursionlimit(100000)
import functools
import gc
import operator
import threading
import types
EV_1 = {}

def count_1(key):
    EV_1[key] = EV_1.get(key, 0) + 1

def loop_1(n, acc):
    if n <= 0:
        return acc
    return hop_1(n - 1, acc + n)

def hop_1(n, acc):
    return loop_1(n, acc + len(str(n)))

def mon_on_1():
    mon = sys.monitoring
    mon.use_tool_id(3, 'fuzz')

    def cb_py_return(code, off, v):
        count_1('PY_RETURN:' + code.co_name + ':' + '')
        return mon.DISABLE
    mon.register_callback(3, mon.events.PY_RETURN, cb_py_return)
    mon.set_events(3, mon.events.PY_RESUME | mon.events.PY_RETURN | mon.events.PY_UNWIND | mon.events.RAISE)

def run_1():
    mon_on_1()
    r = loop_1(9, 0)
    print('monitor', r, sorted(EV_1.items()))
run_1()
