"""Tracebacks say where tail calls elided frames, and how many."""

import ctypes
import sys
import tempfile
import textwrap
import traceback
import unittest
from test.support import script_helper

from tests.support.chains import KEPT, chain


def boom():
    raise ValueError("bottom")


def error_of(n):
    try:
        chain(n, boom)
    except ValueError as e:
        return e


class ElidedFramesTests(unittest.TestCase):

    def test_marker_in_formatted_traceback(self):
        text = "".join(traceback.format_exception(error_of(100)))
        # chain(100) .. chain(0): KEPT frames kept, the rest replaced, and
        # boom replaced chain(0) too.
        self.assertIn(f"  [... {101 - KEPT} frames elided by tail calls ...]\n",
                      text)
        self.assertEqual(text.count("in chain"), 3)   # then "repeated"
        self.assertIn(f"[Previous line repeated {KEPT - 3} more times]", text)

    def test_frame_summary_and_frame_attribute(self):
        e = error_of(100)
        summary = traceback.extract_tb(e.__traceback__)
        self.assertEqual([f.elided_count for f in summary],
                         [0] * (KEPT + 1) + [101 - KEPT])
        *_, (innermost, _) = traceback.walk_tb(e.__traceback__)
        self.assertEqual(innermost.f_elided_count, 101 - KEPT)
        self.assertEqual(sys._getframe().f_elided_count, 0)
        with self.assertRaises(AttributeError):
            innermost.f_elided_count = 0

    def test_short_chain_has_no_marker(self):
        text = "".join(traceback.format_exception(error_of(5)))
        self.assertNotIn("elided by tail calls", text)

    def test_c_traceback_printer(self):
        e = error_of(100)
        PyTraceBack_Print = ctypes.pythonapi.PyTraceBack_Print
        PyTraceBack_Print.argtypes = [ctypes.py_object, ctypes.py_object]
        with tempfile.TemporaryFile("w+") as f:
            self.assertEqual(PyTraceBack_Print(e.__traceback__, f), 0)
            f.seek(0)
            text = f.read()
        self.assertIn(f"  [... {101 - KEPT} frames elided by tail calls ...]\n",
                      text)

    def test_default_excepthook_and_switch(self):
        code = ("def chain(n):\n"
                "    if n == 0:\n"
                "        raise ValueError\n"
                "    return chain(n - 1)\n"
                "chain(100)\n")
        on = script_helper.assert_python_failure("-c", code)
        self.assertIn(b"frames elided by tail calls", on.err)
        off = script_helper.assert_python_failure("-X", "tailcalls=off",
                                                  "-c", code)
        self.assertNotIn(b"elided by tail calls", off.err)
        self.assertIn(b"[Previous line repeated 97 more times]", off.err)


SHADOW = 128        # _Py_TAIL_SHADOW_FRAMES

PING_PONG = """if 1:
    import sys, threading, traceback
    def ping(n):
        if n == 0:
            raise ValueError("bottom")
        return pong(n - 1)
    def pong(n):
        return ping(n - 1)
    def catch(n):
        try:
            ping(n)
        except ValueError as e:
            return e
    """


class ShadowFramesTests(unittest.TestCase):
    """-X tailcalls=debug: the last 128 replaced frames, in tracebacks."""

    def run_debug(self, code, *options):
        code = textwrap.indent(textwrap.dedent(code), "    ")
        return script_helper.assert_python_ok(
            "-X", "tailcalls=debug", *options, "-c", PING_PONG + code
        ).out.decode()

    def test_traceback_shows_shadow_frames_in_place(self):
        out = self.run_debug("""
            e = catch(1000)
            print("".join(traceback.format_exception(e)), end="")
            """)
        lines = out.splitlines()
        # 1000 tail calls: 16 kept, then 856 forgotten, then the 128 last
        # replaced frames, marked, alternating, before ping(0) that raised.
        marker = lines.index(
            f"  [... {1000 - KEPT - SHADOW} frames elided by tail calls ...]")
        shadows = [l for l in lines if l.endswith("[elided by tail call]")]
        self.assertEqual(len(shadows), SHADOW)
        first = lines.index(shadows[0])
        self.assertEqual(first, marker + 1)
        self.assertIn("line 6, in ping [elided by tail call]", shadows[-2])
        self.assertIn("line 8, in pong [elided by tail call]", shadows[-1])
        self.assertEqual(lines[first + 1].strip(), "return pong(n - 1)")
        self.assertIn("line 5, in ping", lines[-3])
        self.assertNotIn("elided", lines[-3])
        self.assertEqual(lines[-1], "ValueError: bottom")

    def test_short_chain_of_replaced_frames_is_whole(self):
        # 40 tail calls: 16 kept, the 24 replaced ones all remembered.
        out = self.run_debug("""
            e = catch(40)
            s = traceback.extract_tb(e.__traceback__)[-1]
            print(s.elided_count, len(s.elided_frames))
            print(" ".join(f.name for f in s.elided_frames))
            text = "".join(traceback.format_exception(e))
            print("frames elided by tail calls" in text)
            """)
        counts, names, marker = out.splitlines()
        self.assertEqual(counts, f"{40 - KEPT} {40 - KEPT}")
        self.assertEqual(names.split(), ["ping", "pong"] * ((40 - KEPT) // 2))
        self.assertEqual(marker, "False")

    def test_frame_attribute(self):
        out = self.run_debug("""
            e = catch(300)
            *_, (f, _) = traceback.walk_tb(e.__traceback__)
            print(f.f_elided_count, len(f.f_elided_frames))
            code, line = f.f_elided_frames[-1]
            print(code is pong.__code__, line)
            """)
        self.assertEqual(out.split(), [str(300 - KEPT), str(SHADOW),
                                       "True", "8"])

    def test_nested_chains_keep_their_own_frames(self):
        # A chain that runs another chain in the middle of it: each frame
        # shows only what it replaced.
        out = self.run_debug("""
            def outer(n, inner_depth):
                if n == 50:
                    catch(inner_depth)      # a whole other chain
                if n == 0:
                    raise KeyError("outer")
                return outer(n - 1, inner_depth)
            try:
                outer(100, 30)
            except KeyError as e:
                s = traceback.extract_tb(e.__traceback__)[-1]
                print(s.elided_count, len(s.elided_frames),
                      {f.name for f in s.elided_frames})
            """)
        # 100 tail calls, 16 kept; the inner chain's 14 replaced frames
        # took ring entries too, but are not outer's.
        self.assertEqual(out.strip(), f"{100 - KEPT} {100 - KEPT} {{'outer'}}")

    def test_other_thread_reads_the_frames(self):
        out = self.run_debug("""
            box = []
            t = threading.Thread(target=lambda: box.append(catch(200)))
            t.start(); t.join()
            s = traceback.extract_tb(box[0].__traceback__)[-1]
            print(s.elided_count, len(s.elided_frames))
            """)
        # The thread has ended and its ring with it: the count remains.
        self.assertEqual(out.split(), [str(200 - KEPT), "0"])

    def test_off_by_default(self):
        e = error_of(100)
        *_, (innermost, _) = traceback.walk_tb(e.__traceback__)
        self.assertEqual(innermost.f_elided_frames, ())
        self.assertIsNone(traceback.extract_tb(e.__traceback__)[-1]
                          .elided_frames)

    def test_memory_stays_bounded(self):
        out = self.run_debug("""
            import resource
            def loop(n):
                return n if n == 0 else loop(n - 1)
            loop(10_000)
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            loop(3_000_000)
            after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            print(after - before)
            """)
        self.assertLess(int(out), 1024)     # KiB


if __name__ == "__main__":
    unittest.main()


class FormatAsStockTests(unittest.TestCase):
    """StackSummary.format() of stacks that no tail call elided from is
    upstream's, byte for byte: the elided-frames line is an addition to
    upstream's loop, which stays as it is."""

    STACKS = textwrap.dedent('''
        import json, traceback
        F = [("f.py", 1, "f", "x")]
        stacks = [
            [("f.py", 1, None, "x")] * 6,      # no name: never a repeat
            [("f.py", None, "f", None)] * 6,   # no line number
            F * 2 + [("g.py", 2, "g", "y")] * 7 + F * 5,
            F * 3 + [("f.py", 1, "g", "x")] * 4,
        ]
        print(json.dumps([traceback.StackSummary.from_list(s).format()
                          for s in stacks]))
    ''')

    def test_same_as_stock(self):
        import json
        from tests.support.process import run_ok, stock_python
        want = json.loads(run_ok(self.STACKS, python=stock_python()))
        self.assertEqual(json.loads(run_ok(self.STACKS)), want)
        # The first stack is the case a rewritten loop got wrong.
        self.assertEqual(len(want[0]), 6)
