"""The saved form of a divergence: a program whose header of comments
records what diverged and the expected behaviour (save_case()), which
tests/test_fuzz_regressions.py reads back (read_expectations())."""

import os

from .runner import error_line, first_difference, normalize

def save_case(save_dir, seed, index, key, src, stock, tco, before=None,
              note=""):
    """Write a divergence as save_dir/seed_<seed>_<index>.py: a header of
    comments (what diverged, how, and how the unminimized program `before`,
    a (stock, tco) pair, diverged; then the expected behaviour: stock's, or
    tco's when stock crashed or hung) and the program.  Returns the path.
    """
    os.makedirs(save_dir, exist_ok=True)
    path = os.path.join(save_dir, f"seed_{seed}_{index}.py")
    head = [f"# Fuzz regression: python3 tools/fuzz --show {seed}:{index}"
            + (", minimized." if before else "."),
            f"# Divergence {key}{note}."]
    runs = [("", stock, tco)]
    if before:
        runs.append(("before minimizing, ", *before))
    for label, s, t in runs:
        head += [f"# {label}stock: {s.describe()}",
                 f"# {label}tco:   {t.describe()}"]
        if normalize(s.out) != normalize(t.out):
            line, a, b = first_difference(s.out, t.out)
            head += [f"#   first difference, stdout line {line}:",
                     f"#     stock {a!r}", f"#     tco   {b!r}"]
    expected = stock
    if stock.timed_out or stock.rc < 0:
        expected = tco
        head.append("# Stock failed: tco's behaviour is recorded.")
    if not (expected.timed_out or expected.rc < 0):
        head.append(f"# expect-exit: {expected.rc}")
        err = error_line(expected.err)
        if err:
            head.append(f"# expect-error: {err}")
        for line in normalize(expected.out).splitlines():
            head.append(f"# expect-stdout: {line}".rstrip())
    else:
        head.append("# expect-exit: no-crash")
    with open(path, "w") as f:
        f.write("\n".join(head) + "\n\n" + src)
    return path


def read_expectations(path):
    """The header of a saved case: {'exit': int or 'no-crash',
    'error': str, 'stdout': [lines]}."""
    expect = {"exit": None, "error": "", "stdout": []}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.startswith("#"):
                break
            key, sep, value = line[1:].strip().partition(":")
            value = value[1:] if value.startswith(" ") else value
            if not sep:
                continue
            if key == "expect-exit":
                expect["exit"] = value if value == "no-crash" else int(value)
            elif key == "expect-error":
                expect["error"] = value
            elif key == "expect-stdout":
                expect["stdout"].append(value)
    return expect
