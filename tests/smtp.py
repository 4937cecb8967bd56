"""A real SMTP server (aiosmtpd) on a free loopback port, started by the test that needs it; the site
sends to it with Django's SMTP backend, and the test reads what arrived (recipients, decoded subjects)."""

from __future__ import annotations

import email
import email.header
import email.policy
import socket
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller


@dataclass
class Received:
    to: list[str]
    subject: str
    body: str
    calendars: list[tuple[str, str]] = field(default_factory=list)  # (method parameter, iCalendar text)


@dataclass
class Mailbox:
    host: str
    port: int
    messages: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        calendars = [
            (part.get_param("method", ""), part.get_content())
            for part in message.walk()
            if part.get_content_type() == "text/calendar"
        ]
        self.messages.append(
            Received(
                to=list(envelope.rcpt_tos),
                subject=str(message["subject"]).strip(),
                body=body.get_content(),
                calendars=calendars,
            )
        )
        return "250 OK"

    def pairs(self) -> list[tuple[str, str]]:
        return sorted((to, m.subject) for m in self.messages for to in m.to)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings, monkeypatch):
    """Starts the server and points the site (and any worker started after it) at it."""
    mailbox = Mailbox(host="127.0.0.1", port=free_port())
    controller = Controller(mailbox, hostname=mailbox.host, port=mailbox.port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = mailbox.host, mailbox.port, False
    monkeypatch.setenv("DJANGO_EMAIL_BACKEND", settings.EMAIL_BACKEND)
    monkeypatch.setenv("DJANGO_EMAIL_HOST", mailbox.host)
    monkeypatch.setenv("DJANGO_EMAIL_PORT", str(mailbox.port))
    try:
        yield mailbox
    finally:
        controller.stop()
