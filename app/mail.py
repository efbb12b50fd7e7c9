"""Mail through SMTP with the standard library (smtplib and email.message).

The site sends a handful of plain-text mails (a confirmation, a notice to advisors, a secret link
on request). The standard library does that without another dependency or extension object, and a
test's local SMTP server (aiosmtpd) receives exactly what production would send.

Settings (app/config.py, README): MAIL_SERVER, MAIL_PORT, MAIL_USE_TLS (STARTTLS), MAIL_USE_SSL
(TLS from the first byte, usually port 465), MAIL_USERNAME, MAIL_PASSWORD, MAIL_FROM and
MAIL_TIMEOUT. Without MAIL_SERVER (development) a mail is written to the log instead, with every
secret link in it replaced by its hash (app/logredact.py), like every other logged line.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app

from app.logredact import install, redact

logger = logging.getLogger("app.mail")
install(logger)


def message(to: str, subject: str, body: str) -> EmailMessage:
    """A plain-text UTF-8 mail from the site's sender address."""
    mail = EmailMessage()
    sender = current_app.config["MAIL_FROM"]
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(body)
    return mail


def send(to: str, subject: str, body: str) -> bool:
    """Send one mail; True when the server took it (or, without a server, when it was logged).

    A mail that cannot be sent is logged (redacted) and reported as False: what the respondent
    did (send, withdraw) has been stored already and is not undone by a mail server that is down.
    """
    mail = message(to, subject, body)
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        logger.info("Mail not sent (no MAIL_SERVER): to %s, %s\n%s", to, subject, body)
        return True
    try:
        deliver(mail, config)
    except (OSError, smtplib.SMTPException) as error:
        logger.error("Mail to %s could not be sent: %s", to, redact(str(error)))
        return False
    return True


def deliver(mail: EmailMessage, config) -> None:  # type: ignore[no-untyped-def]
    """Hand the mail to the configured server."""
    host, port, timeout = config["MAIL_SERVER"], int(config["MAIL_PORT"]), config["MAIL_TIMEOUT"]
    context = ssl.create_default_context()
    if config.get("MAIL_USE_SSL"):
        server: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        server = smtplib.SMTP(host, port, timeout=timeout)
    with server:
        if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
            server.starttls(context=context)
        if config.get("MAIL_USERNAME"):
            server.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        server.send_message(mail)
