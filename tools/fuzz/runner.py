"""Running a program on one interpreter (run_program(), Result) and
comparing the runs on stock and on cpython-tco (compare())."""

import os
import re
import signal
import subprocess
import time

AS_LIMIT_KB = 2 * 1024 * 1024           # 2 GiB of address space

ADDRESS = re.compile(r"0x[0-9a-fA-F]+")


def normalize(text):
    """Mask what differs from run to run (addresses)."""
    return ADDRESS.sub("0x?", text)


def error_line(stderr):
    """The last non-blank line of stderr, normally `Type: message`."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    return normalize(lines[-1]) if lines else ""


class Result:
    """What one interpreter did with one program."""

    def __init__(self, rc, out, err, timed_out, secs):
        self.rc, self.out, self.err = rc, out, err
        self.timed_out, self.secs = timed_out, secs

    @property
    def not_run(self):
        """The shell could not exec the interpreter (126, 127)."""
        return (not self.timed_out and self.rc in (126, 127)
                and not self.out and "exec: " in self.err)

    def describe(self):
        if self.timed_out:
            return f"timeout after {self.secs:.1f} s"
        if self.rc < 0:
            try:
                name = signal.Signals(-self.rc).name
            except ValueError:
                name = f"signal {-self.rc}"
            return f"crash ({name})"
        err = error_line(self.err)
        return f"exit {self.rc}" + (f", {err}" if err else "")


_SANITIZED = {}


def sanitized(python):
    """Whether python is an AddressSanitizer build, which reserves far more
    address space than any limit of ours would leave it."""
    if python not in _SANITIZED:
        out = subprocess.run(
            [python, "-c", "import sysconfig; print('--with-address-sanitizer'"
             " in (sysconfig.get_config_var('CONFIG_ARGS') or ''))"],
            capture_output=True, text=True).stdout.strip()
        _SANITIZED[python] = out == "True"
    return _SANITIZED[python]


def run_program(python, path, timeout, options=()):
    """Run `python [options] path` as the fuzzer runs every program.

    The limits are set by a shell that then execs the interpreter, not by a
    preexec_fn, which is not safe in a program with threads."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
           "PYTHONHASHSEED": "0", "PYTHONIOENCODING": "utf-8",
           "LC_ALL": "C.UTF-8"}
    for name in ("ASAN_OPTIONS", "UBSAN_OPTIONS"):
        if name in os.environ:
            env[name] = os.environ[name]
    limit = "" if sanitized(python) else f"ulimit -v {AS_LIMIT_KB}; "
    script = f'{limit}ulimit -c 0; exec "$0" "$@"'
    cmd = ["/bin/sh", "-c", script, python, *options, path]
    start = time.monotonic()
    try:
        proc = subprocess.run(cmd, env=env, cwd=os.path.dirname(path),
                              stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode("utf-8", "replace")
        err = (e.stderr or b"").decode("utf-8", "replace")
        return Result(None, out, err, True, time.monotonic() - start)
    return Result(proc.returncode, proc.stdout.decode("utf-8", "replace"),
                  proc.stderr.decode("utf-8", "replace"), False,
                  time.monotonic() - start)


def exc_type(line):
    return line.split(":", 1)[0] if line else "-"


def compare(stock, tco):
    """None when the two runs agree, else a key naming the divergence:
    'timeout:SIDE', 'crash:SIDE:SIGNAL', or a '+'-joined list of 'stdout',
    'status' and 'error(STOCKTYPE/TCOTYPE)'."""
    if stock.timed_out or tco.timed_out:
        return "timeout:" + side(stock.timed_out, tco.timed_out)
    if stock.rc < 0 or tco.rc < 0:
        sig = tco.rc if tco.rc < 0 else stock.rc
        return f"crash:{side(stock.rc < 0, tco.rc < 0)}:{-sig}"
    diffs = []
    if normalize(stock.out) != normalize(tco.out):
        diffs.append("stdout")
    if stock.rc != tco.rc:
        diffs.append("status")
    se, te = error_line(stock.err), error_line(tco.err)
    if se != te:
        diffs.append(f"error({exc_type(se)}/{exc_type(te)})")
    return "+".join(diffs) or None


def side(in_stock, in_tco):
    return "both" if in_stock and in_tco else "stock" if in_stock else "tco"


def category(key):
    if key.startswith("timeout"):
        return "timeout"
    if key.startswith("crash"):
        return "crash"
    return "divergence"


def first_difference(a, b):
    """(line number, line of a, line of b) of the first differing line."""
    la, lb = normalize(a).splitlines(), normalize(b).splitlines()
    for i, (x, y) in enumerate(zip(la, lb)):
        if x != y:
            return i + 1, x, y
    n = min(len(la), len(lb))
    return (n + 1, la[n] if n < len(la) else "<end>",
            lb[n] if n < len(lb) else "<end>")
