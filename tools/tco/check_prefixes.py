"""Every prefix of the series builds and passes a core set of CPython's
tests: the series is a stack in which each patch stands on the ones
before it.

Usage: tools/check-prefixes SRC BUILD [FIRST]

SRC is the work tree of the series (one commit per patch, `make worktree`).
Each patch's commit is checked out in turn into SRC.prefix (a git
worktree of SRC), built out of tree in BUILD (configured once, then
rebuilt incrementally: only what a patch changes is compiled again,
through ccache) and tested with PREFIX_TESTS below and the series' own
tests that the prefix holds (own_tests(): each feature patch adds its
Lib/test/test_tailcall*.py, and the patches after it may extend them).
FIRST, a patch
number, starts further down the series.  Exits 1 at the first prefix
that fails.

The release's own patches (patches/releases/X.Y.Z/, the commits of SRC
above the series) adjust upstream tests that exist in that release alone
(3.13.15's test_opcache recurses by a tail call): each prefix is tested
with them applied, as the whole series is.
"""

import os
import subprocess
import sys

import tco
from tco import TOP, git_output, patchset
from tco.test_lists import PREFIX, own_tests
# The upstream tests closest to what the patches change, that every prefix
# of the series passes (tco.test_lists).
PREFIX_TESTS = PREFIX


def run(*cmd, **kw):
    print("check-prefixes:", " ".join(cmd), flush=True)
    return subprocess.run(cmd, **kw).returncode


def configure(prefix_src, build):
    if os.path.exists(os.path.join(build, "Makefile")):
        return
    os.makedirs(build, exist_ok=True)
    if run(os.path.join(os.path.abspath(prefix_src), "configure"), "-q",
           "PYTHON_FOR_REGEN=" + sys.executable,
           "ac_cv_prog_HAS_GIT=not-found", cwd=build,
           env=tco.with_ccache(os.environ, TOP)):
        sys.exit("check-prefixes: configure failed")


def series_commits(src, count):
    """The commits of the work tree src that are the series (the first
    count above the tag upstream), and the diff of those above them (the
    release's own patches, tco.patchset), "" if none."""
    commits = git_output(src, "rev-list", "--reverse",
                         "upstream..HEAD").split()
    if len(commits) < count:
        sys.exit(f"check-prefixes: {src} holds {len(commits)} commits above"
                 f" upstream, the series {count}")
    release_diff = git_output(src, "diff", "--binary", commits[count - 1],
                              "HEAD")
    return commits[:count], release_diff


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    src, build = sys.argv[1:3]
    first = int(sys.argv[3]) if len(sys.argv) == 4 else 1
    commits, release_diff = series_commits(src, len(patchset.series()))
    prefix_src = src.rstrip("/") + ".prefix"
    if not os.path.isdir(prefix_src):
        git_output(src, "worktree", "add", "--detach", os.path.abspath(prefix_src),
            "upstream")
    env = tco.with_ccache(os.environ, TOP)
    for number, sha in enumerate(commits, 1):
        if number < first:
            continue
        subject = git_output(src, "log", "-1", "--format=%s", sha).strip()
        print(f"check-prefixes: patch {number:04d}: {subject}", flush=True)
        # Nothing of the last prefix's: its tests' byte code in __pycache__
        # is of its own opcodes, under the magic number and the cache tag
        # that later prefixes share (0011's cpython-313-tco).
        git_output(prefix_src, "reset", "-q", "--hard")
        git_output(prefix_src, "clean", "-q", "-f", "-d", "-x")
        git_output(prefix_src, "checkout", "-q", "--detach", sha)
        if release_diff:
            apply = subprocess.run(["git", "apply", "--index"], cwd=prefix_src,
                                   input=release_diff, text=True)
            if apply.returncode:
                sys.exit(f"check-prefixes: the release's own patches do not"
                         f" apply on patch {number:04d}")
        configure(prefix_src, build)
        log = os.path.join(build, "make.log")
        with open(log, "w") as out:
            rc = subprocess.run(["make", "-j", str(os.cpu_count()), "-s"],
                                cwd=build, stdout=out,
                                stderr=subprocess.STDOUT, env=env).returncode
        if rc:
            subprocess.run(["tail", "-30", log])
            sys.exit(f"check-prefixes: patch {number:04d} does not build")
        python = os.path.join(build, "python")
        own = own_tests(os.path.join(prefix_src, "Lib", "test"))
        if run(sys.executable, os.path.join(TOP, "tools", "regrtest"),
               python, *PREFIX_TESTS, *own):
            sys.exit(f"check-prefixes: patch {number:04d} fails upstream"
                     f" tests or its own")
    git_output(prefix_src, "reset", "-q", "--hard")
    which = (f"all {len(commits)} prefixes" if first == 1 else
             f"prefixes {first:04d} to {len(commits):04d}")
    print(f"check-prefixes: {which} build and pass"
          f" {' '.join(PREFIX_TESTS)}, and the series' own tests each"
          f" holds")
