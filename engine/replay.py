"""Replay a stored decision from its stored inputs, and compare it with what today's rules decide.

Pure, like the rest of the engine: the caller hands over the stored decision JSON, the stored RuleSet
snapshot, the stored profile data and the stored dates; nothing here reads files or a database.

`replay` answers "does the engine, given exactly the same inputs, still produce exactly the same
bytes?" (the audit question); `compare_with_current` answers "what would today's rules decide, and
why is that different?" (the policy question), measure by measure.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from engine.decision import Decision, json_digest
from engine.errors import EngineError, ProfileError
from engine.evaluate import evaluate
from engine.loader import load_from_snapshot
from engine.model import RuleSet
from engine.profile import parse_profile


class ReplayError(EngineError):
    """The stored inputs cannot be evaluated any more (e.g. the stored profile no longer validates)."""


class _Absent:
    """Marks a key or list item present on one side of a diff only."""

    def __repr__(self) -> str:
        return "(absent)"


ABSENT: Any = _Absent()


@dataclass(frozen=True)
class Difference:
    """One difference between the stored and the recomputed JSON, at a JSON-pointer path.

    `where` names list items by their id (``results[national.hnte_recognition].outcome``) where the
    pointer can only give an index (``/results/0/outcome``).
    """

    path: str
    where: str
    old: Any
    new: Any

    def __str__(self) -> str:
        return f"{self.path or '/'} ({self.where or 'document'}): {_short(self.old)} → {_short(self.new)}"


@dataclass(frozen=True)
class ReplayResult:
    identical: bool
    diff: list[Difference]
    recomputed_json: str

    @property
    def recomputed_hash(self) -> str:
        return json_digest(self.recomputed_json.encode("utf-8"))


@dataclass(frozen=True)
class MeasureChange:
    """What differs for one measure between the stored decision and today's rules."""

    measure_id: str
    status: str  # unchanged | changed | added | removed
    outcome: tuple[str | None, str | None]
    amount: tuple[Any, Any]
    failing_added: tuple[str, ...] = ()
    failing_removed: tuple[str, ...] = ()
    missing_added: tuple[str, ...] = ()
    missing_removed: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        """Human-readable explanation, one line per aspect that changed."""
        if self.status == "added":
            return [f"{self.measure_id}: 新增措施 / new measure → {self.outcome[1]}, amount {_short(self.amount[1])}"]
        if self.status == "removed":
            return [f"{self.measure_id}: 已不在现行规则中 / no longer in today's rules (was {self.outcome[0]})"]
        out = [f"{self.measure_id}:"]
        if self.outcome[0] != self.outcome[1]:
            out.append(f"  结果 / outcome: {self.outcome[0]} → {self.outcome[1]}")
        if self.amount[0] != self.amount[1]:
            out.append(f"  金额 / amount: {_short(self.amount[0])} → {_short(self.amount[1])}")
        for label, names in (("now failing", self.failing_added), ("no longer failing", self.failing_removed),
                             ("now missing", self.missing_added), ("no longer missing", self.missing_removed)):
            if names:
                out.append(f"  {label}: {', '.join(names)}")
        if len(out) == 1:
            out.append("  trace differs (same outcome, amount and failing conditions)")
        return out


@dataclass(frozen=True)
class CurrentComparison:
    stored_ruleset_hash: str
    current_ruleset_hash: str
    as_of: str
    changes: tuple[MeasureChange, ...]
    current_json: str = field(repr=False)

    @property
    def rules_changed(self) -> bool:
        return self.stored_ruleset_hash != self.current_ruleset_hash

    @property
    def differing(self) -> tuple[MeasureChange, ...]:
        return tuple(c for c in self.changes if c.status != "unchanged")


def stored_profile_json(data: Any) -> str:
    """The canonical JSON under which raw profile input is stored (sorted keys, dates as ISO text).

    Unlike `canonical_json` it keeps floats (a YAML `9.99` stays the JSON number 9.99, which reads back
    as the same float), because this is the applicant's *input*, replayed through the same parser.

    >>> stored_profile_json({"b": 1.5, "a": dt.date(2024, 2, 29)})
    '{"a":"2024-02-29","b":1.5}'
    """
    def default(value: Any) -> Any:
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, set | frozenset | tuple):
            return sorted(value) if isinstance(value, set | frozenset) else list(value)
        raise TypeError(f"cannot store a {type(value).__name__} in a profile")

    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False,
                      default=default)


def recompute(ruleset: RuleSet, profile_data: Any, as_of: dt.date | str, *, today: dt.date | str | None = None,
              measures: list[str] | None = None) -> Decision:
    """Evaluate stored inputs again; `today` is the date the profile was checked against (default as_of).

    Raises:
        ReplayError: the stored profile does not validate under this engine.
    """
    data = json.loads(profile_data) if isinstance(profile_data, str) else profile_data
    as_of_date = _date(as_of)
    try:
        parsed = parse_profile(data, _date(today) if today is not None else as_of_date)
    except ProfileError as exc:
        raise ReplayError(f"the stored profile no longer validates: {exc}") from exc
    return evaluate(ruleset, parsed, as_of_date, measures=measures)


def replay(stored_decision_json: str, snapshot: dict[str, Any], profile_data: Any, as_of: dt.date | str,
           *, today: dt.date | str | None = None) -> ReplayResult:
    """Re-evaluate a stored decision under its own stored RuleSet and compare the canonical JSON.

    Args:
        stored_decision_json: the decision's canonical JSON as stored.
        snapshot: the stored RuleSet snapshot (relative path → canonical content).
        profile_data: the stored profile input (a mapping, or its stored JSON text).
        as_of: the decision date.
        today: the date the profile was checked against when the decision was made (default as_of).

    Returns:
        identical (byte for byte), the differences as JSON-pointer paths, and the recomputed JSON.

    Raises:
        ReplayError: the stored inputs cannot be evaluated any more.
    """
    stored = json.loads(stored_decision_json)
    ruleset = load_from_snapshot(snapshot)
    decision = recompute(ruleset, profile_data, as_of, today=today, measures=_stored_measures(stored, ruleset))
    recomputed = decision.to_json()
    if recomputed == stored_decision_json:
        return ReplayResult(True, [], recomputed)
    diff = json_diff(stored, json.loads(recomputed))
    if not diff:  # same data, different bytes: the stored text itself is not canonical
        diff = [Difference("", "", "stored text is not canonical JSON", "canonical JSON")]
    return ReplayResult(False, diff, recomputed)


def compare_with_current(stored_decision_json: str, ruleset: RuleSet, profile_data: Any,
                         as_of: dt.date | str | None = None, *, today: dt.date | str | None = None,
                         measures: list[str] | None = None) -> CurrentComparison:
    """Evaluate the stored inputs under today's RuleSet and explain, per measure, what differs.

    Args:
        stored_decision_json: the decision's canonical JSON as stored.
        ruleset: today's RuleSet.
        profile_data: the stored profile input.
        as_of: the date to decide on (default: the stored decision's as_of, so only the rules change).
        today: the date the profile was checked against (default as_of).
        measures: restrict to these measures (default: every measure of today's RuleSet).
    """
    stored = json.loads(stored_decision_json)
    when = _date(as_of) if as_of is not None else _date(stored["as_of"])
    decision = recompute(ruleset, profile_data, when, today=today, measures=measures)
    current = decision.to_dict()
    old = {r["measure_id"]: r for r in stored.get("results", [])}
    new = {r["measure_id"]: r for r in current["results"]}
    changes = tuple(_measure_change(mid, old.get(mid), new.get(mid)) for mid in sorted(old.keys() | new.keys()))
    return CurrentComparison(stored.get("ruleset_hash", ""), ruleset.hash, when.isoformat(), changes,
                             decision.to_json())


def json_diff(old: Any, new: Any, path: str = "", where: str = "") -> list[Difference]:
    """Differences between two JSON values, as JSON-pointer paths with the old and new values.

    >>> [str(d) for d in json_diff({"a": [1, 2]}, {"a": [1, 3], "b": True})]
    ['/a/1 (a[1]): 2 → 3', '/b (b): (absent) → true']
    """
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[Difference] = []
        for key in sorted(old.keys() | new.keys()):
            sub, label = f"{path}/{_escape(key)}", f"{where}.{key}" if where else key
            out += json_diff(old.get(key, ABSENT), new.get(key, ABSENT), sub, label)
        return out
    if isinstance(old, list) and isinstance(new, list):
        return _list_diff(old, new, path, where)
    if type(old) is type(new) and old == new:
        return []
    return [Difference(path, where, old, new)]


def _list_diff(old: list[Any], new: list[Any], path: str, where: str) -> list[Difference]:
    key = _item_key(old) if _item_key(old) == _item_key(new) else None
    if key is None:
        out: list[Difference] = []
        for i in range(max(len(old), len(new))):
            a = old[i] if i < len(old) else ABSENT
            b = new[i] if i < len(new) else ABSENT
            out += json_diff(a, b, f"{path}/{i}", f"{where}[{i}]")
        return out
    old_index = {item[key]: i for i, item in enumerate(old)}
    new_index = {item[key]: i for i, item in enumerate(new)}
    out = []
    for ident in [item[key] for item in old] + [item[key] for item in new if item[key] not in old_index]:
        oi, ni = old_index.get(ident), new_index.get(ident)
        a = old[oi] if oi is not None else ABSENT
        b = new[ni] if ni is not None else ABSENT
        out += json_diff(a, b, f"{path}/{oi if oi is not None else ni}", f"{where}[{ident}]")
    if not out and [item[key] for item in old] != [item[key] for item in new]:
        out.append(Difference(path, where, [item[key] for item in old], [item[key] for item in new]))
    return out


def _item_key(items: list[Any]) -> str | None:
    """The id key that names the items of a list of objects (measure_id, then id), if unique."""
    if not items or not all(isinstance(item, dict) for item in items):
        return None
    for key in ("measure_id", "id"):
        values = [item.get(key) for item in items]
        if all(isinstance(v, str) for v in values) and len(set(values)) == len(values):
            return key
    return None


def _measure_change(measure_id: str, old: dict[str, Any] | None, new: dict[str, Any] | None) -> MeasureChange:
    if old is None or new is None:
        status = "added" if old is None else "removed"
        return MeasureChange(measure_id, status, (_get(old, "outcome"), _get(new, "outcome")),
                             (_amount(old), _amount(new)))
    failing_old, failing_new = set(old.get("failing", [])), set(new.get("failing", []))
    missing_old, missing_new = set(old.get("missing", [])), set(new.get("missing", []))
    status = "unchanged" if old == new else "changed"
    return MeasureChange(measure_id, status, (old["outcome"], new["outcome"]), (_amount(old), _amount(new)),
                         tuple(sorted(failing_new - failing_old)), tuple(sorted(failing_old - failing_new)),
                         tuple(sorted(missing_new - missing_old)), tuple(sorted(missing_old - missing_new)))


def _amount(result: dict[str, Any] | None) -> Any:
    if result is None:
        return None
    amount = result.get("amount") or {}
    return {"kind": amount.get("kind"), "value": amount.get("value")}


def _get(result: dict[str, Any] | None, key: str) -> Any:
    return None if result is None else result.get(key)


def _stored_measures(stored: dict[str, Any], ruleset: RuleSet) -> list[str] | None:
    """The measures the stored decision evaluated (None when it evaluated all of them)."""
    ids = sorted(r["measure_id"] for r in stored.get("results", []))
    return None if set(ids) == set(ruleset.measures) else ids


def _escape(key: str) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


def _date(value: dt.date | str) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _short(value: Any, limit: int = 120) -> str:
    if value is ABSENT:
        return "(absent)"
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 1] + "…"
