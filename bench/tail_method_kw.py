"""(a) Method and keyword tail calls."""
class Walker:
    def walk(self, n, *, acc=0):
        return acc if n == 0 else self.walk(n - 1, acc=acc + 1)

def run():
    w = Walker()
    for _ in range(20):
        w.walk(50_000)
