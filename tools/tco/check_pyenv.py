"""pyenv installs cpython-tco from its definition, end to end, offline.

Usage: tools/check-pyenv PYENV DEFINITIONS CACHE PYENV_ROOT REFERENCE

PYENV is where Debian's pyenv package is unpacked (tools/fetch-debs),
DEFINITIONS what tools/pyenv-definition wrote, CACHE a directory holding the
verified Python-X.Y.Z.tar.xz (python-build's PYTHON_BUILD_CACHE_PATH: it
checks the sha256 of the definition and downloads nothing), PYENV_ROOT
pyenv's own root, made anew, REFERENCE the interpreter `make` built.

As a user would: `pyenv install VERSION-tco`; then, in a shell set up with
`pyenv init`, `pyenv shell VERSION-tco` and `python` running the demo,
examples/tail_recursion.py (10**6-deep tail calls), which must print what
REFERENCE prints; tools/check-install on the interpreter pyenv installed
(identity, prefix, venv, ensurepip, pip installing a wheel and an sdist);
`pyenv uninstall`.  Prints what it ran, with times and sizes.
"""

import os
import shutil
import subprocess
import sys
import time

import tco
from tco import TOP

DEMO = os.path.join(TOP, "examples", "tail_recursion.py")


def log(msg):
    print(f"check-pyenv: {msg}", flush=True)


def du(path):
    return int(subprocess.run(["du", "-sk", path], check=True,
                              capture_output=True, text=True)
               .stdout.split()[0]) // 1024


def run(args, env, quiet=False, **kwargs):
    log("$ " + " ".join(args))
    start = time.monotonic()
    done = subprocess.run(args, env=env, text=True, capture_output=True,
                          **kwargs)
    took = time.monotonic() - start
    out = done.stdout + done.stderr
    if not quiet or done.returncode:
        lines = out.splitlines()
        patched = [line for line in lines if line.startswith("patching file ")]
        for line in lines:
            if line not in patched:
                print(f"  | {line}")
        if patched:
            print(f"  | ({len(patched)} times \"patching file ...\": "
                  f"the series applied by python-build)")
    if done.returncode:
        sys.exit(f"check-pyenv: exit {done.returncode} after {took:.0f} s")
    return done.stdout, took


def main():
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    pyenv, definitions, cache, root, reference = map(os.path.abspath,
                                                     sys.argv[1:])
    names = [n for n in os.listdir(definitions) if n != "patches"]
    if len(names) != 1:
        sys.exit(f"check-pyenv: expected one definition in {definitions}")
    version = names[0]

    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYENV", "PYTHON"))}
    env.update(
        PATH=os.path.join(pyenv, "usr", "bin") + os.pathsep + env["PATH"],
        PYENV_ROOT=root,
        PYTHON_BUILD_DEFINITIONS=definitions,
        PYTHON_BUILD_CACHE_PATH=cache,
        PYTHON_BUILD_SKIP_MIRROR="1",
        # A fixed build directory, so that ccache serves the next run.
        PYTHON_BUILD_BUILD_PATH=root + ".build",
        MAKE_OPTS=f"-j{os.cpu_count()}",
        PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    # Paths under the build directory and the prefix (python-build adds -I
    # PREFIX/include) hashed relative to their parent.
    env = tco.with_ccache(env, os.path.dirname(root))
    shutil.rmtree(root + ".build", ignore_errors=True)

    out, _ = run(["pyenv", "--version"], env)
    out, _ = run(["pyenv", "install", "--list"], env, quiet=True)
    if version not in out.split():
        sys.exit(f"check-pyenv: pyenv install --list does not offer {version}")
    _, took = run(["pyenv", "install", version], env)
    prefix = os.path.join(root, "versions", version)
    log(f"pyenv install {version}: {took:.0f} s, {prefix}: {du(prefix)} MiB")

    # pyenv shell is a shell function that `pyenv init` defines.
    script = (f'set -e\neval "$(pyenv init - bash)"\n'
              f'pyenv shell {version}\npyenv version\n'
              f'command -v python\npython -VV\n'
              f'python "$DEMO"\n')
    out, _ = run(["bash", "-c", script], dict(env, DEMO=DEMO), cwd=root)
    lines = out.splitlines()
    expected = subprocess.run([reference, DEMO], check=True,
                              capture_output=True, text=True).stdout
    if not lines[0].startswith(f"{version} (set by PYENV_VERSION"):
        sys.exit(f"check-pyenv: pyenv version says {lines[0]!r}")
    if lines[1] != os.path.join(root, "shims", "python"):
        sys.exit(f"check-pyenv: python is {lines[1]}, not pyenv's shim")
    if "(cpython-tco, " not in lines[2]:
        sys.exit(f"check-pyenv: python -VV says {lines[2]!r}")
    if lines[3:] != expected.splitlines():
        sys.exit(f"check-pyenv: the demo printed {lines[3:]!r}, "
                 f"{reference} prints {expected.splitlines()!r}")

    # The definition builds as `make` does (no PGO unless the user's
    # PYTHON_CONFIGURE_OPTS asks for it; this check sets none).
    run([sys.executable, os.path.join(TOP, "tools", "check-install"),
         os.path.join(prefix, "bin", "python3")],
        dict(env, TCO_EXPECT_OPTIMIZED="0"))

    run(["pyenv", "uninstall", "-f", version], env)
    if os.path.exists(prefix):
        sys.exit(f"check-pyenv: {prefix} is still there after uninstall")
    log(f"pyenv install, shell, venv, pip and uninstall of {version}: OK")
