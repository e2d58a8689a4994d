"""(a) Mutual tail recursion: even/odd."""
def is_even(n):
    return True if n == 0 else is_odd(n - 1)

def is_odd(n):
    return False if n == 0 else is_even(n - 1)

def run():
    for _ in range(20):
        is_even(50_000)
