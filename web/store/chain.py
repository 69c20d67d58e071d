"""This file defines the audit hash chain: what is hashed for each record, and how a chain is verified.

Pure logic, no session: web.store.queries does the locking and the statements (it is the only module
that touches the database) and hands rows to these functions.

Each decision, review action and ledger entry takes the next position (`seq`) of one chain. Its hash is the SHA-256 of
the canonical JSON of {kind, seq, prev_hash, record}, where `record` is every stored content column of
the row, exactly as stored (text, ISO dates, microsecond timestamps). Changing one stored byte of a
record, deleting a record or a link, or cutting off the tail is therefore detected by `Verifier`, which
names the first broken position.

Example (a two-link chain)::

    seq 1  prev 000…0     hash h1 = H(decision, 1, 000…0, record₁)
    seq 2  prev h1        hash h2 = H(review,   2, h1,     record₂)    chain_head: seq 2, hash h2
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from engine.canonical import sha256_of
from web.store.models import GENESIS_HASH, Decision, LedgerEntry, ReviewAction

PROBLEM_LABELS = {
    "missing-link": "链接缺失 / missing link",
    "prev-mismatch": "前序哈希不符 / predecessor hash mismatch",
    "missing-record": "记录被删除 / record deleted",
    "record-altered": "记录内容被修改 / record content altered",
    "record-link-mismatch": "记录与链接不一致 / record and link disagree",
    "tail-cut": "链尾被截断 / chain tail removed",
    "head-mismatch": "链头不符 / chain head mismatch",
    "unchained-record": "记录不在链上 / record not on the chain",
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


CONTENT: dict[str, Callable[[Any], dict[str, Any]]] = {"decision": decision_content, "review": review_content,
                                                       "ledger": ledger_content}


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
