"""E-mails go out through a real SMTP exchange on loopback when LMS_SMTP_URL is set."""

from __future__ import annotations

import email
import socketserver
import threading
from email import policy

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.notifications.models import OutboxEmail
from lms.notifications.services import send_email


class _Mailbox:
    def __init__(self, refuse_recipients: bool = False):
        self.messages: list[email.message.EmailMessage] = []
        self.refuse_recipients = refuse_recipients


def _handler(mailbox: _Mailbox):
    class SMTPHandler(socketserver.StreamRequestHandler):
        """Just enough of RFC 5321 for smtplib: greeting, EHLO, MAIL, RCPT, DATA, QUIT."""

        def reply(self, line: str) -> None:
            self.wfile.write(line.encode() + b"\r\n")

        def handle(self) -> None:
            self.reply("220 loopback test server")
            while line := self.rfile.readline():
                verb = line.decode(errors="replace").strip().split(" ")[0].upper()
                if verb in {"EHLO", "HELO"}:
                    self.reply("250 loopback")
                elif verb == "MAIL":
                    self.reply("250 ok")
                elif verb == "RCPT":
                    self.reply("550 no such mailbox" if mailbox.refuse_recipients else "250 ok")
                elif verb == "DATA":
                    self.reply("354 go ahead")
                    data = b""
                    while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                        data += chunk
                    mailbox.messages.append(email.message_from_bytes(data, policy=policy.SMTP))
                    self.reply("250 queued")
                elif verb == "QUIT":
                    self.reply("221 bye")
                    return
                else:
                    self.reply("250 ok")

    return SMTPHandler


@pytest.fixture
def smtp_server(app, monkeypatch):
    def start(refuse_recipients: bool = False) -> _Mailbox:
        mailbox = _Mailbox(refuse_recipients)
        server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _handler(mailbox))
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        monkeypatch.setitem(app.config, "SMTP_URL", f"smtp://127.0.0.1:{server.server_address[1]}")
        return mailbox

    servers: list[socketserver.ThreadingTCPServer] = []
    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_an_email_is_delivered_and_marked_sent(app, smtp_server):
    mailbox = smtp_server()
    row = send_email("khadija@example.org", "Votre devoir est noté", "Bonjour Khadija, 12/13.")
    db.session.commit()
    assert len(mailbox.messages) == 1
    message = mailbox.messages[0]
    assert message["To"] == "khadija@example.org"
    assert message["Subject"] == "Votre devoir est noté"
    assert "12/13" in message.get_content()
    assert db.session.get(OutboxEmail, row.id).sent_at is not None


def test_a_refused_email_stays_in_the_outbox_with_the_reason(app, smtp_server):
    mailbox = smtp_server(refuse_recipients=True)
    row = send_email("nobody@example.org", "Sujet", "Corps")
    db.session.commit()
    stored = db.session.get(OutboxEmail, row.id)
    assert mailbox.messages == []
    assert stored.sent_at is None
    assert "550" in stored.error and stored.attempts == 1


@pytest.fixture
def queued(monkeypatch):
    """The job queue as in production: tasks wait in the queue until a worker runs them."""
    from lms.jobs import huey

    huey.flush()
    monkeypatch.setattr(huey, "immediate", False)
    yield huey
    huey.flush()


def test_with_a_queue_an_email_is_queued_once_committed_and_delivered(app, smtp_server, queued):
    mailbox = smtp_server()
    row = send_email("khadija@example.org", "Votre devoir est noté", "Bonjour Khadija.")
    # A worker must not pick the task up before the row it reads exists for other connections.
    assert queued.pending_count() == 0
    db.session.commit()
    assert queued.pending_count() == 1
    queued.execute(queued.dequeue())
    assert [m["To"] for m in mailbox.messages] == ["khadija@example.org"]
    db.session.expire_all()
    assert db.session.get(OutboxEmail, row.id).sent_at is not None


def test_with_a_queue_a_rolled_back_email_is_never_queued(app, smtp_server, queued):
    mailbox = smtp_server()
    send_email("khadija@example.org", "Sujet", "Corps")
    db.session.rollback()
    db.session.commit()
    assert queued.pending_count() == 0
    assert mailbox.messages == []
    assert db.session.scalar(select(func.count(OutboxEmail.id))) == 0
