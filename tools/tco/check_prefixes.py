"""Every prefix of the series builds and passes a core set of CPython's
tests: the series is a stack in which each patch stands on the ones
before it.

Usage: tools/check-prefixes SRC BUILD [FIRST]

SRC is the work tree of the series (one commit per patch, `make worktree`).
Each patch's commit is checked out in turn into SRC.prefix (a git
worktree of SRC), built out of tree in BUILD (configured once, then
rebuilt incrementally: only what a patch changes is compiled again,
through ccache) and tested with PREFIX_TESTS below.  FIRST, a patch
number, starts further down the series.  Exits 1 at the first prefix
that fails.
"""

import os
import subprocess
import sys

import tco
from tco import TOP, git_output
from tco.test_lists import PREFIX
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


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    src, build = sys.argv[1:3]
    first = int(sys.argv[3]) if len(sys.argv) == 4 else 1
    commits = git_output(src, "rev-list", "--reverse", "upstream..HEAD").split()
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
        git_output(prefix_src, "checkout", "-q", "--detach", sha)
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
        if run(sys.executable, os.path.join(TOP, "tools", "regrtest"),
               python, *PREFIX_TESTS):
            sys.exit(f"check-prefixes: patch {number:04d} fails upstream"
                     f" tests")
    print(f"check-prefixes: all {len(commits)} prefixes build and pass"
          f" {' '.join(PREFIX_TESTS)}")
