"""The Debian package, end to end, in a throwaway Debian root.

Usage: tools/check-deb DEB WORKDIR REFERENCE

REFERENCE is the interpreter `make` built (build/tco/python).

1. lintian on DEB: no error (what it warns of is printed, and listed with
   reasons in docs/install.md).
2. What DEB holds: nothing of Debian's python3 (no /usr/bin/python3*
   but python3-tco, nothing under /usr/lib/python3*).
3. A minimal Debian root made with debootstrap (cached as
   WORKDIR/SUITE-minbase.tar, then unpacked anew for each run), entered with
   chroot in a mount namespace of its own, so nothing is mounted or
   installed on this machine: there Debian's python3 is installed, then
   `apt-get install ./DEB`; python3-tco runs the demo,
   examples/tail_recursion.py (10**6-deep tail calls), printing what
   REFERENCE prints, and tools/check-install (identity, prefix, venv, ensurepip, pip, a C
   extension built for stock CPython 3.13 by $STOCK_PYTHON) while
   Debian's python3 still runs as before; a C extension that setuptools
   (Debian's) builds with python3-tco and the root's gcc, which has no
   ccache; `apt-get purge` and `autoremove`
   leave the root as it was before the install, file for file.
"""

import os
import shutil
import subprocess
import sys
import time

from tco.debian_root import (SUITE, fresh_root, remove_root,
                         run_in_root)

from tco import TOP

# Run in the root, by /bin/sh.  $DEB is the package's path there.
SCRIPT = r"""
set -eu
export DEBIAN_FRONTEND=noninteractive
# No /dev/pts in the root: dpkg's output goes straight to apt's log.
echo 'Dpkg::Use-Pty "0";' >/etc/apt/apt.conf.d/90check-deb
snapshot() {
    find / -xdev \( -path /proc -o -path /tmp -o -path /var/cache \
        -o -path /var/lib/apt -o -path /var/lib/dpkg -o -path /var/log \
        -o -path /root \) -prune -o -print | sort
}
step() { echo "== $*"; }

step apt-get update; apt-get update -q >/dev/null
step "apt-get install python3 python3-numpy python3-setuptools gcc (Debian's)"
apt-get install -y -q --no-install-recommends python3 python3-numpy \
    python3-setuptools gcc libc6-dev >/dev/null
python3 -c 'import sys; print("python3:", sys.version.split()[0], sys.executable)'
snapshot >/tmp/before.list

step "apt-get install $DEB"
start=$(date +%s)
apt-get install -y -q --no-install-recommends "$DEB" >/tmp/install.log
sed -n '/^The following NEW/,/^[^ ]/p' /tmp/install.log | sed '$d'
echo "installed in $(( $(date +%s) - start )) s;" \
    "Installed-Size: $(dpkg-query -W -f='${Installed-Size}' cpython-tco) KiB;" \
    "/usr/lib/cpython-tco: $(du -sm /usr/lib/cpython-tco | cut -f1) MiB"
step python3-tco; tail -1 /usr/bin/python3-tco
python3-tco -VV
python3-tco /tmp/checks/examples/tail_recursion.py | tee /tmp/demo.out
diff /tmp/checks/demo.expected /tmp/demo.out
echo "the demo prints what make's build/tco/python prints"
test -e /usr/lib/cpython-tco/lib/python3.13/__pycache__/os.cpython-313-tco.pyc
echo "postinst byte-compiled the standard library"

step "Debian's packages"
expected=$(python3 -c 'import numpy; print(numpy.__version__, numpy.__file__)')
got=$(python3-tco -c 'import numpy; print(numpy.__version__, numpy.__file__)')
echo "python3: numpy $expected"; echo "python3-tco: numpy $got"
test "$expected" = "$got"
python3-tco -c 'import numpy, sys
assert numpy.arange(10).sum() == 45
assert "/usr/lib/python3/dist-packages" in sys.path'
if find /usr/lib/python3/dist-packages -name '*.cpython-313-tco.pyc' | grep .; then
    echo "check-deb: python3-tco wrote byte code into Debian's dist-packages" >&2
    exit 1
fi
echo "python3-tco imports Debian's numpy, and writes no byte code there"
if python3-tco -S -c 'import numpy' 2>/dev/null; then
    echo "check-deb: python3-tco -S sees dist-packages" >&2; exit 1
fi

step "a C extension built by setuptools with python3-tco, with no ccache"
! command -v ccache >/dev/null
mkdir /tmp/ext && cd /tmp/ext
cat >ext.c <<'C'
#include <Python.h>
static PyObject *
twice(PyObject *self, PyObject *f)
{
    PyObject *r = PyObject_CallFunction(f, "i", 100000);
    if (r == NULL) {
        return NULL;
    }
    PyObject *s = PyObject_CallOneArg(f, r);
    Py_DECREF(r);
    return s;
}
static PyMethodDef methods[] = {{"twice", twice, METH_O, NULL}, {NULL}};
static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "ext", NULL, -1,
                                 methods};
PyMODINIT_FUNC PyInit_ext(void) { return PyModule_Create(&def); }
C
cat >setup.py <<'PY'
from setuptools import Extension, setup
setup(name="ext", ext_modules=[Extension("ext", ["ext.c"])])
PY
python3-tco setup.py -q build_ext --inplace >/tmp/ext.log 2>&1 || {
    cat /tmp/ext.log; exit 1; }
python3-tco -c 'import ext
def down(n): return n if n == 0 else down(n - 1)
assert ext.twice(down) == 0
print("built", ext.__file__.rsplit("/", 1)[1], "and ran a 10**5-deep tail call through it")'
cd / && rm -rf /tmp/ext

step check-install
if ! python3-tco /tmp/checks/tools/check-install /usr/bin/python3-tco \
        --extension /tmp/checks/extension >/tmp/check-install.log 2>&1; then
    cat /tmp/check-install.log; exit 1
fi
tail -3 /tmp/check-install.log
python3 -c 'import sys; print("python3 still:", sys.version.split()[0], sys.executable)'

step "apt-get purge cpython-tco; apt-get autoremove --purge"
apt-get purge -y -q cpython-tco >/dev/null
apt-get autoremove --purge -y -q >/dev/null
snapshot >/tmp/after.list
if ! diff /tmp/before.list /tmp/after.list; then
    echo "check-deb: the root differs from before the install" >&2
    exit 1
fi
echo "the root is file for file as before the install"
python3 -c 'import sys; print("python3 still:", sys.version.split()[0])'
"""


def log(msg):
    print(f"check-deb: {msg}", flush=True)


def lintian(deb):
    log(f"$ lintian --info --fail-on error {os.path.basename(deb)}")
    done = subprocess.run(["lintian", "--info", "--fail-on", "error", deb],
                          capture_output=True, text=True)
    tags = {}
    for line in done.stdout.splitlines():
        kind, _, rest = line.partition(": ")
        tag = rest.split()[1] if len(rest.split()) > 1 else rest
        if kind in ("E", "W"):
            print(f"  | {line}")
        if kind in ("E", "W", "I"):
            tags.setdefault(kind, set()).add(tag)
    for kind in "EWI":
        log(f"lintian {kind}: {len(tags.get(kind, ()))} tags: "
            f"{' '.join(sorted(tags.get(kind, ())))}")
    if done.returncode:
        print(done.stderr, end="")
        sys.exit(f"check-deb: lintian reports errors (exit {done.returncode})")


def contents(deb):
    listing = subprocess.run(["dpkg-deb", "-c", deb], check=True,
                             capture_output=True, text=True).stdout
    paths = [line.split()[5].removeprefix(".") for line in listing.splitlines()]
    foreign = [p for p in paths
               if (p.startswith("/usr/bin/python") and p != "/usr/bin/python3-tco")
               or p.startswith(("/usr/lib/python3", "/usr/local"))]
    if foreign:
        sys.exit(f"check-deb: the package holds Debian's python3 paths: {foreign}")
    log(f"{len(paths)} paths, none of Debian's python3")


def in_root(deb, work, reference):
    root = fresh_root(work)
    shutil.copyfile(deb, os.path.join(root, "tmp", os.path.basename(deb)))
    checks = os.path.join(root, "tmp", "checks")
    os.makedirs(os.path.join(checks, "tools"))
    shutil.copy(os.path.join(TOP, "tools", "check-install"),
                os.path.join(checks, "tools"))
    shutil.copytree(os.path.join(TOP, "examples"),
                    os.path.join(checks, "examples"))
    with open(os.path.join(checks, "demo.expected"), "w") as f:
        subprocess.run([reference, os.path.join(TOP, "examples",
                                                "tail_recursion.py")],
                       check=True, stdout=f)
    shutil.copytree(os.path.join(TOP, "tests", "support", "project"),
                    os.path.join(checks, "tests", "support", "project"))
    # A C extension built here for stock CPython 3.13 ($STOCK_PYTHON): the
    # root has no compiler.
    subprocess.run([sys.executable, os.path.join(TOP, "tools", "check-install"),
                    "--build-extension", os.path.join(checks, "extension")],
                   check=True)
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root",
           "LANG": "C.UTF-8", "DEB": "/tmp/" + os.path.basename(deb),
           # Whether check-install expects a PGO+LTO build (make deb's
           # default) or not (PGO=0).
           "TCO_EXPECT_OPTIMIZED": os.environ.get("TCO_EXPECT_OPTIMIZED",
                                                  "1")}
    start = time.monotonic()
    done = run_in_root(root, SCRIPT, env)
    remove_root(root)
    if done.returncode:
        sys.exit(f"check-deb: the install test failed (exit {done.returncode})")
    log(f"install, use and purge in a fresh {SUITE} root: "
        f"{time.monotonic() - start:.0f} s")


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    deb, work, reference = map(os.path.abspath, sys.argv[1:])
    os.makedirs(work, exist_ok=True)
    log(f"{os.path.basename(deb)}: {os.path.getsize(deb) / 2**20:.1f} MiB")
    lintian(deb)
    contents(deb)
    in_root(deb, work, reference)
    log("OK")
