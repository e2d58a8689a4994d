"""Fetch the pinned upstream CPython tarball and verify its SHA-256.

Sources, in order:
  1. $CPYTHON_TARBALL, if set (a path to the tarball);
  2. the local download cache (downloads/, git-ignored);
  3. python.org;
  4. the Debian source archive's .orig.tar.xz (the upstream bytes unchanged),
     with the archive's base URL read from this machine's apt configuration.

Usage: tools/fetch-cpython VERSION DEST_DIR
Prints the path of the verified tarball on stdout.
"""

import os
import sys

from tco.debian_archive import apt_base_urls, sha256, verified

# Pinned releases: version -> sha256 of Python-VERSION.tar.xz as published on
# python.org (Debian's python3.13_VERSION.orig.tar.xz is the same file).
PINNED = {
    "3.13.5": "93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640",
    "3.13.15": "1e66a7945a48390ee4c2a4268a0e4185884059a13c4aab6d148aa208deea4a76",
}


def log(msg):
    print(f"fetch-cpython: {msg}", file=sys.stderr)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    version, dest_dir = sys.argv[1], sys.argv[2]
    if version not in PINNED:
        sys.exit(f"fetch-cpython: no pinned sha256 for {version}; "
                 f"known: {', '.join(PINNED)}")
    want = PINNED[version]
    name = f"Python-{version}.tar.xz"
    os.makedirs(dest_dir, exist_ok=True)
    cached = os.path.join(dest_dir, name)

    env = os.environ.get("CPYTHON_TARBALL")
    if env:
        got = sha256(env)
        if got != want:
            sys.exit(f"fetch-cpython: $CPYTHON_TARBALL={env} has sha256 {got},"
                     f" expected {want} for {name}. Unset CPYTHON_TARBALL or"
                     f" point it at the genuine {name}.")
        print(env)
        return

    if os.path.exists(cached):
        if sha256(cached) == want:
            print(cached)
            return
        log(f"{cached} has a wrong sha256; removing it and downloading again")
        os.unlink(cached)

    major_minor = ".".join(version.split(".")[:2])
    urls = [f"https://www.python.org/ftp/python/{version}/{name}"]
    urls += [f"{base}/pool/main/p/python{major_minor}/"
             f"python{major_minor}_{version}.orig.tar.xz"
             for base in apt_base_urls()]
    for url in urls:
        log(f"trying {url}")
        try:
            verified(url, cached, want)
        except Exception as exc:  # network errors of every kind, a wrong
            log(f"  failed: {exc}")  # sha256: try the next
            continue
        log(f"verified {name} (sha256 {want})")
        print(cached)
        return
    sys.exit(f"fetch-cpython: could not get {name} with sha256 {want}.\n"
             f"Tried: {', '.join(urls) or 'nothing'}.\n"
             f"Download it by hand and run again with"
             f" CPYTHON_TARBALL=/path/to/{name}.")
