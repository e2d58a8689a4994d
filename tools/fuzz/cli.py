"""The run: programs scheduled on both interpreters (Fuzzer), and the
command line (main())."""

import argparse
import concurrent.futures
import os
import random
import re
import shutil
import sys
import tempfile
import time

from .generator import Gen, generate
from .minimizer import Minimizer
from .regressions import save_case
from .runner import category, compare, error_line, run_program

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
DEFAULT_SAVE_DIR = os.path.join(TOP, "tests", "fuzz_regressions")

class Fuzzer:

    def __init__(self, args):
        self.args = args
        self.tmp = tempfile.mkdtemp(prefix="cpython-tco-fuzz-")

    def pair(self, src, name, timeout=None):
        """Run src under both interpreters (one after the other)."""
        path = os.path.join(self.tmp, name + ".py")
        with open(path, "w") as f:
            f.write(src)
        timeout = timeout or self.args.timeout
        results = []
        for python, options in ((self.args.stock, ()),
                                (self.args.tco, self.args.tco_option)):
            for attempt in range(60):
                result = run_program(python, path, timeout, options)
                if not result.not_run:
                    break
                # The interpreter is being rebuilt, or is gone.
                time.sleep(5)
            else:
                raise RuntimeError(f"cannot run {python}: "
                                   f"{result.err.strip()}")
            results.append(result)
        os.unlink(path)
        return results

    def one(self, index):
        """Generate, run and compare program `index`; on a divergence,
        confirm, minimize and save it.  Returns (key, message, seconds of
        the slower run)."""
        seed = self.args.seed
        src = generate(seed, index, kinds=self.args.units)
        name = f"p{index}"
        stock, tco = self.pair(src, name)
        key = compare(stock, tco)
        if key is None:
            return None, None, max(stock.secs, tco.secs)
        again = compare(*self.pair(src, name))
        note = "" if again == key else f" (second run: {again})"
        final, before = src, None
        if not self.args.no_minimize and again == key:
            limit = max(5.0, 3 * max(stock.secs, tco.secs))
            if category(key) == "timeout":
                limit = self.args.timeout

            def still(candidate):
                s, t = self.pair(candidate, name + "m", limit)
                return compare(s, t) == key and not (
                    "RecursionError" in error_line(s.err) + error_line(t.err)
                    and "RecursionError" not in key)
            minimizer = Minimizer(
                still, time.monotonic() + self.args.minimize_time)
            final = minimizer.run(src)
            if final != src:
                before = (stock, tco)
                stock, tco = self.pair(final, name + "m", limit)
                if compare(stock, tco) != key:
                    # The minimized program does not confirm: the original.
                    (stock, tco), final, before = before, src, None
        path = save_case(self.args.save_dir, seed, index, key, final,
                         stock, tco, before, note)
        rel = os.path.relpath(path)
        return key, f"{seed}:{index} {key}{note} -> {rel}", \
            max(stock.secs, tco.secs)

    def run(self):
        args = self.args
        counts = {"divergence": 0, "crash": 0, "timeout": 0}
        done = 0
        start = time.monotonic()
        stop_at = start + args.minutes * 60 if args.minutes else None
        slowest = 0.0

        def more(n):
            if stop_at is not None:
                return time.monotonic() < stop_at
            return n < args.count

        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            pending, n = set(), args.first
            while True:
                while more(n - args.first) and len(pending) < args.jobs:
                    pending.add(pool.submit(self.one, n))
                    n += 1
                if not pending:
                    break
                finished, pending = concurrent.futures.wait(
                    pending, return_when=concurrent.futures.FIRST_COMPLETED)
                for fut in finished:
                    key, message, secs = fut.result()
                    done += 1
                    slowest = max(slowest, secs)
                    if key is not None:
                        counts[category(key)] += 1
                        if not args.quiet:
                            print(f"fuzz: {message}", flush=True)
                    if not args.quiet and done % 50 == 0:
                        print(f"fuzz: {done} programs in "
                              f"{time.monotonic() - start:.0f} s",
                              flush=True)
        shutil.rmtree(self.tmp, ignore_errors=True)
        elapsed = time.monotonic() - start
        if not args.quiet:
            print(f"fuzz: {elapsed:.1f} s, {done / elapsed:.2f} programs/s "
                  f"with {args.jobs} jobs; slowest program "
                  f"{slowest:.2f} s")
        print(f"fuzz: {done} programs, {counts['divergence']} divergences, "
              f"{counts['crash']} crashes, {counts['timeout']} timeouts "
              f"(seed {args.seed})")
        return 1 if sum(counts.values()) else 0


def units(text):
    kinds = text.split(",")
    unknown = [k for k in kinds if k not in Gen.UNITS]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"no unit {', '.join(unknown)}; the units: {', '.join(Gen.UNITS)}")
    return kinds


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="python3 tools/fuzz",
        description="Differential fuzzer: stock CPython against "
                    "cpython-tco.")
    p.add_argument("--stock", help="the stock interpreter")
    p.add_argument("--tco", help="the cpython-tco interpreter")
    p.add_argument("--tco-option", action="append", default=[],
                   metavar="ARG",
                   help="an argument for the tco interpreter before the "
                        "program, e.g. --tco-option=-Xtailcalls=debug "
                        "(repeatable)")
    p.add_argument("--seed", help="the run's seed (default: random)")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--count", type=int,
                       help="programs to run (default 100)")
    group.add_argument("--minutes", type=float,
                       help="run programs for this long")
    p.add_argument("--first", type=int, default=0,
                   help="index of the first program (default 0)")
    p.add_argument("--jobs", type=int, default=2,
                   help="programs in flight (default 2)")
    p.add_argument("--save-dir", default=DEFAULT_SAVE_DIR,
                   help="where divergences go (default "
                        "tests/fuzz_regressions)")
    p.add_argument("--timeout", type=float, default=30.0,
                   help="seconds per run (default 30)")
    p.add_argument("--minimize-time", type=float, default=300.0,
                   help="seconds spent minimizing one divergence "
                        "(default 300)")
    p.add_argument("--no-minimize", action="store_true",
                   help="save divergences as generated")
    p.add_argument("--quiet", action="store_true",
                   help="print the summary line only")
    p.add_argument("--units", type=units,
                   help="only units of these kinds, comma-separated (e.g."
                        " meddle); all kinds by default")
    p.add_argument("--show", metavar="SEED:N",
                   help="print program N of seed SEED and exit")
    args = p.parse_args(argv)
    if args.show is None:
        if not args.stock or not args.tco:
            p.error("--stock and --tco are required")
        if args.count is None and args.minutes is None:
            args.count = 100
        if args.seed is None:
            args.seed = str(random.SystemRandom().randrange(10 ** 6))
        if args.jobs < 1:
            p.error("--jobs must be at least 1")
        if not re.fullmatch(r"[\w.-]+", args.seed):
            p.error("--seed: letters, digits, '.', '-' and '_' only")
        for name in ("stock", "tco"):
            setattr(args, name, os.path.abspath(getattr(args, name)))
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.show is not None:
        seed, sep, index = args.show.rpartition(":")
        if not sep or not index.isdigit():
            sys.exit("tools/fuzz: --show wants SEED:N")
        sys.stdout.write(generate(seed, int(index), kinds=args.units))
        return 0
    return Fuzzer(args).run()
