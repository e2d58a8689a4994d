"""A module of its own, for calls that cross a module boundary."""

import collections
import enum
import sys
import typing


def loop(n):
    return n if n == 0 else loop(n - 1)


def call_back(f, n):
    # A tail call back into the caller's module.
    return f(n)


def make_point_type():
    return collections.namedtuple("Point", "x y")


def caller_module():
    return sys._getframemodulename(1)


def make_typevar():
    # TypeVar is a C type: the call is an ordinary one, this frame stays.
    return typing.TypeVar("T")


def make_newtype():
    return typing.NewType("UserId", int)


def make_enum():
    return enum.Enum("Color", "RED GREEN")


def make_enum_in_module():
    # The remedy for a long chain: name the module.
    return enum.Enum("Color", "RED GREEN", module=__name__)


def caller_name():
    return sys._getframe(1).f_code.co_name
