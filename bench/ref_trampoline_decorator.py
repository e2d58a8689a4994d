"""(d) Reference: tail_mutual.py with a trampoline decorator, the way such
decorators are written: a tail call returns a bounce object, and the
decorated function runs bounces until a value comes back."""
import functools


class Bounce:
    __slots__ = ("func", "args")

    def __init__(self, func, args):
        self.func = func
        self.args = args


def bounce(func, *args):
    """What a trampolined function returns instead of calling func."""
    return Bounce(func, args)


def trampolined(func):
    @functools.wraps(func)
    def run(*args):
        result = func(*args)
        while type(result) is Bounce:
            result = result.func.__wrapped__(*result.args)
        return result
    return run


@trampolined
def is_even(n):
    return True if n == 0 else bounce(is_odd, n - 1)


@trampolined
def is_odd(n):
    return False if n == 0 else bounce(is_even, n - 1)


def run():
    for _ in range(20):
        is_even(50_000)
