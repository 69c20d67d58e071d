"""A real local SMTP server for the tests that follow a notice to the applicant's mailbox (aiosmtpd, never a mock)."""

from __future__ import annotations

import email
import email.policy
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

SETTINGS = ("SMTP_HOST", "SMTP_PORT", "MAIL_FROM")


class Inbox:
    """What the local server received, as parsed e-mails."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802  (aiosmtpd's name)
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"

    def subjects(self) -> list[str]:
        return [str(m["Subject"]) for m in self.messages]

    def wait_for(self, subject: str, seconds: float = 15.0) -> Any:
        """The first message with this subject, waiting for it: the site sends e-mail from its outbox thread after
        the response (web.notices.outbox), as a mail server receives it some moments after the page."""
        deadline = time.monotonic() + seconds
        while True:
            found = next((m for m in self.messages if m["Subject"] == subject), None)
            if found is not None or time.monotonic() > deadline:
                assert found is not None, f"no e-mail {subject!r} within {seconds} s; got {self.subjects()}"
                return found
            time.sleep(0.05)


@contextmanager
def local_smtp(port: int) -> Iterator[tuple[Inbox, dict[str, str]]]:
    """A server on 127.0.0.1:`port` and the settings that point the site at it."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "MAIL_FROM": "bureau@qingyuan.example.cn"}
    finally:
        controller.stop()


def smtp_fixture(port: int) -> Any:
    """A pytest fixture: the local server for one test, the site's settings set on it."""

    @pytest.fixture
    def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
        with local_smtp(port) as (inbox, settings):
            for key, value in settings.items():
                monkeypatch.setenv(key, value)
            yield inbox

    return smtp
