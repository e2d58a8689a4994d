"""The commands of tools/ as modules, for their tests: most are thin entry
points to the modules of the tools/tco package; a few (check-install,
pgo-task, run-tests) are Python scripts of their own, without the .py
suffix."""

import importlib
import importlib.machinery
import importlib.util
import os
import sys

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
TOOLS = os.path.join(TOP, "tools")
if TOOLS not in sys.path:
    sys.path.insert(0, TOOLS)


def load_tool(name):
    """The module behind tools/NAME: tools/tco/NAME.py (dashes as
    underscores), or the script itself, loaded as a module (its main()
    not run)."""
    module = name.replace("-", "_")
    if os.path.exists(os.path.join(TOOLS, "tco", module + ".py")):
        return importlib.import_module("tco." + module)
    path = os.path.join(TOOLS, name)
    loader = importlib.machinery.SourceFileLoader(
        "tco_tool_" + module, path)
    spec = importlib.util.spec_from_loader(loader.name, loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod
