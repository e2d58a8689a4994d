"""The loop of self.py as a while loop: one step is one iteration."""
def f(n):
    while n:
        n = n - 1
    return 0

def run(n):
    f(n)
