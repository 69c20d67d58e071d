"""This file finds the record lists worth asking once: certificates held, loans, projects.

An empty list is an answer ("holds no 高企 certificate"); a list the answers have not given yet is unknown to
the engine. It is asked once (one question, kind "records") when the answers lack it and an undetermined
measure reads it — directly, through a fact, or through another measure's outcome that reads it. A measure
already decided without the list is not a reason to ask it: under Kleene logic no answer to an unknown can
change a decided outcome (an `all` already false stays false), so such a list question would be over-asking.
"""

from __future__ import annotations

import typing
from typing import Any

from engine.decision import Decision, Outcome
from engine.errors import Message
from engine.interview.value import trace_reads
from engine.names import KIND_MODELS
from engine.profile.fields import unwrap

LISTS = ("certificates", "loans", "projects")
LIST_LABELS = {
    "certificates": Message("已获得的资质、认定或证书（如高新技术企业证书、科技型中小企业入库登记编号）",
                            "statuses, recognitions or certificates held (e.g. an HNTE certificate, "
                            "a tech-SME registration number)"),
    "loans": Message("银行贷款（合作银行、信用贷款、知识产权质押等）", "bank loans (cooperating banks, credit "
                     "loans, IP-pledge loans and the like)"),
    "projects": Message("申报或牵头承担的项目", "projects applied for or led"),
}
LIST_HELP = Message("已持有的资质、已有的贷款和项目会改变可申请的措施（例如清远市高企首次认定奖励只给从未取得过高企证书的企业）；"
                    "都没有的，回答“没有”。",
                    "What is already held changes which measures apply (e.g. Qingyuan's first-recognition HNTE "
                    "award is only for firms that never held an HNTE certificate); if there are none, answer “none”.")


def _closure(names: set[str], facts: dict[str, set[str]]) -> set[str]:
    """Names read, with every fact opened into what it reads (facts may read facts)."""
    out, todo = set(names), list(names)
    while todo:
        for inner in facts.get(todo.pop(), set()) - out:
            out.add(inner)
            todo.append(inner)
    return out


def list_readers(data: dict[str, Any], decision: Decision, order: tuple[str, ...]) -> dict[str, list[str]]:
    """list name → the measures (RuleSet order) whose outcome it can change, for lists not yet answered."""
    kind = str(data.get("kind", "enterprise"))
    wanted = [name for name in LISTS if name not in data and name in KIND_MODELS[kind].model_fields]
    if not wanted:
        return {}
    facts = {f.id: set(f.reads) for f in decision.facts}
    results = {r.measure_id: r for r in decision.results}
    reads = {m: _closure(trace_reads(r.trace), facts) for m, r in results.items()
             if r.trace is not None and r.outcome is Outcome.UNDETERMINED}
    out: dict[str, list[str]] = {}
    for name in wanted:
        readers: list[str] = []
        for measure_id in order:  # dependency order: a measure's prerequisites come before it
            names = reads.get(measure_id)
            if names is not None and (name in names or any(f"eligible({m})" in names for m in readers)):
                readers.append(measure_id)
        if readers:
            out[name] = readers
    return out


def list_choices(kind: str, name: str) -> tuple[str, ...]:
    """The record types a list holds (certificate types, loan types), for a "which do you hold" picker."""
    item, _ = unwrap(KIND_MODELS[kind].model_fields[name].annotation)
    field = getattr(item, "model_fields", {}).get("type")
    if field is None:
        return ()
    inner, _ = unwrap(field.annotation)
    return tuple(str(v) for v in typing.get_args(inner))
