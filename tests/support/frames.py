"""The Python stack as Python code walks it, for tests that compare it
with what C code sees; and the exception a call raises, traceback and all."""

import sys


def py_names(depth=1):
    """co_name of every frame from the caller's (depth 1) down."""
    names, f = [], sys._getframe(depth)
    while f is not None:
        names.append(f.f_code.co_name)
        f = f.f_back
    return names


def py_frames(depth=1):
    frames, f = [], sys._getframe(depth)
    while f is not None:
        frames.append(f)
        f = f.f_back
    return frames


def raised(exc_type, func):
    """The exception func() raises, with its traceback (assertRaises drops it)."""
    try:
        func()
    except exc_type as e:
        return e
    raise AssertionError(f"{func} did not raise {exc_type.__name__}")
