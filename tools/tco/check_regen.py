"""Regenerate every generated file of the patched tree and fail if that
changes anything: the patches must ship their generated files up to date.

Usage: tools/check-regen SRCDIR BUILDDIR

Runs `make regen-all` in BUILDDIR (a configured build of SRCDIR).  The
regen tools rewrite some files even when their content does not change;
the files' times are put back afterwards, so that the check does not make
the next build redo work.
"""

import os
import subprocess
import sys

from tco import git_output


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src, build = sys.argv[1:]
    if git_output(src, "status", "--porcelain"):
        sys.exit(f"check-regen: {src} has uncommitted changes; commit or"
                 f" discard them first")
    files = [os.path.join(src, p) for p in
             git_output(src, "ls-files", "-z").split("\0") if p]
    times = {p: os.stat(p, follow_symlinks=False) for p in files
             if os.path.lexists(p)}
    log = os.path.join(build, "regen.log")
    with open(log, "w") as out:
        rc = subprocess.run(["make", "-C", build, "regen-all"], stdout=out,
                            stderr=subprocess.STDOUT).returncode
    changed = git_output(src, "status", "--porcelain")
    for path, st in times.items():
        if os.path.lexists(path) and not os.path.islink(path):
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    if rc:
        with open(log) as f:
            sys.stderr.write("".join(f.readlines()[-40:]))
        sys.exit(f"check-regen: make regen-all failed (log: {log})")
    if changed:
        print(changed, end="")
        print(git_output(src, "diff", "--stat"), end="")
        sys.exit("check-regen: regenerating changed the patched tree: run"
                 " the regen targets in the work tree, commit, and export")
    print("check-regen: generated files are up to date")
