"""(b) Tail sites calling Python helpers in ordinary code (short chains)."""
def helper(x):
    return x + 1

def middle(x):
    return helper(x)

def outer(x):
    return middle(x)

def run():
    for i in range(1_500_000):
        outer(i)
