"""Debian's python3.13 against the cpython-tco package, side by side, in a
throwaway Debian trixie root (tools/tco/debian_root.py).

Usage: tools/bench-distro DEB WORKDIR [ROUNDS]

In a fresh trixie root, Debian's python3 (3.13) and DEB (python3-tco) are
installed together; then the programs of bench/ run under both,
interleaved: ROUNDS rounds (default 11), each of which runs every program
once under each interpreter, in an order that alternates from program to
program and from round to round.  A run times run(), warmed up, repeated
for at least 0.3 s.  Writes docs/BENCHMARKS-debian.md (and prints its
table): per program the median time under each interpreter, the ratio of
the medians (python3-tco over python3.13) and the spread of the per-round
ratios (lowest and highest), then the geometric mean of the ratios of the
general programs and of all.
"""

import datetime
import json
import math
import os
import platform
import shutil
import statistics
import sys

from tco.debian_root import SUITE, fresh_root, remove_root, run_in_root

from tco import TOP
BENCH = os.path.join(TOP, "bench")

# The programs: what pyperformance covers (objects, floats, generators,
# coroutines, strings, json, regex), and deep recursion, where Debian's
# python3.13 needs a raised recursion limit.
GENERAL = ["general_fib", "general_objects", "general_nbody",
           "general_generators", "general_async", "general_strings",
           "general_json", "general_regex"]
DEEP = ["tail_self", "tail_mutual", "tail_state_machine", "tail_async"]
PROGRAMS = GENERAL + DEEP

INTERPRETERS = {"python3.13": "/usr/bin/python3.13",
                "python3-tco": "/usr/bin/python3-tco"}

TIMER = """\
import sys, time, importlib.util
sys.setrecursionlimit(10**6)
spec = importlib.util.spec_from_file_location("bench", sys.argv[1])
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
mod.run()
t = time.perf_counter()
mod.run()
once = time.perf_counter() - t
n = max(1, int(0.3 / max(once, 1e-6)))
t = time.perf_counter()
for _ in range(n):
    mod.run()
print((time.perf_counter() - t) / n)
"""

# Run in the root by Debian's python3: the rounds, as JSON on stdout.
DRIVER = """\
import json, subprocess, sys
programs, interpreters, rounds, timer = json.load(open(sys.argv[1]))
times = {p: {k: [] for k in interpreters} for p in programs}
for r in range(rounds):
    for i, p in enumerate(programs):
        order = list(interpreters)
        if (r + i) % 2:
            order.reverse()
        for key in order:
            out = subprocess.run([interpreters[key], "-c", timer,
                                  "/tmp/bench/" + p + ".py"],
                                 capture_output=True, text=True, check=True)
            times[p][key].append(float(out.stdout.split()[-1]))
    print("round", r + 1, "of", rounds, file=sys.stderr, flush=True)
print(json.dumps(times))
"""

SCRIPT = r"""
set -eu
export DEBIAN_FRONTEND=noninteractive
echo 'Dpkg::Use-Pty "0";' >/etc/apt/apt.conf.d/90bench-distro
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends python3 "$DEB" >/dev/null
{ python3.13 -VV; python3-tco -VV; } >/tmp/bench/versions.txt
python3.13 /tmp/bench/driver.py /tmp/bench/config.json >/tmp/bench/times.json
"""


PAGE = """\
# Benchmarks: the cpython-tco package against Debian's python3.13

Made by `make bench-distro` (`tools/bench-distro`), which says how: in a
fresh Debian trixie root, Debian's python3.13 and `{deb}` installed
together, {rounds} interleaved rounds, each program run once per
interpreter per round, in alternating order; a run times `run()`, warmed
up, repeated for at least 0.3 s. Median of the rounds; "per round" is the
lowest and highest ratio of one round. Wall-clock time swings by up to 20%
here between runs of the same binary.

- machine: {machine}; date: {date}
{versions}

General programs (what pyperformance covers): {general}. Deep recursion,
where python3.13 runs with a raised recursion limit: {deep}.

{table}
"""


def log(msg):
    print(f"bench-distro: {msg}", file=sys.stderr, flush=True)


def geomean(values):
    return math.exp(sum(math.log(v) for v in values) / len(values))


def summarize(times, programs, first, second):
    """Rows (program, median of first, median of second, ratio of the
    medians, lowest and highest per-round ratio) for the programs with
    times, the ratio being second's over first's."""
    rows = []
    for p in programs:
        a, b = times[p][first], times[p][second]
        per_round = [y / x for x, y in zip(a, b)]
        ma, mb = statistics.median(a), statistics.median(b)
        rows.append((p, ma, mb, mb / ma, min(per_round), max(per_round)))
    return rows


def markdown(rows, first, second, general):
    """The table, then the geometric means: of the general programs, and
    of all."""
    lines = [f"| program | {first} (ms) | {second} (ms) | ratio | "
             f"per round |",
             "| --- | ---: | ---: | ---: | ---: |"]
    for p, ma, mb, ratio, lo, hi in rows:
        lines.append(f"| `{p}` | {ma * 1e3:.2f} | {mb * 1e3:.2f} | "
                     f"{ratio:.3f} | {lo:.3f}–{hi:.3f} |")
    ratios = {p: ratio for p, _, _, ratio, _, _ in rows}
    general_ratios = [ratios[p] for p in general if p in ratios]
    lines.append("")
    lines.append(f"geometric mean of the general programs: "
                 f"{geomean(general_ratios):.3f}; of all: "
                 f"{geomean(list(ratios.values())):.3f}")
    return "\n".join(lines)


def main(argv):
    if len(argv) not in (2, 3):
        sys.exit(__doc__)
    deb, work = map(os.path.abspath, argv[:2])
    rounds = int(argv[2]) if len(argv) == 3 else 11
    os.makedirs(work, exist_ok=True)
    root = fresh_root(work)
    bench = os.path.join(root, "tmp", "bench")
    os.makedirs(bench)
    for p in PROGRAMS:
        shutil.copy(os.path.join(BENCH, p + ".py"), bench)
    with open(os.path.join(bench, "driver.py"), "w") as f:
        f.write(DRIVER)
    with open(os.path.join(bench, "config.json"), "w") as f:
        json.dump([PROGRAMS, INTERPRETERS, rounds, TIMER], f)
    shutil.copyfile(deb, os.path.join(root, "tmp", os.path.basename(deb)))
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root",
           "LANG": "C.UTF-8", "DEB": "/tmp/" + os.path.basename(deb)}
    log(f"{len(PROGRAMS)} programs, {rounds} rounds, in a fresh {SUITE} root")
    done = run_in_root(root, SCRIPT, env)
    try:
        if done.returncode:
            sys.exit(f"bench-distro: the run failed (exit {done.returncode})")
        with open(os.path.join(bench, "times.json")) as f:
            times = json.load(f)
        with open(os.path.join(bench, "versions.txt")) as f:
            versions = f.read().split("\n")
    finally:
        remove_root(root)
    rows = summarize(times, PROGRAMS, "python3.13", "python3-tco")
    table = markdown(rows, "python3.13", "python3-tco", GENERAL)
    print(table)
    with open(os.path.join(TOP, "docs", "BENCHMARKS-debian.md"), "w") as f:
        f.write(PAGE.format(
            deb=os.path.basename(deb), rounds=rounds,
            machine=f"{platform.machine()}, {os.cpu_count()} cores",
            date=datetime.datetime.now(datetime.timezone.utc)
                 .strftime("%Y-%m-%d %H:%M UTC"),
            versions="\n".join(f"- `{v}`" for v in versions if v),
            table=table, general=", ".join(f"`{p}`" for p in GENERAL),
            deep=", ".join(f"`{p}`" for p in DEEP)))
    log("wrote docs/BENCHMARKS-debian.md")
