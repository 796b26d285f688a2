"""The relay against a broker in trouble — down, silent, or refusing to confirm — neither hangs
nor loses an event: every wait is bounded, and a row is marked sent only after its confirm.
Uses a RabbitMQ node of its own (tests/integration/private_broker.py), never the shared one."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import replace

import pytest

from common.relay import Relay
from tests.integration.harness import Probe
from tests.integration.private_broker import PrivateBroker


@pytest.fixture(scope="module")
def broker():
    node = PrivateBroker().start()
    yield node
    node.destroy()


@pytest.fixture
def probe_on_private(database, broker):
    deployment = Probe(database("probe"), broker.url)
    deployment.declare()
    yield deployment
    deployment.close()


def _timed_failure(relay: Relay) -> float:
    started = time.monotonic()
    with pytest.raises(Exception):
        relay.run_once()
    relay.publisher.close()
    return time.monotonic() - started


def test_unreachable_broker_fails_fast_and_keeps_every_event(probe_on_private):
    probe = probe_on_private
    probe.emit(5)
    nobody = socket.socket()
    nobody.bind(("127.0.0.1", 0))  # a port nobody listens on
    dead = replace(probe.settings, url=f"amqp://guest:guest@127.0.0.1:{nobody.getsockname()[1]}//")
    try:
        assert _timed_failure(Relay(probe.runtime, dead)) < dead.connect_timeout * 3 + 2
    finally:
        nobody.close()
    assert probe.unsent() == 5

    assert Relay(probe.runtime, probe.settings).run_once() == 5
    assert probe.unsent() == 0


def test_silent_broker_does_not_hang_the_relay(probe_on_private):
    """Accepts the TCP connection, then says nothing (a wedged broker or a black-holing proxy)."""
    probe = probe_on_private
    probe.emit(3)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    silent = replace(probe.settings, url=f"amqp://guest:guest@127.0.0.1:{listener.getsockname()[1]}//")
    try:
        assert _timed_failure(Relay(probe.runtime, silent)) < silent.connect_timeout * 3 + 2
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        listener.close()
    assert probe.unsent() == 3


def test_nothing_is_marked_sent_without_a_confirm(probe_on_private, broker):
    """The broker takes the connection but blocks publishers (memory alarm): no confirm comes,
    so the relay gives up within its confirm timeout and marks nothing sent; once the broker
    confirms again, everything goes."""
    probe = probe_on_private
    probe.emit(20)
    relay = Relay(probe.runtime, probe.settings)
    broker.block_publishers(True)
    try:
        assert _timed_failure(relay) < probe.settings.connect_timeout + probe.settings.confirm_timeout + 3
        assert probe.unsent() == 20
        assert probe.outbox_failures() == 1
    finally:
        broker.block_publishers(False)
    deadline = time.monotonic() + 30
    sent = 0
    while sent < 20 and time.monotonic() < deadline:
        try:
            sent += relay.run_once()
        except Exception:  # noqa: BLE001 - the broker may need a moment after the alarm clears
            relay.publisher.close()
            time.sleep(0.5)
    assert probe.unsent() == 0
