"""tools/series: the count of lines that later patches rewrite.

    python3 -m unittest tests.test_series_tool
"""

import unittest

from tests.support.tools import load_tool
from tests.support.worktree import WorkTreeTestCase

series = load_tool("series")


class RewritesTests(WorkTreeTestCase):

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
