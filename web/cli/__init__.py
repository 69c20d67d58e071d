"""The `subsidy` command line: one Click group; every module in web/cli/commands registers its commands.

Discovery keeps command modules independent: adding a command never edits a shared file. The group imports a
command's module only when that command runs (web.cli.app.LazyGroup), so start-up costs what the command needs.
"""

from __future__ import annotations

from web.cli.app import main

__all__ = ["main"]
