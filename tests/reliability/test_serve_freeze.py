"""Issue 18: before forking a worker, `subsidy serve`'s master moves what the preloaded app holds out of the cyclic
collector's reach (gc.freeze), so a worker's full collection no longer walks it with all its threads stopped."""

from __future__ import annotations

import gc

from web.cli.commands.serve import server_options


def test_the_master_freezes_the_preloaded_heap_before_each_fork() -> None:
    options = server_options("127.0.0.1", 8000, 3)
    held = [{"rules": i} for i in range(1000)]  # what the preloaded app holds, tracked by the collector
    assert gc.get_freeze_count() == 0
    try:
        options["pre_fork"](object(), object())
        frozen = gc.get_freeze_count()
        assert frozen >= len(held)
        assert not any(obj is held for obj in gc.get_objects())  # a full collection no longer walks them
        options["pre_fork"](object(), object())  # the next worker's fork: what was frozen stays frozen
        assert not any(obj is held for obj in gc.get_objects())  # (the count may drop: frozen objects still die)
    finally:
        gc.unfreeze()
