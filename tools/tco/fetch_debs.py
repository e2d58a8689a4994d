"""Fetch Debian packages of a suite, verified, and unpack them.

Usage: tools/fetch-debs SUITE ROOT PACKAGE...

Downloads each PACKAGE's .deb for this machine's architecture from the
Debian archive that apt is configured with (InRelease signature checked
with gpgv, Packages.xz and .deb sha256 checked), caches them under
downloads/debian/, unpacks them into ROOT (dpkg-deb -x) and writes
ROOT/VERSIONS, one "package version" per line.  Nothing is installed into
the system.
"""

import os
import subprocess
import sys

from tco import debian_archive

from tco import TOP


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    suite, root, names = sys.argv[1], sys.argv[2], sys.argv[3:]
    stamp = os.path.join(root, "VERSIONS")
    arch = subprocess.run(["dpkg", "--print-architecture"], check=True,
                          capture_output=True, text=True).stdout.strip()
    cache = os.path.join(TOP, "downloads", "debian")
    try:
        debs = debian_archive.fetch_debs(names, suite, arch, cache)
    except RuntimeError as exc:
        sys.exit(f"fetch-debs: {exc}")
    debian_archive.unpack(debs, root)
    with open(stamp, "w") as f:
        f.writelines(f"{name} {version}\n" for name, version, _ in debs)
    for name, version, path in debs:
        debian_archive.log(f"{name} {version} ({os.path.basename(path)})")
