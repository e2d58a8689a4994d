"""Helpers shared by the tests: the kept window, a chain of tail calls,
functions with big frames, tail-recursive functions, the instructions a
site specializes to."""

import functools
import inspect
import sysconfig

import _opcode_metadata

# A tail call replaces its caller's frame once this many tail calls in a
# row kept theirs (_Py_TAIL_CALL_KEPT_FRAMES in pycore_frame.h).
KEPT = 16


def chain(n, then):
    """n tail calls in a row, then then()."""
    return then() if n == 0 else chain(n - 1, then)


def make_ring(*sizes):
    """Functions f0, f1, ...: fi has sizes[i] locals and tail-calls the
    next one round the ring; each fi(n) is 0 after n calls."""
    src = ""
    for i, size in enumerate(sizes):
        nxt = (i + 1) % len(sizes)
        src += f"def f{i}(n):\n"
        src += "".join(f"    v{j} = n\n" for j in range(size))
        src += f"    return n if n == 0 else f{nxt}(n - 1)\n"
    ns = {}
    exec(src, ns)
    return [ns[f"f{i}"] for i in range(len(sizes))]


@functools.cache
def big_frame_function(nlocals):
    """f(n): a tail-recursive countdown whose frame has nlocals locals."""
    return make_ring(nlocals)[0]


def loop(n):
    return n if n == 0 else loop(n - 1)


def ping(n):
    return n if n == 0 else pong(n - 1)


def pong(n):
    return n if n == 0 else ping(n - 1)


def is_even(n):
    return True if n == 0 else is_odd(n - 1)


def is_odd(n):
    return False if n == 0 else is_even(n - 1)


# Their source, for programs that run in a fresh interpreter.
CHAIN_FUNCTIONS = "".join(inspect.getsource(f) for f in (loop, ping, pong))
MAKE_RING = inspect.getsource(make_ring)


# The free-threaded build of 3.13 does not specialize (ENABLE_SPECIALIZATION
# is off with Py_GIL_DISABLED), on stock as here: every site keeps its
# generic instruction, TAIL_CALL at a tail site.
SPECIALIZES = not sysconfig.get_config_var("Py_GIL_DISABLED")


def form(name):
    """What a site that specializes to the instruction NAME shows on this
    build: NAME, or its family's generic instruction where nothing
    specializes."""
    if SPECIALIZES:
        return name
    for family, members in _opcode_metadata._specializations.items():
        if name in members:
            return family
    return name
