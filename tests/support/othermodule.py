"""A module of its own, for calls that cross a module boundary."""

import collections
import sys


def loop(n):
    return n if n == 0 else loop(n - 1)


def call_back(f, n):
    # A tail call back into the caller's module.
    return f(n)


def make_point_type():
    return collections.namedtuple("Point", "x y")


def caller_module():
    return sys._getframemodulename(1)
