"""tools/count-distro, cpython-tco's instructions against stock built the same
way and Debian's python3.13: its driver (run here on a small program, under
this interpreter, with valgrind) and its table.

    build/tco/python -m unittest tests.test_count_distro
"""

import json
import os
import subprocess
import sys
import tempfile
import unittest

from tests.support.process import asan_build, stock_python
from tests.support.tools import load_tool

count_distro = load_tool("count-distro")

PROGRAM = """\
def run():
    return sum(i * i for i in range({n}))
"""


# The interpreter the driver counts: this one, or stock where valgrind
# cannot run this one (an AddressSanitizer build); the driver is what is
# tested.
COUNTED = stock_python() if asan_build() else sys.executable


def run_driver(tmp, programs, env=None):
    """The driver's counts of programs (TMP/NAME.py) under COUNTED."""
    driver = os.path.join(tmp, "driver.py")
    with open(driver, "w") as f:
        f.write(count_distro.DRIVER.replace('"/tmp/bench/"', repr(tmp + "/")))
    config = os.path.join(tmp, "config.json")
    with open(config, "w") as f:
        json.dump([programs, {"here": COUNTED}, count_distro.COUNTER],
                  f)
    done = subprocess.run([sys.executable, driver, config], env=env,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


class DriverTests(unittest.TestCase):

    def test_counts_one_run(self):
        # Two programs that differ by the work of one run(): the driver's
        # difference of two processes is that run's, whatever the start-up.
        with tempfile.TemporaryDirectory() as tmp:
            for name, n in (("small", 10), ("large", 20_000)):
                with open(os.path.join(tmp, name + ".py"), "w") as f:
                    f.write(PROGRAM.format(n=n))
            counts = run_driver(tmp, ["small", "large"])
        small, large = counts["small"]["here"], counts["large"]["here"]
        self.assertGreater(small, 0)
        # 20,000 steps of a generator expression: tens of instructions each.
        self.assertGreater(large - small, 20_000 * 20)
        self.assertLess(small, large / 10)


    def test_a_compile_is_not_counted(self):
        # A program importing a module that has no byte code yet: the first
        # process to run it compiles the module and writes its byte code.
        # Counted first, that process would add a compile (millions of
        # instructions) to one run()'s count.
        with tempfile.TemporaryDirectory() as tmp:
            with open(os.path.join(tmp, "helper.py"), "w") as f:
                f.write("".join(f"def f{i}(x):\n    return x + {i}\n"
                                for i in range(2000)))
            with open(os.path.join(tmp, "plain.py"), "w") as f:
                f.write(PROGRAM.format(n=10))
            with open(os.path.join(tmp, "importer.py"), "w") as f:
                f.write("import os, sys\n"
                        "sys.path.insert(0, os.path.dirname(__file__))\n"
                        "import helper\n" + PROGRAM.format(n=10))
            env = dict(os.environ)
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            counts = run_driver(tmp, ["plain", "importer"], env)
        plain = counts["plain"]["here"]
        importer = counts["importer"]["here"]
        # Compiling helper costs tens of millions of instructions; the two
        # runs differ by noise.
        self.assertLess(abs(importer - plain), 1_000_000)


class TableTests(unittest.TestCase):

    def test_ratios_and_geometric_means(self):
        names = list(count_distro.INTERPRETERS)
        counts = {"p": dict(zip(names, (110e6, 100e6, 120e6))),
                  "q": dict(zip(names, (90e6, 100e6, 80e6)))}
        text = count_distro.table(counts)
        self.assertIn("| `p` | 110.00 | 100.00 | 120.00 | 1.100 | 0.917 |",
                      text)
        self.assertIn("| `q` | 90.00 | 100.00 | 80.00 | 0.900 | 1.125 |",
                      text)
        # sqrt(1.1 * 0.9) and sqrt(0.917 * 1.125)
        self.assertIn("geometric mean: 0.995 of stock built the same way, "
                      "1.016 of Debian's python3.13", text)


if __name__ == "__main__":
    unittest.main()
