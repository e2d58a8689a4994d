"""Build cpython-tco's Debian package with Debian's own tools.

Usage: tools/make-deb TARBALL WORKDIR OUTDIR

Lays out a Debian source package in WORKDIR: the pristine tarball as
cpython-tco_VERSION.orig.tar.xz and unpacked, packaging/debian as its
debian/ directory, the series as debian/patches (format 3.0 (quilt), so
dpkg-source applies it), debian/changelog and debian/copyright written
here (the latter from the tarball's LICENSE).  Then dpkg-buildpackage
builds the binary package and OUTDIR receives
cpython-tco_VERSION-1_ARCH.deb.  $CONFIGURE_FLAGS, the flags `make`
configures with, reach configure through debian/rules.

The package is built as Debian's build daemons build one: in a clean root
of the suite it is for ($DEB_SUITE, trixie by default: Debian 13, whose
python3 is 3.13), with that suite's toolchain (trixie's GCC 14, the
compiler of Debian's own python3.13) and the Build-Depends of
debian/control, installed by apt (tools/tco/debian_root.py; the prepared root
is cached in WORKDIR).  DEB_SUITE=host builds on this machine instead, with
its own compiler and libraries (quicker, with ccache, and not what a
Debian user is given).  DEB_STOCK=1 leaves the series out: stock CPython,
packaged and built the same way, as the reference of measurements.
DEB_NOSTRIP=1 keeps the symbols in the binaries (Debian's nostrip build
option), so that callgrind and perf name the functions of an optimized
build; such a package is for measuring, not for shipping.
"""

import email.utils
import glob
import os
import re
import shutil
import subprocess
import sys

import tco
from tco import patchset
from tco.debian_root import (build_root, remove_root, root_env,
                         run_in_root)

from tco import TOP
PACKAGING = os.path.join(TOP, "packaging", "debian")
REVISION = "1"

CHANGELOG = """\
cpython-tco ({version}-{revision}) unstable; urgency=medium

  * CPython {version} with the cpython-tco patch series ({count} patches in
    debian/patches): proper tail calls.

 -- {maintainer}  {date}
"""

COPYRIGHT = """\
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: CPython
Source: https://www.python.org/ftp/python/{version}/

Files: *
Copyright: 2001-2025 Python Software Foundation
           2000 BeOpen.com
           1995-2001 Corporation for National Research Initiatives
           1991-1995 Stichting Mathematisch Centrum
License: PSF-2.0

Files: debian/*
Copyright: 2026 cpython-tco developers
License: PSF-2.0
Comment: debian/patches is the cpython-tco series, offered under
 Python's own license, as contributions to CPython are.

License: PSF-2.0
{license}
"""


def log(msg):
    print(f"make-deb: {msg}", flush=True)


def field(name):
    with open(os.path.join(PACKAGING, "control")) as f:
        return re.search(rf"^{name}: (.*)$", f.read(), re.M).group(1)


def changelog_date():
    """The date of the commit the package is built from (reproducible)."""
    out = subprocess.run(["git", "-C", TOP, "log", "-1", "--format=%ct"],
                         capture_output=True, text=True)
    stamp = int(out.stdout) if out.returncode == 0 and out.stdout.strip() \
        else 0
    return email.utils.formatdate(stamp, usegmt=False)


def as_copyright_text(text):
    """A license text as the continuation lines of a DEP-5 field."""
    return "\n".join(f" {line}" if line.strip() else " ."
                     for line in text.rstrip().splitlines())


def build_failed(work, returncode):
    with open(os.path.join(work, "build.log")) as f:
        print("".join(f.readlines()[-40:]), end="")
    sys.exit(f"make-deb: dpkg-buildpackage failed "
             f"(exit {returncode}); {work}/build.log has the log")


def build_here(work, source, options, optimized):
    """dpkg-buildpackage on this machine."""
    env = dict(os.environ, DEB_BUILD_OPTIONS=options)
    if not optimized:
        env = tco.with_ccache(env, work)
    log(f"dpkg-buildpackage in {source}")
    with open(os.path.join(work, "build.log"), "w") as out:
        done = subprocess.run(["dpkg-buildpackage", "-b", "-us", "-uc"],
                              cwd=source, env=env, stdout=out,
                              stderr=subprocess.STDOUT)
    if done.returncode:
        build_failed(work, done.returncode)


# Run in the build root, by /bin/sh: the source is /build/$SOURCE.
BUILD = r"""
set -eu
cd "/build/$SOURCE"
echo "$(gcc --version | head -1); $(dpkg-query -W -f='${Package} ${Version}' libc6)"
dpkg-buildpackage -b -us -uc >/build/build.log 2>&1
"""


def build_in_root(work, source, options, suite):
    """dpkg-buildpackage in a clean root of the suite; the .deb, its
    .buildinfo and .changes, and build.log come back into work."""
    for stale in glob.glob(os.path.join(work, "*.deb")):
        os.unlink(stale)
    root = build_root(work, os.path.join(source, "debian", "control"), suite)
    shutil.copytree(source, os.path.join(root, "build",
                                         os.path.basename(source)),
                    symlinks=True)
    log(f"dpkg-buildpackage in a clean {suite} root ({root})")
    env = root_env(SOURCE=os.path.basename(source),
                   DEB_BUILD_OPTIONS=options,
                   CONFIGURE_FLAGS=os.environ.get("CONFIGURE_FLAGS", ""))
    try:
        done = run_in_root(root, BUILD, env)
        shutil.copyfile(os.path.join(root, "build", "build.log"),
                        os.path.join(work, "build.log"))
        if done.returncode:
            build_failed(work, done.returncode)
        for name in os.listdir(os.path.join(root, "build")):
            if name.endswith((".deb", ".buildinfo", ".changes")):
                shutil.copyfile(os.path.join(root, "build", name),
                                os.path.join(work, name))
    finally:
        remove_root(root)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    tarball, work, outdir = map(os.path.abspath, sys.argv[1:])
    version = re.fullmatch(r"Python-(.+)\.tar\.xz",
                           os.path.basename(tarball)).group(1)
    source = os.path.join(work, f"cpython-tco-{version}")
    shutil.rmtree(source, ignore_errors=True)
    os.makedirs(work, exist_ok=True)

    orig = os.path.join(work, f"cpython-tco_{version}.orig.tar.xz")
    if os.path.lexists(orig):
        os.unlink(orig)
    os.symlink(tarball, orig)
    os.makedirs(source)
    subprocess.run(["tar", "-xJf", tarball, "-C", source,
                    "--strip-components=1"], check=True)

    debian = os.path.join(source, "debian")
    shutil.copytree(PACKAGING, debian)
    patches = os.path.join(debian, "patches")
    os.makedirs(patches)
    # quilt's series: ours, then the release's own patches (in their
    # subdirectory, as quilt allows).
    names = patchset.series() + patchset.release(version)
    if os.environ.get("DEB_STOCK") == "1":
        # The reference: stock CPython packaged and built the same way,
        # for measurements (docs/performance.md), never shipped.
        names = []
    for name in names:
        os.makedirs(os.path.join(patches, os.path.dirname(name)),
                    exist_ok=True)
        shutil.copyfile(os.path.join(TOP, "patches", name),
                        os.path.join(patches, name))
    with open(os.path.join(patches, "series"), "w") as f:
        f.write("".join(name + "\n" for name in names))
    # The PGO training task and its tail-call workloads (debian/rules).
    pgo = os.path.join(debian, "pgo")
    os.makedirs(pgo)
    shutil.copy(os.path.join(TOP, "tools", "pgo-task"), pgo)
    for path in glob.glob(os.path.join(TOP, "bench", "tail_*.py")):
        shutil.copy(path, pgo)
    with open(os.path.join(debian, "changelog"), "w") as f:
        f.write(CHANGELOG.format(version=version, revision=REVISION,
                                 count=len(names),
                                 maintainer=field("Maintainer"),
                                 date=changelog_date()))
    with open(os.path.join(source, "LICENSE")) as f:
        license_text = as_copyright_text(f.read())
    with open(os.path.join(debian, "copyright"), "w") as f:
        f.write(COPYRIGHT.format(version=version, license=license_text))

    jobs = os.cpu_count()
    # PGO and LTO unless PGO=0 (make test), Debian's nopgo then.
    optimized = os.environ.get("PGO", "1") == "1"
    options = f"parallel={jobs} nocheck" + ("" if optimized else " nopgo")
    if os.environ.get("DEB_NOSTRIP") == "1":
        options += " nostrip"
    suite = os.environ.get("DEB_SUITE", "trixie")
    if suite == "host":
        build_here(work, source, options, optimized)
    else:
        build_in_root(work, source, options, suite)
    arch = subprocess.run(["dpkg", "--print-architecture"], check=True,
                          capture_output=True, text=True).stdout.strip()
    deb = f"cpython-tco_{version}-{REVISION}_{arch}.deb"
    os.makedirs(outdir, exist_ok=True)
    shutil.copyfile(os.path.join(work, deb), os.path.join(outdir, deb))
    size = os.path.getsize(os.path.join(outdir, deb)) / 2**20
    log(f"{os.path.join(outdir, deb)} ({size:.1f} MiB)")
