"""Keep the patch series and a git work tree of the patched CPython in step.

  series sync  TARBALL SRC   create SRC (one commit per patch on top of the
                             pristine tree) or update it when patches/ changed
  series export SRC          write SRC's commits back to patches/ (format-patch)
  series check TARBALL [SRC] the series applies cleanly to the pristine tree,
                             no patch rewrites a line an earlier one added,
                             and SRC (if present) holds nothing unexported
  series rewrites SRC        per patch of SRC, the hand-written lines of
                             earlier patches that it rewrites (0 in all)

The work tree remembers, in .git/tco-series, the hash of the patches it was
last in step with, and the hash of the series it then held; that is how
`sync` tells "patches/ changed" (rebuild the work tree) from "the work tree
has new commits" (leave it alone).

On a release other than the one the series was made on (its "# base:" line),
a patch whose generated files (Makefile.pre.in's regen-cases outputs) do not
apply is applied without them, and they are generated anew from the patched
Python/bytecodes.c; every hand-written hunk must still apply. docs/rebasing.md
tells the whole procedure.
"""

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile

from tco import patchset

from tco import TOP
PATCHES = os.path.join(TOP, "patches")
# Fixed identity and dates make the pristine commit, and so the exported
# patches' index lines, the same on every machine.
GIT_ENV = {
    "GIT_AUTHOR_NAME": "cpython-tco", "GIT_AUTHOR_EMAIL": "tco@localhost",
    "GIT_COMMITTER_NAME": "cpython-tco",
    "GIT_COMMITTER_EMAIL": "tco@localhost",
    "GIT_AUTHOR_DATE": "2000-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2000-01-01T00:00:00Z",
}


# What `make regen-cases` writes from Python/bytecodes.c.
GENERATED = [
    "Include/internal/pycore_opcode_metadata.h",
    "Include/internal/pycore_uop_ids.h",
    "Include/internal/pycore_uop_metadata.h",
    "Include/opcode_ids.h",
    "Lib/_opcode_metadata.py",
    "Python/executor_cases.c.h",
    "Python/generated_cases.c.h",
    "Python/opcode_targets.h",
    "Python/optimizer_cases.c.h",
]


def die(msg):
    sys.exit(f"series: {msg}")


def git(src, *args, capture=False, env_extra=None, check=True):
    env = dict(os.environ, **GIT_ENV, **(env_extra or {}))
    r = subprocess.run(["git", "-C", src, *args], env=env, text=True,
                       stdout=subprocess.PIPE if capture or not check else None,
                       stderr=None if check else subprocess.DEVNULL)
    if r.returncode and check:
        die(f"git {' '.join(args)} failed in {src}")
    return r.stdout if check else r.returncode == 0


def series_lines():
    with open(os.path.join(PATCHES, "series")) as f:
        return [line.strip() for line in f if line.strip()]


def series_names():
    return [line for line in series_lines() if not line.startswith("#")]


def series_base():
    """The tarball the series was made on (its '# base:' line)."""
    for line in series_lines():
        if line.startswith("# base:"):
            return line.split(":", 1)[1].strip()
    die("patches/series has no '# base: Python-X.Y.Z.tar.xz' line")


def regen_cases(src):
    """Run Makefile.pre.in's regen-cases rules in SRC, with no configure."""
    with open(os.path.join(src, "Makefile.pre.in")) as f:
        rules = re.findall(r"^regen-[\w-]+:.*?(?=\n\s*\n|\Z)", f.read(),
                           re.M | re.S)
    with tempfile.NamedTemporaryFile("w", suffix=".mk") as mk:
        mk.write("srcdir = .\n"
                 f"PYTHON_FOR_REGEN = {sys.executable}\n"
                 "UPDATE_FILE = $(PYTHON_FOR_REGEN)"
                 " $(srcdir)/Tools/build/update_file.py\n\n"
                 + "\n\n".join(rules) + "\n")
        mk.flush()
        r = subprocess.run(["make", "-s", "-C", src, "-f", mk.name,
                            "regen-cases"], stdout=subprocess.DEVNULL)
    if r.returncode:
        die(f"regen-cases failed in {src}")


def hash_dir(path, names):
    h = hashlib.sha256()
    for name in names:
        with open(os.path.join(path, name), "rb") as f:
            h.update(name.encode() + b"\0" + f.read() + b"\0")
    return h.hexdigest()


def release_patches(tarball):
    """Patches for one release only, applied after the series: upstream
    tests that exist in that release alone and need adjusting
    (patches/releases/X.Y.Z/series)."""
    version = (os.path.basename(tarball).removeprefix("Python-")
               .removesuffix(".tar.xz"))
    return [os.path.join(PATCHES, p) for p in patchset.release(version)]


def patches_hash():
    h = hashlib.sha256(hash_dir(PATCHES, ["series"] + series_names()).encode())
    releases = os.path.join(PATCHES, "releases")
    for root, _, files in sorted(os.walk(releases)):
        for name in sorted(files):
            with open(os.path.join(root, name), "rb") as f:
                h.update(os.path.relpath(os.path.join(root, name), PATCHES)
                         .encode() + b"\0" + f.read() + b"\0")
    return h.hexdigest()


def stamp_path(src):
    return os.path.join(src, ".git", "tco-series")


def apply_series(src, tarball):
    """Apply the series; return the patches whose generated files were
    generated anew (only on a release other than the series' base)."""
    regenerated = []
    for name in series_names():
        patch = os.path.join(PATCHES, name)
        if git(src, "am", "-q", "--whitespace=nowarn", patch, check=False):
            continue
        git(src, "am", "--abort")
        if os.path.basename(tarball) == series_base():
            die(f"{name} does not apply to {series_base()}, its base")
        if not git(src, "am", "-q", "--whitespace=nowarn",
                   *(f"--exclude={g}" for g in GENERATED), patch, check=False):
            die(f"{name} does not apply to {os.path.basename(tarball)}:"
                f" move the series as docs/rebasing.md says")
        regen_cases(src)
        git(src, "commit", "-q", "-a", "--amend", "--no-edit")
        regenerated.append(name)
    for patch in release_patches(tarball):
        if not git(src, "am", "-q", "--whitespace=nowarn", patch, check=False):
            git(src, "am", "--abort")
            die(f"{os.path.relpath(patch, TOP)} does not apply to"
                f" {os.path.basename(tarball)}")
    return regenerated


def write_stamp(src):
    """Remember the patches and the series the work tree now holds."""
    with open(stamp_path(src), "w") as f:
        f.write(f"{patches_hash()} {worktree_exported_hash(src)}\n")


def read_stamp(src):
    with open(stamp_path(src)) as f:
        patches, _, held = f.read().strip().partition(" ")
    return patches, held or patches


def create(tarball, src):
    tmp = src + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    subprocess.run(["tar", "-xJf", tarball, "-C", tmp,
                    "--strip-components=1"], check=True)
    git(tmp, "init", "-q", "-b", "main")
    git(tmp, "config", "core.autocrlf", "false")
    # Byte code written while building or testing is not part of the tree.
    with open(os.path.join(tmp, ".git", "info", "exclude"), "a") as f:
        f.write("__pycache__/\n*.py[co]\n")
    git(tmp, "add", "-A", "-f")
    git(tmp, "commit", "-q", "-m",
        f"Pristine {os.path.basename(tarball)}")
    git(tmp, "tag", "upstream")
    regenerated = apply_series(tmp, tarball)
    write_stamp(tmp)
    os.rename(tmp, src)
    return regenerated


def pristine_tarball(src):
    """The tarball SRC's pristine commit was made from."""
    subject = git(src, "log", "-1", "--format=%s", "upstream", capture=True)
    return subject.strip().removeprefix("Pristine ")


def series_tip(src):
    """SRC's last commit of the series: the release's own patches
    (patches/releases/X.Y.Z) sit on top of it."""
    return f"HEAD~{len(release_patches(pristine_tarball(src)))}"


def export_to(src, dest, revs=None):
    """format-patch SRC's commits of the series (or REVS) into DEST; return
    the file names."""
    out = git(src, "format-patch", "--no-numbered", "--zero-commit", "--no-signature",
              "--no-renames", "--full-index", "-o", dest,
              revs or f"upstream..{series_tip(src)}", capture=True)
    return [os.path.basename(p) for p in out.split()]


def export_releases(src, dest, tip):
    """format-patch SRC's commits after TIP, its release's own patches,
    into DEST (with their series file); return the file names."""
    if tip == "HEAD~0":
        return []
    os.makedirs(dest, exist_ok=True)
    names = export_to(src, dest, f"{tip}..HEAD")
    with open(os.path.join(dest, "series"), "w") as f:
        f.write("".join(n + "\n" for n in names))
    return names


def dirty(src):
    return git(src, "status", "--porcelain", "--untracked-files=no",
               capture=True).strip()


def write_series(src, dest, names):
    """DEST/series for NAMES, exported from SRC; return its base."""
    base = pristine_tarball(src)
    with open(os.path.join(dest, "series"), "w") as f:
        f.write(f"# base: {base}\n" + "".join(n + "\n" for n in names))
    return base


def worktree_exported_hash(src):
    with tempfile.TemporaryDirectory() as tmp:
        names = export_to(src, tmp)
        write_series(src, tmp, names)
        releases = os.path.join(tmp, "releases")
        extra = export_releases(src, releases, series_tip(src))
        return hash_dir(tmp, ["series"] + names + [
            os.path.join("releases", n) for n in (["series"] + extra
                                                  if extra else [])])


def regenerated_note(regenerated):
    if not regenerated:
        return ""
    return (" (generated files generated anew for "
            + ", ".join(n[:4] for n in regenerated) + ")")


def cmd_sync(tarball, src):
    if not os.path.isdir(os.path.join(src, ".git")):
        regenerated = create(tarball, src)
        print(f"series: created {src} from {len(series_names())} patches"
              + regenerated_note(regenerated))
        return
    patches, held = read_stamp(src)
    if patches == patches_hash():
        return
    if dirty(src) or worktree_exported_hash(src) != held:
        die(f"patches/ changed, and so did the work tree {src}.\n"
            f"Export the work tree first (make export-patches) or discard"
            f" it (rm -rf {src}).")
    git(src, "reset", "-q", "--hard", "upstream")
    regenerated = apply_series(src, tarball)
    write_stamp(src)
    print(f"series: updated {src} to the new patches/"
          + regenerated_note(regenerated))


def cmd_export(src):
    if dirty(src):
        die(f"{src} has uncommitted changes: commit them first")
    for name in os.listdir(PATCHES):
        if name.endswith(".patch"):
            os.unlink(os.path.join(PATCHES, name))
    tip = series_tip(src)
    names = export_to(src, PATCHES)
    base = write_series(src, PATCHES, names)
    version = base.removeprefix("Python-").removesuffix(".tar.xz")
    releases = os.path.join(PATCHES, "releases", version)
    if os.path.isdir(releases):
        shutil.rmtree(releases)
    extra = export_releases(src, releases, tip)
    write_stamp(src)
    print(f"series: exported {len(names)} patches (base {base})"
          + (f" and {len(extra)} of {version}'s own" if extra else ""))


def rewrites(src):
    """[(subject, count)]: for each patch of the work tree src, how many
    hand-written lines that an earlier patch added it removes or changes
    (git blame of each hunk's old lines in the commit before it).  The
    series is a designed stack, not a log: a fix goes into the patch it
    fixes, and every count is 0.  Generated files are left out."""
    base = git(src, "rev-parse", "upstream", capture=True).strip()
    commits = git(src, "log", "--reverse", "--format=%H %s",
                  "upstream..HEAD", capture=True).splitlines()
    generated = set(GENERATED)
    counts = []
    for line in commits:
        sha, subject = line.split(" ", 1)
        count = 0
        path = None
        for d in git(src, "diff", "-U0", f"{sha}^", sha,
                     capture=True).splitlines():
            if d.startswith("--- "):
                path = d[6:] if d.startswith("--- a/") else None
                continue
            m = re.match(r"@@ -(\d+)(?:,(\d+))? ", d)
            if not m or path is None or path in generated:
                continue
            start, n = int(m.group(1)), int(m.group(2) or 1)
            if n == 0:
                continue
            blame = git(src, "blame", "--porcelain", "-L",
                        f"{start},{start + n - 1}", f"{sha}^", "--", path,
                        capture=True)
            count += sum(1 for b in blame.splitlines()
                         if re.match(r"^([0-9a-f]{40}) \d+ \d+", b)
                         and not b.startswith(base))
        counts.append((subject, count))
    return counts


def cmd_rewrites(src):
    counts = rewrites(src)
    for subject, count in counts:
        print(f"{count:5d}  {subject}")
    total = sum(count for _, count in counts)
    print(f"series: lines of earlier patches rewritten by later ones: {total}")
    return total


def cmd_check(tarball, src=None):
    names = series_names()
    listed = set(names)
    present = {n for n in os.listdir(PATCHES) if n.endswith(".patch")}
    if present != listed:
        die(f"patches/series and patches/*.patch differ:"
            f" {sorted(present ^ listed)}")
    with tempfile.TemporaryDirectory() as tmp:
        regenerated = create(tarball, os.path.join(tmp, "src"))
        counts = rewrites(os.path.join(tmp, "src"))
    print(f"series: {len(names)} patches apply"
          f" {'' if regenerated else 'cleanly '}to"
          f" {os.path.basename(tarball)}" + regenerated_note(regenerated))
    rewritten = [(subject, n) for subject, n in counts if n]
    if rewritten:
        die("later patches rewrite lines of earlier ones (a fix goes into the"
            " patch it fixes):\n" + "".join(f"  {n:5d}  {subject}\n"
                                            for subject, n in rewritten))
    print("series: no patch rewrites a line an earlier one added")
    if src and os.path.isdir(os.path.join(src, ".git")):
        if dirty(src):
            die(f"{src} has uncommitted changes (commit and export them)")
        patches, held = read_stamp(src)
        if worktree_exported_hash(src) != held:
            die(f"{src} holds commits that are not in patches/:"
                f" run make export-patches")
        if patches != patches_hash():
            print(f"series: {src} is behind patches/ (make worktree"
                  f" updates it)")
        else:
            print(f"series: {src} holds nothing unexported")


def main():
    args = sys.argv[1:]
    if args[:1] == ["sync"] and len(args) == 3:
        cmd_sync(args[1], args[2])
    elif args[:1] == ["export"] and len(args) == 2:
        cmd_export(args[1])
    elif args[:1] == ["check"] and len(args) in (2, 3):
        cmd_check(*args[1:])
    elif args[:1] == ["rewrites"] and len(args) == 2:
        sys.exit(1 if cmd_rewrites(args[1]) else 0)
    else:
        sys.exit(__doc__)
