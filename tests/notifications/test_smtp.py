"""E-mails go out through a real SMTP exchange on loopback when LMS_SMTP_URL is set."""

from __future__ import annotations

import datetime
import email
import ipaddress
import socketserver
import ssl
import threading
from email import policy
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import func, select

from lms.extensions import db
from lms.notifications.models import OutboxEmail
from lms.notifications.services import send_email


class _Mailbox:
    def __init__(self, refuse_recipients: bool = False, tls: ssl.SSLContext | None = None):
        self.messages: list[email.message.EmailMessage] = []
        self.refuse_recipients = refuse_recipients
        self.tls = tls  # offers STARTTLS with this context
        self.verbs: list[str] = []
        self.secured: list[bool] = []  # for each message, whether it came over TLS


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _handler(mailbox: _Mailbox):
    class SMTPHandler(socketserver.StreamRequestHandler):
        """Just enough of RFC 5321 for smtplib: greeting, EHLO, MAIL, RCPT, DATA, QUIT."""

        secure = False

        def reply(self, line: str) -> None:
            self.wfile.write(line.encode() + b"\r\n")

        def start_tls(self) -> None:
            self.reply("220 ready to start TLS")
            self.wfile.flush()
            self.connection = mailbox.tls.wrap_socket(self.connection, server_side=True)
            self.rfile = self.connection.makefile("rb")
            self.wfile = self.connection.makefile("wb", buffering=0)
            self.secure = True

        def finish(self) -> None:
            super().finish()
            if self.secure:
                self.connection.close()  # the server closes only the plain socket

        def handle(self) -> None:
            self.reply("220 loopback test server")
            while line := self.rfile.readline():
                verb = line.decode(errors="replace").strip().split(" ")[0].upper()
                mailbox.verbs.append(verb)
                if verb == "EHLO" and mailbox.tls and not self.secure:
                    self.reply("250-loopback")
                    self.reply("250 STARTTLS")
                elif verb in {"EHLO", "HELO"}:
                    self.reply("250 loopback")
                elif verb == "STARTTLS" and mailbox.tls and not self.secure:
                    self.start_tls()
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
                    mailbox.secured.append(self.secure)
                    self.reply("250 queued")
                elif verb == "QUIT":
                    self.reply("221 bye")
                    return
                else:
                    self.reply("250 ok")

    return SMTPHandler


@pytest.fixture
def smtp_server(app, monkeypatch, tmp_path):
    """A loopback SMTP server offering STARTTLS (unless told not to) with a certificate that
    the client trusts through OpenSSL's SSL_CERT_FILE, as an operator's own CA would be."""
    cert, key = _certificate(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))

    def start(refuse_recipients: bool = False, starttls: bool = True, query: str = "") -> _Mailbox:
        tls = None
        if starttls:
            tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            tls.load_cert_chain(cert, key)
        mailbox = _Mailbox(refuse_recipients, tls)
        server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _handler(mailbox))
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        url = f"smtp://127.0.0.1:{server.server_address[1]}{query}"
        monkeypatch.setitem(app.config, "SMTP_URL", url)
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
    assert mailbox.secured == [True]  # after STARTTLS, the certificate checked
    assert db.session.get(OutboxEmail, row.id).sent_at is not None


def test_a_server_without_starttls_gets_nothing_in_clear_text(app, smtp_server, caplog):
    mailbox = smtp_server(starttls=False)
    row = send_email("khadija@example.org", "Votre devoir est noté", "Bonjour Khadija, 12/13.")
    db.session.commit()
    stored = db.session.get(OutboxEmail, row.id)
    assert mailbox.messages == [] and "MAIL" not in mailbox.verbs and "DATA" not in mailbox.verbs
    assert stored.sent_at is None and stored.attempts == 1
    assert "does not offer STARTTLS" in stored.error and "starttls=0" in stored.error
    assert "does not offer STARTTLS" in caplog.text


def test_clear_text_only_when_the_url_says_so(app, smtp_server):
    mailbox = smtp_server(starttls=False, query="?starttls=0")
    row = send_email("khadija@example.org", "Sujet", "Corps")
    db.session.commit()
    assert mailbox.secured == [False]
    assert db.session.get(OutboxEmail, row.id).sent_at is not None


def test_an_unclear_starttls_setting_sends_nothing(app, smtp_server):
    mailbox = smtp_server(starttls=False, query="?starttls=no")
    row = send_email("khadija@example.org", "Sujet", "Corps")
    db.session.commit()
    assert mailbox.messages == []
    assert "starttls='no'" in db.session.get(OutboxEmail, row.id).error


def test_an_untrusted_certificate_sends_nothing(app, smtp_server, monkeypatch, tmp_path):
    mailbox = smtp_server()
    (tmp_path / "other").mkdir()
    other, _key = _certificate(tmp_path / "other")
    monkeypatch.setenv("SSL_CERT_FILE", str(other))
    row = send_email("khadija@example.org", "Sujet", "Corps")
    db.session.commit()
    assert mailbox.messages == []
    assert "CERTIFICATE_VERIFY_FAILED" in db.session.get(OutboxEmail, row.id).error


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


def test_inline_an_email_goes_out_only_once_committed(app, smtp_server):
    mailbox = smtp_server()
    send_email("khadija@example.org", "Sujet", "Corps")
    assert mailbox.messages == []  # the command line runs tasks inline: still after the commit
    db.session.commit()
    assert [m["To"] for m in mailbox.messages] == ["khadija@example.org"]


def test_inline_a_rolled_back_email_is_never_sent(app, smtp_server):
    mailbox = smtp_server()
    send_email("khadija@example.org", "Sujet", "Corps")
    db.session.rollback()
    db.session.commit()
    assert mailbox.messages == []
    assert db.session.scalar(select(func.count(OutboxEmail.id))) == 0
