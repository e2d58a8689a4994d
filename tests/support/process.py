"""Fresh interpreters for tests that need one: a crash is never an
acceptable outcome, so no fatal error and no death by signal."""

import functools
import os
import subprocess
import sys
import sysconfig
import textwrap


def stock_python():
    """The stock CPython 3.13.15 that our tooling built (STOCK_PYTHON)."""
    stock = os.environ.get("STOCK_PYTHON")
    if not stock:
        raise RuntimeError("STOCK_PYTHON is not set: it must name stock "
                           "CPython 3.13.15 (`make test-ours` sets it)")
    return stock


def trashcan_as_stock():
    """Whether this build defers deep chains of deallocations where stock's
    release build does.  The trashcan defers them by the C recursion limit,
    Py_C_RECURSION_LIMIT: 10000 there and in our release build, 4000 in an
    AddressSanitizer build, where deep frames of ordinary calls
    (-X tailcalls=off) are finalized in another order from about 3,950
    frames deep, as by stock built the same way.  (The debug build, limit
    500, gives stock's order in the tests that ask this.)"""
    config = sysconfig.get_config_var("CONFIG_ARGS") or ""
    return "--with-address-sanitizer" not in config


def valgrind_runs_this():
    """Whether valgrind can run this interpreter: not an AddressSanitizer
    build, whose runtime valgrind does not support."""
    config = sysconfig.get_config_var("CONFIG_ARGS") or ""
    return "--with-address-sanitizer" not in config


def run_python(code, *options, args=(), timeout=60, python=sys.executable):
    """Run code (dedented) in a fresh isolated interpreter (this one, or
    python) with faulthandler on; return the finished process.  Raise
    AssertionError if it crashed."""
    proc = subprocess.run(
        [python, "-X", "faulthandler", "-I", *options, "-c",
         textwrap.dedent(code), *args],
        capture_output=True, text=True, timeout=timeout)
    if "Fatal Python error" in proc.stderr or proc.returncode < 0:
        raise AssertionError(f"crashed (exit code {proc.returncode}):\n"
                             f"{proc.stderr[-3000:]}")
    return proc


def run_ok(code, *options, args=(), timeout=60, python=sys.executable):
    """run_python(), which must exit with status 0; return its stdout."""
    proc = run_python(code, *options, args=args, timeout=timeout,
                      python=python)
    if proc.returncode != 0:
        raise AssertionError(f"exit code {proc.returncode}:\n"
                             f"{proc.stderr[-3000:]}")
    return proc.stdout


@functools.cache
def tail_call_modes():
    """The -X tailcalls modes that make tail calls: on, and debug where the
    build has it (shadow frames)."""
    modes = [("-X", "tailcalls=on")]
    debug = subprocess.run([sys.executable, "-X", "tailcalls=debug", "-c", ""],
                           capture_output=True)
    if debug.returncode == 0:
        modes.append(("-X", "tailcalls=debug"))
    return modes
