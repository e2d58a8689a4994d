"""tools/bench's instruction counts (tools/tco/bench.py): the instructions
of one run() are the difference of two processes' counts, so the two must
do the same work but that run().

    build/tco/python -m unittest tests.test_bench_tool
"""

import os
import sys
import tempfile
import unittest
from unittest import mock

from tests.support.process import asan_build, stock_python
from tests.support.tools import TOP  # noqa: F401 (puts tools/ on sys.path)

from tco import bench

# The interpreter counted: this one, or stock where valgrind cannot run
# this one (an AddressSanitizer build); tools/bench's counting is tested.
COUNTED = stock_python() if asan_build() else sys.executable

PROGRAM = """\
def run():
    return sum(i * i for i in range(10))
"""


class InstructionsPerRunTests(unittest.TestCase):

    def test_a_compile_is_not_counted(self):
        # A program importing a module with no byte code yet.  Were the
        # first process (two runs) to write the byte code that the second
        # (one run) loads, the difference would count a compile: tens of
        # millions of instructions for this module.
        with tempfile.TemporaryDirectory() as tmp:
            with open(os.path.join(tmp, "helper.py"), "w") as f:
                f.write("".join(f"def f{i}(x):\n    return x + {i}\n"
                                for i in range(2000)))
            plain = os.path.join(tmp, "plain.py")
            with open(plain, "w") as f:
                f.write(PROGRAM)
            importer = os.path.join(tmp, "importer.py")
            with open(importer, "w") as f:
                f.write("import os, sys\n"
                        "sys.path.insert(0, os.path.dirname(__file__))\n"
                        "import helper\n" + PROGRAM)
            env = {k: v for k, v in os.environ.items()
                   if k != "PYTHONDONTWRITEBYTECODE"}
            with mock.patch.dict(os.environ, env, clear=True):
                counts = {path: bench.instructions_per_run(COUNTED,
                                                           path)
                          for path in (plain, importer)}
        self.assertGreater(counts[plain], 0)
        self.assertLess(abs(counts[importer] - counts[plain]), 1_000_000)


if __name__ == "__main__":
    unittest.main()
