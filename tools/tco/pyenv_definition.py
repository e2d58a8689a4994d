"""Write a pyenv (python-build) definition of cpython-tco.

Usage: tools/pyenv-definition TARBALL DEFINITIONS [CONFIGURE_FLAGS]

TARBALL is the verified Python-VERSION.tar.xz (tools/fetch-cpython).
Writes, under DEFINITIONS (a directory for PYTHON_BUILD_DEFINITIONS):

  VERSION-tco                               the definition
  patches/VERSION-tco/Python-VERSION/*.patch  the series, then the
                                            release's own patches, in order

python-build downloads the pinned tarball from python.org (or takes it from
PYTHON_BUILD_CACHE_PATH), checks its sha256, applies every file of the
patches directory in name order with patch -p1 (its own mechanism for
built-in patches), then configures, builds and installs as it does every
CPython, ensurepip included.  CONFIGURE_FLAGS, the flags `make` configures
with, are passed on to configure.
"""

import os
import re
import shutil
import sys

from tco.debian_archive import sha256
from tco import patchset

from tco import TOP
PATCHES = os.path.join(TOP, "patches")

DEFINITION = """\
# cpython-tco {version}: CPython {version} with proper tail calls.
# Written by `make pyenv-definition` (tools/pyenv-definition).  python-build
# applies patches/{name}/Python-{version}/*.patch, the cpython-tco series in
# order, to the pristine python.org tarball before it configures.
{configure}install_package "Python-{version}" "{url}#{sha256}" standard verify_py313 copy_python_gdb ensurepip
"""


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    tarball, out = sys.argv[1], sys.argv[2]
    flags = sys.argv[3].split() if len(sys.argv) == 4 else []
    m = re.fullmatch(r"Python-(3\.\d+\.\d+)\.tar\.xz", os.path.basename(tarball))
    if not m:
        sys.exit(f"pyenv-definition: not a Python-X.Y.Z.tar.xz: {tarball}")
    version = m.group(1)
    base = patchset.base()
    if os.path.basename(tarball) != base:
        # Another release needs its generated files made anew (tools/series),
        # which python-build's patch step cannot do.
        sys.exit(f"pyenv-definition: the series applies to {base} as it is,"
                 f" not to {os.path.basename(tarball)}")
    name = f"{version}-tco"
    url = f"https://www.python.org/ftp/python/{version}/Python-{version}.tar.xz"
    configure = "".join(f"package_option python configure {flag}\n"
                        for flag in flags)

    patch_dir = os.path.join(out, "patches", name, f"Python-{version}")
    shutil.rmtree(patch_dir, ignore_errors=True)
    os.makedirs(patch_dir)
    # python-build applies the files in name order: the series, then the
    # release's own patches, numbered on.
    patches = patchset.numbered(version)
    for path, flat in patches:
        shutil.copyfile(os.path.join(PATCHES, path),
                        os.path.join(patch_dir, flat))
    with open(os.path.join(out, name), "w") as f:
        f.write(DEFINITION.format(version=version, name=name, url=url,
                                  sha256=sha256(tarball), configure=configure))
    print(f"pyenv-definition: {os.path.join(out, name)}, "
          f"{len(patches)} patches")
