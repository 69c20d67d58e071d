"""This file defines the audit hash chain: what is hashed for each record, how a chain is verified, and what the
verification can and cannot detect.

Pure logic, no session: web.store.queries does the locking and the statements (it is the only module
that touches the database) and hands rows to these functions.

Each decision, review action, ledger entry (a call opened, a submission with its materials' sha256, an
allocation with its lines, the 公示 list with its names, a payment) and status change takes the next position
(`seq`) of one chain. Its hash is the SHA-256 of the canonical JSON of {kind, seq, prev_hash, record}, where
`record` is every stored content column of the row, exactly as stored (text, ISO dates, microsecond timestamps).

What `subsidy audit verify` detects (the first problem is named by its chain position):

* a changed byte of any chained record, a deleted record or link, records swapped or re-ordered;
* a mutable row that disagrees with the chained record it came from (`ledger_mismatches`): a payment's amount,
  date or voucher, an allocation line's amount, rank or reason, the name frozen for the 公示, a material's
  sha256, item or size; an applicant's payee account (name, bank, the number's HMAC under the ledger key) that is
  not the one its last chained `payee_account` entry registered, or an account that was never chained
  (`payee_mismatches`; without the key that made the digests, one `ledger-key` problem says so);
* an application whose current status is not the last chained status, or whose chained history is not a legal
  path of the statechart (engine.lifecycle) — the first illegal step is named (`status_problems`);
* a cut-off tail, when the cut is larger than the rewritten head row can hide: *only* against a head hash
  published elsewhere (`subsidy audit head`, the 公示 page) — `verify --head HASH` requires that hash to be a
  link of the chain.

What it cannot detect: someone with write access who rewrites a record *and* every later hash, the head row
included, is only caught by comparing with a head published before (keep `subsidy audit head` outputs, e.g.
in the 公示 notice or a dated e-mail); changes to data that is not chained (drafts, triage flags, login
events, contacts, a material's review status); and anything before the first record it is shown.

Example (a two-link chain)::

    seq 1  prev 000…0     hash h1 = H(decision, 1, 000…0, record₁)
    seq 2  prev h1        hash h2 = H(review,   2, h1,     record₂)    chain_head: seq 2, hash h2
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from engine import lifecycle
from engine.canonical import sha256_of
from web.masking import mask_account, mask_account_tail
from web.store.models import GENESIS_HASH, Decision, LedgerEntry, ReviewAction, StatusChange

PROBLEM_LABELS = {
    "missing-link": "链接缺失 / missing link",
    "prev-mismatch": "前序哈希不符 / predecessor hash mismatch",
    "missing-record": "记录被删除 / record deleted",
    "record-altered": "记录内容被修改 / record content altered",
    "record-link-mismatch": "记录与链接不一致 / record and link disagree",
    "tail-cut": "链尾被截断 / chain tail removed",
    "head-mismatch": "链头不符 / chain head mismatch",
    "unchained-record": "记录不在链上 / record not on the chain",
    "head-unknown": "公布的链头不在链上 / the published head is not on the chain",
    "ledger-mismatch": "数据与链上记录不符 / a row disagrees with its chained record",
    "status-altered": "申请状态与链上记录不符 / status differs from the chained status",
    "status-illegal": "状态变化不符合流程 / illegal status change",
    "status-unchained": "申请状态不在链上 / status not on the chain",
    "status-log": "状态日志被改动 / the status log was altered",
    "ledger-key": "账本密钥缺失或不是记账时的密钥 / the ledger key is missing or not the one the entries were made with",
}


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def decision_content(row: Decision) -> dict[str, Any]:
    """The hashed content of a decision row (everything but its id and chain columns)."""
    return {
        "application_id": row.application_id, "profile_json": row.profile_json,
        "profile_hash": row.profile_hash, "ruleset_hash": row.ruleset_hash, "as_of": _iso(row.as_of),
        "checked_on": _iso(row.checked_on), "engine_version": row.engine_version,
        "decision_json": row.decision_json, "decision_hash": row.decision_hash,
        "outcomes_json": row.outcomes_json, "warnings_json": row.warnings_json, "created_at": _iso(row.created_at),
    }


def review_content(row: ReviewAction) -> dict[str, Any]:
    """The hashed content of a review action row."""
    return {
        "application_id": row.application_id, "decision_id": row.decision_id, "user_id": row.user_id,
        "action": row.action, "reason": row.reason, "created_at": _iso(row.created_at),
    }


def ledger_content(row: LedgerEntry) -> dict[str, Any]:
    """The hashed content of a ledger entry (a call opened, a submission's materials, an allocation, a payment)."""
    return {
        "kind": row.kind, "call_id": row.call_id, "application_id": row.application_id, "user_id": row.user_id,
        "body": row.body, "created_at": _iso(row.created_at),
    }


def status_content(row: StatusChange) -> dict[str, Any]:
    """The hashed content of a status change."""
    return {"application_id": row.application_id, "old_status": row.old_status, "new_status": row.new_status,
            "created_at": _iso(row.created_at)}


CONTENT: dict[str, Callable[[Any], dict[str, Any]]] = {"decision": decision_content, "review": review_content,
                                                       "ledger": ledger_content, "status": status_content}


def link_hash(kind: str, seq: int, prev_hash: str, content: dict[str, Any]) -> str:
    """The hash of one chain position: its kind, place, predecessor and the record's content."""
    return sha256_of({"kind": kind, "seq": seq, "prev_hash": prev_hash, "record": content})


def record_hash(kind: str, row: Any) -> str:
    """Recompute a stored record's hash from its stored content and chain columns."""
    return link_hash(kind, row.chain_seq, row.prev_hash, CONTENT[kind](row))


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    seq: int | None = None
    kind: str | None = None
    record_id: int | None = None

    @property
    def record(self) -> str:
        return f"{self.kind} #{self.record_id}" if self.kind else "—"

    def __str__(self) -> str:
        where = f"seq {self.seq}" if self.seq is not None else "chain"
        return f"[{where}] {PROBLEM_LABELS.get(self.code, self.code)}: {self.message}"


@dataclass
class Report:
    links: int
    head_seq: int
    head_hash: str
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first(self) -> Problem | None:
        return self.problems[0] if self.problems else None


class Verifier:
    """Walks the links in `seq` order, one at a time, keeping only the previous hash in memory."""

    def __init__(self) -> None:
        self.expected_seq = 1
        self.prev_hash = GENESIS_HASH
        self.links = 0
        self.problems: list[Problem] = []

    def _problem(self, code: str, message: str, link: Any = None) -> None:
        if link is None:
            self.problems.append(Problem(code, message))
        else:
            self.problems.append(Problem(code, message, link.seq, link.kind, link.record_id))

    def check(self, link: Any, row: Any | None) -> None:
        """Check one link (a ChainLink) and the record it names (None when the record is gone)."""
        self.links += 1
        if link.seq != self.expected_seq:
            missing = (f"seq {self.expected_seq}" if link.seq == self.expected_seq + 1
                       else f"seq {self.expected_seq}–{link.seq - 1}")
            self._problem("missing-link", f"{missing} missing before this link (deleted link or record)", link)
        elif link.prev_hash != self.prev_hash:
            self._problem("prev-mismatch", f"prev_hash {link.prev_hash[:16]}… ≠ hash of seq {link.seq - 1} "
                          f"{self.prev_hash[:16]}…", link)
        self._check_record(link, row)
        self.prev_hash = link.hash
        self.expected_seq = link.seq + 1

    def _check_record(self, link: Any, row: Any | None) -> None:
        if row is None:
            self._problem("missing-record", f"{link.kind} #{link.record_id} named by this link no longer exists",
                          link)
            return
        recomputed = link_hash(link.kind, link.seq, link.prev_hash, CONTENT[link.kind](row))
        if recomputed != link.hash:
            self._problem("record-altered", f"{link.kind} #{link.record_id}: recomputed hash {recomputed[:16]}… "
                          f"≠ chained hash {link.hash[:16]}…", link)
        elif (row.chain_seq, row.prev_hash, row.hash) != (link.seq, link.prev_hash, link.hash):
            self._problem("record-link-mismatch", f"{link.kind} #{link.record_id} stores seq {row.chain_seq}, "
                          f"hash {row.hash[:16]}…; the link says seq {link.seq}, hash {link.hash[:16]}…", link)

    def finish(self, head_seq: int, head_hash: str, unchained: list[tuple[str, int]]) -> Report:
        """Compare the last link with the chain head and list records that never made it onto the chain."""
        last_seq = self.expected_seq - 1
        if head_seq > last_seq:
            self.problems.append(Problem("tail-cut", f"the chain head is at seq {head_seq} but the last link "
                                         f"is seq {last_seq}: seq {last_seq + 1}–{head_seq} removed",
                                         last_seq + 1))
        elif head_seq != last_seq or head_hash != self.prev_hash:
            self.problems.append(Problem("head-mismatch", f"the chain head (seq {head_seq}, {head_hash[:16]}…) does "
                                         f"not name the last link (seq {last_seq}, {self.prev_hash[:16]}…)",
                                         last_seq))
        for kind, record_id in unchained:
            self.problems.append(Problem("unchained-record", f"{kind} #{record_id} has no chain link",
                                         None, kind, record_id))
        self.problems.sort(key=lambda p: (p.seq is None, p.seq or 0))
        return Report(self.links, head_seq, head_hash, self.problems)


# -- what the chain witnesses about mutable rows -----------------------------------------------------------

# The store's statuses → the statechart's states (web.store.queries.lifecycle_state is the same table).
_CHART = {"decided": "screened", "escalated": "in_review"}
_OUTSIDE_CHART = {"withdrawn"}


def status_log_problems(rows: list[Any], head: tuple[int, str]) -> list[Problem]:
    """The status-change log as a hash chain: each row's hash, its predecessor, no gap, and its head."""
    out: list[Problem] = []
    prev, expected = GENESIS_HASH, 1
    for row in rows:
        if row.chain_seq != expected or row.prev_hash != prev:
            out.append(Problem("status-log", f"status log seq {row.chain_seq}: expected seq {expected} after "
                               f"{prev[:16]}… (a status change was deleted or moved)", row.chain_seq, "status", row.id))
            break
        if link_hash("status", row.chain_seq, row.prev_hash, status_content(row)) != row.hash:
            out.append(Problem("status-log", f"status change #{row.id} (application #{row.application_id}) was "
                               "altered", row.chain_seq, "status", row.id))
            break
        prev, expected = row.hash, row.chain_seq + 1
    else:
        if (expected - 1, prev) != tuple(head):
            out.append(Problem("status-log", f"the status log ends at seq {expected - 1} but its head says seq "
                               f"{head[0]} (its tail was cut or rewritten)", head[0], "status", None))
    return out


def status_problems(changes: dict[int, list[Any]], current: dict[int, str],
                    log_head: tuple[int, str] = (0, GENESIS_HASH)) -> list[Problem]:
    """Each application's logged status changes (oldest first) against the statechart and its current status,
    and the log's own integrity (`status_log_problems`)."""
    out = status_log_problems(sorted((r for rows in changes.values() for r in rows), key=lambda r: r.chain_seq),
                              log_head)
    for application_id, status in sorted(current.items()):
        rows = changes.get(application_id, [])
        if not rows:
            out.append(Problem("status-unchained", f"application #{application_id} (status {status}) has no chained "
                               "status", None, "application", application_id))
            continue
        previous: str | None = None
        for row in rows:
            step = f"application #{application_id}: {previous or '—'} → {row.new_status}"
            if row.old_status != previous:
                out.append(Problem("status-illegal", f"{step}: the change says it came from {row.old_status!r}",
                                   row.chain_seq, "status", row.id))
                break
            if previous is not None and not _legal(previous, row.new_status):
                out.append(Problem("status-illegal", f"{step} is not a step of the statechart",
                                   row.chain_seq, "status", row.id))
                break
            previous = row.new_status
        if rows[-1].new_status != status:
            out.append(Problem("status-altered", f"application #{application_id} has status {status!r}; the chain's "
                               f"last status is {rows[-1].new_status!r} (seq {rows[-1].chain_seq})",
                               rows[-1].chain_seq, "status", rows[-1].id))
    return out


def _legal(here: str, there: str) -> bool:
    a, b = _CHART.get(here, here), _CHART.get(there, there)
    if a == b or b in _OUTSIDE_CHART or a in _OUTSIDE_CHART:
        return a == b or b in _OUTSIDE_CHART
    try:
        lifecycle.advance(a, b)
    except lifecycle.LifecycleError:
        return False
    return True


def _value(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def ledger_mismatches(entries: dict[int, Any], payments: list[Any], allocations: list[Any],
                      materials: list[Any]) -> list[Problem]:
    """Rows that must agree with the chained ledger entry they came from (by id): payments, allocation lines and
    the names frozen for the 公示, materials' hashes. `entries` maps ledger ids to rows with `.kind`, `.body`
    (canonical JSON), `.application_id`, `.call_id` and `.chain_seq`."""
    import json

    bodies = {i: json.loads(e.body) for i, e in entries.items()}
    out: list[Problem] = []

    def mismatch(entry_id: int, what: str) -> None:
        entry = entries.get(entry_id)
        out.append(Problem("ledger-mismatch", what, entry.chain_seq if entry else None, "ledger", entry_id))

    for p in payments:
        body = bodies.get(p.ledger_id, {})
        for key in ("allocation_id", "paid_on", "amount", "voucher_no"):
            if body.get(key) != _value(getattr(p, key)):
                mismatch(p.ledger_id, f"payment #{p.id}: {key} is {_value(getattr(p, key))!r}, the chain says "
                         f"{body.get(key)!r}")
    published = {(entries[i].call_id, n.get("name"), n.get("measure_id"), n.get("amount"))
                 for i, b in bodies.items() if entries[i].kind == "publicity" for n in b.get("notice", [])}
    for a in allocations:
        for what in _allocation_mismatches(a, bodies.get(a.ledger_id, {}), published):
            mismatch(a.ledger_id, what)
    filed = {(e.application_id, m.get("item"), m.get("sha256"), m.get("size"))
             for i, e in entries.items() if e.kind in ("submission", "resubmission")
             for m in bodies[i].get("materials", [])}
    for m in materials:
        if (m.application_id, m.item, m.sha256, m.size) not in filed:
            out.append(Problem("ledger-mismatch", f"material #{m.id} ({m.item}, sha256 {m.sha256[:16]}…, {m.size} "
                               "bytes) matches no chained submission", None, "material", m.id))
    return out


def key_id(key: bytes) -> str:
    """The ledger key's id, kept beside each digest so that a verifier can tell which key made it: the first 8 hex
    digits of the key's SHA-256 (it reveals nothing of the key)."""
    return hashlib.sha256(key).hexdigest()[:8]


def account_hmac(account: str | None, key: bytes) -> str | None:
    """HMAC-SHA256 of an account number's digits under the instance's ledger key (None: no account). Keyed, because
    the chain is read widely and an unkeyed hash of a number whose masked form leaves ~10^11 candidates is undone by
    trying them all; without the key no candidate can be tested.

    >>> account_hmac("6222 0212 3456 7890 123", b"k" * 32) == account_hmac("6222021234567890123", b"k" * 32)
    True
    """
    digits = "".join(c for c in (account or "") if c.isdigit())
    return hmac.new(key, digits.encode("ascii"), hashlib.sha256).hexdigest() if digits else None


def payee_record(name: str | None, bank: str | None, account: str | None, key: bytes) -> dict[str, Any] | None:
    """A payee account as the chain keeps it: the account name, the bank, the number's last four digits (the chain
    is read widely), and the number's HMAC under the ledger key with that key's id (an auditor given the key and a
    full number proves it was the one registered; without the key the digest tells nothing)."""
    if not account:
        return None
    return {"name": name, "bank": bank, "account": mask_account_tail(account),
            "account_hmac": account_hmac(account, key), "key_id": key_id(key)}


def _legacy_record(name: str | None, bank: str | None, account: str | None) -> dict[str, Any] | None:
    """The form entries chained before the ledger key took (number masked 4+4, its unkeyed SHA-256): still verified."""
    if not account:
        return None
    digits = "".join(c for c in account if c.isdigit())
    return {"name": name, "bank": bank, "account": mask_account(account),
            "account_sha256": hashlib.sha256(digits.encode("ascii")).hexdigest()}


def _agrees(chained: dict[str, Any] | None, a: Any, key: bytes | None) -> bool | None:
    """Whether the applicant row is the chained account (None: only the digest cannot be checked — no key, or not
    the key that made it; the name, bank and last four digits still must agree)."""
    if chained is not None and "account_sha256" in chained:
        return chained == _legacy_record(a.payee_name, a.bank_name, a.bank_account)
    if chained is None or not a.bank_account:
        return chained is None and not a.bank_account
    if key is not None and chained.get("key_id") == key_id(key):
        return chained == payee_record(a.payee_name, a.bank_name, a.bank_account, key)
    visible = ("name", "bank", "account")
    return None if all(chained.get(k) == v for k, v in zip(visible, (a.payee_name, a.bank_name, mask_account_tail(
        a.bank_account)), strict=True)) else False


def payee_mismatches(entries: dict[int, Any], applicants: list[Any], key: bytes | None) -> list[Problem]:
    """Applicants (rows with `.id`, `.payee_name`, `.bank_name`, `.bank_account`) whose payee account is not the
    one their last chained `payee_account` entry registered — or who have an account no entry registered. `key` is
    the instance's ledger key (None: it has none): digests it cannot check are one `ledger-key` problem naming the
    key they were made with, not a mismatch per account."""
    import json

    last: dict[int, Any] = {}
    for entry in sorted((e for e in entries.values() if e.kind == "payee_account"), key=lambda e: e.chain_seq or 0):
        last[json.loads(entry.body).get("applicant_id")] = entry
    out: list[Problem] = []
    unchecked: dict[str, int] = {}
    for a in applicants:
        entry = last.get(a.id)
        chained = json.loads(entry.body).get("payee") if entry is not None else None
        agrees = _agrees(chained, a, key)
        if agrees is None:
            made_with = str(chained.get("key_id")) if chained else "?"
            unchecked[made_with] = unchecked.get(made_with, 0) + 1
        if agrees is not False:
            continue
        where = (entry.chain_seq, "ledger", entry.id) if entry is not None else (None, "applicant", a.id)
        said = (f"the chain (seq {entry.chain_seq}) registered {chained['account'] if chained else 'none'}"
                if entry is not None else "no payee account was ever chained")
        out.append(Problem("ledger-mismatch", f"applicant #{a.id}: the payee account "
                           f"{mask_account_tail(a.bank_account) if a.bank_account else 'none'} (name, bank or number) "
                           f"is not the one on the chain — {said}", *where))
    if unchecked:
        made = ", ".join(f"{n} with key {k}" for k, n in sorted(unchecked.items()))
        here = f"this instance's key is {key_id(key)}" if key is not None else "this instance has no ledger key"
        out.append(Problem("ledger-key", f"{sum(unchecked.values())} payee account digest(s) not checked ({made}); "
                           f"{here} — restore the ledger_key file saved with the database backup (name, bank and "
                           "last four digits were checked) / 收款账号摘要未能核对：缺少记账时的账本密钥，请从数据库备份中"
                           "恢复 ledger_key 文件（户名、开户行和账号后四位已核对）"))
    return out


def _allocation_mismatches(a: Any, body: dict[str, Any], published: set[tuple[Any, ...]]) -> list[str]:
    lines = [ln for ln in body.get("lines", [])
             if ln.get("application_id") == a.application_id and ln.get("measure_id") == a.measure_id]
    if not lines:
        return [f"allocation #{a.id} (application #{a.application_id}, {a.measure_id}) is not a line of its chained "
                "allocation"]
    out = [f"allocation #{a.id}: {key} is {getattr(a, key)!r}, the chain says {lines[0][key]!r}"
           for key in ("rank", "requested", "granted", "reason") if key in lines[0] and lines[0][key] != getattr(a, key)]
    name = getattr(a, "name", None)
    chained_call = any(item[0] == a.call_id for item in published)
    if chained_call and name is not None and a.granted > 0 and (a.call_id, name, a.measure_id, a.granted) not in published:
        out.append(f"allocation #{a.id}: the 公示 name {name!r} is not the name published on the chain")
    return out
