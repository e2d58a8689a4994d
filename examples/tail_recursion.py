"""Tail recursion and mutual recursion at depth 1,000,000, and async
recursion through tail awaits.

Run with cpython-tco, it prints the results; run with stock CPython, it
stops with RecursionError at depth 1000 (the default recursion limit).
"""

import asyncio
import sys


def count_down(n):
    # `return f(...)` is a tail call: cpython-tco runs it in place of
    # count_down's own frame.
    return "done" if n == 0 else count_down(n - 1)


def is_even(n):
    return True if n == 0 else is_odd(n - 1)


def is_odd(n):
    return False if n == 0 else is_even(n - 1)


def gcd_steps(a, b, steps=0):
    # Keyword arguments in a tail call.
    return (a, steps) if b == 0 else gcd_steps(b, a % b, steps=steps + 1)


async def count_down_async(n):
    # `return await f(...)` is a tail await: the awaited coroutine runs in
    # place of count_down_async's own.
    return "done" if n == 0 else await count_down_async(n - 1)


if __name__ == "__main__":
    depth = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    print(f"count_down({depth:,}) = {count_down(depth)!r}")
    print(f"is_even({depth:,}) = {is_even(depth)}")
    print(f"is_odd({depth + 1:,}) = {is_odd(depth + 1)}")
    print(f"gcd_steps(832040, 514229) = {gcd_steps(832040, 514229)}")
    print(f"asyncio.run(count_down_async({depth:,})) = "
          f"{asyncio.run(count_down_async(depth))!r}")
