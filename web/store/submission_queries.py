"""This file defines a submission under a call: the application, its decision, contacts and materials at once.

`submit_to_call` is one chained transaction: the applicant, the application (linked to its call, with
its validated contacts), the decision, the uploaded files' rows, and a ledger entry `submission` that
holds the call, the measures, the decision's hash and every file's sha256 — so the chain proves which
files were submitted. `resubmit` attaches corrected files after a request for information, with a
`resubmission` ledger entry. Callers check the call is open first (call_queries.require_open). A submission and
an answer store a "to triage" mark in their own transaction (web.store.triage_due); the caller wakes the drainer
after the commit (web.bureau.triage_now.triage_after_commit).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from engine.decision import Decision as EngineDecision
from engine.model import RuleSet
from web.store import material_queries, queries, triage_due
from web.store.contacts import Contacts
from web.store.material_queries import StagedFile
from web.store.models import Application, Decision, LedgerEntry, ReviewAction


def submission_body(application: Application, decision: Decision | None, files: list[StagedFile]) -> dict[str, Any]:
    return {"application_id": application.id, "call_id": application.call_id,
            "measures": sorted(application.measures or ()),
            "decision_id": decision.id if decision else None, "decision_hash": decision.decision_hash if decision else None,
            "materials": [f.as_dict() for f in sorted(files, key=lambda f: (f.item, f.sha256))]}


def submit_to_call(session: Session, *, call_id: int, profile: Any, profile_data: Any, ruleset: RuleSet,
                   decision: EngineDecision, checked_on: dt.date, measures: list[str], contacts: Contacts | None,
                   files: list[StagedFile], user_id: int | None, priority: int = 0,
                   within: Callable[[Session, Application], Any] | None = None) -> Decision:
    """Store the submission (see the module docstring); returns the decision row. `within` is called last inside
    the same transaction (the site stores the receipt notice and its e-mail there: acknowledged means told)."""

    items = [i["key"] for i in material_queries.checklist(session, call_id, sorted(measures))]  # read before the lock

    def extra(s: Session, head: Any, application: Application, row: Decision) -> None:
        attached = material_queries.attach(s, application.id, files, user_id, supersede=False)  # a new application
        application.call_id = call_id  # set after the files' flush: one UPDATE of the application with the ledger's
        if contacts is not None:
            application.contact_name, application.contact_phone = contacts.name, contacts.phone
            application.contact_email = contacts.email
        application.materials_complete = material_queries.complete(items, attached)
        queries.append_ledger(s, head, "submission", submission_body(application, row, files), call_id=call_id,
                              application_id=application.id, user_id=user_id)
        triage_due.mark(s, application.id)  # triaged after the commit, off the request (web.store.triage_due)
        if within is not None:
            within(s, application)

    return queries.submit_and_decide(session, profile=profile, profile_data=profile_data, ruleset=ruleset,
                                     decision=decision, checked_on=checked_on, measures=measures, priority=priority,
                                     extra=extra)


def _attach_resubmission(session: Session, head: Any, application: Application, files: list[StagedFile],
                         user_id: int | None) -> LedgerEntry:
    material_queries.attach(session, application.id, files, user_id)
    material_queries.refresh_complete(session, application)
    latest = application.decisions[-1] if application.decisions else None
    return queries.append_ledger(session, head, "resubmission", submission_body(application, latest, files),
                                 call_id=application.call_id, application_id=application.id, user_id=user_id)


def resubmit(session: Session, application_id: int, files: list[StagedFile], user_id: int | None) -> LedgerEntry:
    """Attach corrected files to an application (superseding the files that needed correction), chained."""
    with queries.chain_transaction(session) as head:
        application = session.get(Application, application_id, populate_existing=True)
        if application is None:
            raise queries.NotFound("no-application", f"申请 #{application_id} 不存在",
                                   f"application #{application_id} not found")
        entry = _attach_resubmission(session, head, application, files, user_id)
    return entry


def answer(session: Session, application_id: int, *, files: list[StagedFile], user_id: int, reason: str,
           decision_id: int | None) -> ReviewAction:
    """The applicant's answer to a request for information: corrected files and the move back into review, in
    one locked transaction (the move is checked there: a second, concurrent answer is refused, nothing kept).

    Raises:
        engine.lifecycle.LifecycleError: the application no longer waits for an answer.
    """
    def extra(s: Session, head: Any, application: Application) -> None:
        if files:
            _attach_resubmission(s, head, application, files, user_id)
        triage_due.mark(s, application.id)

    return queries.record_review(session, application_id=application_id, user_id=user_id, action="reopen",
                                 reason=reason, decision_id=decision_id, extra=extra)
