"""Webhooks end to end: the fixture site polled for real, deliveries signed to the
Standard Webhooks spec and checked by a real receiver on loopback."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from notify_support import WebhookReceiver, webhook_toml
from pipeline_support import Instance, serve_site

from httpd import FixtureServer
from monitor.settings import load_settings
from monitor.store import Store
from monitor.store.outbox import OutboxStore

FAST = {"backoff_base": 0.05, "backoff_max": 0.2, "timeout_s": 2}


def _site_instance(
    server: FixtureServer,
    make_instance: Callable[..., Instance],
    receiver: WebhookReceiver,
    *,
    events: list[str],
    delivery: dict[str, object] | None = None,
    **hook: object,
) -> Instance:
    urls = serve_site(server)
    inst = make_instance(
        [("Frontier Daily", urls["rss"]), ("Border Times", urls["atom"])],
        webhook_toml(receiver.url, events=events, **hook),
        webhook_delivery={**FAST, **(delivery or {})},
    )
    assert inst.run("init")[0] == 0
    return inst


def _outbox(inst: Instance) -> tuple[Store, OutboxStore]:
    store = Store(load_settings(inst.config).database_url)
    return store, OutboxStore(store)


def _deliver_until_empty(inst: Instance, seconds: float = 10.0) -> None:
    """Run ``webhooks deliver`` until nothing is pending (bounded)."""
    store, outbox = _outbox(inst)
    try:
        deadline = time.monotonic() + seconds
        while outbox.pending_count() and time.monotonic() < deadline:
            assert inst.run("webhooks", "deliver")[0] == 0
            time.sleep(0.05)
        assert outbox.pending_count() == 0
    finally:
        store.close()


def test_every_stored_item_arrives_once_per_event_and_every_signature_verifies(
    server: FixtureServer, make_instance: Callable[..., Instance], receiver: WebhookReceiver
) -> None:
    inst = _site_instance(server, make_instance, receiver, events=["item.new", "item.relevant"])
    code, out, err = inst.run("poll")
    assert code == 0, err
    assert "entries: 4 new, 1 duplicate" in out
    code, out, err = inst.run("webhooks", "deliver")
    assert code == 0, err
    records = {r["id"]: r for r in inst.export()}
    relevant = {i for i, r in records.items() if r["relevance"]["relevant"]}  # type: ignore[index]
    assert relevant and relevant != set(records)  # the site has both kinds
    got = receiver.accepted()
    assert all(r.verified for r in receiver.requests)
    by_type: dict[str, list[str]] = {"item.new": [], "item.relevant": []}
    for r in got:
        assert r.body is not None
        by_type[r.body["type"]].append(r.body["data"]["id"])
        assert r.body["data"] == records[r.body["data"]["id"]]  # the item record, triage too
        assert r.body["timestamp"].endswith("Z")
    assert sorted(by_type["item.new"]) == sorted(records)  # the duplicate is not new
    assert sorted(by_type["item.relevant"]) == sorted(relevant)
    assert len({r.webhook_id for r in got}) == len(got)  # one webhook-id per delivery
    assert f"{len(got)} delivered" in out
    # Nothing is sent twice: a second pass and a second poll add nothing.
    assert inst.run("poll")[0] == 0
    assert inst.run("webhooks", "deliver")[0] == 0
    assert len(receiver.requests) == len(got)


def test_filters_min_score_and_tags(
    server: FixtureServer, make_instance: Callable[..., Instance], receiver: WebhookReceiver
) -> None:
    inst = _site_instance(
        server, make_instance, receiver, events=["item.new"], min_score=0.99, tags=["no-such-tag"]
    )
    assert inst.run("poll")[0] == 0
    assert inst.run("webhooks", "deliver")[0] == 0
    assert receiver.requests == []


def test_a_retry_repeats_the_webhook_id_and_the_body(
    server: FixtureServer, make_instance: Callable[..., Instance], receiver: WebhookReceiver
) -> None:
    inst = _site_instance(server, make_instance, receiver, events=["item.relevant"])
    assert inst.run("poll")[0] == 0
    store, outbox = _outbox(inst)
    pending = outbox.deliveries(status="pending")
    store.close()
    assert pending
    for d in pending:
        receiver.fail_first[d.id] = 2  # two 503s, then 200
    _deliver_until_empty(inst)
    for d in pending:
        tries = [r for r in receiver.requests if r.webhook_id == d.id]
        assert [r.status for r in tries] == [503, 503, 200]
        assert all(r.body == tries[0].body for r in tries)  # same bytes every time
        assert tries[0].body == json.loads(d.payload)
    assert len(receiver.accepted()) == len(pending)


def test_receiver_down_for_a_while_then_back_gets_everything(
    server: FixtureServer, make_instance: Callable[..., Instance], receiver: WebhookReceiver
) -> None:
    inst = _site_instance(server, make_instance, receiver, events=["item.new"])
    receiver.stop()
    assert inst.run("poll")[0] == 0
    for _ in range(3):  # connection refused, again and again: retried, not lost
        code, out, _ = inst.run("webhooks", "deliver")
        assert code == 0 and "0 delivered" in out
        time.sleep(0.25)
    store, outbox = _outbox(inst)
    waiting = outbox.deliveries(status="pending")
    store.close()
    assert len(waiting) == 4 and all(d.attempts >= 2 for d in waiting)
    assert all("Connect" in (d.last_error or "") for d in waiting)
    code, out, _ = inst.run("webhooks", "list")
    assert "last error" in out
    receiver.start()  # same port
    _deliver_until_empty(inst)
    assert sorted(r.webhook_id for r in receiver.accepted()) == sorted(d.id for d in waiting)


def test_410_gone_disables_the_endpoint_and_stops_deliveries(
    server: FixtureServer, make_instance: Callable[..., Instance], receiver: WebhookReceiver
) -> None:
    inst = _site_instance(server, make_instance, receiver, events=["item.new"])
    receiver.status = 410
    assert inst.run("poll")[0] == 0
    code, out, _ = inst.run("webhooks", "deliver")
    assert code == 0 and "1 endpoints gone" in out
    assert len(receiver.requests) == 1  # the first 410 stops the rest of the batch
    for _ in range(3):
        assert inst.run("webhooks", "deliver")[0] == 0
    assert len(receiver.requests) == 1
    code, out, _ = inst.run("webhooks", "list", "--json")
    endpoint = json.loads(out.splitlines()[0])
    assert endpoint["enabled"] is False and "410" in endpoint["disabled_reason"]
    assert endpoint["deliveries"] == {"pending": 4}  # kept, not thrown away
    # The operator fixed the receiver and says so: everything arrives.
    receiver.status = 200
    assert inst.run("webhooks", "enable", receiver.url)[0] == 0
    _deliver_until_empty(inst)
    assert len({r.webhook_id for r in receiver.accepted()}) == 4


def test_given_up_deliveries_are_failed_and_retry_sends_them_with_the_same_id(
    server: FixtureServer, make_instance: Callable[..., Instance], receiver: WebhookReceiver
) -> None:
    inst = _site_instance(
        server, make_instance, receiver, events=["item.new"], delivery={"retry_for": 0.3}
    )
    receiver.status = 500
    assert inst.run("poll")[0] == 0
    deadline = time.monotonic() + 10
    store, outbox = _outbox(inst)
    try:
        while outbox.pending_count() and time.monotonic() < deadline:
            inst.run("webhooks", "deliver")
            time.sleep(0.1)
        failed = outbox.deliveries(status="failed")
    finally:
        store.close()
    assert len(failed) == 4 and all(d.last_error == "HTTP 500" for d in failed)
    receiver.status = 200
    code, out, _ = inst.run("webhooks", "retry")
    assert code == 0 and "4 failed deliveries requeued" in out and "4 delivered" in out
    assert sorted(r.webhook_id for r in receiver.accepted()) == sorted(d.id for d in failed)


def test_targets_pass_the_ssrf_guard(
    server: FixtureServer, make_instance: Callable[..., Instance], receiver: WebhookReceiver
) -> None:
    urls = serve_site(server)
    inst = make_instance(
        [("Frontier Daily", urls["rss"])],
        webhook_toml(receiver.url.replace("127.0.0.1", "127.0.0.2"), events=["item.new"]),
        webhook_delivery=FAST,
    )
    assert inst.run("init")[0] == 0
    assert inst.run("poll")[0] == 0
    assert inst.run("webhooks", "deliver")[0] == 0
    assert receiver.requests == []
    code, out, _ = inst.run("webhooks", "list")
    assert code == 0
    assert "refused by the SSRF guard" in out and "loopback" in out


def test_triage_changes_are_delivered_as_item_triaged(
    server: FixtureServer, make_instance: Callable[..., Instance], receiver: WebhookReceiver
) -> None:
    inst = _site_instance(server, make_instance, receiver, events=["item.triaged"])
    assert inst.run("poll")[0] == 0
    item_id = str(inst.export()[0]["id"])
    from monitor.service import open_store

    store = open_store(load_settings(inst.config))
    try:
        store.set_triage(item_id, {"starred": True, "note": "watch"}, datetime.now(UTC))
    finally:
        store.close()
    assert inst.run("webhooks", "deliver")[0] == 0
    [got] = receiver.accepted()
    assert got.body is not None and got.body["type"] == "item.triaged"
    assert got.body["data"]["id"] == item_id
    assert got.body["data"]["triage"]["starred"] is True
    assert got.body["data"]["triage"]["note"] == "watch"


def test_an_item_that_is_not_stored_writes_no_delivery(
    server: FixtureServer, make_instance: Callable[..., Instance], receiver: WebhookReceiver
) -> None:
    """The outbox row lives in the item's savepoint: a losing second insert adds none."""
    inst = _site_instance(server, make_instance, receiver, events=["item.new"])
    assert inst.run("poll")[0] == 0
    from monitor.dedup import DuplicateDetector
    from monitor.service import open_store
    from monitor.types import NewItem

    settings = load_settings(inst.config)
    store = open_store(settings)
    try:
        stored = next(store.items())
        outbox = OutboxStore(store)
        before = len(outbox.deliveries(limit=100))
        fp = DuplicateDetector(settings.dedup, store.fingerprint_index).fingerprint(stored.text)
        again = NewItem(
            id=stored.id,
            feed_id=None,
            url=stored.url,
            canonical_url=stored.canonical_url,
            entry_id=None,
            title=stored.title,
            authors=(),
            published_at=None,
            fetched_at=datetime.now(UTC) + timedelta(seconds=1),
            language=None,
            text=stored.text,
            text_source="page",
            content_hash=stored.content_hash,
            relevance=stored.relevance,
            lexicon_version=None,
            duplicate_of=None,
            duplicate_reason="",
            story_id=stored.story_id,
        )
        assert store.add_item(again, fp) is False
        assert len(outbox.deliveries(limit=100)) == before
    finally:
        store.close()


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        ('[[webhook]]\nurl = "http://h.example/x"\nevents = ["item.new"]\n', "webhook.0"),
        (
            '[[webhook]]\nurl = "http://h.example/x"\nsecret = "whsec_AAAA"\n'
            'events = ["item.old"]\n',
            "webhook.0.events.0",
        ),
        (
            '[[webhook]]\nurl = "ftp://h.example/x"\nsecret = "whsec_AAAA"\n',
            "webhook.0.url",
        ),
        (
            '[[webhook]]\nurl = "http://h.example/x"\nsecret = "whsec_AAAA"\nmin_score = 2\n',
            "webhook.0.min_score",
        ),
        (
            '[[webhook]]\nurl = "http://h.example/x"\nsecret = "x"\nretries = 3\n',
            "webhook.0.retries",
        ),
        (
            '[email]\nsmtp_host = "h"\nfrom = "a@b.c"\nto = ["d@e.f"]\nschedule = "7am"\n',
            "email.schedule",
        ),
        (
            '[email]\nsmtp_host = "h"\nfrom = "a@b.c"\nto = ["d@e.f"]\ntimezone = "Mars/Base"\n',
            "email.timezone",
        ),
        ('[email]\nsmtp_host = "h"\nfrom = "a@b.c"\n', "email.to"),
    ],
)
def test_notify_config_errors_name_the_key(
    make_instance: Callable[..., Instance], toml: str, key: str
) -> None:
    inst = make_instance([], toml)
    code, _, err = inst.run("stats")
    assert code == 1
    assert err.count("\n") == 1 and f"'{key}'" in err, err


def test_secret_env_must_be_set_and_be_a_secret(
    make_instance: Callable[..., Instance],
    receiver: WebhookReceiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    toml = f'[[webhook]]\nurl = "{receiver.url}"\nsecret_env = "HOOK_SECRET"\n'
    inst = make_instance([], toml, webhook_delivery=FAST)
    assert inst.run("init")[0] == 0
    code, _, err = inst.run("webhooks", "deliver")
    assert code == 1 and "HOOK_SECRET" in err and "not set" in err
    monkeypatch.setenv("HOOK_SECRET", "not base64!")
    code, _, err = inst.run("webhooks", "deliver")
    assert code == 1 and "'webhook.0.secret_env'" in err


def test_the_daemon_delivers_what_it_stores(
    server: FixtureServer, make_instance: Callable[..., Instance], receiver: WebhookReceiver
) -> None:
    urls = serve_site(server)
    inst = make_instance(
        [("Frontier Daily", urls["rss"]), ("Border Times", urls["atom"])],
        webhook_toml(receiver.url, events=["item.new"]),
        webhook_delivery={**FAST, "tick": 0.2},
        schedule={"tick": 1},
    )
    assert inst.run("init")[0] == 0
    code, _, err = inst.run("run", "--max-ticks", "4")
    assert code == 0, err
    assert sorted(r.body["data"]["id"] for r in receiver.accepted() if r.body) == sorted(
        str(r["id"]) for r in inst.export()
    )
