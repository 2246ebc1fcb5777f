"""A webhook receiver and an SMTP sink for tests: real servers on 127.0.0.1.

The receiver checks every request with the ``standardwebhooks`` package, the
way a real consumer would, and keeps what it got; it can be told to answer
another status (503, 410) or be stopped and started again on the same port.
"""

from __future__ import annotations

import base64
import json
import socket
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from standardwebhooks import Webhook, WebhookVerificationError

SECRET = "whsec_" + base64.b64encode(b"test-secret-for-the-notify-tests!").decode()


@dataclass
class Received:
    webhook_id: str
    verified: bool
    status: int  # what the receiver answered
    body: dict[str, Any] | None


class WebhookReceiver:
    """POST / -> verify the signature, log, answer ``status`` (200 unless told otherwise)."""

    def __init__(self, secret: str) -> None:
        self.verifier = Webhook(secret)
        self.requests: list[Received] = []
        self.status = 200
        self.fail_first: dict[str, int] = {}  # webhook-id -> how many times to answer 503
        self._lock = threading.Lock()
        self.port = 0
        self._httpd: ThreadingHTTPServer | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                data = self.rfile.read(length)
                status = receiver._receive(data, dict(self.headers.items()))
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

        httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        httpd.daemon_threads = True
        self.port = httpd.server_address[1]
        self._httpd = httpd
        threading.Thread(target=httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def _receive(self, data: bytes, headers: dict[str, str]) -> int:
        webhook_id = {k.lower(): v for k, v in headers.items()}.get("webhook-id", "")
        try:
            body = self.verifier.verify(data, headers)
            verified = True
        except WebhookVerificationError:
            body, verified = None, False
        with self._lock:
            status = self.status if verified else 400
            left = self.fail_first.get(webhook_id, 0)
            if verified and left > 0:
                self.fail_first[webhook_id] = left - 1
                status = 503
            self.requests.append(Received(webhook_id, verified, status, body))
        return status

    def accepted(self) -> list[Received]:
        """Requests answered 2xx."""
        with self._lock:
            return [r for r in self.requests if 200 <= r.status < 300]


class _Handler:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


class MailSink:
    """An SMTP server (aiosmtpd) on loopback that keeps every message it accepts."""

    def __init__(self) -> None:
        self._handler = _Handler()
        self._controller: Controller | None = None
        self.port = 0
        self.start()

    @property
    def messages(self) -> list[Message]:
        return self._handler.messages

    def start(self) -> None:
        if not self.port:
            with socket.socket() as probe:  # a free port, kept across stop/start
                probe.bind(("127.0.0.1", 0))
                self.port = probe.getsockname()[1]
        controller = Controller(self._handler, hostname="127.0.0.1", port=self.port)
        controller.start()
        self._controller = controller

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def webhook_toml(url: str, *, events: list[str], **extra: object) -> str:
    lines = ["[[webhook]]", f"url = {json.dumps(url)}", f"secret = {json.dumps(SECRET)}"]
    lines.append(f"events = {json.dumps(events)}")
    lines += [f"{k} = {json.dumps(v)}" for k, v in extra.items()]
    return "\n".join(lines) + "\n"


def email_toml(port: int, **extra: object) -> str:
    values: dict[str, object] = {
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "starttls": False,
        "from": "monitor@example.org",
        "to": ["analyst@example.org"],
        "schedule": "daily 07:00",
        "timezone": "Asia/Karachi",
    }
    values.update(extra)
    return "[email]\n" + "\n".join(f"{k} = {json.dumps(v)}" for k, v in values.items()) + "\n"
