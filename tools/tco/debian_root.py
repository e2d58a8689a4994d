"""Throwaway Debian roots: a minimal root of a suite made once with
debootstrap from this machine's apt archive (cached as a tarball), unpacked
anew for each use, and entered with chroot in a mount namespace of its
own, so that nothing is mounted or installed on this machine.  Used by
tools/make-deb (the build root), tools/check-deb and tools/bench-distro."""

import glob
import hashlib
import os
import shutil
import subprocess
import time

from tco.debian_archive import apt_base_urls

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


def fresh_root(work, suite=SUITE, name="root", base=None):
    """WORK/NAME, unpacked anew from the minimal root (or from the tarball
    base), with this machine's resolv.conf (apt fetches from the archive
    in it)."""
    root = os.path.join(work, name)
    remove_root(root)
    os.makedirs(root)
    subprocess.run(["tar", "--numeric-owner", "-xpf",
                    base or minbase(work, suite), "-C", root], check=True)
    shutil.copyfile("/etc/resolv.conf",
                    os.path.join(root, "etc", "resolv.conf"))
    return root


# Run in a root to install what a package build needs: the toolchain of the
# suite (build-essential: trixie's is GCC 14) and the Build-Depends of the
# source package whose debian/control is /tmp/control.
BUILD_DEPS = r"""
set -eu
export DEBIAN_FRONTEND=noninteractive
echo 'Dpkg::Use-Pty "0";' >/etc/apt/apt.conf.d/90debian-root
echo 'APT::Install-Recommends "0";' >>/etc/apt/apt.conf.d/90debian-root
apt-get update -q >/dev/null
apt-get install -y -q build-essential dpkg-dev >/dev/null
mkdir -p /tmp/source/debian
cp /tmp/control /tmp/source/debian/control
apt-get build-dep -y -q /tmp/source >/dev/null
rm -rf /tmp/source /tmp/control
apt-get clean
gcc --version | head -1
"""


def build_root(work, control, suite=SUITE):
    """WORK/build-root: a root of the suite with its toolchain and the
    Build-Depends of the debian/control file 'control' installed, as a
    Debian build daemon's clean chroot has them.  The prepared root is
    cached as a tarball named after the control file's hash."""
    with open(control, "rb") as f:
        key = hashlib.sha256(f.read()).hexdigest()[:12]
    tar = os.path.join(work, f"{suite}-build-{key}.tar")
    if os.path.exists(tar):
        return fresh_root(work, suite, "build-root", tar)
    for old in glob.glob(os.path.join(work, f"{suite}-build-*.tar")):
        os.unlink(old)
    root = fresh_root(work, suite, "build-root")
    shutil.copyfile(control, os.path.join(root, "tmp", "control"))
    log(f"installing build-essential and the Build-Depends in a {suite} root")
    start = time.monotonic()
    done = run_in_root(root, BUILD_DEPS, root_env())
    if done.returncode:
        raise SystemExit(f"debian-root: installing the build dependencies "
                         f"failed (exit {done.returncode})")
    log(f"build dependencies: {time.monotonic() - start:.0f} s")
    subprocess.run(["tar", "--numeric-owner", "-cpf", tar + ".part", "-C",
                    root, "."], check=True)
    os.replace(tar + ".part", tar)
    return root


def root_env(**more):
    """The environment of a script run in a root: none of this machine's."""
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root",
           "LANG": "C.UTF-8"}
    env.update(more)
    return env


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
