"""Debian's Python 3 packages, for cpython-tco as Debian's package installs
it (/usr/lib/cpython-tco, python3-tco).

Debian installs the modules of its python3-* packages in
/usr/lib/python3/dist-packages, where its python3.13 finds them; their
extension modules are built for the CPython 3.13 ABI, which cpython-tco
keeps.  site imports this module (debian-dist-packages.pth in
site-packages), which adds that directory after cpython-tco's own
site-packages, .pth files and all (site.addsitedir()), as Debian's
python3 does.

dpkg owns those trees, and removes what it installed there, not what an
interpreter writes: cpython-tco writes no byte code there (its
__pycache__/*.cpython-313-tco.pyc would outlive the packages).  The
modules there are compiled in memory at each import; the finder of
everything under the directory is a FileFinder whose source loader does
not write caches.  python3-tco -S leaves the directory out, as it leaves
out site-packages.
"""

import site
import sys
from importlib import machinery

DIST_PACKAGES = "/usr/lib/python3/dist-packages"


class _NoCacheSourceLoader(machinery.SourceFileLoader):
    """A source loader that writes no byte code."""

    def set_data(self, path, data, *, _mode=0o666):
        pass


def _finder(path):
    if path != DIST_PACKAGES and not path.startswith(DIST_PACKAGES + "/"):
        raise ImportError("not under " + DIST_PACKAGES)
    return machinery.FileFinder(
        path,
        (machinery.ExtensionFileLoader, machinery.EXTENSION_SUFFIXES),
        (_NoCacheSourceLoader, machinery.SOURCE_SUFFIXES),
        (machinery.SourcelessFileLoader, machinery.BYTECODE_SUFFIXES))


def install():
    if _finder not in sys.path_hooks:
        sys.path_hooks.insert(0, _finder)
    for path in list(sys.path_importer_cache):
        if path == DIST_PACKAGES or path.startswith(DIST_PACKAGES + "/"):
            del sys.path_importer_cache[path]
    site.addsitedir(DIST_PACKAGES)


install()
