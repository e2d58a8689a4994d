"""Instructions, not seconds: the cpython-tco package against stock CPython
packaged and built the same way (make-deb's DEB_STOCK=1: the same release,
toolchain, flags and PGO training, without the series), and against
Debian's python3.13, in a throwaway Debian trixie root
(tools/tco/debian_root.py).

Usage: tools/count-distro DEB STOCK-DEB WORKDIR

In a fresh trixie root, valgrind and Debian's python3 are installed, and
the two packages unpacked (dpkg-deb -x) under /opt/tco and /opt/stock.
Each general program of bench/ (bench-distro's) runs under the three
interpreters in valgrind's callgrind, PYTHONHASHSEED=0: the instructions
of one warmed-up run() are those of a process running run() twice less
those of a process running it once.  Neither writes byte code: a first
process that wrote what the second loads (the unpacked packages have
none) would count a compile.
Prints a table of the counts and of the ratios of cpython-tco's to each
reference, and their geometric means.
Wall-clock time swings by 20% on these machines; counts repeat.
"""

import json
import math
import os
import shutil
import subprocess
import sys

from tco import TOP
from tco.bench_distro import GENERAL
from tco.debian_root import SUITE, fresh_root, remove_root, root_env, \
    run_in_root

INTERPRETERS = {
    "cpython-tco": "/opt/tco/usr/lib/cpython-tco/bin/python3.13",
    "stock (same build)": "/opt/stock/usr/lib/cpython-tco/bin/python3.13",
    "Debian python3.13": "/usr/bin/python3.13",
}

COUNTER = """\
import sys, importlib.util
sys.setrecursionlimit(10**6)
spec = importlib.util.spec_from_file_location("bench", sys.argv[1])
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
for _ in range(int(sys.argv[2])):
    mod.run()
"""

# Run in the root by Debian's python3: the counts, as JSON on stdout.
DRIVER = """\
import json, os, re, subprocess, sys
programs, interpreters, counter = json.load(open(sys.argv[1]))
def count(python, path, runs):
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
         python, "-c", counter, path, str(runs)],
        capture_output=True, text=True, check=True,
        env=dict(os.environ, PYTHONHASHSEED="0",
                 PYTHONDONTWRITEBYTECODE="1"))
    return int(re.search(r"Collected : (\\d+)", done.stderr).group(1))
counts = {}
for p in programs:
    path = "/tmp/bench/" + p + ".py"
    counts[p] = {k: count(py, path, 2) - count(py, path, 1)
                 for k, py in interpreters.items()}
    print(p, counts[p], file=sys.stderr, flush=True)
print(json.dumps(counts))
"""

SCRIPT = r"""
set -eu
export DEBIAN_FRONTEND=noninteractive
echo 'Dpkg::Use-Pty "0";' >/etc/apt/apt.conf.d/90count-distro
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends python3 valgrind >/dev/null
for k in tco stock; do /opt/$k/usr/lib/cpython-tco/bin/python3.13 -VV; done
python3.13 -VV
python3.13 /tmp/bench/driver.py /tmp/bench/config.json >/tmp/bench/counts.json
"""


def geomean(values):
    return math.exp(sum(math.log(v) for v in values) / len(values))


def table(counts):
    names = list(INTERPRETERS)
    lines = ["| program | " + " | ".join(f"{n} (M)" for n in names)
             + " | / stock | / Debian |",
             "| --- |" + " ---: |" * (len(names) + 2)]
    to_stock, to_debian = [], []
    for p, row in counts.items():
        a, s, d = (row[n] for n in names)
        to_stock.append(a / s)
        to_debian.append(a / d)
        lines.append(f"| `{p}` | " + " | ".join(f"{row[n] / 1e6:.2f}"
                                                for n in names)
                     + f" | {a / s:.3f} | {a / d:.3f} |")
    lines.append("")
    lines.append(f"geometric mean: {geomean(to_stock):.3f} of stock built "
                 f"the same way, {geomean(to_debian):.3f} of Debian's "
                 f"python3.13")
    return "\n".join(lines)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 3:
        sys.exit(__doc__)
    deb, stock_deb, work = map(os.path.abspath, argv)
    root = fresh_root(work)
    try:
        for name, path in (("tco", deb), ("stock", stock_deb)):
            subprocess.run(["dpkg-deb", "-x", path,
                            os.path.join(root, "opt", name)], check=True)
        bench = os.path.join(root, "tmp", "bench")
        os.makedirs(bench)
        for p in GENERAL:
            shutil.copy(os.path.join(TOP, "bench", p + ".py"), bench)
        with open(os.path.join(bench, "driver.py"), "w") as f:
            f.write(DRIVER)
        with open(os.path.join(bench, "config.json"), "w") as f:
            json.dump([GENERAL, INTERPRETERS, COUNTER], f)
        print(f"count-distro: {len(GENERAL)} programs under "
              f"{len(INTERPRETERS)} interpreters, in a fresh {SUITE} root",
              file=sys.stderr, flush=True)
        done = run_in_root(root, SCRIPT, root_env())
        if done.returncode:
            sys.exit(f"count-distro: the run failed (exit {done.returncode})")
        with open(os.path.join(bench, "counts.json")) as f:
            counts = json.load(f)
    finally:
        remove_root(root)
    print(table(counts))
