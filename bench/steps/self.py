"""Self tail call: one step is one call of f by itself."""
def f(n):
    return f(n - 1) if n else 0

def run(n):
    f(n)
