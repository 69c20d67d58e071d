"""Issue 18: the workers `subsidy serve` starts switch threads every millisecond (lock holders are not left
waiting for the interpreter lock behind threads rendering pages; web/cli/commands/serve.py)."""

from __future__ import annotations

import sys

from web.cli.commands.serve import SWITCH_INTERVAL_S, server_options


def test_each_worker_switches_threads_every_millisecond() -> None:
    options = server_options("127.0.0.1", 8000, 3)
    before = sys.getswitchinterval()
    try:
        options["post_worker_init"](object())
        assert sys.getswitchinterval() == SWITCH_INTERVAL_S == 0.001
    finally:
        sys.setswitchinterval(before)
    assert options["worker_class"].endswith("TimeoutThreadWorker") and options["threads"] == 8
