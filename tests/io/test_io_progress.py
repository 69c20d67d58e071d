"""`subsidy screen` shows a progress bar on a terminal only; a pipe or a file gets the closing line alone."""

from __future__ import annotations

import csv
import os
import pty
import subprocess
import sys
from pathlib import Path

from bench.generate import AS_OF, TODAY, register_rows
from tests.conftest import ROOT

SUBSIDY = str(Path(sys.executable).with_name("subsidy"))


def command(tmp_path: Path) -> list[str]:
    header, rows = register_rows(300, seed=2)
    with (tmp_path / "r.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    return [SUBSIDY, "screen", str(tmp_path / "r.csv"), "--rules", str(ROOT / "bench" / "rules"), "--jobs", "1",
            "--out", str(tmp_path / "out"), "--as-of", AS_OF.isoformat(), "--today", TODAY.isoformat()]


def test_progress_bar_on_a_terminal_only(tmp_path: Path) -> None:
    args = command(tmp_path)
    piped = subprocess.run(args, capture_output=True, text=True, timeout=300, check=True)
    assert "筛查 / screening" not in piped.stdout and "rows/s" in piped.stdout
    leader, follower = pty.openpty()
    try:
        process = subprocess.Popen(args, stdout=follower, stderr=follower, stdin=subprocess.DEVNULL)
        os.close(follower)
        seen = b""
        while True:
            try:
                data = os.read(leader, 4096)
            except OSError:  # the terminal closed with the process
                break
            if not data:
                break
            seen += data
        assert process.wait(timeout=300) == 0
    finally:
        os.close(leader)
    text = seen.decode("utf-8", "replace")
    assert "筛查 / screening" in text and "300/300" in text and "rows/s" in text
