"""(d) Reference: the loop of tail_self.py written as a while loop."""
def loop(n, acc):
    while n != 0:
        n, acc = n - 1, acc + n
    return acc

def run():
    for _ in range(20):
        loop(50_000, 0)
