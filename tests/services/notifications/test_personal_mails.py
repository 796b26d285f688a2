"""One person's mails (activation and 找回密码 links, decision 0035; a bulk load's 100,000 of them,
decision 0039) go through their own consumer, one message at a time: a mail that fails leaves the
mails before it sent once — in a batch, the consumer's retry one by one (EventConsumer.process)
sent them a second time. Over a real SMTP server (aiosmtpd) that refuses one address."""

from __future__ import annotations

import contextlib
import socket
import uuid

import pytest

from common.bus import Delivery
from common.consumer import EventConsumer
from common.db import envelope
from gateway import contracts

REFUSED = "nobody@refused.example.cn"


@contextlib.contextmanager
def smtp_refusing(address: str):
    """Yields (port, recipients of each message accepted); `address` answered 550."""
    from aiosmtpd.controller import Controller

    class Keep:
        def __init__(self):
            self.accepted = []

        async def handle_RCPT(self, server, session, envelope, rcpt, options):
            if rcpt == address:
                return "550 no such mailbox"
            envelope.rcpt_tos.append(rcpt)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            self.accepted.append(tuple(envelope.rcpt_tos))
            return "250 OK"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    keep = Keep()
    controller = Controller(keep, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, keep.accepted
    finally:
        controller.stop()


def _link(n: int, email: str) -> dict:
    data = contracts.link_issued_data(
        n, f"clerk{n}", f"代办员{n}", email, "activate", f"tok{n:040d}", "2026-12-10T20:00:00+08:00"
    )
    return envelope(contracts.ACCOUNT_LINK_ISSUED, data, "gateway", event_id=str(uuid.uuid4()))


def _as_the_consumer_does(consumer: EventConsumer, events: list[dict]) -> None:
    """EventConsumer.process's handling: the batch, and on a failure each message on its own."""
    deliveries = [Delivery(e, None) for e in events]
    try:
        consumer._handle(deliveries)
    except Exception:  # noqa: BLE001 - as process does: isolate the failing message
        for delivery in deliveries:
            with contextlib.suppress(Exception):
                consumer._handle([delivery])


def test_a_refused_address_leaves_the_other_links_mailed_once(service, monkeypatch):
    from services.notifications.subscriptions import SUBSCRIPTIONS

    svc = service("notifications")
    (mail,) = [s for s in SUBSCRIPTIONS if "gateway.account.link_issued" in s.handlers]
    assert mail.work and "gateway.account.link_issued" not in SUBSCRIPTIONS[0].handlers
    consumer = EventConsumer(svc.runtime, mail)
    events = [_link(1, "one@example.cn"), _link(2, REFUSED), _link(3, "three@example.cn")]
    with smtp_refusing(REFUSED) as (port, accepted):
        monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("SMTP_PORT", str(port))
        _as_the_consumer_does(consumer, events)
        _as_the_consumer_does(consumer, events)  # redelivered whole: nothing mailed twice
    assert sorted(accepted) == [("one@example.cn",), ("three@example.cn",)]


@pytest.mark.parametrize("kind", ["members.registration.returned"])
def test_every_personal_mail_is_on_the_one_at_a_time_consumer(kind):
    from services.notifications.subscriptions import SUBSCRIPTIONS

    assert [s.consumer for s in SUBSCRIPTIONS if kind in s.handlers] == ["mail"]
