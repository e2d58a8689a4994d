"""cpython-tco's tooling, as one package: each command of tools/ is a thin
entry point (tools/NAME) to the module of the same name here
(tools/tco/NAME.py, dashes as underscores), whose docstring says what it
does; the modules they share:

- patchset: the series' patch files for one release;
- debian_archive: the Debian archive that apt is configured with, and
  verified downloads from it;
- debian_root: throwaway Debian roots (debootstrap), and build roots;
- stock_extension: C extensions built for stock CPython 3.13.

tests/test_tools_package.py tests the package; the commands' own tests
are tests/test_<command>.py.  Three tools stay single files, because they
are copied where this package is not: tools/check-install (into the roots
and prefixes it checks), tools/pgo-task (into the Debian source package)
and tools/run-tests (its test runs a copy).  tools/fuzz is a package of
its own.
"""

import os
import subprocess

# The checkout: tools/tco/__init__.py is two levels down.
TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))


def git_output(src, *args):
    """What `git -C src ARGS` prints; an error if it fails."""
    return subprocess.run(["git", "-C", src, *args], check=True,
                          capture_output=True, text=True).stdout


def with_ccache(env, basedir):
    """env with ccache as gcc, where the machine has ccache: its
    /usr/lib/ccache first in PATH, so that what a build records (sysconfig's
    CC, which setuptools and pip use) is plain gcc, which a user's machine
    has; paths under basedir hashed relative to it, so that a build
    elsewhere hits the cache.  The Makefile does the same for its own
    builds; a PGO build takes no ccache (the Makefile says why)."""
    if os.path.isdir("/usr/lib/ccache"):
        env = dict(env, PATH="/usr/lib/ccache:" + env.get("PATH", ""),
                   CCACHE_BASEDIR=os.path.abspath(basedir),
                   CCACHE_NOHASHDIR="1")
    return env
