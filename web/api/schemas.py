"""This file defines the request and response bodies of the JSON API as pydantic models.

Requests reuse the engine's own profile models (`engine.profile.Profile`, the discriminated union of the
five applicant kinds), so the OpenAPI document describes exactly what `parse_profile` accepts. Responses
describe the JSON the API actually sends: `DecisionOut` is the shape of `engine.Decision.to_dict()` (the
canonical decision JSON, sent byte for byte as the engine produces it). Exact numbers in traces and gaps
(ratios, fractions) are canonical strings such as "0.05" or "5/96", so those values are typed as any JSON.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

from engine.profile import Profile

MIN_DATE, MAX_DATE = dt.date(1990, 1, 1), dt.date(2100, 12, 31)
JsonAny = Any
MeasureIds = list[str]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- requests -----------------------------------------------------------------------------------------

class EvaluateRequest(_In):
    """A profile to evaluate against the whole catalogue (or the measures named)."""

    profile: Profile = Field(description="The applicant profile; `kind` selects the applicant kind "
                                         "(default enterprise). Money in whole yuan.")
    as_of: dt.date | None = Field(None, description="Decision date, 1990-01-01…2100-12-31 (default: today).")
    measures: MeasureIds | None = Field(None, max_length=200,
                                        description="Restrict to these measure ids (default: every measure).")


class ContactsIn(_In):
    name: str = Field(min_length=1, max_length=100)
    phone: str = Field(min_length=1, max_length=40, description="13800001234 or 0763-3388123")
    email: str = Field(min_length=3, max_length=254)


class ChecklistItemOut(_Out):
    key: str = Field(description="send it as `materials[].item`")
    zh: str
    en: str


class CallMeasureOut(_Out):
    measure_id: str
    materials: list[ChecklistItemOut]


class CallOut(_Out):
    """A call (申报通知): its window (UTC) and, per measure, the checklist of materials an application carries."""

    id: int
    year: int
    title: str
    body: str
    opens_at: str
    closes_at: str
    withdrawn: bool
    measures: list[CallMeasureOut]


class MaterialIn(_In):
    """One file for a checklist item of the call: PDF, JPG or PNG (by content), at most 5 MB, base64-encoded."""

    item: str = Field(min_length=1, max_length=100,
                      description="the checklist item's key (an unknown key is refused, naming the call's keys)")
    filename: str = Field(min_length=1, max_length=255)
    content_base64: str = Field(min_length=1)


class ApplicationRequest(_In):
    """An application: the token's applicant applies with this profile; a decision is made and stored."""

    profile: Profile = Field(description="The applicant profile; it must identify the token's applicant.")
    as_of: dt.date | None = Field(None, description="Decision date, 1990-01-01…2100-12-31 (default: today).")
    measures: MeasureIds | None = Field(None, max_length=200,
                                        description="Measures applied for (default: every measure).")
    call_id: int | None = Field(None, ge=1, le=2**31 - 1,
                                description="The open call (申报通知) applied under; required for a measure a call covers.")
    contacts: ContactsIn | None = Field(None, description="联系人、电话（手机或带区号座机）、邮箱 / contact person, phone, e-mail.")
    materials: list[MaterialIn] | None = Field(
        None, max_length=50, description="申报材料 / the call's required materials: one file for every checklist item "
        "of the measures applied for under the call (else 409 materials missing).")


class TokenRequest(_In):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class ReplayRequest(_In):
    current: bool = Field(False, description="Also evaluate the stored inputs under today's rules.")
    as_of: dt.date | None = Field(None, description="Date for the `current` comparison (default: stored as_of).")


# -- decision (the engine's canonical JSON) ----------------------------------------------------------

class MessageOut(_Out):
    zh: str
    en: str


class ParamReadOut(_Out):
    name: str
    value: JsonAny
    effective_from: str
    source: str


class TraceNodeOut(_Out):
    id: str
    kind: str = Field(description="condition | all | any | not | jurisdiction | effective | …")
    result: Literal["true", "false", "unknown", "conditional"]
    text: MessageOut | None
    fails: MessageOut | None
    expr: str | None
    reads: dict[str, JsonAny]
    params: list[ParamReadOut]
    comparison: dict[str, JsonAny] | None
    missing: list[str]
    reason: str | None
    children: list[TraceNodeOut]
    prerequisites: list[str] = Field(default_factory=list, description="conditional: the measures it waits for "
                                                                       "(present only when not empty)")


class GapOut(_Out):
    condition: str
    target: str
    unit: str
    current: JsonAny
    required: JsonAny
    change: JsonAny
    both_grow: bool
    shortfall: JsonAny
    message: MessageOut


class AmountOut(_Out):
    kind: str = Field(description="exact | up_to | rate | unpublished | none | unknown")
    value: JsonAny = None
    note: MessageOut | None = None
    benefit: str | None = Field(None, description="cash | tax_rate | super_deduction | loan_compensation | "
                                                   "recognition | unpublished (present when known)")
    payee: str | None = Field(None, description="who is paid: applicant | bank | guarantor | third_party")
    basis: str | None = Field(None, description="entitlement | competitive | case_by_case | tax | status; only "
                                                "cash to the applicant as an entitlement is receivable")


Outcome = Literal["eligible", "ineligible", "undetermined", "not_applicable", "conditional"]


class MeasureVerdictOut(_Out):
    """One measure's result without its trace (the summary); `conditional` = eligible once recognised."""

    measure_id: str
    outcome: Outcome
    reason: str | None
    amount: AmountOut
    failing: list[str]
    missing: list[str]
    gaps: list[GapOut]
    prerequisites: list[str] = Field(default_factory=list, description="conditional: the status it waits for "
                                                                       "(present only when not empty)")


class MeasureResultOut(MeasureVerdictOut):
    """One measure's result with its full trace."""

    trace: TraceNodeOut | None


class FactTraceOut(_Out):
    id: str
    text: MessageOut
    expr: str
    value: JsonAny
    reads: dict[str, JsonAny]
    params: list[ParamReadOut]


class IssueOut(_Out):
    path: str
    code: str
    zh: str
    en: str
    severity: str


class StackingOut(_Out):
    chosen: list[str]
    total: int
    dropped: list[list[str]] = Field(description="[measure dropped, chosen measure it excludes]")
    conditional: list[str] = Field(default_factory=list, description="best combination once recognised "
                                                                     "(present only when not empty)")
    conditional_total: int = Field(0, description="认定后可申请的金额: never part of `total` (present only when not 0)")
    competitive: list[str] = Field(default_factory=list, description="eligible, 择优: a maximum if selected; "
                                                                      "never in `total`")
    case_by_case: list[str] = Field(default_factory=list, description="eligible, 一事一议; never in `total`")
    tax: list[str] = Field(default_factory=list, description="eligible tax treatments; never in `total`")
    paid_to_others: list[str] = Field(default_factory=list, description="eligible, paid to a bank, guarantor or "
                                                                        "third party; never in `total`")


class _DecisionHeader(_Out):
    engine_version: str
    ruleset_hash: str
    as_of: str
    profile_hash: str
    profile_kind: str
    warnings: list[IssueOut]
    stacking: StackingOut


class DecisionOut(_DecisionHeader):
    """A decision: per-measure outcomes with amounts, failing conditions, gaps and full traces."""

    results: list[MeasureResultOut]
    facts: list[FactTraceOut]


class EvaluationSummaryOut(_DecisionHeader):
    """A decision without traces: outcomes, amounts, failing and missing conditions, gaps (the default answer)."""

    results: list[MeasureVerdictOut]


class ReadingScoreOut(_Out):
    status: str
    changes: list[str]


class ReadingNextStepOut(_Out):
    body: str
    period: str
    url: str | None


class ReadingCardOut(_Out):
    """One measure in words (engine.reading): the verdict, what it pays, what fails, what to answer next."""

    measure_id: str
    title: str
    category: str
    category_label: str
    verdict: str
    pays: str
    money_class: str
    amount: str | None
    gap: str
    failing: list[str]
    questions: list[str]
    score: ReadingScoreOut | None
    next_step: ReadingNextStepOut


class ReadingPaysOut(_Out):
    title: str
    pays: str


class ReadingApartOut(_Out):
    what: str
    measures: list[ReadingPaysOut]


class ReadingHeadlineOut(_Out):
    receivable_now: str | None
    capped: bool
    counted: int
    apart: list[ReadingApartOut]
    conditional: list[ReadingPaysOut]
    conditional_total: str | None


class ReadingActionOut(_Out):
    text: str
    measure_id: str


class ReadingOut(_Out):
    """The result read in one language (`?lang=zh|en`): headline, key measures, next actions, one card per measure."""

    lang: str
    headline: ReadingHeadlineOut
    key: list[str]
    actions: list[ReadingActionOut]
    cards: list[ReadingCardOut]


class EvaluationReadingOut(EvaluationSummaryOut):
    """`?trace=reading`: the summary plus the reading of it in the request's language."""

    reading: ReadingOut


class EvaluateOut(RootModel[EvaluationSummaryOut | EvaluationReadingOut | DecisionOut]):
    """POST /evaluate: the summary, with `?trace=reading` also its reading, or with `?trace=full` the whole decision."""


# -- measures -----------------------------------------------------------------------------------------

class BenefitOut(_Out):
    kind: str
    text: MessageOut
    up_to: bool


class MeasureSummaryOut(_Out):
    id: str
    title: MessageOut
    issuer: str
    jurisdiction: list[str]
    applicant: list[str]
    status: str
    effective_from: str
    effective_until: str | None
    confidence: str | None
    source: dict[str, JsonAny]
    benefit: BenefitOut
    tags: list[str]


class MeasureListOut(_Out):
    ruleset_hash: str
    count: int
    measures: list[MeasureSummaryOut]


class CriterionOut(_Out):
    id: str
    kind: str = Field(description="condition | all | any | not")
    text: MessageOut | None
    expr: str | None
    children: list[CriterionOut]


class MeasureOut(MeasureSummaryOut):
    status_note: MessageOut | None
    also: list[dict[str, JsonAny]]
    excludes: list[str]
    depends_on: list[str]
    documents: list[MessageOut]
    criteria: CriterionOut


# -- tokens, applications, decisions ------------------------------------------------------------------

class TokenOut(_Out):
    access_token: str
    token_type: Literal["Bearer"]
    expires_in: int
    expires_at: dt.datetime
    scope: str = Field(description="the user's role: applicant | reviewer | auditor | admin")


class ApplicantOut(_Out):
    id: int
    kind: str
    name: str
    code: str


class DecisionSummaryOut(_Out):
    id: int
    as_of: dt.date
    ruleset_hash: str
    decision_hash: str
    chain_seq: int
    created_at: dt.datetime
    outcomes: dict[str, str]


class ApplicationOut(_Out):
    id: int
    status: str
    measures: list[str]
    submitted_at: dt.datetime
    decided_at: dt.datetime | None
    closed_at: dt.datetime | None
    applicant: ApplicantOut
    decisions: list[DecisionSummaryOut]


class StoredDecisionOut(_Out):
    id: int
    application_id: int
    applicant: ApplicantOut
    as_of: dt.date
    checked_on: dt.date
    engine_version: str
    ruleset_hash: str
    profile_hash: str
    decision_hash: str
    chain_seq: int
    prev_hash: str
    hash: str
    created_at: dt.datetime
    profile: dict[str, JsonAny] = Field(description="the applicant's profile input as stored")
    decision: DecisionOut


class DifferenceOut(_Out):
    path: str = Field(description="JSON pointer")
    where: str
    old: JsonAny
    new: JsonAny
    old_absent: bool
    new_absent: bool


class MeasureChangeOut(_Out):
    measure_id: str
    status: Literal["unchanged", "changed", "added", "removed"]
    outcome: list[str | None]
    failing_added: list[str]
    failing_removed: list[str]
    missing_added: list[str]
    missing_removed: list[str]
    explanation: list[str]


class CurrentComparisonOut(_Out):
    stored_ruleset_hash: str
    current_ruleset_hash: str
    rules_changed: bool
    as_of: str
    changes: list[MeasureChangeOut]


class ReplayOut(_Out):
    decision_id: int
    identical: bool
    stored_hash: str
    recomputed_hash: str
    differences: list[DifferenceOut]
    current: CurrentComparisonOut | None = None


# -- problems -----------------------------------------------------------------------------------------

class FieldErrorOut(_Out):
    path: str = Field(description="dotted field path with [i] list indices, e.g. profile.finance[0].sales")
    code: str
    message_zh: str
    message_en: str


class ProblemOut(BaseModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldErrorOut] | None = None
