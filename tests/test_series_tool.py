"""tools/series: the count of lines that later patches rewrite.

    python3 -m unittest tests.test_series_tool
"""

import os
import subprocess
import tempfile
import unittest

from tests.support.tools import load_tool

series = load_tool("series")


class RewritesTests(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.src = self.tmp.name
        self.git("init", "-q", "-b", "main")
        self.commit("Pristine Python-0.0.0.tar.xz",
                    {"Python/a.c": "one\ntwo\nthree\n"})
        self.git("tag", "upstream")

    def tearDown(self):
        self.tmp.cleanup()

    def git(self, *args):
        env = dict(os.environ, **series.GIT_ENV)
        subprocess.run(["git", "-C", self.src, *args], check=True, env=env,
                       capture_output=True)

    def commit(self, subject, files):
        for path, text in files.items():
            os.makedirs(os.path.dirname(os.path.join(self.src, path)),
                        exist_ok=True)
            with open(os.path.join(self.src, path), "w") as f:
                f.write(text)
        self.git("add", "-A")
        self.git("commit", "-q", "-m", subject)

    def test_upstream_lines_and_additions_count_nothing(self):
        self.commit("first", {"Python/a.c": "one\nTWO\nthree\nfour\n"})
        self.commit("second", {"Python/a.c": "one\nTWO\nthree\nfour\nfive\n"})
        self.assertEqual(series.rewrites(self.src),
                         [("first", 0), ("second", 0)])

    def test_a_rewritten_line_counts_for_the_later_patch(self):
        self.commit("first", {"Python/a.c": "one\ntwo\nthree\nadded\n"})
        self.commit("second", {"Python/a.c": "one\nTWO\nthree\nchanged\n"})
        self.assertEqual(series.rewrites(self.src),
                         [("first", 0), ("second", 1)])

    def test_generated_files_are_left_out(self):
        generated = "Python/generated_cases.c.h"
        self.assertIn(generated, series.GENERATED)
        self.commit("first", {generated: "a\n"})
        self.commit("second", {generated: "b\n"})
        self.assertEqual(series.rewrites(self.src),
                         [("first", 0), ("second", 0)])


if __name__ == "__main__":
    unittest.main()
