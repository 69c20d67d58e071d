"""Replay of stored decisions through the CLI: identical after the rule files change or vanish."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner, Result
from sqlalchemy import Engine, text
from sqlalchemy.pool import NullPool
from storekit import PROJECT_ROOT

from web.cli import main
from web.store.db import make_engine

SAMPLE = PROJECT_ROOT / "sample_applicants" / "qingcheng_ceramics_turning_hightech.yaml"


def _cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def _decide(db_url: str, rules: Path) -> dict[str, object]:
    result = _cli("decide", str(SAMPLE), "--as-of", "2025-06-30", "--rules", str(rules), "--format", "json",
                  "--db", db_url)
    assert result.exit_code == 0, result.output
    summary: dict[str, object] = json.loads(result.stdout)
    return summary


def test_replay_is_identical_after_the_rules_change(db_url: str, rules_copy: Path) -> None:
    summary = _decide(db_url, rules_copy)
    assert summary["outcomes"]["national.hnte_recognition"] == "eligible"  # type: ignore[index]
    hnte = rules_copy / "national" / "hnte_recognition.yaml"
    original = hnte.read_text(encoding="utf-8")
    changed = original.replace("2016-01-01: {value: 10%, source: G32 第十一条(四)}",
                               "2016-01-01: {value: 90%, source: G32 第十一条(四)}")
    assert changed != original
    hnte.write_text(changed, encoding="utf-8")

    replayed = _cli("replay", str(summary["decision_id"]), "--db", db_url)
    assert replayed.exit_code == 0, replayed.output
    assert replayed.output.startswith("IDENTICAL")

    current = _cli("replay", str(summary["decision_id"]), "--current", "--rules", str(rules_copy), "--db", db_url)
    assert current.exit_code == 0, current.output
    assert "rules changed" in current.output
    assert "national.hnte_recognition:" in current.output
    assert "eligible → ineligible" in current.output and "now failing: staff_ratio" in current.output


def test_replay_needs_no_rule_files_at_all(db_url: str, rules_copy: Path) -> None:
    summary = _decide(db_url, rules_copy)
    shutil.rmtree(rules_copy)
    replayed = _cli("replay", str(summary["decision_id"]), "--db", db_url)
    assert replayed.exit_code == 0 and "IDENTICAL" in replayed.output


def test_replay_reports_a_different_result_by_path(db_url: str, db_engine: Engine, rules_copy: Path) -> None:
    summary = _decide(db_url, rules_copy)
    with db_engine.begin() as conn:
        conn.execute(text("UPDATE decision SET decision_json = replace(decision_json, "
                          "'\"outcome\":\"eligible\"', '\"outcome\":\"undetermined\"') WHERE id = :i"),
                     {"i": summary["decision_id"]})
    replayed = _cli("replay", str(summary["decision_id"]), "--db", db_url)
    assert replayed.exit_code == 1
    assert replayed.output.startswith("DIFFERENT")
    assert "/outcome" in replayed.output and '"undetermined" → "eligible"' in replayed.output


def test_replay_of_an_unknown_decision_is_an_error(db_url: str) -> None:
    result = _cli("replay", "4242", "--db", db_url)
    assert result.exit_code == 2 and "4242" in result.output


def test_replay_with_a_missing_snapshot_is_an_error(db_url: str, db_engine: Engine, rules_copy: Path) -> None:
    summary = _decide(db_url, rules_copy)
    unchecked = make_engine(db_url, sqlite_foreign_keys=False, poolclass=NullPool)
    try:  # the foreign key protects the snapshot: get past it the way only an administrator could
        with unchecked.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SET LOCAL session_replication_role = replica"))
            conn.execute(text("DELETE FROM ruleset_snapshot"))
    finally:
        unchecked.dispose()
    result = _cli("replay", str(summary["decision_id"]), "--db", db_url)
    assert result.exit_code == 2 and "snapshot" in result.output
