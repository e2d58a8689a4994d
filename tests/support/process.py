"""Fresh interpreters for tests that need one: a crash is never an
acceptable outcome, so no fatal error and no death by signal."""

import contextlib
import functools
import os
import subprocess
import sys
import sysconfig
import textwrap
from unittest import mock


def stock_python():
    """The stock CPython 3.13.15 that our tooling built (STOCK_PYTHON)."""
    stock = os.environ.get("STOCK_PYTHON")
    if not stock:
        raise RuntimeError("STOCK_PYTHON is not set: it must name stock "
                           "CPython 3.13.15, e.g. build/stock/python (`make "
                           "stock` builds it; `make test-ours` sets it)")
    return stock


def tools_site():
    """The directory of trixie's pytest, coverage and their dependencies,
    unpacked by tools/fetch-debs (TOOLS_SITE)."""
    site = os.environ.get("TOOLS_SITE")
    if not site:
        raise RuntimeError("TOOLS_SITE is not set: it must name the "
                           "dist-packages of `make debs` (`make test-ours` "
                           "sets it)")
    return site


def asan_build():
    """Whether this interpreter is an AddressSanitizer build (make asan).
    There valgrind cannot run it, and the trashcan defers deep chains of
    deallocations by a C recursion limit (Py_C_RECURSION_LIMIT) of 4000,
    not the release build's 10000: deep frames of ordinary calls
    (-X tailcalls=off) are finalized in another order from about 3,950
    frames deep than by stock's release build, as by stock built the same
    way.  (The debug build, limit 500, gives stock's order in the tests
    that ask.)"""
    config = sysconfig.get_config_var("CONFIG_ARGS") or ""
    return "--with-address-sanitizer" in config


@contextlib.contextmanager
def small_asan_quarantine():
    """ASAN_OPTIONS for the processes started inside: ASan's quarantine of
    freed memory, which fills with the work done rather than the depth,
    kept at 4 MiB, so that a peak RSS measures the depth."""
    options = os.environ.get("ASAN_OPTIONS", "")
    with mock.patch.dict(os.environ, ASAN_OPTIONS=(
            options + (":" if options else "") + "quarantine_size_mb=4")):
        yield


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
