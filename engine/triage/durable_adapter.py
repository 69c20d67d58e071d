"""The one module that imports durable-rules: a fixed Rete ruleset for every triage kind, run per session.

Traps of durable-rules 2.0.28 measured here (python -m engine.triage.durable_adapter PROBE shows each;
docs/triage.md has the numbers) and what this module does about them:

* 1,024 live sessions per ruleset; the 1,025th assert raises a bare MemoryError → every run gets a
  fresh session id and its state is deleted in `finally`.
* delete_state() on a session in which no action has run frees uninitialised pointers (its C
  deleteStateNode frees `context.messages`/`context.stateFact`, which only an action sets): SIGSEGV or
  "free(): invalid pointer", depending on heap layout → every session opens with an action (_open).
* A second ruleset with joins segfaults the interpreter once another holds a partly joined fact, and a
  ruleset can never be unregistered → ONE fixed ruleset per process. The YAML rules are not compiled
  into it: they enter as `rule` facts (kind, id, options) that the fixed patterns join on.
* An `$and` holding an `$or` before a join test drops the join test → no `|` in any pattern.
* Integer division, int64 wrap-around, doubles above 2^63 → no arithmetic in patterns: engine.triage.encode
  pre-computes every comparison as two exact order keys (text).
* A fact or event no rule can use raises MessageNotHandledException, and in a batch (assert_facts)
  that exception strands the facts before it with their actions pending → facts are asserted one by
  one and that exception is expected. An identical fact twice raises MessageObservedException (facts
  without `id` are identified by content) → the encoder never repeats one; keys `id`/`sid` are reserved.
* Events are consumed by the first rule that matches them (a clock *event* made only one of two stale
  applications stale) → the clock is asserted as a fact.
* An exception inside an action is swallowed into the session state (`exception`) → checked after each run.
* A two-argument action is taken as asynchronous → actions take exactly one argument.
* The global host (durable.lang) starts two timer threads that run pending actions in the background
  → a private Host without those threads; a module lock serialises runs (the C core is not thread-safe).
* Results come back only through side effects → actions append to an explicit per-session collector.
"""

from __future__ import annotations

import itertools
import json
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import version
from typing import Any

from durable.engine import (  # type: ignore[import-untyped]  # no stubs
    Host,
    MessageNotHandledException,
    MessageObservedException,
)
from durable.lang import c, m, none, when_all  # type: ignore[import-untyped]

from engine.errors import EngineError
from engine.triage.encode import encode
from engine.triage.kinds import KINDS
from engine.triage.model import Match, TriageRule
from engine.triage.reference import Inputs

ENGINE = f"durable-rules {version('durable_rules')}"
RULESET = "triage_v1"


class DurableRunError(EngineError):
    """durable-rules reported a failure that it would otherwise have swallowed."""


class _QuietHost(Host):  # type: ignore[misc]  # Host is untyped
    """A Host without the global one's background dispatch threads: every action runs inside our call."""

    def _run(self) -> None:
        return None


@dataclass
class _Collector:
    """Where the actions of one session put what they found (durable-rules has no return values)."""

    details: dict[int, dict[str, Any]]
    matches: list[Match] = field(default_factory=list)
    opened: bool = False


_LOCK = threading.Lock()
_RUNS: dict[str, _Collector] = {}
_SESSION_IDS = itertools.count(1)
_host: _QuietHost | None = None


Build = Callable[[Any, _Collector], tuple[str, str, dict[str, Any]]]


def _emit(build: Build, flag: bool) -> Callable[[Any], None]:
    def action(closure: Any) -> None:  # one argument: durable-rules treats two as asynchronous
        collector = _RUNS[closure.s.sid]
        rule_id, app, details = build(closure, collector)
        collector.matches.append(Match.of(rule_id, app, **details))
        if flag:
            closure.assert_fact({"t": "flag", "app": app, "rule": rule_id, "n": len(collector.matches)})
    return action


def _open(closure: Any) -> None:
    """The first action of every session. deleteStateNode() frees the state's action context, which only an
    action initialises: deleting a session in which no action ever ran frees garbage (SIGSEGV or
    'free(): invalid pointer'). So every session starts with a fact whose action always runs."""
    _RUNS[closure.s.sid].opened = True


def _rule(kind: str) -> Any:
    return c.r << ((m.t == "rule") & (m.kind == kind))


def _patterns() -> list[tuple[Any, Build, bool]]:
    """(pattern, build(closure, collector) → (rule id, application, details), raises a flag fact?)."""
    stored = [
        (when_all((m.t == "cmp") & (m.l > m.r)),
         lambda x, col: (x.m.rule, x.m.app, col.details[x.m.ref])),
        (when_all(c.a << (m.t == "applied"),
                  c.g << ((m.t == "gap") & (m.app == c.a.app) & (m.measure == c.a.measure)
                          & (m.outcome != "eligible") & (m.l >= m.r))),
         lambda x, col: (x.g.rule, x.g.app, col.details[x.g.ref])),
        (when_all(c.k << (m.t == "clock"), c.w << ((m.t == "wait") & (m.due < c.k.today)),
                  c.v << ((m.t == "watch") & (m.rule == c.w.rule) & (m.status == c.w.status))),
         lambda x, col: (x.w.rule, x.w.app, col.details[x.w.ref])),
    ]
    joins = [
        (when_all(_rule("exclusive_measures"), c.x << (m.t == "applied"),
                  c.y << ((m.t == "applied") & (m.org == c.x.org) & (m.measure != c.x.measure)),
                  c.e << ((m.t == "excludes") & (m.a == c.x.measure) & (m.b == c.y.measure))),
         lambda x, col: (x.r.rid, x.x.app, {"measure": x.x.measure, "other_measure": x.y.measure,
                                             "other_application": x.y.app})),
        (when_all(_rule("duplicate_project"), c.x << (m.t == "project"),
                  c.y << ((m.t == "project") & (m.key == c.x.key) & (m.app != c.x.app))),
         lambda x, col: (x.r.rid, x.x.app, {"project": x.x.key, "other_application": x.y.app})),
        (when_all(_rule("same_code_other_name"), c.x << (m.t == "app"),
                  c.y << ((m.t == "app") & (m.org == c.x.org) & (m.name != c.x.name))),
         lambda x, col: (x.r.rid, x.x.app, {"name": x.x.name, "other_name": x.y.name,
                                             "other_application": x.y.app})),
        (when_all(_rule("shared_contact"), c.x << ((m.t == "contact") & (m.field == c.r.field)),
                  c.y << ((m.t == "contact") & (m.field == c.x.field) & (m.value == c.x.value)
                          & (m.org != c.x.org))),
         lambda x, col: (x.r.rid, x.x.app, {"field": x.x.field, "value": x.x.value,
                                             "other_application": x.y.app, "other_credit_code": x.y.org})),
        (when_all(_rule("register_hit"), c.x << ((m.t == "declared") & (m.answer != "yes")),
                  c.y << ((m.t == "listed") & (m.org == c.x.org) & (m.list == c.x.list))),
         lambda x, col: (x.r.rid, x.x.app, {"list": x.x.list, "reason": x.y.reason, "declared": x.x.answer})),
    ]
    final = [
        (when_all(_rule("fast_track"), c.g << (m.t == "settle"),
                  c.a << ((m.t == "app") & (m.materials == "yes") & (m.n_measures > 0)),
                  none((m.t == "result") & (m.app == c.a.app) & (m.outcome != "eligible")),
                  none((m.t == "result") & (m.app == c.a.app) & (m.missing > 0)),
                  none((m.t == "flag") & (m.app == c.a.app))),
         lambda x, col: (x.r.rid, x.a.app, {"measures": x.a.measures})),
    ]
    return [(p, b, True) for p, b in stored + joins] + [(p, b, False) for p, b in final]


def _ruleset_host() -> _QuietHost:
    global _host
    if _host is None:
        host = _QuietHost()
        opening = when_all(m.t == "open")
        opening(_open)
        definition = {"r_open": opening.define()}
        for i, (pattern, build, flag) in enumerate(_patterns()):
            pattern(_emit(build, flag))
            definition[f"r_{i}"] = pattern.define()
        host.register_rulesets({RULESET: definition})
        _host = host
    return _host


def _rule_facts(rules: Sequence[TriageRule]) -> list[dict[str, Any]]:
    facts: list[dict[str, Any]] = []
    for rule in rules:
        facts.append({"t": "rule", "kind": rule.kind, "rid": rule.id,
                      **({"field": rule.options["field"]} if rule.kind == "shared_contact" else {})})
        facts += [{"t": "watch", "rule": rule.id, "status": s} for s in rule.options.get("statuses", ())]
    return facts


def run(rules: Sequence[TriageRule], inputs: Inputs) -> list[Match]:
    """Evaluate `rules` (all in force on inputs.today) in a fresh session; return the sorted matches."""
    encoded = encode(list(rules), inputs)
    main = _rule_facts([r for r in rules if not KINDS[r.kind].final]) + encoded.unique()
    final = _rule_facts([r for r in rules if KINDS[r.kind].final]) + [{"t": "settle"}]
    with _LOCK:
        host = _ruleset_host()
        sid = f"run-{next(_SESSION_IDS)}"
        _RUNS[sid] = collector = _Collector(encoded.details)
        try:
            for fact in [{"t": "open"}, *main, *final]:
                _assert(host, {**fact, "sid": sid})
            failure = host.get_state(RULESET, sid).get("exception")
        finally:
            del _RUNS[sid]
            if collector.opened:  # never delete a session in which no action ran (see _open)
                host.delete_state(RULESET, sid)
    if not collector.opened:
        raise DurableRunError(f"session {sid} did not open; its state is kept rather than freed unsafely")
    if failure:
        raise DurableRunError(f"a triage action failed inside durable-rules: {failure}")
    return sorted(set(collector.matches))


def _assert(host: _QuietHost, fact: dict[str, Any]) -> None:
    try:
        host.assert_fact(RULESET, fact)
    except MessageNotHandledException:
        pass  # no pattern can use this fact (e.g. a declared 'yes'): expected, nothing to do
    except MessageObservedException:
        raise DurableRunError(f"the same fact was asserted twice (an encoder bug): {fact}") from None


# --- Trap probes: each runs in a fresh interpreter (a second ruleset with joins can crash the process). ---

def _probe_host(name: str, pattern: Any, sink: list[Any]) -> _QuietHost:
    host = _QuietHost()
    pattern(lambda closure: sink.append(1))
    host.register_rulesets({name: {"r_0": pattern.define()}})
    return host


def _probe_integer_division() -> dict[str, Any]:
    sink: list[Any] = []
    pattern = when_all(c.r << (m.t == "ratio"), c.x << ((m.t == "x") & (m.v > c.r.a / c.r.b)))
    host = _probe_host("p", pattern, sink)
    host.assert_fact("p", {"sid": "1", "t": "ratio", "a": 1, "b": 20})
    host.assert_fact("p", {"sid": "1", "t": "x", "v": 0.04})
    return {"test": "0.04 > 1/20", "exact": False, "durable": bool(sink)}


def _probe_overflow() -> dict[str, Any]:
    sink: list[Any] = []
    pattern = when_all(c.r << (m.t == "p"), c.x << ((m.t == "x") & (m.v > c.r.a * c.r.b)))
    host = _probe_host("p", pattern, sink)
    host.assert_fact("p", {"sid": "1", "t": "p", "a": 3037000500, "b": 3037000500})
    host.assert_fact("p", {"sid": "1", "t": "x", "v": 1})
    return {"test": "1 > 3037000500 * 3037000500", "exact": False, "durable": bool(sink)}


def _probe_big_numbers() -> dict[str, Any]:
    sink: list[Any] = []
    host = _probe_host("p", when_all((m.t == "x") & (m.l > m.r)), sink)
    try:
        host.assert_fact("p", {"sid": "1", "t": "x", "l": 2**63 + 1, "r": 2**63})
    except MessageNotHandledException:
        pass
    return {"test": "2**63 + 1 > 2**63", "exact": True, "durable": bool(sink)}


def _probe_sessions() -> dict[str, Any]:
    host = _probe_host("p", when_all(m.t == "x"), [])
    for n in range(1100):
        try:
            host.assert_fact("p", {"sid": f"s{n}", "t": "x"})
        except MemoryError:
            return {"failed_at_session": n + 1, "error": "MemoryError"}
    return {"failed_at_session": None}


def _probe_not_handled() -> dict[str, Any]:
    host = _probe_host("p", when_all(m.t == "x"), [])
    try:
        host.post("p", {"sid": "1", "t": "nothing"})
    except MessageNotHandledException as exc:
        return {"raised": type(exc).__name__}
    return {"raised": None}


def _probe_event_consumed() -> dict[str, Any]:
    sink: list[Any] = []
    pattern = when_all(c.k << (m.t == "clock"), c.w << ((m.t == "wait") & (m.due < c.k.now)))
    host = _probe_host("p", pattern, sink)
    host.assert_fact("p", {"sid": "1", "t": "wait", "app": "A", "due": 1})
    host.assert_fact("p", {"sid": "1", "t": "wait", "app": "B", "due": 2})
    host.post("p", {"sid": "1", "t": "clock", "now": 5})
    return {"stale_applications": 2, "matched_with_clock_event": len(sink)}


def _probe_or_drops_join() -> dict[str, Any]:
    sink: list[Any] = []
    pattern = when_all(c.k << (m.t == "clock"),
                       c.w << ((m.t == "wait") & ((m.s == "a") | (m.s == "b")) & (m.due < c.k.now)))
    host = _probe_host("p", pattern, sink)
    host.assert_fact("p", {"sid": "1", "t": "clock", "now": 5})
    host.assert_fact("p", {"sid": "1", "t": "wait", "s": "a", "due": 7})
    return {"test": "7 < 5 after an $or", "exact": False, "durable": bool(sink)}


def _probe_batch_leftover() -> dict[str, Any]:
    """durable.lang's global host: a batch with an unusable fact raises; the other's action runs later."""
    import time

    from durable import lang  # type: ignore[import-untyped]

    threads: list[str] = []
    pattern = when_all(m.t == "a")
    pattern(lambda closure: threads.append(threading.current_thread().name))
    lang.get_host().register_rulesets({"batch": {"r_0": pattern.define()}})
    raised = False
    try:
        lang.assert_facts("batch", [{"sid": "1", "t": "a"}, {"sid": "1", "t": "unused"}])
    except MessageNotHandledException:
        raised = True
    right_after = len(threads)
    time.sleep(1.5)
    return {"raised": raised, "actions_right_after": right_after, "actions_later": len(threads),
            "on_main_thread": threads == ["MainThread"]}


def _probe_action_exception() -> dict[str, Any]:
    host = _QuietHost()
    pattern = when_all(m.t == "x")

    def boom(closure: Any) -> None:
        raise ValueError("inside an action")

    pattern(boom)
    host.register_rulesets({"p": {"r_0": pattern.define()}})
    host.assert_fact("p", {"sid": "1", "t": "x"})
    return {"raised": False, "state_has_exception": "exception" in host.get_state("p", "1")}


def _probe_delete_without_action() -> dict[str, Any]:
    """Sessions holding a partly joined fact and never an action, deleted one after another.

    Whether the uninitialised pointers hold garbage depends on what malloc hands back, so the heap is
    dirtied first (blocks filled with 0x41 and freed) to make the outcome reproducible."""
    dirty = [bytearray(b"A" * size) for size in range(1024, 262144, 1024) for _ in range(4)]
    del dirty
    host = _probe_host("p", when_all(c.x << (m.t == "a"), c.y << ((m.t == "b") & (m.k == c.x.k))), [])
    for n in range(1, 101):
        host.assert_fact("p", {"sid": f"s{n}", "t": "a", "k": 1})
        host.delete_state("p", f"s{n}")
    return {"survived_deletes": 100}


def _probe_second_ruleset() -> dict[str, Any]:
    """Rulesets that each keep a partly joined fact; in our runs the process died (SIGSEGV) by the 10th."""
    hosts = []
    for n in range(1, 51):
        pattern = when_all(c.k << (m.t == "clock"), c.w << ((m.t == "wait") & (m.due < c.k.now)))
        hosts.append(_probe_host(f"r{n}", pattern, []))
        hosts[-1].assert_fact(f"r{n}", {"sid": "1", "t": "clock", "now": 5})
        hosts[-1].assert_fact(f"r{n}", {"sid": "1", "t": "wait", "due": 7})  # partly joined: stays stored
    return {"survived_rulesets": len(hosts)}


PROBES: dict[str, Callable[[], dict[str, Any]]] = {
    "integer_division": _probe_integer_division, "overflow": _probe_overflow,
    "big_numbers": _probe_big_numbers,
    "sessions": _probe_sessions, "not_handled": _probe_not_handled, "event_consumed": _probe_event_consumed,
    "or_drops_join": _probe_or_drops_join, "action_exception": _probe_action_exception,
    "batch_leftover": _probe_batch_leftover, "delete_without_action": _probe_delete_without_action,
    "second_ruleset": _probe_second_ruleset,
}

if __name__ == "__main__":  # python -m engine.triage.durable_adapter PROBE  → one JSON line
    print(json.dumps(PROBES[sys.argv[1]](), sort_keys=True))
