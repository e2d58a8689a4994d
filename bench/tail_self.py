"""(a) Self tail recursion: a counting loop written as tail calls."""
def loop(n, acc):
    return acc if n == 0 else loop(n - 1, acc + n)

def run():
    for _ in range(20):
        loop(50_000, 0)
