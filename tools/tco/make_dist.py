"""Make a relocatable archive of a built cpython-tco.

Usage: make-dist BUILD-DIR ARCHIVE

Installs BUILD-DIR (a configured and built tree) into a staging directory
with DESTDIR, then packs the installed prefix as ARCHIVE with one top
directory, python/, as python-build-standalone's install_only archives are
laid out. The interpreter finds its standard library relative to its own
executable (Modules/getpath.py), so the archive works unpacked anywhere;
the scripts in bin/ (pip3, pydoc3, idle3) get a shebang that finds the
interpreter beside them instead of the configured prefix.
"""

import os
import subprocess
import sys
import tarfile
import tempfile

# A shell script that Python reads as a docstring: the shell runs the
# interpreter next to the script's real path, which then runs the script.
RELOCATABLE_SHEBANG = b"""#!/bin/sh
'''exec' "$(dirname -- "$(realpath -- "$0")")/%s" "$0" "$@"
' '''
"""


def configured_prefix(build_dir):
    out = subprocess.run([os.path.join(build_dir, "python"), "-c",
                          "import sysconfig;"
                          "print(sysconfig.get_config_var('prefix'))"],
                         check=True, capture_output=True, text=True)
    return out.stdout.strip()


def relocate_scripts(bindir, prefix):
    """Rewrite '#!PREFIX/bin/pythonX.Y' shebangs; return the scripts changed."""
    changed = []
    for name in sorted(os.listdir(bindir)):
        path = os.path.join(bindir, name)
        if os.path.islink(path) or not os.path.isfile(path):
            continue
        with open(path, "rb") as f:
            data = f.read()
        first, sep, rest = data.partition(b"\n")
        target = os.path.join(prefix, "bin", "").encode()
        if not (first.startswith(b"#!" + target) and sep):
            continue
        interpreter = first[len(b"#!" + target):].split()[0]
        with open(path, "wb") as f:
            f.write(RELOCATABLE_SHEBANG % interpreter + rest)
        changed.append(name)
    return changed


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    build_dir, archive = sys.argv[1:]
    prefix = configured_prefix(build_dir)
    with tempfile.TemporaryDirectory(prefix="tco-dist-") as stage:
        log = os.path.join(build_dir, "dist-install.log")
        with open(log, "w") as f:
            done = subprocess.run(["make", "-s", "-C", build_dir, "install",
                                   f"DESTDIR={stage}"],
                                  stdout=f, stderr=subprocess.STDOUT)
        if done.returncode:
            sys.exit(f"make-dist: make install failed, see {log}")
        top = os.path.join(stage, "python")
        os.rename(os.path.join(stage, prefix.lstrip("/")), top)
        changed = relocate_scripts(os.path.join(top, "bin"), prefix)
        os.makedirs(os.path.dirname(archive) or ".", exist_ok=True)
        partial = archive + ".part"
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(top, arcname="python")
        os.replace(partial, archive)
    size = os.path.getsize(archive) / 2**20
    print(f"dist: {archive} ({size:.0f} MiB; relocated scripts: "
          f"{', '.join(changed)})")
