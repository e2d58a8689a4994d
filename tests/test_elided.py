"""Tracebacks say where tail calls elided frames, and how many."""

import ctypes
import io
import sys
import tempfile
import traceback
import unittest
from test.support import script_helper

from tests.test_frames import KEPT, chain


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
        self.assertEqual([f.tail_calls for f in summary],
                         [0] * (KEPT + 1) + [101 - KEPT])
        tb = e.__traceback__
        while tb.tb_next:
            tb = tb.tb_next
        self.assertEqual(tb.tb_frame.f_tail_calls, 101 - KEPT)
        self.assertEqual(sys._getframe().f_tail_calls, 0)
        with self.assertRaises(AttributeError):
            tb.tb_frame.f_tail_calls = 0

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


if __name__ == "__main__":
    unittest.main()
