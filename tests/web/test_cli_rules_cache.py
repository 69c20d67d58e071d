"""The CLI's cache of read rule files (web/cli/rules_cache.py): a hit gives the RuleSet a fresh load gives, any
changed byte is a miss, anything wrong with an entry falls back to the files; and `engine` imports lazily."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from engine import evaluate, parse_profile
from engine.errors import RuleLoadError
from engine.loader import load_ruleset
from tests.conftest import ROOT, SAMPLES
from web.cli import main, rules_cache
from web.cli.rules_cache import load_rules

AS_OF = dt.date(2025, 6, 30)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "cache"
    monkeypatch.setenv("SUBSIDY_RULES_CACHE", str(where))
    return where


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    copy = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", copy)
    return copy


def _entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("rules-*.json"))


def test_a_hit_gives_the_ruleset_a_fresh_load_gives(cache: Path) -> None:
    fresh = load_ruleset(ROOT / "rules")
    first = load_rules(ROOT / "rules")  # a miss: reads the files, keeps an entry
    assert len(_entries(cache)) == 1
    second = load_rules(ROOT / "rules")  # a hit
    for loaded in (first, second):
        assert (loaded.hash, loaded.snapshot, loaded.order) == (fresh.hash, fresh.snapshot, fresh.order)
        assert loaded.fact_tests == fresh.fact_tests and loaded.fact_equivalents == fresh.fact_equivalents
        assert {m: x.tests for m, x in loaded.measures.items()} == {m: x.tests for m, x in fresh.measures.items()}
        assert loaded.measures.keys() == fresh.measures.keys() and loaded.facts.keys() == fresh.facts.keys()
    for sample in sorted(SAMPLES.glob("*.yaml"))[:8]:
        profile = parse_profile(yaml.safe_load(sample.read_text(encoding="utf-8")), AS_OF)
        assert evaluate(second, profile, AS_OF).to_json() == evaluate(fresh, profile, AS_OF).to_json(), sample.name


def test_any_changed_byte_is_another_entry(cache: Path, rules: Path) -> None:
    before = load_rules(rules)
    path = rules / "facts" / sorted(p.name for p in (rules / "facts").glob("*.yaml"))[0]
    path.write_bytes(path.read_bytes() + b"\n# a comment changes no rule but is another byte\n")
    assert load_rules(rules).hash == before.hash  # same content, read again from the files
    assert len(_entries(cache)) == 2
    measure = rules / "national" / "hnte_recognition.yaml"
    text = measure.read_text(encoding="utf-8")
    measure.write_text(text.replace("zh: ", "zh: 改", 1), encoding="utf-8")  # a title's text
    changed = load_rules(rules)
    assert changed.hash != before.hash
    assert changed.hash == load_ruleset(rules).hash


@pytest.mark.parametrize("content", [b"", b"{not json", b"[1, 2]", b'{"national/x.yaml": {"id": 1}}',
                                     b'{"a": {"$map": [[[1], 2]]}}', b'{"a": {"$date": "2025-02-30"}}'])
def test_a_bad_entry_falls_back_to_the_files(cache: Path, content: bytes) -> None:
    fresh = load_rules(ROOT / "rules")
    (entry,) = _entries(cache)
    entry.write_bytes(content)
    assert load_rules(ROOT / "rules").hash == fresh.hash


def test_an_entry_that_does_not_build_falls_back_with_the_files_errors(cache: Path, rules: Path) -> None:
    load_rules(rules)
    (entry,) = _entries(cache)
    data = json.loads(entry.read_text(encoding="utf-8"))
    data["national/hnte_recognition.yaml"]["id"] = "national.elsewhere"
    entry.write_text(json.dumps(data), encoding="utf-8")
    assert load_rules(rules).hash == load_ruleset(rules).hash


def test_bad_rules_keep_their_line_and_leave_no_entry(cache: Path, rules: Path) -> None:
    path = rules / "national" / "hnte_recognition.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\nnot_a_key: 1\n", encoding="utf-8")
    with pytest.raises(RuleLoadError) as caught:
        load_rules(rules)
    assert any(e.code == "unknown-key" and e.line > 1 for e in caught.value.errors)
    assert _entries(cache) == []


def test_off_keeps_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUBSIDY_RULES_CACHE", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert rules_cache.cache_dir() is None
    load_rules(ROOT / "rules")
    assert list(tmp_path.iterdir()) == []


def test_no_home_directory_no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SUBSIDY_RULES_CACHE", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)

    def nowhere() -> Path:
        raise RuntimeError("Could not determine home directory.")
    monkeypatch.setattr(Path, "home", staticmethod(nowhere))
    assert rules_cache.cache_dir() is None
    assert load_rules(ROOT / "rules").hash == load_ruleset(ROOT / "rules").hash


def test_the_codec_keeps_yaml_data_exactly() -> None:
    data = {"a.yaml": {"values": {dt.date(2024, 1, 1): {"value": Decimal("0.60"), "at": dt.datetime(2024, 1, 1, 8)}},
                       "$map": 1, "$date": "2024-01-01", "n": [1, True, None, "x", {2: "two", None: False}]}}
    text = json.dumps(rules_cache._encode(data))
    back = json.loads(text, object_hook=rules_cache._decode_object)
    assert back == data
    assert str(back["a.yaml"]["values"][dt.date(2024, 1, 1)]["value"]) == "0.60"
    assert back["a.yaml"]["$date"] == "2024-01-01" and back["a.yaml"]["n"][1] is True


def test_the_cli_uses_the_cache(cache: Path) -> None:
    args = ["check", str(SAMPLES / "qingcheng_ceramics_turning_hightech.yaml"), "--as-of", "2025-06-30",
            "--format", "json"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0 and len(_entries(cache)) == 1
    assert CliRunner().invoke(main, args).output == first.output


def test_engine_imports_what_is_used() -> None:
    code = ("import sys, engine; from engine import parse_profile, RuleLoadError; import engine.evaluate; "
            "print(engine.evaluate.__module__, 'engine.replay' in sys.modules, 'engine.loader' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.split() == ["engine.evaluate", "False", "False"]  # the function, not the module
