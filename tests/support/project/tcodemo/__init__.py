"""Tail-recursive functions, installed by pip in the install checks."""

import sys


def count_down(n):
    return "done" if n == 0 else count_down(n - 1)


def is_even(n):
    return True if n == 0 else is_odd(n - 1)


def is_odd(n):
    return False if n == 0 else is_even(n - 1)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    print(count_down(n), is_even(n))
