"""Mutual tail calls: one step is one call of a by b or of b by a, in one
chain n deep (stock: n frames deep)."""
def a(n):
    return b(n - 1) if n else 0

def b(n):
    return a(n - 1) if n else 0

def run(n):
    a(n)
