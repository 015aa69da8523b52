"""Sending e-mail with the standard library.

`MAIL_SERVER` set: SMTP (`MAIL_PORT`, `MAIL_USE_TLS` for STARTTLS, `MAIL_USE_SSL` for implicit
TLS, `MAIL_USERNAME`/`MAIL_PASSWORD` when the server wants a login). Not set: the message is
written as an `.eml` file to `MAIL_OUTBOX` (default `instance/outbox/`) — open it with any mail
client; nothing leaves the machine. Every failure raises, so the job queue retries the task.
"""

from __future__ import annotations

import smtplib
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

from flask import current_app


def build_message(to: str, subject: str, body: str, config: Any) -> EmailMessage:
    message = EmailMessage()
    message["From"] = config.get("MAIL_FROM") or "PUJA INDAH <no-reply@localhost>"
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="pujaindah")
    message.set_content(body)
    return message


def send_mail(to: str, subject: str, body: str) -> str:
    """Send one plain-text message; returns where it went ("smtp" or the .eml path)."""
    config = current_app.config
    message = build_message(to, subject, body, config)
    server = config.get("MAIL_SERVER") or ""
    if not server:
        outbox = Path(config["MAIL_OUTBOX"])
        outbox.mkdir(parents=True, exist_ok=True)
        path = outbox / f"{uuid.uuid4().hex}.eml"
        path.write_bytes(bytes(message))
        return str(path)
    port = int(config.get("MAIL_PORT") or 25)
    timeout = 30
    smtp: smtplib.SMTP
    if config.get("MAIL_USE_SSL"):
        smtp = smtplib.SMTP_SSL(server, port, timeout=timeout)
    else:
        smtp = smtplib.SMTP(server, port, timeout=timeout)
    with smtp:
        if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(message)
    return "smtp"
