"""The Debian archive, as this machine's apt configuration names it:
its base URLs, and verified downloads of packages of a suite.

A suite's InRelease is checked with gpgv against the Debian archive
keyring; the Packages.xz index against the SHA256 that InRelease lists for
it; each .deb against the SHA256 that the index lists.  Files are cached
under downloads/debian/ and checked again when they are read from there.
"""

import glob
import hashlib
import lzma
import os
import re
import shutil
import subprocess
import tempfile
import urllib.request

KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"


def log(msg):
    print(f"debian-archive: {msg}", flush=True)


def apt_base_urls():
    """Debian archive base URLs from the machine's apt configuration."""
    urls = []
    for path in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
        with open(path) as f:
            for line in f:
                m = re.match(r"\s*URIs:\s*(.+)", line)
                if m:
                    urls.extend(m.group(1).split())
    lists = ["/etc/apt/sources.list"] + sorted(
        glob.glob("/etc/apt/sources.list.d/*.list"))
    for path in lists:
        if not os.path.exists(path):
            continue
        with open(path) as f:
            for line in f:
                words = re.sub(r"\[[^]]*\]", "", line.split("#")[0]).split()
                if len(words) >= 2 and words[0] in ("deb", "deb-src"):
                    urls.append(words[1])
    seen = []
    for url in urls:
        url = url.rstrip("/")
        # Only the main Debian archive has pool/main/p/python3.13; the
        # security archive and third-party repositories do not.
        if url.startswith(("http://", "https://")) and "security" not in url \
                and url not in seen:
            seen.append(url)
    return seen


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fetch(url, dest):
    """Download url to dest (through a temporary file)."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(dest), suffix=".part")
    os.close(fd)
    try:
        with urllib.request.urlopen(url, timeout=120) as r, \
                open(tmp, "wb") as out:
            shutil.copyfileobj(r, out)
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def verified(url, dest, want):
    """dest, with sha256 want: from the cache, else downloaded."""
    if os.path.exists(dest) and sha256(dest) == want:
        return dest
    fetch(url, dest)
    got = sha256(dest)
    if got != want:
        os.unlink(dest)
        raise RuntimeError(f"{url}: sha256 {got}, expected {want}")
    return dest


def release_index(base, suite, cache):
    """{path: sha256} of the suite's InRelease, its signature checked."""
    path = os.path.join(cache, f"{suite}_InRelease")
    fetch(f"{base}/dists/{suite}/InRelease", path)
    check = subprocess.run(["gpgv", "--keyring", KEYRING, path],
                           capture_output=True, text=True)
    if check.returncode:
        raise RuntimeError(f"{suite}/InRelease: bad signature:\n"
                           f"{check.stderr}")
    with open(path) as f:
        text = f.read()
    section = text.split("SHA256:", 1)[1]
    sums = {}
    for line in section.splitlines()[1:]:
        if not line.startswith(" "):
            break
        digest, _, name = line.split()
        sums[name] = digest
    return sums


def packages(base, suite, arch, cache):
    """{package name: {field: value}} of the suite's main/binary-ARCH."""
    sums = release_index(base, suite, cache)
    rel = f"main/binary-{arch}/Packages.xz"
    path = verified(f"{base}/dists/{suite}/{rel}",
                    os.path.join(cache, f"{suite}_{arch}_Packages.xz"),
                    sums[rel])
    with lzma.open(path, "rt", encoding="utf-8") as f:
        text = f.read()
    found = {}
    for stanza in text.split("\n\n"):
        fields = dict(re.findall(r"^([\w-]+): (.*)$", stanza, re.M))
        if "Package" in fields:
            found[fields["Package"]] = fields
    return found


def fetch_debs(names, suite, arch, cache):
    """The verified .deb of each package in names: [(name, version, path)]."""
    os.makedirs(cache, exist_ok=True)
    errors = []
    for base in apt_base_urls():
        try:
            index = packages(base, suite, arch, cache)
            out = []
            for name in names:
                fields = index[name]
                dest = os.path.join(cache, os.path.basename(fields["Filename"]))
                verified(f"{base}/{fields['Filename']}", dest,
                         fields["SHA256"])
                out.append((name, fields["Version"], dest))
            return out
        except Exception as exc:     # this base failed: try the next
            errors.append(f"{base}: {exc}")
    raise RuntimeError("no Debian archive gave the packages:\n"
                       + "\n".join(errors))


def unpack(debs, root):
    """dpkg-deb -x each .deb into root."""
    os.makedirs(root, exist_ok=True)
    for _, _, path in debs:
        subprocess.run(["dpkg-deb", "-x", path, root], check=True)
