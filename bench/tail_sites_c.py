"""(b) Tail sites calling C: len, isinstance, str, a bound C method."""
def size(x):
    return len(x)

def check(x):
    return isinstance(x, int)

def text(x):
    return str(x)

def add(lst, x):
    return lst.count(x)

def run():
    lst = [1, 2, 3]
    for i in range(600_000):
        size(lst)
        check(i)
        text(i)
        add(lst, 2)
