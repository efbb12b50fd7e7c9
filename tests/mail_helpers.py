"""A real SMTP server (aiosmtpd) on 127.0.0.1 for the tests that read mails, as fixtures.

`inbox` is the SQLite app's mail, `db_inbox` the same once per database backend; tests/conftest.py
makes both available to every test module.
"""

from __future__ import annotations

import email
import socket
from email.message import EmailMessage
from email.policy import default

import pytest
from aiosmtpd.controller import Controller


class Inbox:
    """What the SMTP server received: (envelope recipients, parsed message) per mail."""

    def __init__(self) -> None:
        self.mails: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's name for the hook
        message = email.message_from_bytes(envelope.content, policy=default)
        self.mails.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for rcpts, message in self.mails if address in rcpts]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def use_smtp(app, monkeypatch, controller) -> None:
    """Point the app's mail settings at the local server (plain SMTP, no login)."""
    for key, value in {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": controller.port,
                       "MAIL_USE_TLS": False, "MAIL_FROM": "site@example.dk"}.items():  # fmt: skip
        monkeypatch.setitem(app.config, key, value)


@pytest.fixture
def inbox(app, monkeypatch, smtp_server) -> Inbox:
    """The SQLite app's mails, as the SMTP server got them."""
    controller, received = smtp_server
    use_smtp(app, monkeypatch, controller)
    return received


@pytest.fixture
def db_inbox(db_app, monkeypatch, smtp_server) -> Inbox:
    """The same, once per database backend."""
    controller, received = smtp_server
    use_smtp(db_app, monkeypatch, controller)
    return received


def body(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()
