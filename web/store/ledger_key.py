"""This file defines how the store finds the instance's ledger key for a session (web.settings.ledger_key): the key
file beside the session's SQLite database, else instance/ledger_key, or the file or key the environment names. The
key makes the audit chain's digests of payee account numbers (web.store.chain.payee_record)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from web.settings import ledger_key


def for_session(session: Session) -> bytes:
    """The ledger key of the database this session talks to, created on first use (what a writer asks for)."""
    key = ledger_key(_url(session))
    assert key is not None
    return key


def existing(session: Session) -> bytes | None:
    """The ledger key of this session's database, None when there is none (what a verifier asks for: it must never
    make up a key)."""
    return ledger_key(_url(session), create=False)


def _url(session: Session) -> str:
    bind = session.get_bind()
    return getattr(bind, "engine", bind).url.render_as_string(hide_password=True)
