"""Property: mutated copies of real rule files never raise anything but RuleLoadError, and every error
names file:line (a file of the load, a line ≥ 1).

Text mutations (deleted/renamed keys, changed types, corrupted expressions, truncation, duplicate keys,
junk, indentation) go through `engine.loader.load_from_texts`; byte mutations (GBK, UTF-16, BOM, random
bytes, NUL, CRLF, empty) are written to a directory and loaded the way the running app reloads
(`web.ruleset_reload.load_ruleset_strict`). Each mutated file is loaded with the fact files it needs.
100 cases each in the normal suite; 10,000 each with ``--hypothesis-profile=fuzz``.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from relkit import mutated_rule_bytes, mutated_rule_text

from engine import RuleLoadError, load_ruleset
from engine.loader import load_from_texts, read_rule_texts
from engine.model import RuleSet
from tests.conftest import ROOT
from web.ruleset_reload import NON_PRINTABLE, load_ruleset_strict

pytestmark = pytest.mark.fuzz
ALL_TEXTS = read_rule_texts(ROOT / "rules")
FACTS = {rel: text for rel, text in ALL_TEXTS.items() if rel.startswith("facts/")}


def _standalone() -> list[str]:
    """Measure files that load with the fact files alone (the mutation targets), plus the fact files."""
    out = []
    for rel, text in sorted(ALL_TEXTS.items()):
        try:
            load_from_texts({**FACTS, rel: text})
        except RuleLoadError:
            continue
        out.append(rel)
    return out


TARGETS = _standalone()


def _known_bug(text: str) -> bool:
    """BUG-R3: a character PyYAML refuses (NUL, C0/C1 controls) raises yaml.ReaderError out of
    engine.yamlmarks.load_yaml (the SafeLoader is built outside its try). BUG-R4: a `!!binary` value loads
    as bytes and engine.canonical cannot hash it (TypeError) instead of a `bad-value` error at file:line."""
    return bool(NON_PRINTABLE.search(text)) or "!!binary" in text


def _check(exc: RuleLoadError, files: set[str]) -> None:
    assert exc.errors, "a RuleLoadError without errors"
    for error in exc.errors:
        assert error.file in files, error
        assert error.line >= 1, f"no line: {error}"
        text = str(error)
        assert text.startswith(f"{error.file}:{error.line}"), text
        assert error.code and error.message.strip(), error


@settings(deadline=None)  # no wall-clock limit: the machine is shared (see conftest)
@given(st.sampled_from(TARGETS).flatmap(lambda rel: st.tuples(st.just(rel), mutated_rule_text(ALL_TEXTS[rel]))))
def test_mutated_rule_text_raises_only_rule_load_error(case: tuple[str, str]) -> None:
    rel, text = case
    texts = {**FACTS, rel: text}
    try:
        ruleset = load_from_texts(texts)
    except RuleLoadError as exc:
        _check(exc, set(texts))
        return
    assert isinstance(ruleset, RuleSet)


_DIR = Path(tempfile.mkdtemp(prefix="rulefuzz-"))


@settings(deadline=None)  # no wall-clock limit: the machine is shared (see conftest)
@given(st.sampled_from(TARGETS).flatmap(lambda rel: st.tuples(st.just(rel), mutated_rule_bytes(ALL_TEXTS[rel]))))
def test_mutated_rule_bytes_raise_only_rule_load_error(case: tuple[str, bytes]) -> None:
    rel, raw = case
    root = _DIR / "rules"
    shutil.rmtree(root, ignore_errors=True)
    for name, text in {**FACTS, rel: None}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(raw if text is None else text.encode("utf-8"))
    try:
        ruleset = load_ruleset_strict(root)
    except RuleLoadError as exc:
        _check(exc, {*FACTS, rel})
        return
    assert isinstance(ruleset, RuleSet)


def test_the_targets_cover_real_files() -> None:
    assert len(TARGETS) >= 20, TARGETS
    assert any(t.startswith("facts/") for t in TARGETS)


def test_bug_r1_gbk_rule_file_is_a_rule_load_error(tmp_path: Path) -> None:
    rel = TARGETS[-1]
    (tmp_path / rel).parent.mkdir(parents=True)
    (tmp_path / rel).write_bytes(ALL_TEXTS[rel].encode("gbk", errors="replace"))
    with pytest.raises(RuleLoadError) as info:
        load_ruleset(tmp_path)
    assert info.value.errors[0].file == rel


def test_bug_r2_empty_rule_file_is_an_error() -> None:
    measure = next(t for t in TARGETS if not t.startswith("facts/"))
    with pytest.raises(RuleLoadError):
        load_from_texts({**FACTS, measure: ""})


def test_bug_r3_control_character_is_a_rule_load_error() -> None:
    rel = TARGETS[-1]
    with pytest.raises(RuleLoadError):
        load_from_texts({**FACTS, rel: ALL_TEXTS[rel].replace("\n", "\n\x00", 1)})


def test_bug_r4_binary_value_is_a_rule_load_error() -> None:
    rel = next(t for t in TARGETS if "\n  document:" in ALL_TEXTS[t])
    lines = ALL_TEXTS[rel].split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("  document:"))
    lines[at] = "  document: !!binary AA=="
    with pytest.raises(RuleLoadError):
        load_from_texts({**FACTS, rel: "\n".join(lines)})
