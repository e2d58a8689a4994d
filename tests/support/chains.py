"""Helpers shared by the tests: the kept window, a chain of tail calls,
functions with big frames."""

import functools
import inspect

# A tail call replaces its caller's frame once this many tail calls in a
# row kept theirs (_Py_TAIL_CALL_KEPT_FRAMES in pycore_frame.h).
KEPT = 16


def chain(n, then):
    """n tail calls in a row, then then()."""
    return then() if n == 0 else chain(n - 1, then)


@functools.cache
def big_frame_function(nlocals):
    """f(n): a tail-recursive countdown whose frame has nlocals locals."""
    src = (f"def big{nlocals}(n):\n"
           + "".join(f"    v{j} = n\n" for j in range(nlocals))
           + f"    return n if n == 0 else big{nlocals}(n - 1)\n")
    ns = {}
    exec(src, ns)
    return ns[f"big{nlocals}"]


def loop(n):
    return n if n == 0 else loop(n - 1)


def ping(n):
    return n if n == 0 else pong(n - 1)


def pong(n):
    return n if n == 0 else ping(n - 1)


# Their source, for programs that run in a fresh interpreter.
CHAIN_FUNCTIONS = "".join(inspect.getsource(f) for f in (loop, ping, pong))
