"""(d) Reference: tail_mutual.py through a pure-Python trampoline."""
def trampoline(f):
    def run(*args):
        result = f(*args)
        while callable(result):
            result = result()
        return result
    return run

def is_even(n):
    return True if n == 0 else (lambda: is_odd(n - 1))

def is_odd(n):
    return False if n == 0 else (lambda: is_even(n - 1))

def run():
    for _ in range(20):
        trampoline(is_even)(50_000)
