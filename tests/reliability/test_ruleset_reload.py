"""A corrupt or half-edited rule directory never replaces the running RuleSet (web.ruleset_reload)."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from engine import RuleLoadError, load_ruleset
from tests.web.conftest import TEST_CONFIG, write_web_rules
from web.app import create_app
from web.extensions import RULESET_KEY
from web.ruleset_reload import reload_ruleset


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    return write_web_rules(tmp_path / "rules")


def _break(root: Path, how: str) -> str:
    target = root / "qingyuan" / "webtest_award.yaml"
    text = target.read_text(encoding="utf-8")
    if how == "truncated":
        target.write_text(text[: len(text) // 2], encoding="utf-8")
    elif how == "empty":
        target.write_text("", encoding="utf-8")
    elif how == "gbk":
        target.write_bytes(text.encode("gbk"))
    elif how == "bad-expression":
        target.write_text(text.replace("staff.total >= param.min_staff", "staff.total >= = param.min_staf"),
                          encoding="utf-8")
    elif how == "half-edited":  # the award's exclusion renamed in one file, not yet in the other
        target.write_text(text.replace("excludes: [qingyuan.webtest_small]", "excludes: [qingyuan.webtest_tiny]"),
                          encoding="utf-8")
    elif how == "nul":
        target.write_text(text.replace("\n", "\n\x00", 1), encoding="utf-8")
    elif how == "no-directory":
        shutil.rmtree(root)
    return "qingyuan/webtest_award.yaml"


@pytest.mark.parametrize("how", ["truncated", "empty", "gbk", "bad-expression", "half-edited", "nul",
                                 "no-directory"])
def test_a_broken_directory_keeps_the_running_ruleset(rules: Path, how: str) -> None:
    good = load_ruleset(rules)
    app = create_app(TEST_CONFIG, ruleset=good)
    rel = _break(rules, how)
    with pytest.raises(RuleLoadError) as info:
        reload_ruleset(app, rules)
    assert app.extensions[RULESET_KEY] is good
    if how != "no-directory":
        assert any(e.file == rel and e.line >= 1 for e in info.value.errors), [str(e) for e in info.value.errors]
    response = app.test_client().get("/selfcheck/")
    assert response.status_code == 200 and good.hash[:12] in response.get_data(as_text=True)


def test_a_good_directory_is_swapped_in(rules: Path) -> None:
    good = load_ruleset(rules)
    app = create_app(TEST_CONFIG, ruleset=good)
    (rules / "qingyuan" / "webtest_small.yaml").unlink()
    award = rules / "qingyuan" / "webtest_award.yaml"
    award.write_text(award.read_text(encoding="utf-8").replace("excludes: [qingyuan.webtest_small]\n", ""),
                     encoding="utf-8")
    result = reload_ruleset(app, rules)
    assert result.changed and result.old_hash == good.hash
    assert app.extensions[RULESET_KEY].hash == result.new_hash != good.hash
    assert "qingyuan.webtest_small" not in app.extensions[RULESET_KEY].measures


def test_requests_during_failed_reloads_keep_being_served(rules: Path) -> None:
    good = load_ruleset(rules)
    app = create_app(TEST_CONFIG, ruleset=good)
    _break(rules, "truncated")
    failures: list[BaseException] = []

    def reloader() -> None:
        for _ in range(20):
            try:
                reload_ruleset(app, rules)
            except RuleLoadError:
                continue
            except BaseException as exc:  # pragma: no cover - reported below
                failures.append(exc)

    thread = threading.Thread(target=reloader)
    thread.start()
    client = app.test_client()
    statuses = [client.get("/selfcheck/").status_code for _ in range(20)]
    thread.join(60)
    assert not failures and set(statuses) == {200}
    assert app.extensions[RULESET_KEY] is good
