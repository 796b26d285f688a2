"""The consumer's inbox claim (`INSERT ... ON CONFLICT DO NOTHING RETURNING`) on both databases
the services run on, and its chunked socket reads: each event's effect once, in delivery order;
a concurrent claim of the same event waits for the other transaction and then respects it;
AMQP frames come out whole however the bytes arrive."""

from __future__ import annotations

import socket
import struct
import threading
import uuid
from pathlib import Path

import amqp.transport
import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select

from common.bus import Delivery, Subscription
from common.config import BusSettings
from common.consumer import EventConsumer
from common.db import make_engine
from common.messaging_tables import add_messaging_tables
from common.patches import read_in_chunks
from common.runtime import ServiceRuntime
from tests.conftest import create_database, drop_database

EVENT = "unit.thing.happened"

metadata = MetaData()
messaging = add_messaging_tables(metadata)
effects = Table(
    "effects",
    metadata,
    Column("n", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False),
)


def _apply(uow, event: dict) -> None:
    uow.session.execute(insert(effects).values(event_id=event["id"]))


def _fail(uow, event: dict) -> None:
    _apply(uow, event)
    raise RuntimeError("handler bug")


def _runtime(url: str) -> ServiceRuntime:
    rt = ServiceRuntime(
        "unit",
        metadata,
        messaging,
        Path(__file__).parent,
        [Subscription("unit", "effects", {EVENT: _apply, "unit.failing": _fail})],
    )
    rt._engine = make_engine(url)
    metadata.create_all(rt.engine)
    return rt


@pytest.fixture
def pg_runtime():
    url = create_database("consumer")
    rt = _runtime(url)
    yield rt
    rt.engine.dispose()
    drop_database(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def runtime(request, tmp_path):
    if request.param == "postgresql":
        yield request.getfixturevalue("pg_runtime")
        return
    rt = _runtime(f"sqlite:///{tmp_path / 'consumer.db'}")
    yield rt
    rt.engine.dispose()


def _consumer(rt) -> EventConsumer:
    return EventConsumer(rt, rt.subscriptions[0], BusSettings(url="filesystem://"))


def _event(event_type: str = EVENT) -> dict:
    return {"id": str(uuid.uuid4()), "type": event_type, "data": {}}


def _effects(rt) -> list[str]:
    with rt.engine.connect() as conn:
        return list(conn.execute(select(effects.c.event_id).order_by(effects.c.n)).scalars())


def _inbox_rows(rt) -> int:
    with rt.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(messaging.inbox)).scalar()


def test_each_event_applied_once_in_delivery_order(runtime):
    consumer = _consumer(runtime)
    events = [_event() for _ in range(300)]
    # duplicates inside the batch, in an order unlike the ids' sort order
    consumer._handle([Delivery(e, None) for e in events + events[:3] + events[10:12]])
    assert _effects(runtime) == [e["id"] for e in events]

    later = _event()
    consumer._handle([Delivery(e, None) for e in [events[7], later, events[0]]])  # redeliveries
    assert _effects(runtime) == [e["id"] for e in events] + [later["id"]]
    assert _inbox_rows(runtime) == 301


def test_a_failing_batch_leaves_no_inbox_row_behind(runtime):
    consumer = _consumer(runtime)
    good, bad = _event(), _event("unit.failing")
    with pytest.raises(RuntimeError):
        consumer._handle([Delivery(good, None), Delivery(bad, None)])
    assert _effects(runtime) == [] and _inbox_rows(runtime) == 0

    consumer._handle([Delivery(good, None)])  # the retry of the good one applies it
    assert _effects(runtime) == [good["id"]]


@pytest.mark.parametrize("first_commits", [True, False])
def test_a_concurrent_claim_waits_for_the_other_transaction(pg_runtime, first_commits):
    """PostgreSQL only: SQLite writers queue for the whole transaction (BEGIN IMMEDIATE)."""
    runtime = pg_runtime
    first, second = _consumer(runtime), _consumer(runtime)
    event = _event()
    claimed = {}

    def other_replica():
        with runtime.uow() as uow:
            claimed["ids"] = second._claim(uow, [event])
            uow.commit()

    with runtime.uow() as uow:
        assert first._claim(uow, [event]) == {event["id"]}
        thread = threading.Thread(target=other_replica)
        thread.start()
        thread.join(timeout=1.0)
        assert thread.is_alive(), "the second claim must wait on the first one's key"
        if first_commits:
            uow.commit()
    thread.join(timeout=10)
    assert claimed["ids"] == (set() if first_commits else {event["id"]})
    assert _inbox_rows(runtime) == 1


def _frame(frame_type: int, payload: bytes) -> bytes:
    return struct.pack(">BHI", frame_type, 1, len(payload)) + payload + b"\xce"


def _chunked_client(server: socket.socket):
    transport = amqp.transport.TCPTransport(f"127.0.0.1:{server.getsockname()[1]}", connect_timeout=5)
    transport.connect()
    read_in_chunks(transport)
    transport.sock.settimeout(5)
    return transport


def test_chunked_reads_return_whole_frames_however_the_bytes_arrive():
    frames = [(1 + i % 3, bytes([i % 251]) * (i * 37 % 9000)) for i in range(200)]
    wire = b"".join(_frame(t, p) for t, p in frames)
    server = socket.create_server(("127.0.0.1", 0))
    connected = threading.Event()

    def send_in_odd_pieces():
        conn, _ = server.accept()
        with conn:
            connected.wait(5)  # as a broker, only once the client has set its socket up
            sizes = [1, 7, 3, 4096, 5000, 2, 13000, 8]
            i = 0
            while i < len(wire):
                size = sizes[i % len(sizes)]
                conn.sendall(wire[i : i + size])
                i += size
            while conn.recv(4096):  # until the client closes: closing first would reset it
                pass

    sender = threading.Thread(target=send_in_odd_pieces)
    sender.start()
    transport = _chunked_client(server)
    connected.set()
    try:
        got = [transport.read_frame() for _ in frames]
    finally:
        transport.close()
        sender.join()
        server.close()
    assert got == [(t, 1, p) for t, p in frames]


def test_chunked_reads_take_many_small_frames_per_recv():
    frames = [(3, b"x" * 300) for _ in range(200)]  # event-sized bodies, 60 kB in all
    server = socket.create_server(("127.0.0.1", 0))
    transport = _chunked_client(server)
    conn, _ = server.accept()
    try:
        conn.sendall(b"".join(_frame(t, p) for t, p in frames))  # all of it waiting in the socket
        chunked, calls = transport._quick_recv, []
        transport._quick_recv = lambda n: calls.append(n) or chunked(n)
        got = [transport.read_frame() for _ in frames]
    finally:
        transport.close()
        conn.close()
        server.close()
    assert got == [(t, 1, p) for t, p in frames]
    assert len(calls) <= len(frames) / 10  # py-amqp alone makes three per frame
