"""Throwaway Debian roots: a minimal root of a suite made once with
debootstrap from this machine's apt archive (cached as a tarball), unpacked
anew for each use, and entered with chroot in a mount namespace of its
own, so that nothing is mounted or installed on this machine.  Used by
tools/check-deb and tools/bench-distro."""

import os
import shutil
import subprocess
import time

from debian_archive import apt_base_urls

# Debian 13, whose python3 is 3.13: its python3-* packages are built for
# the ABI that cpython-tco keeps.
SUITE = "trixie"


def log(msg):
    print(f"debian-root: {msg}", flush=True)


def minbase(work, suite=SUITE):
    """A tarball of a minimal Debian root: made once, then reused."""
    tar = os.path.join(work, f"{suite}-minbase.tar")
    if os.path.exists(tar):
        return tar
    base = os.path.join(work, f"{suite}-minbase")
    shutil.rmtree(base, ignore_errors=True)
    mirror = apt_base_urls()[0]
    log(f"$ debootstrap --variant=minbase {suite} {base} <apt's archive>")
    start = time.monotonic()
    subprocess.run(["debootstrap", "--variant=minbase", suite, base, mirror],
                   check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["tar", "--numeric-owner", "-cpf", tar + ".part", "-C",
                    base, "."], check=True)
    os.replace(tar + ".part", tar)
    shutil.rmtree(base)
    log(f"debootstrap: {time.monotonic() - start:.0f} s")
    return tar


def fresh_root(work, suite=SUITE):
    """WORK/root, unpacked anew from the minimal root, with this machine's
    resolv.conf (apt fetches from the archive in it)."""
    root = os.path.join(work, "root")
    remove_root(root)
    os.makedirs(root)
    subprocess.run(["tar", "--numeric-owner", "-xpf", minbase(work, suite),
                    "-C", root], check=True)
    shutil.copyfile("/etc/resolv.conf",
                    os.path.join(root, "etc", "resolv.conf"))
    return root


def run_in_root(root, script, env):
    """Run script with /bin/sh in root, chrooted, in a mount namespace of
    its own: /proc is mounted for the root only, and unmounted when the
    last process in it ends, whatever happens.  The finished process."""
    enter = ('mount -t proc proc "$1/proc" && exec chroot "$1" /bin/sh -c "$2"')
    return subprocess.run(["unshare", "--mount", "--propagation", "private",
                           "sh", "-c", enter, "sh", root, script], env=env)


def remove_root(root):
    if os.path.exists(root):
        subprocess.run(["rm", "-rf", "--one-file-system", root], check=True)
