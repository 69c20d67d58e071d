"""Real-browser fixtures: the app on a local werkzeug server in a thread, Debian's chromium through
Playwright (never a downloaded browser), and the screenshot folder test-artifacts/screenshots/."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from engine import load_ruleset
from tests.conftest import ROOT
from tests.web.conftest import write_web_rules

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def rules_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_web_rules(tmp_path_factory.mktemp("e2e_rules"))


@contextmanager
def serve(app: Any, name: str = "e2e-server") -> Iterator[str]:
    """Serve a WSGI app on 127.0.0.1:<free port> in a thread (no access log); yields its base URL."""
    from werkzeug.serving import WSGIRequestHandler, make_server

    class QuietHandler(WSGIRequestHandler):
        def log_request(self, *args: Any, **kwargs: Any) -> None:
            """No access log in the test output."""

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def live_server(rules_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app (CSRF on, as in production) on its own migrated SQLite file, served on 127.0.0.1:<free port>.

    Never the checkout's instance/subsidy.db: a fresh clone has none (the result page reads the calls), and a
    developer's demo database is not the tests' to write.
    """
    from web.app import create_app
    from web.store import migrate

    url = f"sqlite:///{tmp_path_factory.mktemp('e2e_db') / 'site.db'}"
    migrate.upgrade(url)
    app = create_app({"SECRET_KEY": "e2e-secret-key-0123456789", "DATABASE_URL": url}, ruleset=load_ruleset(rules_dir))
    with serve(app) as base:
        yield base


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: sudo apt-get install chromium fonts-noto-cjk (what .ci/run does) "
                    "to run the browser tests")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
