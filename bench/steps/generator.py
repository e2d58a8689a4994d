"""A tail site whose callee is a generator function: the call makes a
generator and returns it, so it stays an ordinary call."""
def gen(n):
    yield n

def make(n):
    return gen(n)

def run(n):
    for i in range(n):
        make(i)
