"""Specialization at call sites: stock against cpython-tco, from pystats.

Usage: pystats-compare STOCK-PYSTATS-PYTHON TCO-PYSTATS-PYTHON [BENCH ...]

Both interpreters are --enable-pystats builds (make build-stock-pystats
build-tco-pystats). Each runs every benchmark of bench/ (or those named)
once with -X pystats; the statistics files they leave in /tmp/py_stats are
summed per instruction. A site's instruction runs either in its adaptive
form (CALL, TAIL_CALL: not specialized, or warming up) or in a specialized
form (CALL_PY_EXACT_ARGS, TAIL_CALL_PY_EXACT_ARGS, ...); the share of
executions in specialized forms is the specialization rate. The report
compares stock's rate at all its call sites with cpython-tco's at its tail
sites (the TAIL_CALL family) and at all its call sites together, and lists
the specialized forms, tail forms beside the forms they come from.
"""

import collections
import glob
import os
import re
import shutil
import subprocess
import sys

from tco import TOP
STATS_DIR = "/tmp/py_stats"

DRIVER = """\
import sys, importlib.util
sys.setrecursionlimit(10**6)
spec = importlib.util.spec_from_file_location("bench", {path!r})
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
mod.run()
"""

LINE = re.compile(r"^opcode\[(\w+)\]\.execution_count\s*:\s*(\d+)$")


def executions(python, benches):
    """{instruction: executions} summed over the benchmarks."""
    shutil.rmtree(STATS_DIR, ignore_errors=True)
    os.makedirs(STATS_DIR)
    for name in benches:
        path = os.path.join(TOP, "bench", name + ".py")
        subprocess.run([python, "-X", "pystats", "-c",
                        DRIVER.format(path=path)], check=True,
                       stdout=subprocess.DEVNULL)
    counts = collections.Counter()
    files = glob.glob(os.path.join(STATS_DIR, "*.txt"))
    if len(files) != len(benches):
        sys.exit(f"pystats-compare: {python} left {len(files)} statistics"
                 f" files for {len(benches)} runs: is it a pystats build?")
    for path in files:
        with open(path) as f:
            for line in f:
                m = LINE.match(line.strip())
                if m:
                    counts[m.group(1)] += int(m.group(2))
    return counts


def family(counts, prefix, generic):
    """(executions of the adaptive form, {specialized form: executions})."""
    forms = {name: n for name, n in counts.items()
             if name.startswith(prefix + "_") and n}
    for other in ("CALL_KW", "CALL_FUNCTION_EX", "CALL_INTRINSIC_1",
                  "CALL_INTRINSIC_2"):
        if prefix == "CALL":
            forms.pop(other, None)
    if prefix == "TAIL_CALL":
        forms.pop("TAIL_CALL_KW", None)
        forms.pop("TAIL_CALL_FUNCTION_EX", None)
    return counts.get(generic, 0), forms


def rate(generic, forms):
    total = generic + sum(forms.values())
    return (sum(forms.values()) / total if total else float("nan")), total


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    stock, tco = argv[:2]
    benches = argv[2:] or sorted(
        f[:-3] for f in os.listdir(os.path.join(TOP, "bench"))
        if f.endswith(".py"))
    s = executions(stock, benches)
    t = executions(tco, benches)
    s_generic, s_forms = family(s, "CALL", "CALL")
    c_generic, c_forms = family(t, "CALL", "CALL")
    t_generic, t_forms = family(t, "TAIL_CALL", "TAIL_CALL")
    s_rate, s_total = rate(s_generic, s_forms)
    t_rate, t_total = rate(t_generic, t_forms)
    c_rate, c_total = rate(c_generic + t_generic, {**c_forms, **t_forms})
    print(f"pystats: {len(benches)} programs: {', '.join(benches)}")
    print(f"pystats: stock, all call sites (CALL*):       {s_rate:7.2%} of"
          f" {s_total:,} executions specialized")
    print(f"pystats: cpython-tco, tail sites (TAIL_CALL*): {t_rate:7.2%} of"
          f" {t_total:,} executions specialized")
    print(f"pystats: cpython-tco, all call sites:         {c_rate:7.2%} of"
          f" {c_total:,} executions specialized")
    print("pystats: specialized forms, executions (stock CALL_X; tco CALL_X"
          " + TAIL_CALL_X):")
    names = sorted({n[len("CALL_"):] for n in s_forms}
                   | {n[len("CALL_"):] for n in c_forms}
                   | {n[len("TAIL_CALL_"):] for n in t_forms})
    for n in names:
        print(f"  {n:28} stock {s_forms.get('CALL_' + n, 0):>12,}"
              f"   tco {c_forms.get('CALL_' + n, 0):>12,}"
              f" + {t_forms.get('TAIL_CALL_' + n, 0):>12,}")
    print(f"  {'(adaptive CALL / TAIL_CALL)':28} stock {s_generic:>12,}"
          f"   tco {c_generic:>12,} + {t_generic:>12,}")
    return 0
