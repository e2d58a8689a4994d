"""`make demo`: the shipped examples under cpython-tco and stock CPython.

Usage: build/tco/python examples/demo.py STOCK-PYTHON
"""

import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLE = os.path.join(HERE, "tail_recursion.py")


# The child reports its own peak RSS when it exits, whatever the outcome.
REPORT_RSS = ("import atexit, resource, sys; atexit.register(lambda: "
              "print('peak-rss', resource.getrusage(resource.RUSAGE_SELF)"
              ".ru_maxrss, file=sys.stderr)); ")


def run(python, *args, prelude=""):
    code = (f"{REPORT_RSS}{prelude}import runpy, sys; "
            f"sys.argv = {[EXAMPLE, *args]!r}; "
            f"runpy.run_path({EXAMPLE!r}, run_name='__main__')")
    start = time.perf_counter()
    proc = subprocess.run([python, "-c", code], capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    *err, rss = proc.stderr.rstrip("\n").split("\n")
    return proc.returncode, proc.stdout, "\n".join(err), elapsed, \
        int(rss.split()[1])


def show(title, python, *args, prelude=""):
    rc, out, err, elapsed, rss = run(python, *args, prelude=prelude)
    print(f"--- {title}")
    print(f"    $ {python} {os.path.relpath(EXAMPLE)} {' '.join(args)}")
    for line in out.splitlines():
        print("   ", line)
    if rc:
        lines = err.splitlines()
        print("    ...")
        for line in lines[-3:]:
            print("   ", line)
    print(f"    exit status {rc}, {elapsed:.2f} s, peak RSS {rss / 1024:.1f} MiB")
    print()
    return rc


def main():
    stock = sys.argv[1]
    print("cpython-tco:", sys.version.split()[0], "with tail calls\n")
    failures = 0
    failures += show("cpython-tco, default recursion limit", sys.executable) != 0
    failures += show("cpython-tco, depth 10,000,000", sys.executable,
                     "10000000") != 0
    rc = show("stock CPython 3.13.15, same code", stock)
    failures += rc == 0          # stock must hit the recursion limit
    show("stock CPython 3.13.15, recursion limit raised to 10**7", stock,
         prelude="import sys; sys.setrecursionlimit(10**7); ")
    print("The same code: stock CPython pushes a frame per call and needs a")
    print("raised recursion limit and memory growing with the depth;")
    print("cpython-tco lets a tail call replace its caller's frame (once a chain")
    print("of tail calls is 16 deep), so memory stays flat at any depth.")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
