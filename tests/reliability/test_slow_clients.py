"""Slow clients cannot stall the site (issue 18 point 6): the real server (`subsidy serve`, 2 workers) with
sockets that never send a byte and sockets that stop half-way through their headers, while ordinary requests
still get their answers; a stalled socket is dropped after the read timeout.

Before: gunicorn sync workers read each request in the worker itself, so two sockets that stopped
mid-header held both workers and the site answered nothing for 30 s (the worker timeout).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from relkit import wait_for

from web.cli.commands.serve import READ_TIMEOUT_S
from web.store import migrate

pytestmark = pytest.mark.faults
IDLE, HALF = 20, 30  # sockets that send nothing; sockets that send half a header and stop
WORKERS, THREADS = 2, 4


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str, timeout: float) -> int:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        response.read()
        return int(response.status)


@pytest.fixture
def server(tmp_path: Path, loadable_rules: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'slow.db'}"
    migrate.upgrade(url)
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": url, "SUBSIDY_RULES": str(loadable_rules), "SUBSIDY_ENV": "development",
           "SECRET_KEY": "slow-client-secret-0123456789", "SUBSIDY_MATERIALS": str(tmp_path / "materials")}
    subsidy = Path(sys.executable).parent / "subsidy"
    proc = subprocess.Popen([str(subsidy), "serve", "--port", str(port), "--workers", str(WORKERS),
                             "--threads", str(THREADS), "--cleanup-every", "0"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        assert wait_for(lambda: _ok(base), 60), "the server did not start"
        yield base
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(30)


def _ok(base: str) -> bool:
    try:
        return _get(f"{base}/api/v1/measures", 2) == 200
    except OSError:
        return False


def _slow_sockets(base: str) -> list[socket.socket]:
    port = int(base.rsplit(":", 1)[1])
    held = []
    for i in range(IDLE + HALF):
        s = socket.create_connection(("127.0.0.1", port))
        if i >= IDLE:
            s.sendall(b"GET /selfcheck/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")  # and never the rest
        held.append(s)
    return held


def test_ordinary_requests_are_answered_while_slow_sockets_hang(server: str) -> None:
    held = _slow_sockets(server)
    try:
        # A generous client timeout (not a performance bound): with sync workers these waited for 30 s and failed.
        statuses = [_get(f"{server}{path}", timeout=READ_TIMEOUT_S - 2)
                    for path in ("/api/v1/measures", "/selfcheck/", "/login", "/api/v1/measures") * 3]
        assert statuses == [200] * 12
    finally:
        for s in held:
            s.close()


def test_a_socket_that_stops_mid_header_is_dropped(server: str) -> None:
    port = int(server.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        s.settimeout(READ_TIMEOUT_S * 4)
        try:
            closed = s.recv(1024) is not None  # b"" (closed) or an error answer: no longer held
        except ConnectionResetError:
            closed = True
        assert closed
