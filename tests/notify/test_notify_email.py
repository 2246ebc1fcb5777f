"""Email digests over real SMTP: aiosmtpd on loopback receives what the daemon sends."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import Message

from apscheduler.schedulers.background import BackgroundScheduler
from notify_support import MailSink, email_toml
from pipeline_support import Instance, serve_site

from httpd import FixtureServer
from monitor.notify.emails import EmailSender, latest_slot
from monitor.notify.jobs import add_notify_jobs
from monitor.service import open_store
from monitor.settings import EmailSettings, load_settings
from monitor.store.outbox import OutboxStore


def _parts(message: Message) -> dict[str, str]:
    parts = {}
    for part in message.walk():
        if part.get_content_maintype() == "text":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            parts[part.get_content_type()] = payload.decode(part.get_content_charset() or "utf-8")
    return parts


def _polled(
    server: FixtureServer, make_instance: Callable[..., Instance], sink: MailSink, **email: object
) -> Instance:
    urls = serve_site(server)
    inst = make_instance(
        [("Frontier Daily", urls["rss"]), ("Border Times", urls["atom"])],
        email_toml(sink.port, **email),
        schedule={"tick": 1},
    )
    assert inst.run("init")[0] == 0
    assert inst.run("poll")[0] == 0
    return inst


def test_the_daemon_sends_the_scheduled_digest_with_html_and_plain_text(
    server: FixtureServer, make_instance: Callable[..., Instance], mail_sink: MailSink
) -> None:
    inst = _polled(server, make_instance, mail_sink)
    # The latest 07:00 in Karachi has passed and no digest went out for it: the daemon
    # queues and sends it at once (a digest missed while it was down is sent late, not lost).
    code, _, err = inst.run("run", "--max-ticks", "3")
    assert code == 0, err
    [message] = mail_sink.messages
    assert message["To"] == "analyst@example.org" and message["From"] == "monitor@example.org"
    assert message.get_content_type() == "multipart/alternative"
    assert set(_parts(message)) == {"text/plain", "text/html"}
    # Running again before the next 07:00 sends nothing more.
    assert inst.run("run", "--max-ticks", "2")[0] == 0
    assert len(mail_sink.messages) == 1


def test_the_digest_job_at_its_time_carries_the_relevant_items(
    server: FixtureServer, make_instance: Callable[..., Instance], mail_sink: MailSink
) -> None:
    """The daemon's own job on a real scheduler, its clock two minutes ahead of a send
    time set one minute from now: the items just stored are in that day's digest."""
    stored_by = datetime.now(UTC)
    slot = (stored_by + timedelta(minutes=1)).strftime("%H:%M")
    inst = _polled(server, make_instance, mail_sink, schedule=f"daily {slot}", timezone="UTC")
    relevant = [r for r in inst.export() if r["relevance"]["relevant"]]  # type: ignore[index]
    assert relevant
    settings = load_settings(inst.config)
    store = open_store(settings)
    scheduler = BackgroundScheduler(timezone="UTC")
    try:
        shift = timedelta(minutes=2)
        assert add_notify_jobs(
            scheduler, settings, store, clock=lambda: datetime.now(UTC) + shift
        ) == ["email digests"]
        scheduler.start()
        deadline = time.monotonic() + 20
        while not mail_sink.messages and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        scheduler.shutdown(wait=True)
        store.close()
    [message] = mail_sink.messages
    assert f"{len(relevant)} relevant items" in message["Subject"]
    parts = _parts(message)
    assert set(parts) == {"text/plain", "text/html"}
    for record in relevant:
        words = str(record["title"]).split()
        assert words[0] in parts["text/plain"] and words[0] in parts["text/html"]


def test_next_digest_waits_for_the_next_scheduled_time(
    server: FixtureServer, make_instance: Callable[..., Instance], mail_sink: MailSink
) -> None:
    inst = _polled(server, make_instance, mail_sink)
    settings = load_settings(inst.config)
    assert settings.email is not None
    now = [datetime(2026, 12, 1, 1, 0, tzinfo=UTC)]  # 06:00 in Karachi (UTC+5)
    store = open_store(settings)
    try:
        sender = EmailSender(settings.email, store, OutboxStore(store), clock=lambda: now[0])
        first = sender.queue_scheduled()
        assert first is not None  # for 2026-11-30 07:00 PKT
        assert sender.queue_scheduled() is None
        now[0] += timedelta(minutes=59)  # 06:59 PKT: not yet
        assert sender.queue_scheduled() is None
        now[0] += timedelta(minutes=2)  # 07:01 PKT
        second = sender.queue_scheduled()
        assert second is not None
        row = OutboxStore(store).email_digest(second)
        assert row is not None and row.window_end == datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
        assert row.window_start == datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
    finally:
        store.close()


def test_a_failed_send_is_retried_and_logged_never_lost(
    server: FixtureServer, make_instance: Callable[..., Instance], mail_sink: MailSink
) -> None:
    inst = _polled(server, make_instance, mail_sink, retry_base=0.05)
    mail_sink.stop()
    code, out, err = inst.run("digest", "--email")
    assert code == 1
    assert "not sent" in err and "stays queued" in err and "retrying at" in err
    assert out == ""
    settings = load_settings(inst.config)
    assert settings.email is not None
    store = open_store(settings)
    try:
        outbox = OutboxStore(store)
        [row] = [r for r in [outbox.email_digest(1)] if r is not None]
        assert row.status == "pending" and row.attempts == 1 and row.last_error
        mail_sink.start()
        sender = EmailSender(settings.email, store, outbox)
        results: list[object] = []
        for _ in range(50):
            results = list(asyncio.run(sender.send_due()))
            if results:
                break
            asyncio.run(asyncio.sleep(0.05))
        assert [error for _, error in results] == [None]  # type: ignore[misc]
        sent = outbox.email_digest(1)
        assert sent is not None and sent.status == "sent" and sent.attempts == 2
    finally:
        store.close()
    [message] = mail_sink.messages
    assert set(_parts(message)) == {"text/plain", "text/html"}


def test_digest_email_now_sends_one(
    server: FixtureServer, make_instance: Callable[..., Instance], mail_sink: MailSink
) -> None:
    inst = _polled(server, make_instance, mail_sink)
    code, out, err = inst.run("digest", "--email")
    assert code == 0, err
    assert "sent to analyst@example.org" in out
    assert len(mail_sink.messages) == 1
    code, out, _ = inst.run("digest", "--email")  # nothing new: still a digest, of nothing
    assert code == 0


def test_latest_slot_follows_the_time_zone() -> None:
    email = EmailSettings.model_validate(
        {"smtp_host": "h", "from": "a@b.c", "to": ["d@e.f"], "timezone": "Asia/Karachi"}
    )
    at = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 07:00 PKT exactly
    assert latest_slot(at, email) == at
    assert latest_slot(at - timedelta(seconds=1), email) == at - timedelta(days=1)
