"""(c) Generator pipelines: generator functions called from other code,
some at tail sites (a call that makes a generator is an ordinary call)."""
def numbers(n):
    for i in range(n):
        yield i

def evens(it):
    return (x for x in it if x % 2 == 0)

def squares(it):
    for x in it:
        yield x * x

def pipeline(n):
    return squares(evens(numbers(n)))

def run():
    for _ in range(600):
        sum(pipeline(1000))
