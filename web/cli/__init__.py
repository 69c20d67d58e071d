"""The `subsidy` command line: one Click group; every module in web/cli/commands registers its commands.

Discovery keeps command modules independent: adding a command never edits a shared file.
"""

from __future__ import annotations

import importlib
import pkgutil

from web.cli.app import main

from . import commands as _commands

for _info in sorted(pkgutil.iter_modules(_commands.__path__), key=lambda m: m.name):
    module = importlib.import_module(f"{_commands.__name__}.{_info.name}")
    register = getattr(module, "register", None)
    if register is not None:
        register(main)

__all__ = ["main"]
