"""This file defines sending one e-mail over SMTP, configured by the environment:

``SMTP_HOST`` (unset: no e-mail is sent, the notice stays in the site's inbox), ``SMTP_PORT`` (default 25),
``MAIL_FROM`` (default ``noreply@localhost``), ``SMTP_USER`` / ``SMTP_PASSWORD`` (login, optional),
``SMTP_STARTTLS`` (``1``: upgrade the connection), ``SMTP_TIMEOUT`` (seconds, default 10).
A failure is returned as text (stored with the notice), never raised: a notice is never lost to a mail
server being down.
"""

from __future__ import annotations

import os
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    user: str | None
    password: str | None
    starttls: bool
    timeout: float

    @classmethod
    def from_env(cls) -> SmtpSettings | None:
        host = os.environ.get("SMTP_HOST", "").strip()
        if not host:
            return None
        return cls(host, int(os.environ.get("SMTP_PORT") or 25), os.environ.get("MAIL_FROM") or "noreply@localhost",
                   os.environ.get("SMTP_USER") or None, os.environ.get("SMTP_PASSWORD") or None,
                   os.environ.get("SMTP_STARTTLS") == "1", float(os.environ.get("SMTP_TIMEOUT") or 10))


NOT_CONFIGURED = "SMTP 未配置（SMTP_HOST），仅站内通知 / SMTP not configured (SMTP_HOST): site inbox only"


def send_mail(to: str, subject: str, body: str, settings: SmtpSettings | None = None,
              attachments: tuple[tuple[str, bytes, str], ...] = ()) -> str | None:
    """Send a plain-text UTF-8 e-mail with its attachments ((file name, bytes, MIME type), e.g. the 受理回执 PDF);
    None when sent, else why not."""
    settings = settings or SmtpSettings.from_env()
    if settings is None:
        return NOT_CONFIGURED
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = settings.sender, to, subject
    message["Date"], message["Message-ID"] = formatdate(localtime=False), make_msgid(domain="subsidy.local")
    message.set_content(body, charset="utf-8")
    for filename, data, mimetype in attachments:
        maintype, _slash, subtype = mimetype.partition("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
            if settings.starttls:
                smtp.starttls()
            if settings.user:
                smtp.login(settings.user, settings.password or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        return f"{type(exc).__name__}: {exc}"[:500]
    return None
