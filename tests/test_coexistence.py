"""cpython-tco beside stock CPython 3.13: separate bytecode caches.

STOCK_PYTHON names the stock interpreter (`make test-ours` sets it).
"""

import importlib.util
import os
import subprocess
import sys
import tempfile
import unittest

from tests.support.process import stock_python

STOCK = None  # setUpModule()

MODULE = """\
def count_down(n):
    return "done" if n == 0 else count_down(n - 1)
"""

IMPORT = "import pkg.mod as m; print(m.__cached__); print(m.count_down(500))"


def setUpModule():
    global STOCK
    STOCK = stock_python()


def run(python, *args, cwd=None):
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPATH")}
    done = subprocess.run([python, *args], cwd=cwd, env=env,
                          capture_output=True, text=True)
    return done


class SharedPycache(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.dir = self.tmp.name
        os.mkdir(os.path.join(self.dir, "pkg"))
        for name, text in (("__init__.py", ""), ("mod.py", MODULE)):
            with open(os.path.join(self.dir, "pkg", name), "w") as f:
                f.write(text)
        self.pycache = os.path.join(self.dir, "pkg", "__pycache__")

    def import_with(self, python):
        done = run(python, "-c", IMPORT, cwd=self.dir)
        self.assertEqual(done.returncode, 0, done.stderr)
        cached, result = done.stdout.split()
        self.assertEqual(result, "done")
        return os.path.basename(cached)

    def snapshot(self):
        out = {}
        for name in sorted(os.listdir(self.pycache)):
            path = os.path.join(self.pycache, name)
            with open(path, "rb") as f:
                out[name] = (os.stat(path).st_mtime_ns, f.read())
        return out

    def test_each_interpreter_keeps_its_own_cache(self):
        self.assertEqual(self.import_with(sys.executable), "mod.cpython-313-tco.pyc")
        self.assertEqual(self.import_with(STOCK), "mod.cpython-313.pyc")
        first = self.snapshot()
        self.assertEqual(sorted(first), [
            "__init__.cpython-313-tco.pyc", "__init__.cpython-313.pyc",
            "mod.cpython-313-tco.pyc", "mod.cpython-313.pyc"])
        # Importing again, in turn, uses the caches and rewrites none.
        for python in (sys.executable, STOCK, sys.executable, STOCK):
            self.import_with(python)
        self.assertEqual(self.snapshot(), first)
        # The two caches hold different bytecode (magic numbers first).
        tco_pyc = first["mod.cpython-313-tco.pyc"][1]
        stock_pyc = first["mod.cpython-313.pyc"][1]
        self.assertEqual(tco_pyc[:4], importlib.util.MAGIC_NUMBER)
        self.assertNotEqual(stock_pyc[:4], tco_pyc[:4])

    def sourceless(self, pyc_name):
        """A directory with only the given .pyc, as a sourceless module."""
        where = os.path.join(self.dir, "sourceless")
        os.mkdir(where)
        with open(os.path.join(self.pycache, pyc_name), "rb") as f:
            data = f.read()
        with open(os.path.join(where, "mod.pyc"), "wb") as f:
            f.write(data)
        return where

    def test_neither_loads_the_others_bytecode(self):
        self.import_with(sys.executable)
        self.import_with(STOCK)
        load = "import mod; print(mod.count_down(3))"
        stock_only = self.sourceless("mod.cpython-313.pyc")
        done = run(sys.executable, "-c", load, cwd=stock_only)
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("ImportError: bad magic number", done.stderr)
        self.assertEqual(run(STOCK, "-c", load, cwd=stock_only).stdout, "done\n")

        os.rename(stock_only, stock_only + ".stock")
        tco_only = self.sourceless("mod.cpython-313-tco.pyc")
        done = run(STOCK, "-c", load, cwd=tco_only)
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("ImportError: bad magic number", done.stderr)
        self.assertEqual(run(sys.executable, "-c", load, cwd=tco_only).stdout,
                         "done\n")


if __name__ == "__main__":
    unittest.main()
