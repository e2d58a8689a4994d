"""A throwaway git work tree shaped as tools/series makes one: a commit
tagged upstream, then one commit per patch (for the tests of the tools
that read such a tree)."""

import os
import subprocess
import tempfile
import unittest

from tests.support.tools import load_tool

series = load_tool("series")


class WorkTreeTestCase(unittest.TestCase):
    """self.src: a new repository whose first commit, of UPSTREAM's files,
    is tagged upstream."""

    UPSTREAM = {"Python/a.c": "one\ntwo\nthree\n"}

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.src = self.tmp.name
        self.git("init", "-q", "-b", "main")
        self.commit("Pristine Python-0.0.0.tar.xz", self.UPSTREAM)
        self.git("tag", "upstream")

    def git(self, *args):
        """What `git -C self.src ARGS` prints, with the series' identity."""
        env = dict(os.environ, **series.GIT_ENV)
        return subprocess.run(["git", "-C", self.src, *args], check=True,
                              env=env, capture_output=True, text=True).stdout

    def commit(self, subject, files):
        """Commit files ({path: text}) as subject."""
        for path, text in files.items():
            os.makedirs(os.path.dirname(os.path.join(self.src, path)),
                        exist_ok=True)
            with open(os.path.join(self.src, path), "w") as f:
                f.write(text)
        self.git("add", "-A")
        self.git("commit", "-q", "-m", subject)
