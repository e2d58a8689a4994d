"""Run the benchmarks in bench/ on stock CPython and cpython-tco, side by
side, and write docs/BENCHMARKS.md and docs/memory.svg.

Usage: tools/bench STOCK-PYTHON TCO-PYTHON [--rounds N] [--no-callgrind]
       tools/bench STOCK-PYTHON TCO-PYTHON --steps

Each benchmark is a module with a run() function.  A round starts one
process per interpreter, interleaved (stock, tco, stock, tco, ...); each
process runs run() once to warm up and once timed.  The report gives, per
benchmark, the median time of each interpreter, the spread of its rounds
((max - min) / median), and the tco/stock ratio of the medians.  Wall-clock
time on these shared machines swings by up to 20% from run to run: read
ratios of a few percent as noise; count instructions with callgrind for
those: each benchmark also runs under `valgrind --tool=callgrind`, once
with one run() and once with two, and the difference is the instruction
count of one warmed-up run() (with PYTHONHASHSEED=0, repeatable to
0.01%).  The tail-heavy group
is also timed under `-X tailcalls=debug` (shadow frames on), for the cost
of that mode.  Memory is the peak RSS of a process running a
tail-recursive loop to a given depth (stock with its recursion limit
raised).

The cost of one tail call is measured apart, by the programs of
bench/steps/: each has a run(n) that makes n steps (n tail calls, n loop
iterations, n calls), and the instructions of one step are the difference
of a process with 2*10^5 steps and one with 10^5, divided by 10^5 (so
that start-up and warm-up cancel), with PYTHONHASHSEED=0.  STEP_FIGURES
says which ratios are printed, each next to its target; `--steps` prints
them alone.  bench/steps/evalframe.c, a PEP 523 evaluator that only runs
the default one, is compiled against stock's headers for pep523.py.
"""

import math
import os
import re
import platform
import statistics
import subprocess
import sys
import tempfile
import time

from tco import TOP
from tco import stock_extension
BENCH = os.path.join(TOP, "bench")
DOCS = os.path.join(TOP, "docs")
STEPS = os.path.join(BENCH, "steps")

GROUPS = [
    ("a", "tail-heavy code", ["tail_self", "tail_mutual", "tail_method_kw",
                              "tail_state_machine", "tail_async"]),
    ("b", "tail sites in ordinary code", ["tail_sites_python", "tail_sites_c",
                                          "tail_sites_classes"]),
    ("c", "non-tail and general code", ["general_fib", "general_objects",
                                        "general_strings",
                                        "general_generators",
                                        "general_async",
                                        "general_nbody"]),
    ("d", "reference points", ["ref_while", "ref_trampoline",
                               "ref_trampoline_decorator"]),
]

TIMER = """\
import sys, time, importlib.util
sys.setrecursionlimit(10**6)
spec = importlib.util.spec_from_file_location("bench", {path!r})
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
mod.run()
t = time.perf_counter()
mod.run()
print(time.perf_counter() - t)
"""

# Instruction counts: the same, with N runs and no timing.
COUNTER = """\
import sys, importlib.util
sys.setrecursionlimit(10**6)
spec = importlib.util.spec_from_file_location("bench", {path!r})
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
for _ in range({runs}):
    mod.run()
"""

# One tail call against what it replaces: (what, the program on cpython-tco,
# the reference interpreter and program, the target for the ratio).
STEP_FIGURES = [
    ("self tail call / the same loop as a `while` loop (cpython-tco)",
     "self", "tco", "while", 1.15),
    ("mutual tail call / stock's call at depth", "mutual", "stock", "mutual",
     0.72),
    ("mutual tail call / stock's shallow call and return", "mutual", "stock",
     "mutual_shallow", 1.00),
    ("tail site, generator function callee / stock's call", "generator",
     "stock", "generator", 1.00),
    ("tail site in the kept window / stock's call", "kept", "stock", "kept",
     1.00),
    ("tail site under a PEP 523 evaluator / stock's call", "pep523", "stock",
     "pep523", 1.00),
]
STEPS_N = 100_000

STEP_COUNTER = """\
import sys, importlib.util
sys.setrecursionlimit(10**7)
spec = importlib.util.spec_from_file_location("step", {path!r})
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
mod.run(1000)
mod.run({n})
"""

RSS = """\
import resource, sys
sys.setrecursionlimit(10**8)
def loop(n):
    return n if n == 0 else loop(n - 1)
loop({depth})
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def run(python, code, *options):
    out = subprocess.run([python, *options, "-c", code], capture_output=True,
                         text=True, check=True).stdout
    return float(out.split()[-1])


def callgrind_count(python, code, **env):
    """Instructions (callgrind's Ir) of a process running code.  A fixed
    hash seed: dict lookups probe the same slots in every process, so that
    the counts repeat.  No byte code written: a process that wrote what the
    next one loads would count a compile into a difference of two counts
    (tools/count-distro, whose packages have none, writes it first)."""
    done = subprocess.run(["valgrind", "--tool=callgrind",
                           "--callgrind-out-file=/dev/null", python, "-c",
                           code],
                          capture_output=True, text=True, check=True,
                          env=dict(os.environ, PYTHONHASHSEED="0",
                                   PYTHONDONTWRITEBYTECODE="1", **env))
    return int(re.search(r"Collected : (\d+)", done.stderr).group(1))


def instructions(python, path, runs):
    """Instructions of a process running run() 'runs' times."""
    return callgrind_count(python, COUNTER.format(path=path, runs=runs))


def instructions_per_run(python, path):
    return instructions(python, path, 2) - instructions(python, path, 1)


def build_evalframe(stock, directory):
    """bench/steps/evalframe.c, built against stock's headers."""
    stock_extension.build(stock, os.path.join(STEPS, "evalframe.c"),
                          directory, "evalframe")


def step_instructions(python, name, directory):
    """Instructions of one step of bench/steps/NAME.py."""
    path = os.path.join(STEPS, name + ".py")
    counts = [callgrind_count(python, STEP_COUNTER.format(path=path, n=n),
                              PYTHONPATH=directory)
              for n in (STEPS_N, 2 * STEPS_N)]
    return (counts[1] - counts[0]) / STEPS_N


def step_figures(stock, tco):
    """[(what, tco's instructions per step, the reference's, ratio, target)]"""
    pythons = {"stock": stock, "tco": tco}
    rows = []
    with tempfile.TemporaryDirectory() as directory:
        build_evalframe(stock, directory)
        for what, name, ref_python, ref_name, target in STEP_FIGURES:
            ours = step_instructions(tco, name, directory)
            ref = step_instructions(pythons[ref_python], ref_name, directory)
            rows.append((what, ours, ref, ours / ref, target))
            print(f"bench: {what}: {ours:.1f} / {ref:.1f} = {ours / ref:.3f}"
                  f" (target <= {target:.2f})", flush=True)
    return rows


def fmt(seconds):
    return f"{seconds * 1000:.1f} ms"


def geomean(xs):
    return math.exp(sum(math.log(x) for x in xs) / len(xs))


def svg(depths, series):
    """A log-x line chart of peak RSS (MiB) against depth."""
    w, h, left, bottom, top, right = 640, 360, 70, 50, 20, 120
    ymax = max(max(v) for v in series.values()) * 1.1
    xs = [math.log10(d) for d in depths]
    def px(x):
        return left + (x - xs[0]) / (xs[-1] - xs[0]) * (w - left - right)
    def py(y):
        return h - bottom - y / ymax * (h - bottom - top)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" '
             f'height="{h}" font-family="sans-serif" font-size="12">',
             f'<rect width="{w}" height="{h}" fill="white"/>',
             f'<line x1="{left}" y1="{h - bottom}" x2="{w - right}" '
             f'y2="{h - bottom}" stroke="black"/>',
             f'<line x1="{left}" y1="{top}" x2="{left}" y2="{h - bottom}" '
             f'stroke="black"/>',
             f'<text x="{(w - right + left) / 2}" y="{h - 12}" '
             f'text-anchor="middle">depth of tail recursion</text>',
             f'<text x="14" y="{(h - bottom + top) / 2}" text-anchor="middle" '
             f'transform="rotate(-90 14 {(h - bottom + top) / 2})">'
             f'peak RSS (MiB)</text>']
    for x, d in zip(xs, depths):
        parts.append(f'<text x="{px(x)}" y="{h - bottom + 16}" '
                     f'text-anchor="middle">10^{int(round(x))}</text>')
    for i in range(5):
        y = ymax / 4 * i
        parts.append(f'<text x="{left - 6}" y="{py(y) + 4}" '
                     f'text-anchor="end">{y:.0f}</text>')
    colours = {"stock": "#c0392b", "cpython-tco": "#2471a3"}
    for name, values in series.items():
        pts = " ".join(f"{px(x):.1f},{py(v):.1f}" for x, v in zip(xs, values))
        parts.append(f'<polyline points="{pts}" fill="none" '
                     f'stroke="{colours[name]}" stroke-width="2"/>')
        parts.append(f'<text x="{px(xs[-1]) + 6}" y="{py(values[-1]) + 4}" '
                     f'fill="{colours[name]}">{name} '
                     f'({values[-1]:.0f} MiB)</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    stock, tco = argv[:2]
    if "--steps" in argv:
        step_figures(stock, tco)
        return
    rounds = int(argv[argv.index("--rounds") + 1]) if "--rounds" in argv else 7
    callgrind = "--no-callgrind" not in argv
    times = {}
    irs = {}
    for key, _, names in GROUPS:
        for name in names:
            path = os.path.join(BENCH, name + ".py")
            code = TIMER.format(path=path)
            t = times[name] = {"stock": [], "tco": [], "debug": []}
            for _ in range(rounds):
                t["stock"].append(run(stock, code))
                t["tco"].append(run(tco, code))
                if key == "a":
                    t["debug"].append(run(tco, code, "-X", "tailcalls=debug"))
            if callgrind:
                irs[name] = {"stock": instructions_per_run(stock, path),
                             "tco": instructions_per_run(tco, path)}
            print(f"bench: {name}: stock {fmt(statistics.median(t['stock']))}"
                  f", tco {fmt(statistics.median(t['tco']))}"
                  + (f"; Ir tco/stock {irs[name]['tco'] / irs[name]['stock']:.4f}"
                     if callgrind else ""), flush=True)

    def med(name, which):
        return statistics.median(times[name][which])

    def spread(name, which):
        v = times[name][which]
        return (max(v) - min(v)) / statistics.median(v) * 100

    def ir(name, which):
        return irs[name][which] if callgrind else float("nan")

    version = subprocess.run([stock, "-c", "import platform;"
                              " print(platform.python_version())"],
                             capture_output=True, text=True).stdout.strip()
    lines = [f"# Benchmarks: cpython-tco against stock CPython {version}", "",
             "Made by `make bench` (`tools/bench`), which says how. Both "
             "interpreters are built by `make` and `make stock` from the same "
             "tarball with the same configure flags (the defaults: `-O3`, no "
             "PGO or LTO).", "",
             f"- machine: {platform.machine()}, {os.cpu_count()} cores, "
             f"{_cpu_model()}; {platform.platform()}",
             f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
             f"- method: {rounds} rounds, each one process per interpreter, "
             "interleaved; each process warms up with one run() and times "
             "the next. Median of the rounds; spread = (max - min) / median. "
             "Wall-clock time here swings by up to 20% between runs of the "
             "same binary: ratios within a few percent of 1.00 are noise. "
             "Instructions: callgrind's count of one warmed-up run() (the "
             "difference between a process with two runs and one with one, "
             "PYTHONHASHSEED=0), "
             "repeatable to 0.01%: the column to read for small differences.",
             "", "| benchmark | stock | spread | cpython-tco | spread | "
             "time tco/stock | instructions tco/stock |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    summary = []
    for key, title, names in GROUPS:
        lines.append(f"| **({key}) {title}** | | | | | | |")
        ratios, ir_ratios = [], []
        for name in names:
            r = med(name, "tco") / med(name, "stock")
            q = ir(name, "tco") / ir(name, "stock")
            ratios.append(r)
            ir_ratios.append(q)
            lines.append(f"| {name} | {fmt(med(name, 'stock'))} | "
                         f"{spread(name, 'stock'):.0f}% | "
                         f"{fmt(med(name, 'tco'))} | "
                         f"{spread(name, 'tco'):.0f}% | {r:.2f} | {q:.4f} |")
        if key != "d":
            g, gq = geomean(ratios), geomean(ir_ratios)
            summary.append((title, g, gq))
            lines.append(f"| geometric mean ({key}) | | | | | {g:.2f} | "
                         f"{gq:.4f} |")
    tail_heavy = GROUPS[0][2]
    debug_cost = geomean([med(n, "debug") / med(n, "tco") for n in tail_heavy])
    lines += ["", "Reference points, cpython-tco alone (time; instructions):", "",
              f"- self tail recursion / the same loop as a `while` loop: "
              f"{med('tail_self', 'tco') / med('ref_while', 'tco'):.2f}x; "
              f"{ir('tail_self', 'tco') / ir('ref_while', 'tco'):.2f}x",
              f"- thunk trampoline (the fastest pure-Python one) / tail calls, "
              f"on mutual recursion: "
              f"{med('ref_trampoline', 'tco') / med('tail_mutual', 'tco'):.1f}x; "
              f"{ir('ref_trampoline', 'tco') / ir('tail_mutual', 'tco'):.1f}x",
              f"- trampoline decorator / tail calls, on mutual recursion: "
              f"{med('ref_trampoline_decorator', 'tco') / med('tail_mutual', 'tco'):.1f}x; "
              f"{ir('ref_trampoline_decorator', 'tco') / ir('tail_mutual', 'tco'):.1f}x",
              f"- `-X tailcalls=debug` (shadow frames) / default, tail-heavy "
              f"group (a), geometric mean of time: {debug_cost:.2f}x",
              ""]
    targets = []
    if callgrind:
        general = [(ir(n, "tco") / ir(n, "stock"), n)
                   for key, _, names in GROUPS if key in "bc" for n in names]
        worst, worst_name = max(general)
        lines += ["## One tail call, against what it replaces", "",
                  "Instructions of one step (bench/steps/, the difference of "
                  f"{2 * STEPS_N:,} and {STEPS_N:,} steps), and the target for "
                  "each ratio:", "",
                  "| figure | cpython-tco | reference | ratio | target | |",
                  "| --- | ---: | ---: | ---: | ---: | --- |"]
        for what, ours, ref, ratio, target in step_figures(stock, tco):
            met = "met" if ratio <= target else "missed"
            targets.append((what, ratio, target, met))
            lines.append(f"| {what} | {ours:.1f} | {ref:.1f} | {ratio:.3f} | "
                         f"<= {target:.2f} | {met} |")
        met = "met" if worst <= 1.00 else "missed"
        targets.append(("general code, the highest of groups (b) and (c)",
                        worst, 1.00, met))
        lines += [f"| general code: the highest instruction ratio of groups (b)"
                  f" and (c) ({worst_name}) | | | {worst:.4f} | <= 1.00 | "
                  f"{met} |", ""]
    depths = [10**3, 10**4, 10**5, 10**6, 10**7]
    rss = {"stock": [], "cpython-tco": []}
    for d in depths:
        rss["stock"].append(run(stock, RSS.format(depth=d)) / 1024)
        rss["cpython-tco"].append(run(tco, RSS.format(depth=d)) / 1024)
    lines += ["## Memory", "",
              "Peak RSS of a process that runs `loop(n)` "
              "(`return n if n == 0 else loop(n - 1)`) to depth n, stock with "
              "its recursion limit raised:", "",
              "| depth | stock | cpython-tco |", "| ---: | ---: | ---: |"]
    for d, s, t in zip(depths, rss["stock"], rss["cpython-tco"]):
        lines.append(f"| {d:,} | {s:.1f} MiB | {t:.1f} MiB |")
    lines += ["", "![peak RSS against depth](memory.svg)", ""]
    with open(os.path.join(DOCS, "BENCHMARKS.md"), "w") as f:
        f.write("\n".join(lines))
    with open(os.path.join(DOCS, "memory.svg"), "w") as f:
        f.write(svg(depths, rss))
    for title, g, gq in summary:
        print(f"bench: geometric mean tco/stock, {title}: time {g:.2f},"
              f" instructions {gq:.4f}")
    for what, ratio, target, met in targets:
        print(f"bench: {what}: {ratio:.3f}, target <= {target:.2f}: {met}")
    print("bench: wrote docs/BENCHMARKS.md and docs/memory.svg")


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"
