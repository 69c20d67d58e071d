"""`subsidy serve` starts gunicorn with several workers on a free local port and serves the pages."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from web.cli.commands.serve import SubsidyServer, default_workers, server_options

pytestmark = pytest.mark.e2e
SUBSIDY = Path(sys.executable).with_name("subsidy")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_gunicorn_is_configured_from_the_options(web_app_for_serve: object) -> None:
    server = SubsidyServer(web_app_for_serve, server_options("127.0.0.1", 8123, 3))  # type: ignore[arg-type]
    assert server.cfg.bind == ["127.0.0.1:8123"] and server.cfg.workers == 3 and server.cfg.preload_app
    assert server.load() is web_app_for_serve
    assert 1 <= default_workers() <= 8


@pytest.fixture
def web_app_for_serve(rules_dir: Path) -> object:
    from engine import load_ruleset
    from web.app import create_app

    return create_app({"TESTING": True}, ruleset=load_ruleset(rules_dir))


def _get(url: str) -> tuple[int, dict[str, str], str]:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=5) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), ""


@pytest.mark.skipif(not SUBSIDY.exists(), reason="the subsidy console script is not installed in this environment")
def test_subsidy_serve_runs_gunicorn_workers(rules_dir: Path) -> None:
    port = free_port()
    env = {**os.environ, "SUBSIDY_RULES": str(rules_dir), "SUBSIDY_ENV": "development"}
    process = subprocess.Popen([str(SUBSIDY), "serve", "--port", str(port), "--workers", "2"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 20
        status = 0
        while time.monotonic() < deadline:
            try:
                status, headers, _ = _get(f"http://127.0.0.1:{port}/")
                break
            except (ConnectionError, urllib.error.URLError):
                time.sleep(0.2)
        assert status == 302, "gunicorn did not answer in 20 s"
        status, headers, body = _get(f"http://127.0.0.1:{port}/selfcheck/")
        assert status == 200 and "科技扶持政策资格自测" in body
        assert "unsafe-inline" not in headers["Content-Security-Policy"]
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=20)
    assert "2 workers" in output and output.count("Booting worker") >= 2, output


def test_subsidy_serve_refuses_the_demo_secret_in_production(rules_dir: Path) -> None:
    from click.testing import CliRunner

    from web.cli import main

    env = {"SUBSIDY_ENV": "production", "SUBSIDY_RULES": str(rules_dir), "SUBSIDY_SECRET_KEY": "", "SECRET_KEY": ""}
    result = CliRunner().invoke(main, ["serve", "--port", str(free_port())], env=env)
    assert result.exit_code == 2 and "SECRET_KEY" in result.output
