"""tools/check-prefixes: which commits of the work tree are the series'
prefixes, the release's own patches that each is tested with, and the
series' own tests that each holds.

    python3 -m unittest tests.test_check_prefixes_tool
"""

import os
import subprocess
import unittest

from tests.support.tools import load_tool
from tests.support.worktree import WorkTreeTestCase

check_prefixes = load_tool("check-prefixes")


class SeriesCommitsTests(WorkTreeTestCase):

    UPSTREAM = {"Lib/test/test_a.py": "upstream\n"}

    def setUp(self):
        super().setUp()
        self.commit("0001", {"Python/a.c": "one\n"})
        self.commit("0002", {"Python/a.c": "one\ntwo\n"})

    def subjects(self, commits):
        return [self.git("log", "-1", "--format=%s", c).strip()
                for c in commits]

    def test_series_alone(self):
        commits, release_diff = check_prefixes.series_commits(self.src, 2)
        self.assertEqual(self.subjects(commits), ["0001", "0002"])
        self.assertEqual(release_diff, "")

    def test_release_patches_are_not_prefixes_but_applied_to_each(self):
        self.commit("release", {"Lib/test/test_a.py": "adjusted\n"})
        commits, release_diff = check_prefixes.series_commits(self.src, 2)
        self.assertEqual(self.subjects(commits), ["0001", "0002"])
        self.assertIn("+adjusted", release_diff)
        self.assertNotIn("Python/a.c", release_diff)
        # It applies to the first prefix as to the last.
        self.git("checkout", "-q", "--detach", commits[0])
        subprocess.run(["git", "apply", "--index"], cwd=self.src,
                       input=release_diff, text=True, check=True)
        with open(os.path.join(self.src, "Lib/test/test_a.py")) as f:
            self.assertEqual(f.read(), "adjusted\n")

    def test_fewer_commits_than_the_series(self):
        with self.assertRaises(SystemExit):
            check_prefixes.series_commits(self.src, 3)


class OwnTestsTests(WorkTreeTestCase):

    UPSTREAM = {"Lib/test/test_a.py": "upstream\n",
                "Lib/test/test_tail.py": "upstream\n"}

    def test_the_series_own_modules_of_each_prefix(self):
        lib_test = os.path.join(self.src, "Lib", "test")
        self.assertEqual(check_prefixes.own_tests(lib_test), [])
        self.commit("0001", {"Lib/test/test_tailcall.py": "one\n",
                             "Lib/test/test_tailcall_self.py": "two\n",
                             "Lib/test/test_tailcall_data.txt": "three\n"})
        self.assertEqual(check_prefixes.own_tests(lib_test),
                         ["test_tailcall", "test_tailcall_self"])


if __name__ == "__main__":
    unittest.main()
