"""`subsidy backup` / `subsidy restore`: a backup of either database restores into a fresh database of
either kind; the chain verifies, a sample of decisions replays IDENTICAL, every row comes back equal; a
truncated or altered backup, or a target that holds data, restores nothing.
"""

from __future__ import annotations

import gzip
import json
import secrets
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner, Result
from psycopg import sql
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from storekit import decide, sample_profile

from engine import load_ruleset
from engine.replay import replay
from tests.store.conftest import ADMIN_URL, _pg_conninfo
from web.cli import main
from web.store import queries
from web.store.backup import BackupError, backup, restore
from web.store.db import make_engine, make_session_factory
from web.store.models import Decision

SAMPLES = ("qingcheng_ceramics_turning_hightech", "qc_talent_yinfeng", "qy_incubator_provincial",
           "gd_team_pearl_river_qingyuan", "young_software_startup_qingyuan")


def _cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def fresh_postgres() -> Iterator[str]:
    """An empty PostgreSQL database (no schema), dropped afterwards; skipped when no server answers."""
    try:
        admin = psycopg.connect(_pg_conninfo(ADMIN_URL), autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL leg skipped: no PostgreSQL server answers ({str(exc).strip()})")
    name = f"subsidy_restore_{secrets.token_hex(4)}"
    admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'restored.db'}"
    return str(request.getfixturevalue("fresh_postgres"))


def _populate(session: Session, rules: Path) -> list[int]:
    ruleset = load_ruleset(rules)
    ids = []
    for name in SAMPLES:
        ids.append(decide(session, ruleset, sample_profile(name)).id)
    reviewer = queries.create_user(session, "reviewer_backup", "a-Long-passphrase-2025", "reviewer")
    session.commit()
    first = session.get(Decision, ids[0])
    assert first is not None
    for action, reason in (("reopen", "转入审核"), ("request_info", "请补充近三年审计报告"), ("reopen", "已补充"),
                           ("approve", "材料齐全，同意")):  # a legal path of the statechart
        queries.record_review(session, application_id=first.application_id, user_id=reviewer.id,
                              action=action, reason=reason, decision_id=first.id)
    return ids


def _rows(path: Path) -> list[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as src:  # type: ignore[operator]
        lines = src.read().splitlines()
    # the header names the dialect and the time (and the trailer's digest covers it): rows and counts must be equal
    return [*lines[1:-1], json.dumps(json.loads(lines[-1])["rows"], sort_keys=True)]


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz"])
def test_backup_restores_into_a_fresh_database(db_url: str, session: Session, loadable_rules: Path,
                                               fresh_url: str, tmp_path: Path, suffix: str) -> None:
    ids = _populate(session, loadable_rules)
    file = tmp_path / f"store{suffix}"
    done = _cli("backup", str(file), "--db", db_url)
    assert done.exit_code == 0, done.output
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "a temporary file was left behind"

    restored = _cli("restore", str(file), "--db", fresh_url)
    assert restored.exit_code == 0, restored.output
    assert "chain intact (9 link(s))" in restored.output

    engine = make_engine(fresh_url)
    try:
        with make_session_factory(engine)() as fresh:
            report = queries.verify_chain(fresh)
            assert report.ok and report.links == 9 and report.head_seq == 9
            for decision_id in ids[::2]:  # a sample of decisions replays byte for byte
                row = queries.get_decision(fresh, decision_id)
                assert row is not None
                snapshot = queries.ruleset_snapshot(fresh, row.ruleset_hash)
                assert snapshot is not None
                assert replay(row.decision_json, snapshot, row.profile_json, row.as_of, today=row.checked_on).identical
            # the restored database keeps working: new appends continue the chain, ids do not collide
            new = decide(fresh, load_ruleset(loadable_rules), sample_profile(SAMPLES[0]))
            assert new.chain_seq == 10 and new.id > max(ids)
            user = queries.create_user(fresh, "after_restore", "another-Long-pass-9", "auditor")
            fresh.commit()
            assert user.id > 1
            assert queries.verify_chain(fresh).ok
    finally:
        engine.dispose()


def test_a_backup_round_trips_row_for_row(db_url: str, session: Session, loadable_rules: Path,
                                          tmp_path: Path) -> None:
    _populate(session, loadable_rules)
    first = backup(db_url, tmp_path / "a.jsonl")
    target = f"sqlite:///{tmp_path / 'copy.db'}"
    restore(target, tmp_path / "a.jsonl")
    backup(target, tmp_path / "b.jsonl")
    assert _rows(tmp_path / "a.jsonl") == _rows(tmp_path / "b.jsonl")
    assert first.rows["chain_link"] == 9 and first.rows["decision"] == 5 and first.rows["review_action"] == 4


def test_a_truncated_or_altered_backup_restores_nothing(db_url: str, session: Session, loadable_rules: Path,
                                                        tmp_path: Path) -> None:
    _populate(session, loadable_rules)
    file = tmp_path / "full.jsonl"
    backup(db_url, file)
    text = file.read_text(encoding="utf-8")
    (tmp_path / "cut.jsonl").write_text(text[: len(text) * 2 // 3], encoding="utf-8")
    lines = text.splitlines(keepends=True)
    row = json.loads(lines[3])
    row["r"] = {**row["r"], **{k: "tampered" for k in list(row["r"])[1:2]}}
    lines[3] = json.dumps(row, ensure_ascii=False) + "\n"
    (tmp_path / "edited.jsonl").write_text("".join(lines), encoding="utf-8")
    for name, message in (("cut.jsonl", "truncated"), ("edited.jsonl", "checksum")):
        target = tmp_path / f"{name}.db"
        result = _cli("restore", str(tmp_path / name), "--db", f"sqlite:///{target}")
        assert result.exit_code == 2, result.output
        assert message in result.output and "nothing" in result.output
        if target.exists():  # no row was written
            engine = make_engine(f"sqlite:///{target}")
            with make_session_factory(engine)() as fresh:
                assert queries.is_empty(fresh)
            engine.dispose()


def test_restore_refuses_a_database_that_holds_data(db_url: str, session: Session, loadable_rules: Path,
                                                    tmp_path: Path) -> None:
    _populate(session, loadable_rules)
    backup(db_url, tmp_path / "b.jsonl")
    with pytest.raises(BackupError, match="already holds data"):
        restore(db_url, tmp_path / "b.jsonl")
    assert queries.verify_chain(session).links == 9


def test_backup_of_an_unmigrated_database_is_a_clear_error(tmp_path: Path) -> None:
    result = _cli("backup", str(tmp_path / "x.jsonl"), "--db", f"sqlite:///{tmp_path / 'empty.db'}")
    assert result.exit_code == 2 and "never migrated" in result.output
    assert not (tmp_path / "x.jsonl").exists()


def test_a_restored_chain_still_proves_its_payee_accounts(tmp_path: Path, loadable_rules: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The chain's digests of payee accounts are keyed by the instance's ledger key (beside the SQLite database):
    the backup carries the key and a restore on another machine installs it, so the restored chain verifies."""
    from web.store import account_queries, migrate
    from web.store.models import Application

    monkeypatch.delenv("SUBSIDY_LEDGER_KEY", raising=False)
    monkeypatch.delenv("SUBSIDY_LEDGER_KEY_FILE", raising=False)
    office, elsewhere = tmp_path / "office", tmp_path / "elsewhere"
    office.mkdir()
    elsewhere.mkdir()
    source, target = f"sqlite:///{office / 'subsidy.db'}", f"sqlite:///{elsewhere / 'subsidy.db'}"
    migrate.upgrade(source)
    engine = make_engine(source)
    try:
        with make_session_factory(engine)() as session:
            decision = decide(session, load_ruleset(loadable_rules), sample_profile(SAMPLES[0]))
            application = session.get(Application, decision.application_id)
            assert application is not None
            account_queries.set_payee(session, application.applicant_id, payee_name="清远测试科技有限公司",
                                      bank_name="中国工商银行清远分行", bank_account="6222021234567890123")
            assert queries.verify_chain(session).ok
    finally:
        engine.dispose()
    key = (office / "ledger_key").read_text()

    file = tmp_path / "store.jsonl"
    assert _cli("backup", str(file), "--db", source).exit_code == 0
    restored = _cli("restore", str(file), "--db", target)
    assert restored.exit_code == 0, restored.output
    assert (elsewhere / "ledger_key").read_text() == key
    assert (elsewhere / "ledger_key").stat().st_mode & 0o777 == 0o600

    (elsewhere / "subsidy2").mkdir()  # a target that has its own key keeps it: verify then names the key ids
    other = elsewhere / "subsidy2" / "ledger_key"
    other.write_text("f" * 64 + "\n")
    again = _cli("restore", str(file), "--db", f"sqlite:///{elsewhere / 'subsidy2' / 'subsidy.db'}")
    assert again.exit_code != 0 and "ledger" in again.output.lower()
    assert other.read_text() == "f" * 64 + "\n"
