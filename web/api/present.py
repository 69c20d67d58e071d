"""This file turns engine objects and store rows into the API's response models (web.api.schemas).

Everything that carries an applicant's personal data (the stored profile, the decision with its traces) is
masked for the caller's role by web.masking, the one masking of pages, exports and the API."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from engine.canonical import plain
from engine.errors import Message
from engine.model import Condition, Measure, RuleSet
from web.api.schemas import (
    ApplicantOut,
    ApplicationOut,
    CallMeasureOut,
    CallOut,
    ChecklistItemOut,
    CriterionOut,
    DecisionSummaryOut,
    MeasureListOut,
    MeasureOut,
    MeasureSummaryOut,
    StoredDecisionOut,
)
from web.masking import mask_document

if TYPE_CHECKING:  # rows come from the query modules; the models are named for type hints only
    from web.store.models import Applicant, Application, Call, Decision


def utc(value: dt.datetime | None) -> dt.datetime | None:
    """Stored times are naive UTC; the API says so (RFC 3339 with Z)."""
    return None if value is None else value.replace(tzinfo=dt.UTC)


def _msg(message: Message | None) -> dict[str, str] | None:
    return None if message is None else {"zh": message.zh, "en": message.en}


def _summary_fields(measure: Measure) -> dict[str, Any]:
    confidence = measure.source.get("confidence")
    return {
        "id": measure.id, "title": _msg(measure.title), "issuer": measure.issuer,
        "jurisdiction": list(measure.jurisdiction), "applicant": list(measure.applicant), "status": measure.status,
        "effective_from": measure.effective_from.isoformat(),
        "effective_until": measure.effective_until.isoformat() if measure.effective_until else None,
        "confidence": None if confidence is None else str(confidence), "source": plain(dict(measure.source)),
        "benefit": {"kind": measure.benefit.kind, "text": _msg(measure.benefit.text), "up_to": measure.benefit.up_to},
        "tags": list(measure.tags),
    }


def _criterion(node: Any) -> dict[str, Any]:
    if isinstance(node, Condition):
        return {"id": node.id, "kind": "condition", "text": _msg(node.text), "expr": node.source_text,
                "children": []}
    return {"id": node.id, "kind": node.op, "text": _msg(node.text), "expr": None,
            "children": [_criterion(child) for child in node.children]}


_SUMMARIES: dict[str, tuple[MeasureSummaryOut, ...]] = {}


def _all_summaries(ruleset: RuleSet) -> tuple[MeasureSummaryOut, ...]:
    found = _SUMMARIES.get(ruleset.hash)
    if found is None:
        found = _SUMMARIES[ruleset.hash] = tuple(MeasureSummaryOut.model_validate(_summary_fields(ruleset.measures[mid]))
                                                 for mid in sorted(ruleset.measures))
    return found


def measure_list(ruleset: RuleSet, applicant_kind: str | None = None) -> MeasureListOut:
    items = [m for m in _all_summaries(ruleset) if applicant_kind is None or applicant_kind in m.applicant]
    return MeasureListOut(ruleset_hash=ruleset.hash, count=len(items), measures=items)


def measure_detail(measure: Measure) -> MeasureOut:
    return MeasureOut.model_validate({
        **_summary_fields(measure), "status_note": _msg(measure.status_note),
        "also": [plain(dict(a)) for a in measure.also], "excludes": list(measure.excludes),
        "depends_on": list(measure.depends_on), "documents": [_msg(d) for d in measure.documents],
        "criteria": CriterionOut.model_validate(_criterion(measure.criteria))})


def applicant_out(applicant: Applicant) -> ApplicantOut:
    return ApplicantOut(id=applicant.id, kind=applicant.kind, name=applicant.name, code=applicant.display_code)


def decision_summary(row: Decision) -> DecisionSummaryOut:
    return DecisionSummaryOut(id=row.id, as_of=row.as_of, ruleset_hash=row.ruleset_hash,
                              decision_hash=row.decision_hash, chain_seq=row.chain_seq,
                              created_at=utc(row.created_at), outcomes=json.loads(row.outcomes_json))


def application_out(application: Application, role: str | None = None) -> ApplicationOut:
    """An application as `role` may see it (role None: the strictest masking)."""
    out = ApplicationOut(id=application.id, status=application.status, measures=list(application.measures or []),
                          submitted_at=utc(application.submitted_at), decided_at=utc(application.decided_at),
                          closed_at=utc(application.closed_at), applicant=applicant_out(application.applicant),
                          decisions=[decision_summary(d) for d in application.decisions])
    return ApplicationOut.model_validate(mask_document(out.model_dump(mode="json"), role))


def stored_decision_out(row: Decision, role: str | None = None) -> StoredDecisionOut:
    """A stored decision as `role` may see it (role None: the strictest masking)."""
    return StoredDecisionOut.model_validate(mask_document({
        "id": row.id, "application_id": row.application_id,
        "applicant": applicant_out(row.application.applicant).model_dump(mode="json"),
        "as_of": row.as_of, "checked_on": row.checked_on, "engine_version": row.engine_version,
        "ruleset_hash": row.ruleset_hash, "profile_hash": row.profile_hash, "decision_hash": row.decision_hash,
        "chain_seq": row.chain_seq, "prev_hash": row.prev_hash, "hash": row.hash, "created_at": utc(row.created_at),
        "profile": json.loads(row.profile_json), "decision": json.loads(row.decision_json)}, role))


def _utc(moment: dt.datetime) -> str:
    return moment.replace(microsecond=0).isoformat() + "Z"


def call_out(call: Call) -> CallOut:
    """A call with its window and, per measure, the materials checklist (keys for `materials[].item`)."""
    return CallOut(id=call.id, year=call.year, title=call.title, body=call.body, opens_at=_utc(call.opens_at),
                   closes_at=_utc(call.closes_at), withdrawn=call.withdrawn_at is not None,
                   measures=[CallMeasureOut(measure_id=m.measure_id, materials=[
                       ChecklistItemOut(key=i["key"], zh=i["zh"], en=i["en"]) for i in m.materials])
                       for m in call.measures])
