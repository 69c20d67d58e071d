"""pytest plugin: every `tests:` case embedded in rules/**/*.yaml becomes a pytest item.

A failing case prints `file → test name → what differed`. The RuleSet is loaded once per rules
directory; if it does not load, one item per file fails with the load errors.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from engine.errors import RuleLoadError
from engine.loader import MEASURE_DIRS, load_ruleset
from engine.model import RuleSet
from engine.ruletests import run_fact_case, run_measure_case


@lru_cache(maxsize=4)
def _ruleset(rules_root: Path) -> RuleSet | RuleLoadError:
    try:
        return load_ruleset(rules_root)
    except RuleLoadError as exc:
        return exc


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix == ".yaml" and file_path.parent.parent.name == "rules" \
            and file_path.parent.name in (*MEASURE_DIRS, "facts"):
        return RuleFile.from_parent(parent, path=file_path)
    return None


class RuleFile(pytest.File):
    def collect(self) -> Any:
        rules_root = self.path.parent.parent
        loaded = _ruleset(rules_root)
        rel = self.path.relative_to(rules_root).as_posix()
        if isinstance(loaded, RuleLoadError):
            yield RuleCase.from_parent(self, name="loads", case=None, error=str(loaded), measure_id=None)
            return
        measure = next((m for m in loaded.measures.values() if m.path == rel), None)
        cases = measure.tests if measure else [c for c in loaded.fact_tests if c["__file__"] == rel]
        for case in cases:
            yield RuleCase.from_parent(self, name=str(case["name"]), case=case, error=None,
                                       measure_id=measure.id if measure else None)


class RuleCaseFailure(Exception):
    pass


class RuleCase(pytest.Item):
    def __init__(self, *, case: dict[str, Any] | None, error: str | None, measure_id: str | None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case, self.error, self.measure_id = case, error, measure_id

    def runtest(self) -> None:
        if self.error is not None:
            raise RuleCaseFailure(self.error)
        assert self.case is not None
        rules_root = self.path.parent.parent
        ruleset = _ruleset(rules_root)
        assert isinstance(ruleset, RuleSet)
        root = rules_root.parent
        problems = (run_measure_case(ruleset, self.measure_id, self.case, root) if self.measure_id
                    else run_fact_case(ruleset, self.case, root))
        if problems:
            raise RuleCaseFailure("\n".join(problems))

    def repr_failure(self, excinfo: Any, style: Any = None) -> str:
        if isinstance(excinfo.value, RuleCaseFailure):
            return f"{self.path.name} → {self.name}\n{excinfo.value}"
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"rule test: {self.name}"
