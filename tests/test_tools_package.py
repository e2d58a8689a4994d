"""tools/ as one package (tools/tco): every command is a thin entry point to
its module, the modules import, and what they share works.  The commands'
own behaviour is tested by their own modules (test_series_tool,
test_bench_distro, test_suites_distro, test_pgo_task, test_run_tests,
test_fuzz_tool).

    build/tco/python -m unittest tests.test_tools_package
"""

import ast
import importlib
import importlib.util
import os
import re
import subprocess
import sys
import tempfile
import unittest

from tests.support.tools import TOOLS, TOP, load_tool

import tco
from tco import patchset

# Single files that are copied where the package is not (tools/tco's
# docstring says where), and tools that are not Python.
STANDALONE = {"check-install", "pgo-task", "run-tests"}
NOT_PYTHON = {"install-deps", "ubsan-suppressions", "check-build"}


def commands():
    return sorted(name for name in os.listdir(TOOLS)
                  if os.path.isfile(os.path.join(TOOLS, name))
                  and "." not in name and name not in NOT_PYTHON)


class EntryPointTests(unittest.TestCase):

    def test_every_command_is_an_entry_point_or_standalone(self):
        for name in commands():
            with self.subTest(name=name):
                with open(os.path.join(TOOLS, name)) as f:
                    source = f.read()
                module = name.replace("-", "_")
                if name in STANDALONE:
                    self.assertNotIn("from tco.", source.split(
                        "def ", 1)[0])
                    continue
                self.assertIn(f"from tco.{module} import main", source)
                # Thin: a docstring, imports, and the call of main().
                tree = ast.parse(source)
                self.assertLessEqual(len(source.splitlines()), 20)
                self.assertFalse([n for n in tree.body if isinstance(
                    n, (ast.FunctionDef, ast.ClassDef))])

    def test_every_module_imports_and_has_main(self):
        for name in commands():
            if name in STANDALONE:
                continue
            with self.subTest(name=name):
                module = importlib.import_module(
                    "tco." + name.replace("-", "_"))
                self.assertTrue(callable(module.main))
                self.assertIs(load_tool(name), module)

    def test_usage_without_arguments(self):
        # Commands that take arguments print their usage and fail without
        # them, doing nothing else.
        for name in ("check-regen", "make-deb", "suites-distro",
                     "bench-distro", "check-deb"):
            with self.subTest(name=name):
                done = subprocess.run(
                    [sys.executable, os.path.join(TOOLS, name)],
                    capture_output=True, text=True, cwd=TOP)
                self.assertNotEqual(done.returncode, 0)
                self.assertIn(f"tools/{name}", done.stderr)


class SharedTests(unittest.TestCase):

    def test_top_is_the_checkout(self):
        self.assertEqual(tco.TOP, TOP)
        self.assertTrue(os.path.exists(os.path.join(tco.TOP, "patches",
                                                    "series")))

    def test_git_output(self):
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(["git", "init", "-q", tmp], check=True)
            self.assertEqual(tco.git_output(tmp, "status", "--porcelain"),
                             "")
            open(os.path.join(tmp, "new"), "w").close()
            self.assertEqual(tco.git_output(tmp, "status", "--porcelain"),
                             "?? new\n")
            with self.assertRaises(subprocess.CalledProcessError):
                tco.git_output(tmp, "no-such-command")

    def test_with_ccache(self):
        env = tco.with_ccache({"PATH": "/usr/bin:/bin"}, "some/dir")
        if os.path.isdir("/usr/lib/ccache"):
            self.assertEqual(env["PATH"], "/usr/lib/ccache:/usr/bin:/bin")
            self.assertEqual(env["CCACHE_BASEDIR"],
                             os.path.abspath("some/dir"))
        else:
            self.assertEqual(env, {"PATH": "/usr/bin:/bin"})

    def test_patchset_names_the_files_of_the_series(self):
        names = patchset.series()
        self.assertTrue(names)
        for name in names:
            self.assertTrue(re.fullmatch(r"\d{4}-.+\.patch", name), name)
            self.assertTrue(os.path.exists(os.path.join(TOP, "patches",
                                                        name)))
        self.assertRegex(patchset.base(), r"^Python-3\.13\.\d+\.tar\.xz$")
        version = patchset.base()[len("Python-"):-len(".tar.xz")]
        numbered = patchset.numbered(version)
        self.assertEqual([f for f, _ in numbered][:len(names)], names)
        flat = [n for _, n in numbered]
        self.assertEqual(flat, sorted(flat))


class TestListTests(unittest.TestCase):

    def test_the_lists_are_parts_of_core(self):
        from tco import test_lists
        self.assertEqual(len(set(test_lists.CORE)), len(test_lists.CORE))
        for name, tests in test_lists.LISTS.items():
            with self.subTest(name=name):
                self.assertLessEqual(set(tests), set(test_lists.CORE))
                self.assertTrue(all(t.startswith("test_") for t in tests))
                for t in tests:
                    # Each is a module of CPython's suite (3.13's names).
                    self.assertTrue(
                        importlib.util.find_spec(f"test.{t}") is not None,
                        t)

    def test_regrtest_runs_a_list(self):
        from tco import test_lists
        regrtest = load_tool("regrtest")
        self.assertIs(regrtest.CORE, test_lists.CORE)
        self.assertIs(regrtest.LISTS, test_lists.LISTS)
        self.assertIs(load_tool("check-prefixes").PREFIX_TESTS,
                      test_lists.PREFIX)

    def test_regrtest_compares_without_the_series_own_modules(self):
        # Stock has no test_tailcall*: their cases are not "gained", but
        # one that fails on cpython-tco is lost.
        regrtest = load_tool("regrtest")
        # A case of an upstream module is upstream's, whatever its name.
        stock = {"test.test_sys.T.test_a": "passed",
                 "test.test_sys.T.test_b": "failed"}
        tco = {"test.test_sys.T.test_a": "passed",
               "test.test_sys.T.test_b": "passed",
               "test.test_sys.T.test_tailcall_e": "passed",
               "test.test_tailcall_self.T.test_c": "passed",
               "test.test_tailcall_self.T.test_d": "failed"}
        self.assertEqual(regrtest.differences(stock, tco),
                         (["test.test_tailcall_self.T.test_d"],
                          ["test.test_sys.T.test_b",
                           "test.test_sys.T.test_tailcall_e"]))
        tco["test.test_sys.T.test_a"] = "failed"
        self.assertEqual(regrtest.differences(stock, tco)[0],
                         ["test.test_sys.T.test_a",
                          "test.test_tailcall_self.T.test_d"])

    def test_regrtest_adds_the_series_own_modules(self):
        # This interpreter's Lib/test holds the series' own modules, which
        # a run of a list adds to it.
        from tco import test_lists
        regrtest = load_tool("regrtest")
        own = test_lists.own_tests(regrtest.test_dir(sys.executable))
        self.assertIn("test_tailcall", own)
        self.assertIn("test_tailcall_opcodes", own)
        self.assertTrue(all(t.startswith("test_tailcall") for t in own))


if __name__ == "__main__":
    unittest.main()
