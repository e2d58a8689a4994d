"""The patch files of cpython-tco for one release: the series
(patches/series, whose "# base:" line names the release it is made on),
then that release's own patches (patches/releases/X.Y.Z/series), which
adjust upstream tests that exist in that release alone."""

import os

from tco import TOP
PATCHES = os.path.join(TOP, "patches")


def _names(series_file):
    with open(series_file) as f:
        return [line.strip() for line in f
                if line.strip() and not line.startswith("#")]


def base():
    """The tarball the series is made on: Python-X.Y.Z.tar.xz."""
    with open(os.path.join(PATCHES, "series")) as f:
        for line in f:
            if line.startswith("# base:"):
                return line.split(":", 1)[1].strip()
    raise SystemExit("patches/series has no '# base: Python-X.Y.Z.tar.xz'")


def series():
    """The series' patch files, relative to patches/, in order."""
    return _names(os.path.join(PATCHES, "series"))


def release(version):
    """VERSION's own patch files, relative to patches/, in order."""
    where = os.path.join("releases", version)
    if not os.path.exists(os.path.join(PATCHES, where, "series")):
        return []
    return [os.path.join(where, name)
            for name in _names(os.path.join(PATCHES, where, "series"))]


def numbered(version):
    """(file, flat name) for the series then VERSION's own patches, the
    flat names numbered on from the series so that name order is
    application order (python-build applies a directory's patches so)."""
    files = series() + release(version)
    out = []
    for i, path in enumerate(files, 1):
        name = os.path.basename(path)
        out.append((path, f"{i:04d}-{name.split('-', 1)[1]}"))
    return out
