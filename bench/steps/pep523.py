"""kept.py under a PEP 523 frame evaluator (evalframe.c, which only runs
the default one): an evaluator runs every call, so no tail call replaces a
frame."""
import evalframe

def g(n):
    return n

def f(n):
    return g(n)

def run(n):
    evalframe.install()
    try:
        for i in range(n):
            f(i)
    finally:
        evalframe.uninstall()
