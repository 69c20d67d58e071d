"""The summary of a decision: everything but the traces — the one definition of its shape.

    summary_of(decision)                       # from a Decision, reading none of its (deferred) traces
    summarise(ruleset, parsed, as_of)          # the same dict, from the untraced compiled path (engine.fast)
    summary_json(ruleset, parsed, as_of)       # its canonical JSON bytes (what the API answers)

Shape (plain JSON data, keys as in the Decision's canonical JSON): engine_version, ruleset_hash, as_of,
profile_hash, profile_kind, warnings, stacking, and results — per measure measure_id, outcome, reason,
amount, failing, missing, gaps and (only when not empty) prerequisites. No `trace`, no `facts`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import orjson

from engine.canonical import dumps_bytes, plain, profile_hash_of, remembered
from engine.decision import Amount, Decision, Outcome
from engine.gaps import gap_conditions, gaps_for
from engine.version import __version__

if TYPE_CHECKING:
    from engine.model import RuleSet

LIMIT = 4096  # objects whose conversion is kept (shared amounts, stackings, not-applicable verdicts)
_AMOUNTS: dict[int, tuple[Amount, dict[str, Any]]] = {}  # id → (amount, plain(amount)) of the amounts seen
_SHARED: dict[int, tuple[Any, Any]] = {}  # id → (stacking or verdict, its plain data or canonical JSON bytes)


def _amount(amount: Amount) -> dict[str, Any]:
    """plain(amount), a fresh dict; the compiled path shares its amount objects (none, fixed sums), so each is
    converted once."""
    found = _AMOUNTS.get(id(amount))  # remembered(), its lookup in line (every result reads one)
    if found is not None and found[0] is amount:
        return found[1].copy()
    return dict(remembered(_AMOUNTS, amount, plain, LIMIT))


def _kept(value: Any, convert: Any) -> Any:
    """convert(value) of an object the compiled path shares between runs (a Stacking, a not-applicable verdict),
    worked out once: the result must be immutable (written JSON) or copied by the caller."""
    return remembered(_SHARED, value, convert, LIMIT)


def result_summary(result: Any, gaps: Any) -> dict[str, Any]:
    """One measure's summary from a MeasureResult or a Verdict and its gaps."""
    return _summary(gaps, result.measure_id, result.outcome, result.reason, result.amount, result.failing,
                    result.missing, result.prerequisites)


def _summary(gaps: Any, measure_id: str, outcome: Outcome, reason: str | None, amount: Amount,
             failing: Any, missing: Any, prerequisites: Any) -> dict[str, Any]:
    """result_summary from the result's fields (a Verdict's, in its order: `_summary(gaps, *verdict)`)."""
    out: dict[str, Any] = {"measure_id": measure_id, "outcome": outcome._value_, "reason": reason,
                           "amount": _amount(amount), "failing": list(failing), "missing": list(missing),
                           "gaps": plain(gaps) if gaps else []}
    if prerequisites:
        out["prerequisites"] = list(prerequisites)
    return out


def header(engine_version: str, ruleset_hash: str, as_of: str, profile_hash: str, profile_kind: str,
           warnings: Any, stacking: Any) -> dict[str, Any]:
    return {"engine_version": engine_version, "ruleset_hash": ruleset_hash, "as_of": as_of,
            "profile_hash": profile_hash, "profile_kind": profile_kind,
            "warnings": [w.as_dict() for w in warnings] if warnings else [], "stacking": plain(stacking)}


def summary_of(decision: Decision) -> dict[str, Any]:
    """The summary of a full Decision (its traces are never built for this)."""
    out = header(decision.engine_version, decision.ruleset_hash, decision.as_of, decision.profile_hash,
                 decision.profile_kind, decision.warnings, decision.stacking)
    out["results"] = [result_summary(r, r.gaps) for r in decision.results]
    return out


def summarise(ruleset: RuleSet, parsed: Any, as_of: dt.date, measures: list[str] | None = None) -> dict[str, Any]:
    """The summary of the Decision (outcomes, amounts, failing, missing, gaps, stacking; no trace), from the
    untraced compiled path: equal to `summary_of(evaluate(ruleset, parsed, as_of, measures))`.

    Args:
        parsed: a ParsedProfile or a validated profile model (its hash is part of the summary).
    """
    top, run, verdicts = _run(ruleset, parsed, as_of, measures)
    top["stacking"] = _stacking_copy(remembered(_STACKINGS, top["stacking"], plain, LIMIT))
    top["results"] = _results(run, ruleset, verdicts, None)
    return top


_STACKINGS: dict[int, tuple[Any, Any]] = {}  # id → (stacking, plain(stacking): never given out, only copied)


def _stacking_copy(data: dict[str, Any]) -> dict[str, Any]:
    """A new copy of a Stacking's plain form (the caller owns what it gets): its dict, and its lists of texts or of
    pairs (`dropped`) copied; the texts and numbers are shared."""
    out = data.copy()
    for key, value in data.items():
        if type(value) is list:
            out[key] = [item[:] for item in value] if value and type(value[0]) is list else value[:]
    return out


def summary_json(ruleset: RuleSet, parsed: Any, as_of: dt.date, measures: list[str] | None = None) -> bytes:
    """`dumps_bytes(summarise(...))`, byte for byte, without converting again what runs share: a not-applicable
    verdict (one object per measure and reason) is written once, as is a stacking (shared by the profiles that
    count the same results); orjson writes the rest around those pieces (orjson.Fragment)."""
    top, run, verdicts = _run(ruleset, parsed, as_of, measures)
    try:
        top["stacking"] = _kept(top["stacking"], _plain_fragment)
        top["results"] = _results(run, ruleset, verdicts, _result_fragment)
        return orjson.dumps(top, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # what orjson does not write (integers beyond 64 bits): the standard library's bytes
        return dumps_bytes(summarise(ruleset, parsed, as_of, measures))


def _result_fragment(verdict: Any) -> Any:
    return orjson.Fragment(dumps_bytes(result_summary(verdict, ())))


def _plain_fragment(value: Any) -> Any:
    return orjson.Fragment(dumps_bytes(plain(value)))


def _run(ruleset: RuleSet, parsed: Any, as_of: dt.date, measures: list[str] | None
         ) -> tuple[dict[str, Any], Any, tuple[Any, ...]]:
    """The header (its stacking not yet converted), the untraced run and its verdicts."""
    compile_ruleset, parsed_profile = _LATE or _late()
    if isinstance(parsed, parsed_profile):
        profile, warnings = parsed.profile, parsed.warnings
    else:
        profile, warnings = parsed, ()
    program = compile_ruleset(ruleset, as_of)
    run, verdicts = program.run(profile, measures)
    top = header(__version__, ruleset.hash, as_of.isoformat(), profile_hash_of(profile), profile.kind, warnings,
                 None)
    top["stacking"] = program.stacking(verdicts)  # converted by the caller: plain data, or bytes written once
    return top, run, verdicts


_LATE: tuple[Any, ...] = ()  # (compile_ruleset, ParsedProfile), once imported


def _late() -> tuple[Any, ...]:
    """engine.fast's compile_ruleset and ParsedProfile, imported on first use (engine.fast imports this module):
    kept, as a `from … import` of a package runs importlib's Python-level fromlist handling every time."""
    global _LATE
    from engine.fast import compile_ruleset
    from engine.profile import ParsedProfile

    _LATE = (compile_ruleset, ParsedProfile)
    return _LATE


def _results(run: Any, ruleset: RuleSet, verdicts: tuple[Any, ...], shared: Any) -> list[Any]:
    """Each verdict's result_summary with its gaps. A not-applicable verdict is one object per measure and reason,
    shared by every run, and never fails (no gaps): it is `_kept(verdict, shared)` when `shared` is given, else a
    fresh copy of its summary, whose parts are worked out once (`_fresh`)."""
    if shared is not None:
        return [_kept(v, shared) if v.outcome is _NOT_APPLICABLE else
                result_summary(v, _gaps(run, ruleset, v) if v.failing else ()) for v in verdicts]
    out: list[Any] = []
    append = out.append
    fresh = _FRESH
    for v in verdicts:
        if v[1] is _NOT_APPLICABLE:  # Verdict's outcome (a NamedTuple: read by index, not by property)
            found = fresh.get(id(v))
            if found is None or found[0] is not v:
                found = _fresh(v)
            _, summary, bare = found
            if bare:  # no failing, missing or prerequisites: a copy of its summary (a dict's copy clones its key
                item = summary.copy()  # table: cheaper than a literal's 7 insertions) with new lists and amount
                item["amount"] = item["amount"].copy()
                item["failing"] = []
                item["missing"] = []
                item["gaps"] = []
                append(item)
            else:
                append(_copy(summary))
        else:
            append(_summary(_gaps(run, ruleset, v) if v[4] else (), *v))
    return out


_FRESH: dict[int, tuple[Any, ...]] = {}  # id → (not-applicable verdict, its summary: never given out, only copied,
#                                          and whether it has no failing, missing or prerequisites)


def _fresh(verdict: Any) -> tuple[Any, ...]:
    """A not-applicable verdict's summary (`_summary_alone`), kept by identity like `remembered`'s."""
    summary = _summary_alone(verdict)
    bare = not (summary["failing"] or summary["missing"] or "prerequisites" in summary)
    found = (verdict, summary, bare)
    if len(_FRESH) >= LIMIT:
        _FRESH.clear()
    _FRESH[id(verdict)] = found
    return found


def _summary_alone(verdict: Any) -> dict[str, Any]:
    return result_summary(verdict, ())


def _copy(summary: dict[str, Any]) -> dict[str, Any]:
    """A kept result summary as a new one (the caller owns what it gets): its dict, amount and lists copied."""
    out = summary.copy()
    out["amount"] = out["amount"].copy()
    out["failing"] = out["failing"][:]
    out["missing"] = out["missing"][:]
    out["gaps"] = out["gaps"][:]
    if "prerequisites" in out:
        out["prerequisites"] = out["prerequisites"][:]
    return out


def _gaps(run: Any, ruleset: RuleSet, verdict: Any) -> tuple[Any, ...]:
    """engine.gaps for a failing verdict, worked out only when a failing condition can have one."""
    measure = ruleset.measures[verdict.measure_id]
    if gap_conditions(measure.criteria).keys().isdisjoint(verdict.failing):
        return ()
    saved, run.params = run.params, measure.parameters
    try:
        return tuple(gaps_for(run, measure, None, verdict.failing))
    finally:
        run.params = saved


_NOT_APPLICABLE = Outcome.NOT_APPLICABLE
