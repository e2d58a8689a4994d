"""tools/pgo-task, the PGO training task of the release builds: it finds
and runs bench/'s tail-call workloads.

    python3 -m unittest tests.test_pgo_task
"""

import contextlib
import io
import os
import shutil
import tempfile
import unittest

from tests.support.tools import TOP, load_tool

pgo_task = load_tool("pgo-task")


class WorkloadTests(unittest.TestCase):

    def test_the_tail_call_workloads_of_bench(self):
        names = [name for name, _ in
                 pgo_task.workloads(os.path.join(TOP, "bench"))]
        self.assertIn("tail_self", names)
        self.assertIn("tail_mutual", names)
        self.assertTrue(all(name.startswith("tail_") for name in names))

    def test_workloads_run(self):
        # A directory as make deb ships it (debian/pgo), with one workload
        # that records that it ran.
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copy(os.path.join(TOP, "bench", "tail_mutual.py"), tmp)
            with open(os.path.join(tmp, "tail_probe.py"), "w") as f:
                f.write("RAN = []\n"
                        "def run():\n"
                        "    RAN.append(1)\n")
            ran = []
            for name, run in pgo_task.workloads(tmp):
                run()
                ran.append(name)
                if name == "tail_probe":
                    self.assertEqual(run.__globals__["RAN"], [1])
        self.assertEqual(ran, ["tail_mutual", "tail_probe"])


class RunTests(unittest.TestCase):

    def test_a_failing_workload_does_not_stop_the_others(self):
        # 3.13's Makefile fails the build when the task fails: stock
        # CPython, trained the same way for comparisons, raises
        # RecursionError in the deep ones.
        with tempfile.TemporaryDirectory() as tmp:
            with open(os.path.join(tmp, "tail_deep.py"), "w") as f:
                f.write("def run():\n"
                        "    raise RecursionError('too deep')\n")
            with open(os.path.join(tmp, "tail_probe.py"), "w") as f:
                f.write("RAN = []\n"
                        "def run():\n"
                        "    RAN.append(1)\n")
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                names = pgo_task.run_workloads(tmp)
        self.assertEqual(names, ["tail_deep", "tail_probe"])
        self.assertIn("tail_deep: RecursionError: too deep", out.getvalue())


if __name__ == "__main__":
    unittest.main()
