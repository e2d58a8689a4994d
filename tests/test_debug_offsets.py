"""Out-of-process stack readers still read cpython-tco's stacks.

_PyInterpreterFrame grew a field (tail_calls); _Py_DebugOffsets is built
from offsetof() and stays true. _testexternalinspection reads another
process's stack through those offsets, as out-of-process profilers do.
"""

import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

from _testexternalinspection import PROCESS_VM_READV_SUPPORTED, get_stack_trace

SCRIPT = textwrap.dedent("""\
    import sys, time

    def ping(n):
        return pong(n - 1) if n else bottom()

    def pong(n):
        return ping(n - 1) if n else bottom()

    def bottom():
        names, f = [], sys._getframe()
        while f:
            names.append(f.f_code.co_name)
            f = f.f_back
        with open(sys.argv[1], "w") as fifo:
            fifo.write(" ".join(names))
        time.sleep(1000)

    def main():
        ping(int(sys.argv[2]))
        return 0

    main()
    """)


@unittest.skipUnless(PROCESS_VM_READV_SUPPORTED, "no process_vm_readv")
class RemoteStack(unittest.TestCase):

    def remote_and_own_view(self, depth, *options):
        with tempfile.TemporaryDirectory() as tmp:
            script = os.path.join(tmp, "script.py")
            with open(script, "w") as f:
                f.write(SCRIPT)
            fifo = os.path.join(tmp, "fifo")
            os.mkfifo(fifo)
            p = subprocess.Popen([sys.executable, *options, script, fifo,
                                  str(depth)])
            try:
                with open(fifo) as f:
                    own = f.read().split()
                remote = get_stack_trace(p.pid)
            finally:
                p.kill()
                p.wait()
        return remote, own

    def test_short_chain(self):
        remote, own = self.remote_and_own_view(5)
        self.assertEqual(remote, own)
        self.assertEqual(remote, ["bottom", "pong", "ping", "pong", "ping",
                                  "pong", "ping", "main", "<module>"])

    def test_long_chain(self):
        remote, own = self.remote_and_own_view(10_000)
        self.assertEqual(remote, own)
        # The kept frames of the chain, not 10,000 of them.
        self.assertLess(len(remote), 40)
        self.assertEqual(remote[0], "bottom")
        self.assertEqual(remote[-2:], ["main", "<module>"])

    def test_long_chain_tail_calls_off(self):
        remote, own = self.remote_and_own_view(500, "-X", "tailcalls=off")
        self.assertEqual(remote, own)
        self.assertEqual(len(remote), 1 + 501 + 2)


if __name__ == "__main__":
    unittest.main()
