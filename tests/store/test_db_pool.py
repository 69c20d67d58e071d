"""Issue 18: a server database's pool keeps a connection for each of a `subsidy serve` worker's threads, so a worker
whose eight request threads (plus its mail sender and triage thread) were all busy at once opens no new database
session on its next requests; a NullPool still keeps none."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text
from sqlalchemy.pool import NullPool

from web.store.db import SERVER_POOL_SIZE, make_engine


def test_busy_threads_find_their_connections_kept(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite files are opened per connection; the pool size is a server database's")
    engine = make_engine(database_url)
    opened: list[int] = []
    event.listen(engine, "connect", lambda *_a: opened.append(1))
    try:
        for _round in range(3):  # every thread of a worker busy at once, three times over
            held = [engine.connect() for _ in range(SERVER_POOL_SIZE)]
            for conn in held:
                conn.execute(text("SELECT 1"))
            for conn in held:
                conn.close()
        assert len(opened) == SERVER_POOL_SIZE >= 10  # opened once, then kept
    finally:
        engine.dispose()
    unpooled = make_engine(database_url, poolclass=NullPool)  # backups and some tests: nothing kept
    try:
        with unpooled.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar() == 1
    finally:
        unpooled.dispose()
