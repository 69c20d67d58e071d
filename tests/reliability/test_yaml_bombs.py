"""Hostile profile documents (billion laughs, deep aliases, deep nesting, tags) against the bounded loader and
`subsidy check` / `subsidy decide`: a clear zh/en error naming the line, in bounded memory and CPU.

Bounds are measured with tracemalloc (peak bytes allocated) and resource (CPU seconds of this process), never
with a wall clock. An unbounded `yaml.safe_load` + validation of the same bomb would expand to 10**9 strings.
"""

from __future__ import annotations

import resource
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from engine.errors import ProfileError
from engine.safe_yaml import MAX_BYTES, MAX_DEPTH, DocumentError, load_document
from web.cli import main

SAMPLES = Path(__file__).resolve().parents[2] / "sample_applicants"


def billion_laughs(levels: int = 9) -> str:
    """The classic: each level nine aliases of the previous one; `name` expands to 9**levels strings."""
    lines = ['kind: enterprise', 'l0: &l0 "lol"']
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, levels + 1)]
    lines.append(f"name: *l{levels}")
    return "\n".join(lines) + "\n"


DEEP_ALIAS = """kind: enterprise
name: 深度别名有限公司
finance:
  - &y {year: 2024, sales: 1000000, rd_expense: 60000}
  - *y
staff: {total: 10}
"""

HOSTILE = {
    "billion_laughs": (billion_laughs(), "YAML_ANCHOR", 2),
    "deep_alias": (DEEP_ALIAS, "YAML_ANCHOR", 4),
    "alias_only": ("kind: enterprise\nname: *x\n", "YAML_ALIAS", 2),
    "merge_key": ("kind: enterprise\nstaff:\n  <<: {total: 3}\n", "YAML_MERGE", 3),
    "python_tag": ("kind: enterprise\nname: !!python/object/apply:os.system [echo hi]\n", "YAML_TAG", 2),
    "binary_tag": ("kind: enterprise\nname: !!binary aGVsbG8=\n", "YAML_TAG", 2),
    "deep_yaml": ("a:\n" + "".join("  " * i + "b:\n" for i in range(1, MAX_DEPTH + 5)), "DOCUMENT_TOO_DEEP",
                  MAX_DEPTH + 1),
    "deep_json": ("{\n" + '"a": [' * 5000 + "]" * 5000 + "}", "DOCUMENT_TOO_DEEP", 2),
    "duplicate_key": ("kind: enterprise\nname: a\nname: b\n", "DUPLICATE_KEY", 3),
    "two_documents": ("kind: enterprise\n---\nkind: talent\n", "MULTIPLE_DOCUMENTS", 2),
}


@contextmanager
def measured() -> Iterator[Callable[[], tuple[int, float]]]:
    """Yield a reader of (peak bytes allocated, CPU seconds used) since entry."""
    tracemalloc.start()
    cpu0 = resource.getrusage(resource.RUSAGE_SELF).ru_utime
    peak: list[tuple[int, float]] = []
    try:
        yield lambda: peak[0]
    finally:
        peak.append((tracemalloc.get_traced_memory()[1], resource.getrusage(resource.RUSAGE_SELF).ru_utime - cpu0))
        tracemalloc.stop()


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_document_is_refused_naming_the_line(name: str) -> None:
    text, code, line = HOSTILE[name]
    with measured() as used, pytest.raises(DocumentError) as info:
        load_document(text, "bomb.yaml")
    peak, cpu = used()
    print(f"\nbomb {name}: {info.value.code} at line {info.value.line}, peak {peak / 1024:.0f} KiB, CPU {cpu:.3f} s")
    assert info.value.code == code and info.value.line == line
    assert isinstance(info.value, ProfileError)
    message = info.value.issues[0].message
    assert f"bomb.yaml:{line}:" in message.zh and f"bomb.yaml:{line}:" in message.en
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message.zh)  # Chinese first, English alongside
    assert peak < 4 * 1024 * 1024, f"{peak} bytes allocated"
    assert cpu < 2.0, f"{cpu:.2f} s of CPU"


def test_the_bomb_really_is_one() -> None:
    """The unbounded loader accepts the same text, and its value would be 9**9 strings long when walked."""
    data = yaml.safe_load(billion_laughs())
    width = 1
    node = data["name"]
    while isinstance(node, list):
        width *= len(node)
        node = node[0]
    assert width == 9**9


def test_oversized_document_is_refused_before_parsing() -> None:
    text = "kind: enterprise\nname: " + "x" * MAX_BYTES + "\n"
    with measured() as used, pytest.raises(DocumentError) as info:
        load_document(text.encode(), "big.yaml")
    assert info.value.code == "DOCUMENT_TOO_LARGE"
    assert used()[0] < 2 * MAX_BYTES


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_every_sample_reads_as_the_plain_loader_reads_it(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert load_document(text, path.name) == yaml.safe_load(text)
    assert load_document(text.encode("utf-8-sig"), path.name) == yaml.safe_load(text)


def test_json_reads_as_json() -> None:
    """JSON is read by the JSON decoder (YAML 1.1 would read 1e5 as a string); NaN is not a number."""
    assert load_document('{"staff": {"total": 1e2}, "name": "a\\/b"}', "p.json") == {
        "staff": {"total": 100.0}, "name": "a/b"}
    with pytest.raises(DocumentError) as info:
        load_document('{"name": "a",\n "name": "b"}', "p.json")
    assert info.value.code == "DUPLICATE_KEY" and info.value.line == 2


@pytest.mark.parametrize("command", ["check", "decide"])
@pytest.mark.parametrize("name", ["billion_laughs", "deep_alias", "python_tag", "deep_json"])
def test_cli_refuses_hostile_profiles(tmp_path: Path, command: str, name: str) -> None:
    text, code, line = HOSTILE[name]
    path = tmp_path / "bomb.yaml"
    path.write_text(text, encoding="utf-8")
    args = [command, str(path)] + (["--db", f"sqlite:///{tmp_path / 'x.db'}"] if command == "decide" else [])
    with measured() as used:
        result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert f"{path}:{line}:" in result.output and code in result.output
    assert "Traceback" not in result.output
    assert used()[0] < 8 * 1024 * 1024
    assert not (tmp_path / "x.db").exists()  # nothing written
