"""The test extension, tests/support/cext/tcoext.c, built for stock CPython
3.13 (tools/tco/stock_extension.py) and loaded into this interpreter, for
tests/test_cext.py and tests/test_cext_frames.py.

STOCK_PYTHON names the stock interpreter (e.g. build/stock/python); its
directory holds pyconfig.h and ../src-stock/Include the headers.  `make
test-ours` and `make test` set it; the tests fail, not skip, without it.
A --with-pydebug interpreter (`make refleaks`) skips them: an extension
built for a release build does not load into a debug build, as in stock.
"""

import importlib.machinery
import importlib.util
import os
import shutil
import sys
import tempfile
import types

from tests.support.tools import TOP     # puts tools/ on sys.path first
from tco import stock_extension
from tests.support import process

SOURCE = os.path.join(TOP, "tests", "support", "cext", "tcoext.c")
DEPTH = 100_000
DEBUG_BUILD = hasattr(sys, "gettotalrefcount")
DEBUG_REASON = ("a stock release-build extension cannot load into a "
                "--with-pydebug interpreter (different ABI, as in stock)")


def load(name, path):
    loader = importlib.machinery.ExtensionFileLoader(name, path)
    spec = importlib.util.spec_from_file_location(name, path, loader=loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def build():
    """tcoext and tcoext_limited (the stable ABI), built into a directory
    of their own and loaded: a namespace of the two modules, that
    directory (build_dir), the stock interpreter (stock_python) and its
    extension suffix (ext_suffix).  remove() removes the directory; the
    modules stay loaded (an extension cannot be unloaded), and another
    build() loads them anew, from another directory."""
    # The stock interpreter whose headers the extension is built against.
    stock_python = os.path.abspath(process.stock_python())
    if not os.access(stock_python, os.X_OK):
        raise RuntimeError(f"STOCK_PYTHON={stock_python}: no such "
                           f"executable")
    config = stock_extension.config(stock_python)
    if config["tail_calls"] or config["debug"]:
        raise RuntimeError(f"STOCK_PYTHON={stock_python} is not a stock "
                           f"release build of CPython")
    if tuple(config["version"]) != sys.version_info[:2]:
        raise RuntimeError(f"STOCK_PYTHON={stock_python} is Python "
                           f"{config['version']}, not {sys.version_info[:2]}")
    directory = tempfile.mkdtemp(prefix="test_cext-")
    suffix = config["ext_suffix"]
    try:
        full = stock_extension.build(stock_python, SOURCE, directory,
                                     "tcoext", suffix=suffix, warnings=True)
        if config["free_threaded"]:
            # No stable ABI in 3.13t: the same module, the full API.
            limited = stock_extension.build(
                stock_python, SOURCE, directory, "tcoext_limited",
                "-DTCOEXT_LIMITED", suffix=suffix, warnings=True)
        else:
            limited = stock_extension.build(
                stock_python, SOURCE, directory, "tcoext_limited",
                "-DPy_LIMITED_API=0x030d0000", suffix=".abi3.so",
                warnings=True)
        return types.SimpleNamespace(
            tcoext=load("tcoext", full),
            tcoext_limited=load("tcoext_limited", limited),
            build_dir=directory, stock_python=stock_python,
            ext_suffix=suffix)
    except BaseException:
        shutil.rmtree(directory)
        raise


def remove(built):
    if built is not None:
        shutil.rmtree(built.build_dir, ignore_errors=True)


def fixtures(namespace):
    """setUpModule and tearDownModule for a test module whose globals
    built, tcoext and tcoext_limited are the extension (build()); on a
    debug build they stay None, and the module's classes skip."""
    def setUpModule():
        if not DEBUG_BUILD:
            built = namespace["built"] = build()
            namespace["tcoext"] = built.tcoext
            namespace["tcoext_limited"] = built.tcoext_limited

    def tearDownModule():
        remove(namespace["built"])
        namespace.update(built=None, tcoext=None, tcoext_limited=None)

    return setUpModule, tearDownModule
