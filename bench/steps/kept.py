"""Tail calls in the kept window: chains two calls long, as in ordinary
code, where every tail call keeps its caller's frame."""
def g(n):
    return n

def f(n):
    return g(n)

def run(n):
    for i in range(n):
        f(i)
