"""Issue 14 point 5, a newcomer's first hour: `make run` takes PORT (and HOST), `make test` says in one line how
to get the browser tests when chromium is missing, the install has no setuptools licence warning."""

from __future__ import annotations

import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def make(*args: str, env: dict[str, str] | None = None) -> str:
    """`make -n` (print, never run) or a silent target; returns stdout."""
    base = {"PATH": "/usr/bin:/bin", "HOME": str(ROOT)}
    done = subprocess.run(["make", "-s", "--no-print-directory", *args], cwd=ROOT, env={**base, **(env or {})},
                          capture_output=True, text=True, timeout=60, check=True)
    return done.stdout


def test_make_run_serves_on_the_port_asked_for() -> None:
    assert "subsidy serve --host 127.0.0.1 --port 8000" in make("-n", "run")
    assert "subsidy serve --host 127.0.0.1 --port 8123" in make("-n", "run", "PORT=8123")
    assert "subsidy serve --host 0.0.0.0 --port 8124" in make("-n", "run", env={"PORT": "8124", "HOST": "0.0.0.0"})


def test_make_test_says_how_to_get_the_browser_tests() -> None:
    missing = make("-n", "test", "CHROMIUM=/nonexistent/chromium")
    assert "pytest" in missing and "apt-get install chromium fonts-noto-cjk" in missing
    note = make("browser-note", "CHROMIUM=/nonexistent/chromium").strip().splitlines()
    assert len(note) == 1 and "browser tests" in note[0] and "apt-get install chromium fonts-noto-cjk" in note[0]
    assert make("browser-note", "CHROMIUM=/bin/sh") == ""  # present: nothing said


def test_the_licence_is_an_spdx_string() -> None:
    """setuptools >= 77 warns (BuildBackendWarning) on `license = {text = …}`; a string is the SPDX form."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["license"] == "Apache-2.0"
    assert any(req.replace(" ", "").startswith("setuptools>=77") for req in project["build-system"]["requires"])
