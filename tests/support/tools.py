"""The commands of tools/ as modules, for their tests: each is a Python
script without the .py suffix."""

import importlib.machinery
import importlib.util
import os

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))


def load_tool(name):
    """tools/NAME, loaded as a module (its main() not run)."""
    path = os.path.join(TOP, "tools", name)
    loader = importlib.machinery.SourceFileLoader(
        "tco_tool_" + name.replace("-", "_"), path)
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module
