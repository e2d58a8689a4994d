"""(c) String and dict heavy code: word counting and formatting."""
import json

TEXT = ("the quick brown fox jumps over the lazy dog " * 50).split()

def run():
    for _ in range(1500):
        counts = {}
        for w in TEXT:
            counts[w] = counts.get(w, 0) + 1
        json.dumps(sorted(counts.items()))
        "-".join(f"{k}={v}" for k, v in counts.items())
