"""The calls of mutual.py in chains 10 deep: on stock, one step is a
shallow call and its return."""
def a(n):
    return b(n - 1) if n else 0

def b(n):
    return a(n - 1) if n else 0

def run(n):
    for _ in range(n // 10):
        a(10)
