"""This file defines telling an applicant what happened to an application: a notice in the inbox of each of the
applicant's accounts, in that account's language, and an e-mail to the application's contact address (in
the language of the applicant's first account, else Chinese). Called by the pages: the receipt (inside the
submission's transaction; with the link to the 受理回执 PDF, and the PDF attached to the e-mail), and after their
commit a request for information, the decision, the allocation with its 公示, the final allocation and a payment;
and, for the applicant rather than one application, a change of its payee account (`notify_payee_changed`).

The notice rows, with their e-mails due, are committed together (the receipt's inside the submission's own
transaction); the e-mails then leave through the outbox (web.notices.outbox), after the commit and off the
request's thread, and their outcome is stored on the rows (a mail server that is down or slow never loses a
notice, never fails or holds up the page).
"""

from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context, url_for

from web.notices import outbox
from web.notices.mailer import SmtpSettings
from web.store import notice_queries

TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    "receipt": {"zh": ("已受理：申请 #{id}", "{name}：您的申请 #{id}（{call}）已于 {when}（北京时间）受理。\n"
                                                 "受理回执（PDF）：{receipt}\n查看申请：{link}"),
                "en": ("Received: application #{id}", "{name}: your application #{id} ({call}) was received on "
                                                          "{when} (Beijing time).\nReceipt (PDF): {receipt}\n"
                                                          "Your application: {link}")},
    "info_requested": {"zh": ("请补充材料：申请 #{id}", "{name}：审核人员要求补充材料或说明：\n{reason}\n请登录后答复：{link}"),
                       "en": ("Information requested: application #{id}", "{name}: the reviewer asks for more "
                                                                         "information:\n{reason}\nAnswer here: {link}")},
    "decision": {"zh": ("审核结果：申请 #{id}", "{name}：您的申请 #{id} 审核结果：{outcome}。\n理由：{reason}\n{link}"),
                 "en": ("Decision: application #{id}", "{name}: the decision on your application #{id}: {outcome}.\n"
                                                        "Reason: {reason}\n{link}")},
    "allocation": {"zh": ("资金分配与公示：申请 #{id}", "{name}：申报通知“{call}”的资金分配已确认，公示至 {until}（北京时间）。\n"
                                                     "{lines}\n公示期内如有异议请向 {body} 反映。\n{link}"),
                   "en": ("Allocation under public notice: application #{id}", "{name}: the allocation of the call "
                          "'{call}' is confirmed and under public notice until {until} (Beijing time).\n{lines}\n"
                          "Objections to {body} within the notice period.\n{link}")},
    "publicity": {"zh": ("分配定稿：申请 #{id}", "{name}：公示结束，申报通知“{call}”的资金分配已定稿。\n{lines}\n{link}"),
                  "en": ("Allocation final: application #{id}", "{name}: the public notice is over; the allocation of "
                         "the call '{call}' is final.\n{lines}\n{link}")},
    "call_opened": {"zh": ("可以申报了：{call}", "{name}：您最近一次判断中符合条件或待定的措施（{measures}）现已开放申报："
                                              "“{call}”，截止 {closes}（北京时间）。\n立即申请：{apply}"),
                    "en": ("Now open: {call}", "{name}: measures your latest check found eligible or undetermined "
                           "({measures}) are open for applications under '{call}' until {closes} (Beijing time).\n"
                           "Apply: {apply}")},
    "payment": {"zh": ("已拨付：申请 #{id}", "{name}：{measure} 已拨付 {amount}（凭证号 {voucher}，{on}）。\n{link}"),
                "en": ("Paid: application #{id}", "{name}: {amount} paid for {measure} (voucher {voucher}, {on}).\n{link}")},
    "payee": {"zh": ("收款账户已变更", "{name}：贵单位登记的收款账户已于 {when}（北京时间）变更。\n原账户：{before}\n"
                                     "新账户：{after}\n如非贵单位本人操作，请立即修改密码并联系受理部门。\n查看收款账户：{link}"),
              "en": ("Your payee account was changed", "{name}: the payee account registered for you was changed on "
                     "{when} (Beijing time).\nBefore: {before}\nNow: {after}\nIf you did not make this change, "
                     "change your password and contact the accepting body at once.\nYour payee account: {link}")},
}


def _link(endpoint: str, **values: Any) -> str:
    if has_request_context():
        try:
            return url_for(endpoint, _external=True, **values)
        except Exception:  # noqa: BLE001 — a link is a convenience; the notice stands without it
            return ""
    return ""


def notify(session: Any, application_id: int, kind: str, params: dict[str, Any] | None = None,
           by_lang: dict[str, dict[str, Any]] | None = None, *, commit: bool = True) -> list[int]:
    """Tell the applicant (see the module docstring); returns the notice ids. `by_lang` holds the parameters
    whose words differ by language (an outcome, a measure's title, the allocation lines). `commit` False: the rows
    are only flushed, inside the caller's transaction, and the caller calls `mail_after_commit()`."""
    application, users = notice_queries.recipients(session, application_id)
    if application is None:
        return []
    base = {"id": application.id, "name": application.applicant.name,
            "link": _link("applications.detail", application_id=application.id),
            "receipt": _link("notify.receipt_file", application_id=application.id), **(params or {})}

    def text(lang: str) -> tuple[str, str]:
        subject, body = TEXTS[kind][lang]
        values = {**base, **((by_lang or {}).get(lang) or {})}
        return subject.format(**values), body.format(**values)

    email = application.contact_email or (users[0].email if users else None)
    return _deliver(session, kind, text, users, application.applicant_id, application.id, [email] if email else [],
                    commit=commit)


def _lang(user: Any) -> str:
    return user.lang if user.lang in ("zh", "en") else "zh"


def _deliver(session: Any, kind: str, text: Any, users: list[Any], applicant_id: int, application_id: int | None,
             emails: list[str], *, commit: bool = True) -> list[int]:
    """The one way a notice goes out: a row in each account's inbox in that account's language, a row per e-mail
    address in the language of the applicant's first account with its e-mail due, committed together (unless
    `commit` is False); then the outbox is woken. Returns the notice ids."""
    rows = [notice_queries.add_notice(session, kind=kind, lang=_lang(user), subject=subject, body=body,
                                      applicant_id=applicant_id, user_id=user.id, application_id=application_id,
                                      email_to=None, flush=False)
            for user in users for subject, body in (text(_lang(user)),)]
    mail_lang = _lang(users[0]) if users else "zh"
    subject, body = text(mail_lang)
    due, why_not = outbox.initial()
    mails = [notice_queries.add_notice(session, kind=kind, lang=mail_lang, subject=subject, body=body,
                                       applicant_id=applicant_id, user_id=None, application_id=application_id,
                                       email_to=address, email_due_at=due, email_error=why_not, flush=False)
             for address in dict.fromkeys(emails)]
    session.flush()  # one round for every row
    if commit:
        session.commit()
        if mails:
            mail_after_commit()
    return [r.id for r in (*rows, *mails)]


def mail_after_commit() -> None:
    """The notices just committed have e-mails due: wake this process's sender thread (under the test client, or
    with MAIL_OUTBOX = "inline", send them now on this thread). Nothing to do without a mail server."""
    if SmtpSettings.from_env() is None:
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # werkzeug's proxy
    if (app.config.get("MAIL_OUTBOX") or ("inline" if app.testing else "thread")) == "inline":
        drain_outbox()
    else:
        outbox.sender(app, drain_outbox).kick()


def start_sender(app: Any) -> None:
    """Start the app's sender thread in this process (a `subsidy serve` worker at boot: e-mails left due by a
    restart go out)."""
    if SmtpSettings.from_env() is not None:
        outbox.sender(app, drain_outbox).kick()


def drain_outbox() -> int:
    """Send the e-mails due now (web.notices.outbox.drain) with the app's session; returns how many went."""
    from web.db_session import db
    from web.extensions import current_ruleset

    return outbox.drain(db(), attachments_for(current_ruleset()))


def attachments_for(ruleset: Any) -> outbox.Attach:
    """What a notice's e-mail carries: the receipt's, the 受理回执 PDF (for the applicant: nothing masked; measure
    titles from `ruleset`; drawn now, or the copy already drawn for the same figures); other notices nothing."""
    from web.notices import receipt_pdf

    def attachments(session: Any, notice: Any) -> tuple[tuple[str, bytes, str], ...]:
        if notice.kind != "receipt" or notice.application_id is None:
            return ()
        application, _users = notice_queries.recipients(session, notice.application_id)
        if application is None:
            return ()
        data = receipt_pdf.receipt_of(session, application, notice.lang, "applicant", ruleset)
        return ((f"receipt-{data.number}.pdf", receipt_pdf.pdf(data, notice.lang), "application/pdf"),)

    return attachments


def _title(measure_id: str, lang: str) -> str:
    from web.extensions import current_ruleset

    try:
        measure = current_ruleset().measures.get(measure_id)
    except Exception:  # noqa: BLE001 — outside an app context the id is the name
        measure = None
    return measure.title.get(lang) if measure is not None else measure_id


def notify_allocation(session: Any, call_id: int, kind: str) -> int:
    """Tell every applicant of a call its lines: amount and the true reason (allocation confirmed, or final)."""
    from web.bureau.present import local_time, wan
    from web.store import allocation_queries, call_queries
    from web.store.allocation import REASON_LABELS

    call = call_queries.get_call(session, call_id)
    if call is None:
        return 0
    by_app: dict[int, list[Any]] = {}
    for line in allocation_queries.allocation_lines(session, call_id):
        by_app.setdefault(line.application_id, []).append(line)
    for application_id, lines in by_app.items():
        by_lang = {lang: {"lines": "\n".join(
            f"- {_title(x.measure_id, lang)}：{wan(x.granted, lang)}（{REASON_LABELS[x.reason].get(lang)}"
            + (f"，{'排名第' if lang == 'zh' else 'rank '}{x.rank}{'位' if lang == 'zh' else ''}" if x.reason in ("budget", "cap") else "")
            + "）" for x in lines)} for lang in ("zh", "en")}
        notify(session, application_id, kind, {"call": call.title, "body": call.body,
                                               "until": local_time(call.publicity_until)}, by_lang)
    return len(by_app)


def notify_payment(session: Any, payment: Any) -> None:
    from web.bureau.present import wan

    line = payment.allocation
    notify(session, line.application_id, "payment", {"voucher": payment.voucher_no, "on": payment.paid_on.isoformat()},
           {lang: {"measure": _title(line.measure_id, lang), "amount": wan(payment.amount, lang)} for lang in ("zh", "en")})


def notify_review(session: Any, application_id: int, action: str, reason: str) -> None:
    """After a reviewer's act: a request for information or a decision (approve / reject) is told."""
    if action == "request_info":
        notify(session, application_id, "info_requested", {"reason": reason})
    elif action in ("approve", "reject"):
        words = {"approve": ("通过", "approved"), "reject": ("不通过", "not approved")}[action]
        notify(session, application_id, "decision", {"reason": reason},
               {"zh": {"outcome": words[0]}, "en": {"outcome": words[1]}})


def notify_call_opened(session: Any, call: Any) -> int:
    """Tell each registered applicant whose latest decision found a measure of the new call eligible or undetermined,
    with the link to apply (inbox, in the account's language, and e-mail to the account's address)."""
    from web.bureau.present import local_time

    measures = [m.measure_id for m in call.measures]
    told = 0
    due, why_not = outbox.initial()
    for applicant_id, found in notice_queries.applicants_to_tell(session, measures).items():
        for user in notice_queries.accounts_of(session, applicant_id):
            lang = _lang(user)
            values = {"name": user.applicant.name if user.applicant else user.username, "call": call.title,
                      "closes": local_time(call.closes_at), "measures": ", ".join(_title(m, lang) for m in found),
                      "apply": _link("applications.new", call=call.id, measure=found[0])}
            subject, body = (t.format(**values) for t in TEXTS["call_opened"][lang])
            notice_queries.add_notice(session, kind="call_opened", lang=lang, subject=subject, body=body,
                                      applicant_id=applicant_id, user_id=user.id, application_id=None,
                                      email_to=user.email, email_due_at=due, email_error=why_not)
            told += 1
    session.commit()
    if told:
        mail_after_commit()
    return told


def _account_words(record: dict[str, Any] | None, lang: str) -> str:
    """A payee account as a notice names it (web.store.chain.payee_record: the number already masked)."""
    if record is None:
        return "（无）" if lang == "zh" else "(none)"
    return f"{record['name']} · {record['bank']} · {record['account']}"


def notify_payee_changed(session: Any, change: Any) -> list[int]:
    """Tell the applicant its payee account was set or changed (web.store.account_queries.PayeeChange): the masked
    account before and after and the time (Beijing), in the inbox of each of its accounts (in that account's
    language) and by e-mail to each account's address and the latest application's contact address (in the
    language of the applicant's first account) — a second channel, should the login itself be in the wrong hands."""
    from web.bureau.present import local_time

    users = notice_queries.accounts_of(session, change.applicant.id)
    link = _link("applications.payee")

    def text(lang: str) -> tuple[str, str]:
        subject, body = TEXTS["payee"][lang]
        values = {"name": change.applicant.name, "when": local_time(change.at), "link": link,
                  "before": _account_words(change.before, lang), "after": _account_words(change.after, lang)}
        return subject.format(**values), body.format(**values)

    addresses = [a for a in (*(u.email for u in users), notice_queries.contact_email(session, change.applicant.id))
                 if a]
    return _deliver(session, "payee", text, users, change.applicant.id, None, addresses)
