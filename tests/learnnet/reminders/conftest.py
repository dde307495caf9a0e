"""A real SMTP server (aiosmtpd) for the reminder tests, and the app's e-mail pointed at it."""

from __future__ import annotations

import email
import email.policy
import socket
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller


class Inbox:
    """Every message the server was given, parsed, in the order they came."""

    def __init__(self):
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def subject(self, message: EmailMessage) -> str:
        # A long encoded subject is folded onto a line of its own; unfolded, as a mail client shows it.
        return " ".join(str(message["Subject"]).split())

    def body(self, message: EmailMessage) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def inbox(app, monkeypatch):
    """An SMTP server on a port of its own; the app sends its e-mail there, through SMTP."""
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    state = app.extensions["mailman"]
    monkeypatch.setattr(state, "backend", "smtp")
    monkeypatch.setattr(state, "server", controller.hostname)
    monkeypatch.setattr(state, "port", controller.port)
    monkeypatch.setattr(state, "default_sender", "learnnet <noreply@example.no>")
    try:
        yield handler
    finally:
        controller.stop()
