"""tools/run-tests, the runner of this suite: its summary line and exit
status, including when a module or class fixture fails."""

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

MODULES = {
    "test_fixture": """
        import unittest
        def setUpModule():
            raise RuntimeError("fixture fails")
        class T(unittest.TestCase):
            def test_never_runs(self):
                pass
        """,
    "test_mixed": """
        import unittest
        class Skipped(unittest.TestCase):
            @classmethod
            def setUpClass(cls):
                raise unittest.SkipTest("whole class")
            def test_never_runs(self):
                pass
        class Mixed(unittest.TestCase):
            def test_passes(self):
                pass
            def test_fails(self):
                self.fail("on purpose")
            @unittest.skip("one test")
            def test_skipped(self):
                pass
        """,
}


class RunTestsSummaryTests(unittest.TestCase):

    def run_tests(self, modules):
        """Run a copy of tools/run-tests over a tests/ directory holding
        'modules'; return its last output line and its exit status."""
        with tempfile.TemporaryDirectory() as top:
            os.mkdir(os.path.join(top, "tools"))
            shutil.copy(os.path.join(TOP, "tools", "run-tests"),
                        os.path.join(top, "tools"))
            tests = os.path.join(top, "tests")
            os.mkdir(tests)
            open(os.path.join(tests, "__init__.py"), "w").close()
            for name in modules:
                with open(os.path.join(tests, name + ".py"), "w") as f:
                    f.write(textwrap.dedent(MODULES[name]))
            done = subprocess.run(
                [sys.executable, os.path.join(top, "tools", "run-tests")],
                capture_output=True, text=True, cwd=top)
        return done.stdout.splitlines()[-1], done.returncode

    def test_counts_tests_only(self):
        line, status = self.run_tests(["test_mixed"])
        self.assertEqual(line, "tests: 1 passed, 1 failed, 2 skipped")
        self.assertEqual(status, 1)

    def test_failed_module_fixture_counts_as_failure(self):
        line, status = self.run_tests(["test_fixture", "test_mixed"])
        self.assertEqual(line, "tests: 1 passed, 1 failed, 2 skipped, "
                               "1 module or class fixtures failed")
        self.assertEqual(status, 1)

    def test_failed_fixture_alone_fails_the_run(self):
        line, status = self.run_tests(["test_fixture"])
        self.assertEqual(line, "tests: 0 passed, 0 failed, 0 skipped, "
                               "1 module or class fixtures failed")
        self.assertEqual(status, 1)


if __name__ == "__main__":
    unittest.main()
