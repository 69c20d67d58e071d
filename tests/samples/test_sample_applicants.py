"""Every shipped sample applicant loads at the README's date (2025-06-30): in `subsidy check` and in the demo.

The demo validates each profile against its own decision date (web/cli/commands/demo.py, DEMO_DATE) and skips a
profile it rejects; a sample holding a date after that day (issue 14 point 4) must fail here, not be skipped there.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from engine import parse_profile
from web.cli import main
from web.cli.commands.demo import DEMO_DATE

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = sorted((ROOT / "sample_applicants").glob("*.yaml"))
README_DATE = dt.date(2025, 6, 30)


def test_the_demo_decides_on_the_readme_date() -> None:
    assert DEMO_DATE == README_DATE
    assert f"--as-of {README_DATE.isoformat()}" in (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("path", SAMPLES, ids=[p.name for p in SAMPLES])
def test_sample_validates_on_the_demo_date(path: Path) -> None:
    parse_profile(yaml.safe_load(path.read_text(encoding="utf-8")), DEMO_DATE)  # raises ProfileError if not


@pytest.mark.parametrize("path", SAMPLES, ids=[p.name for p in SAMPLES])
def test_sample_loads_in_subsidy_check(path: Path) -> None:
    result = CliRunner().invoke(main, ["check", str(path), "--as-of", README_DATE.isoformat(), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert f'"as_of":"{README_DATE.isoformat()}"' in result.output.replace(" ", "")


def test_demo_loads_every_sample_and_skips_none(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    result = CliRunner().invoke(main, ["demo", "--db", url])
    assert result.exit_code == 0, result.output
    assert "skipped" not in result.output
    assert f"{len(SAMPLES)} application(s) with decisions as of {README_DATE.isoformat()}" in result.output
