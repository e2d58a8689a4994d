"""Differential fuzzer: random programs rich in tail calls, run on stock
CPython and on cpython-tco, compared.

Usage:
    python3 tools/fuzz --stock PATH --tco PATH [--seed S] [--count N | --minutes M]
               [--first I] [--jobs J] [--save-dir DIR] [--timeout SECS]
               [--minimize-time SECS] [--no-minimize] [--tco-option ARG]
               [--quiet]
    python3 tools/fuzz --show SEED:N

Quick check (about a minute):    python3 tools/fuzz --stock build/stock/python \
                                     --tco build/tco/python --count 300
Long run:                        ... --minutes 60

Program N of a run with seed S is generated from random.Random("S:N")
alone: `--show S:N` prints it again, whatever else the run did.  Each
program is run under both interpreters (PYTHONHASHSEED=0, 2 GiB of address
space, no core file, a timeout), and three things must be equal: stdout,
the exit status, and the last line of stderr (`Type: message` of an
uncaught exception), with memory addresses masked.  Traceback depth is the
one difference allowed, so nothing else of stderr is compared.

A divergence, a crash (a signal, in either interpreter) or a timeout is
confirmed by a second run, minimized by delta debugging on the program's
syntax tree (statements removed, compound statements flattened, integers
shrunk, for as long as the same divergence persists) and saved as
DIR/seed_S_N.py (DIR defaults to tests/fuzz_regressions), with stock's
behaviour recorded in its header for tests/test_fuzz_regressions.py.

The run ends with the line
    fuzz: N programs, D divergences, C crashes, T timeouts (seed S)
and exits with status 1 if D + C + T > 0.  --count defaults to 100; with
--minutes the run stops submitting programs when the time is up.  --jobs
(default 2) is the number of programs in flight, so of child processes.

docs/fuzzing.md describes what the programs cover.
"""

# The package's modules, one concern each:
#   generator   random programs rich in tail calls (generate())
#   runner      running a program on an interpreter, comparing two runs
#   minimizer   delta debugging of a diverging program's syntax tree
#   regressions the saved-case format (save_case(), read_expectations())
#   cli         the scheduler (Fuzzer) and the command line
