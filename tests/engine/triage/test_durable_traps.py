"""The durable-rules traps, measured (each probe in a fresh interpreter), and the wrapper's answers."""

from __future__ import annotations

import builtins
import json
import re
import signal
import subprocess
import sys
from typing import Any

import pytest

from engine.triage import Register, TriageRuleSet, triage
from engine.triage import durable_adapter as adapter
from engine.triage.encode import Encoded
from engine.triage.run import TriageInputError, durable_engine
from tests.engine.triage.conftest import ROOT, TODAY, app


def probe(name: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "engine.triage.durable_adapter", name], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)


def measured(name: str) -> dict[str, Any]:
    done = probe(name)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("name", ["integer_division", "overflow", "big_numbers", "or_drops_join"])
def test_the_c_core_gets_these_comparisons_wrong(name: str) -> None:
    result = measured(name)
    assert result["durable"] != result["exact"], result


def test_a_ruleset_holds_1024_live_sessions() -> None:
    assert measured("sessions") == {"failed_at_session": 1025, "error": "MemoryError"}


def test_a_message_no_rule_uses_raises() -> None:
    assert measured("not_handled") == {"raised": "MessageNotHandledException"}


def test_an_event_is_consumed_by_its_first_match() -> None:
    assert measured("event_consumed") == {"stale_applications": 2, "matched_with_clock_event": 1}


def test_an_exception_in_an_action_is_swallowed_into_the_state() -> None:
    assert measured("action_exception") == {"raised": False, "state_has_exception": True}


def test_a_failed_batch_runs_its_stranded_action_later_on_another_thread() -> None:
    assert measured("batch_leftover") == {"raised": True, "actions_right_after": 0, "actions_later": 1,
                                          "on_main_thread": False}


@pytest.mark.parametrize("name", ["delete_without_action", "second_ruleset"])
def test_these_crash_the_interpreter(name: str) -> None:
    """Memory corruption in the C core: whether and when it kills the process depends on the heap's layout, so a
    probe is given three fresh interpreters (one clean-clone CI run saw `second_ruleset` survive its 50 rulesets
    once, against 14 of 14 crashes by hand); the trap is real if any of them dies."""
    codes = []
    for _ in range(3):
        codes.append(probe(name).returncode)
        if codes[-1] in (-signal.SIGSEGV, -signal.SIGABRT):
            return
    pytest.fail(f"{name}: no crash in three interpreters (exit codes {codes})")


def test_more_than_1100_runs_in_one_process(rules: TriageRuleSet) -> None:
    apps = [app("A1", project_keys=["P1"]), app("A2", project_keys=["P1"]), app("A3")]
    first = triage(apps, Register(), TODAY, rules, engine="durable")
    for _ in range(1150):
        assert triage(apps, Register(), TODAY, rules, engine="durable").flags == first.flags
    assert adapter._RUNS == {}


DIRTY_HEAP_RUNS = """
import datetime as dt
dirty = [bytearray(b"A" * size) for size in range(1024, 262144, 1024) for _ in range(4)]
del dirty  # malloc now hands back garbage: the delete_without_action trap would fire
from engine.triage import Register, load_triage_rules, triage
rules = load_triage_rules("rules/triage")
for _ in range(1100):
    assert triage([], Register(), dt.date(2024, 12, 25), rules, engine="durable").flags == ()
print("survived")
"""


def test_sessions_are_deleted_safely_even_on_a_dirty_heap() -> None:
    done = subprocess.run([sys.executable, "-c", DIRTY_HEAP_RUNS], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, check=False)
    assert (done.returncode, done.stdout.strip()) == (0, "survived"), done.stderr


def test_runs_without_any_flag_open_and_close_their_session(rules: TriageRuleSet) -> None:
    for _ in range(1100):
        assert triage([], Register(), TODAY, rules, engine="durable").flags == ()


def test_an_action_failure_is_raised_not_swallowed(rules: TriageRuleSet,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(rule_list: Any, inputs: Any) -> Encoded:
        out = Encoded()
        out.add({"t": "cmp", "rule": "sci_tech_exceeds_staff", "app": "A1", "l": "2", "r": "1", "ref": 99})
        return out  # ref 99 has no details: the action raises KeyError inside durable-rules

    monkeypatch.setattr(adapter, "encode", broken)
    with pytest.raises(adapter.DurableRunError, match="KeyError|99"):
        triage([app("A1")], Register(), TODAY, rules, engine="durable")
    assert triage([app("A1")], Register(), TODAY, rules, engine="reference").flags == ()


def test_without_durable_rules_the_reference_runs_and_says_so(rules: TriageRuleSet,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_durable(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "durable" or name.startswith("durable."):
            raise ModuleNotFoundError("No module named 'durable' (as on Python 3.13)")
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "engine.triage.durable_adapter")
    monkeypatch.delattr("engine.triage.durable_adapter", raising=False)
    monkeypatch.setattr(builtins, "__import__", no_durable)
    assert durable_engine()[0] is None
    result = triage([app("A1", project_keys=["P"]), app("A2", project_keys=["P"])], Register(), TODAY, rules)
    assert result.engine_used.startswith("reference (durable-rules unavailable: ModuleNotFoundError")
    assert {f.rule_id for f in result.flags} == {"duplicate_project"}
    with pytest.raises(TriageInputError, match="not available"):
        triage([], Register(), TODAY, rules, engine="durable")


def test_only_the_adapter_imports_durable_rules() -> None:
    pattern = re.compile(r"^\s*(from|import)\s+durable(_rules_engine)?\b", re.MULTILINE)
    offenders = [p.relative_to(ROOT).as_posix() for p in sorted((ROOT / "engine").rglob("*.py"))
                 if pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == ["engine/triage/durable_adapter.py"]
