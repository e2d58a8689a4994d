"""docs/internals.md names the functions, macros and files of the
mechanism: each must exist in the patched tree this interpreter was built
from, so that the page cannot go stale without a test failing.

    build/tco/python -m unittest tests.test_internals_doc
"""

import os
import re
import sysconfig
import unittest

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOC = os.path.join(TOP, "docs", "internals.md")

# Named on the page for comparison, not part of CPython's tree.
ELSEWHERE = {"luaD_pretailcall"}

SOURCES = ("Python", "Include", "Objects", "Modules", "Lib", "Parser", "Tools")


def source_tree():
    """The patched tree: this build's srcdir (make's build/src-tco)."""
    srcdir = sysconfig.get_config_var("srcdir") or ""
    if os.path.exists(os.path.join(srcdir, "Python", "ceval.c")):
        return srcdir
    return None


def named_on_the_page():
    with open(DOC) as f:
        text = f.read()
    code = re.findall(r"`([^`]+)`", text)
    symbols = set()
    files = set()
    for span in code:
        for name in re.findall(r"\b([A-Za-z_][A-Za-z0-9_]*)\(", span):
            symbols.add(name)
        if re.fullmatch(r"(%s)/[\w./-]+\.(c|h|py)" % "|".join(SOURCES), span):
            files.add(span)
    return symbols - ELSEWHERE, files


class InternalsDocTests(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.src = source_tree()
        if cls.src is None:
            # An installed interpreter (make test-dist runs these tests
            # with the unpacked archive): make test-ours checks the page
            # against the build tree.
            raise unittest.SkipTest("not a build tree: no patched sources")
        # The C sources, and the Python files that the page names.
        _, files = named_on_the_page()
        paths = [os.path.join(cls.src, p) for p in files
                 if p.endswith(".py")]
        for top in ("Python", "Include", "Objects", "Modules"):
            for root, _, names in os.walk(os.path.join(cls.src, top)):
                paths += [os.path.join(root, name) for name in names
                          if name.endswith((".c", ".h"))]
        text = []
        for path in paths:
            if os.path.exists(path):
                with open(path, errors="replace") as f:
                    text.append(f.read())
        cls.text = "\n".join(text)

    def test_the_page_names_the_mechanism(self):
        symbols, files = named_on_the_page()
        self.assertGreater(len(symbols), 20)
        self.assertIn("tail_call_replaces_frame", symbols)
        self.assertIn("Python/ceval_tailcall.h", files)

    def test_every_function_named_exists(self):
        symbols, _ = named_on_the_page()
        missing = sorted(name for name in symbols
                         if not re.search(r"\b%s\b" % re.escape(name),
                                          self.text))
        self.assertEqual(missing, [])

    def test_every_file_named_exists(self):
        _, files = named_on_the_page()
        missing = sorted(path for path in files
                         if not os.path.exists(os.path.join(self.src, path)))
        self.assertEqual(missing, [])


if __name__ == "__main__":
    unittest.main()
