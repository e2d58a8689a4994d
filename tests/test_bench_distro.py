"""tools/bench-distro, Debian's python3.13 against the package in a trixie
root: its programs, the driver that runs them interleaved, and the table.

    python3 -m unittest tests.test_bench_distro
"""

import json
import os
import subprocess
import sys
import tempfile
import unittest

from tests.support.tools import TOP, load_tool

bench_distro = load_tool("bench-distro")


class ProgramTests(unittest.TestCase):

    def test_programs_exist(self):
        for p in bench_distro.PROGRAMS:
            self.assertTrue(
                os.path.exists(os.path.join(TOP, "bench", p + ".py")), p)
        self.assertEqual(set(bench_distro.GENERAL) & set(bench_distro.DEEP),
                         set())

    def test_driver_runs_interleaved(self):
        # The driver that runs in the root, here, with this interpreter
        # under two names, on two programs copied as the root has them.
        with tempfile.TemporaryDirectory() as tmp:
            programs = ["general_fib", "tail_self"]
            config = os.path.join(tmp, "config.json")
            driver = os.path.join(tmp, "driver.py")
            with open(driver, "w") as f:
                f.write(bench_distro.DRIVER.replace(
                    '"/tmp/bench/"', repr(os.path.join(TOP, "bench") + "/")))
            with open(config, "w") as f:
                json.dump([programs, {"a": sys.executable,
                                      "b": sys.executable},
                           2, bench_distro.TIMER], f)
            out = subprocess.run([sys.executable, driver, config],
                                 capture_output=True, text=True, check=True)
        times = json.loads(out.stdout)
        self.assertEqual(sorted(times), sorted(programs))
        for p in programs:
            self.assertEqual(sorted(times[p]), ["a", "b"])
            self.assertEqual([len(v) for v in times[p].values()], [2, 2])
            self.assertTrue(all(t > 0 for v in times[p].values() for t in v))
        self.assertIn("round 2 of 2", out.stderr)


class TableTests(unittest.TestCase):

    def test_summary_and_table(self):
        times = {"p": {"x": [1.0, 2.0, 3.0], "y": [1.1, 1.8, 3.3]},
                 "q": {"x": [2.0, 2.0, 2.0], "y": [1.0, 1.0, 1.0]}}
        rows = bench_distro.summarize(times, ["p", "q"], "x", "y")
        p, q = rows
        self.assertEqual(p[:3], ("p", 2.0, 1.8))
        self.assertAlmostEqual(p[3], 0.9)
        self.assertAlmostEqual(p[4], 0.9)      # 1.8 / 2.0
        self.assertAlmostEqual(p[5], 1.1)      # 1.1 / 1.0 and 3.3 / 3.0
        self.assertAlmostEqual(q[3], 0.5)
        text = bench_distro.markdown(rows, "x", "y", ["p"])
        self.assertIn("| `p` | 2000.00 | 1800.00 | 0.900 | 0.900–1.100 |",
                      text)
        self.assertIn("geometric mean of the general programs: 0.900; "
                      "of all: 0.671", text)


if __name__ == "__main__":
    unittest.main()
