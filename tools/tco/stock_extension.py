"""C extensions built for stock CPython 3.13, as a wheel built for it is:
compiled against the headers of the stock build that `make stock` makes
(build/src-stock/Include and build/stock/pyconfig.h), with its extension
suffix, and loaded into cpython-tco unchanged.  The one way the project
builds them: tools/bench (bench/steps/evalframe.c), tools/check-install
(the extension that the installed interpreters load) and tests/test_cext*
(tests/support/cext/tcoext.c)."""

import json
import os
import subprocess


def include_dirs(stock_python):
    """The stock build's header directories: its source tree's Include and
    its build directory (pyconfig.h)."""
    build = os.path.dirname(os.path.abspath(stock_python))
    name = os.path.basename(build).split("-")[0]       # stock, stock-ft: stock
    dirs = [os.path.join(os.path.dirname(build), "src-" + name, "Include"),
            build]
    for header in (os.path.join(dirs[0], "Python.h"),
                   os.path.join(dirs[1], "pyconfig.h")):
        if not os.path.isfile(header):
            raise RuntimeError(f"{stock_python}: no {header}")
    return dirs


def config(stock_python):
    """What the stock interpreter says of itself: its extension suffix,
    version, and whether it is a tail-call, debug or free-threaded build."""
    code = ("import json, sys, sysconfig; print(json.dumps({"
            "'ext_suffix': sysconfig.get_config_var('EXT_SUFFIX'),"
            "'version': list(sys.version_info[:2]),"
            "'tail_calls': hasattr(sys.flags, 'tail_calls'),"
            "'debug': hasattr(sys, 'gettotalrefcount'),"
            "'free_threaded': bool(sysconfig.get_config_var("
            "'Py_GIL_DISABLED'))}))")
    proc = subprocess.run([stock_python, "-c", code], capture_output=True,
                          text=True)
    if proc.returncode:
        raise RuntimeError(f"{stock_python} failed:\n{proc.stderr}")
    return json.loads(proc.stdout)


def build(stock_python, source, directory, name, *defines, suffix=None,
          warnings=False):
    """Compile source into directory/NAME+suffix (the stock interpreter's
    extension suffix by default) against stock_python's headers, with gcc
    -O2 and the given -D options; its path.  warnings=True makes a warning
    an error, as the tests want."""
    if suffix is None:
        suffix = config(stock_python)["ext_suffix"]
    path = os.path.join(directory, name + suffix)
    os.makedirs(directory, exist_ok=True)
    command = ["gcc", "-shared", "-fPIC", "-O2", "-Wall",
               *(f"-I{d}" for d in include_dirs(stock_python)), *defines,
               "-o", path, source]
    proc = subprocess.run(command, capture_output=True, text=True)
    if proc.returncode:
        raise RuntimeError(f"{' '.join(command)} failed:\n{proc.stderr}")
    if warnings and proc.stderr:
        raise RuntimeError(f"{' '.join(command)} warned:\n{proc.stderr}")
    return path
