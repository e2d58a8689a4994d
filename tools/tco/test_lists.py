"""The upstream test modules that cpython-tco's checks run, in one place.

CORE, the regression tests closest to what the series changes (the
compiler, the interpreter, frames, tracebacks, tools, and what walks the
stack), is what `tools/regrtest` runs by default (`make regrtest`, the
free-threaded and sanitizer builds).  The smaller lists are parts of it,
for the longer checks: REFLEAK for `-R 3:3` on the debug build
(`make refleaks-upstream`, and the core of `make test-asan` and
`make test-ft`), PREFIX for every prefix of the series
(`tools/check-prefixes`).  `tools/regrtest PYTHON --list NAME` runs one of
them.  Each of these runs adds the series' own modules that the tree holds
(own_tests()): the feature patches' Lib/test/test_tailcall*.py.
"""

import os

CORE = """
test_grammar test_compile test_dis test_opcache test_call test_exceptions
test_sys test_traceback test_generators test_coroutines test_sys_settrace
test_monitoring test_inspect test_frame test_pdb test_capi test_threading
test_signal test_importlib test_peepholer test_compiler_codegen
test_compiler_assemble test__opcode test_opcodes test_code test_profile
test_cprofile test_trace test_bdb test_scope test_funcattrs test_gc
test_weakref test_functools test_warnings test_logging test_enum test_typing
test_collections test_faulthandler test_doctest test_unittest test_patma
test_contextlib test_asyncgen test_asyncio test_descr test_class
test_builtin test_sys_setprofile test_zipimport
test_runpy test_cmd_line test_cmd_line_script test_embed test_lltrace
test_site test_venv test_ctypes test_multiprocessing_spawn
""".split()

REFLEAK = """
test_call test_exceptions test_sys test_traceback test_dis test_compile
test_generators test_coroutines test_monitoring test_sys_settrace
test_frame test_opcache
""".split()

PREFIX = """
test_dis test_compile test_opcache test_sys test_traceback test_call
test_importlib
""".split()

LISTS = {"core": CORE, "refleak": REFLEAK, "prefix": PREFIX}


# What the names of the series' own test modules start with.
OWN_PREFIX = "test_tailcall"


def is_own(test):
    """Whether test, a test module's name (test_tailcall_self) or the id of
    one of its cases (test.test_tailcall_self.T.test_c), is of the series'
    own modules."""
    return test.removeprefix("test.").startswith(OWN_PREFIX)


def own_tests(test_dir):
    """The series' own test modules in test_dir (a Lib/test), by name:
    test_tailcall*.py, which the feature patches add (the patches after
    one may extend its module)."""
    names = os.listdir(test_dir)
    return sorted(name[:-3] for name in names
                  if is_own(name) and name.endswith(".py"))
