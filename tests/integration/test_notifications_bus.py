"""Notifications over the real RabbitMQ: every event of issue 15, each published twice with the
same id and the whole lot again after the consumer process is killed mid-way, makes exactly one
notification per audience concerned — the consumer is a real `python -m common.worker` process."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import uuid

from sqlalchemy import create_engine, text

from common.bus import Publisher, declare_topology
from common.config import ROOT, BusSettings
from common.db import envelope
from tests.conftest import AMQP_URL
from tests.season import TIMELINE, YEAR, wait_for

DISTRICT, UNION, UNION2 = 10, 101, 102


def _events() -> tuple[list[dict], dict]:
    """The events, and the notifications they must make: {(audience, id): count}."""

    def ev(event_type, data):
        return envelope(event_type, data, "test", event_id=str(uuid.uuid4()))

    batch = {
        "batch_id": 7,
        "batch_no": "CB201912300001",
        "district_id": DISTRICT,
        "cover_year": YEAR,
        "mode": "centralised",
        "submitted_at": "2019-12-30T10:00:00+08:00",
        "handler": {"name": "张三", "phone": "13800138000", "email": "z@example.com"},
        "submissions": [
            {"submission_id": 1, "union_id": UNION, "type": "A", "headcount": 1, "counts": {"centralised": 1}},
            {"submission_id": 2, "union_id": UNION2, "type": "A", "headcount": 1, "counts": {"centralised": 1}},
        ],
        "headcount_by_type": {"A": 2},
        "headcount": 2,
    }
    events = [
        ev("enrollment.cover_year.configured", {"cover_year": YEAR, **TIMELINE, "version": 1}),
        ev(
            "enrollment.submission.returned",
            {
                "submission_id": 3,
                "union_id": UNION,
                "district_id": DISTRICT,
                "cover_year": YEAR,
                "mode": "centralised",
                "reason": "名单有误",
            },
        ),
        ev(
            "members.member.rejected",
            {
                "member_id": 1,
                "union_id": UNION2,
                "district_id": DISTRICT,
                "name": "张三",
                "status": "rejected",
                "version": 2,
            },
        ),
        ev(
            "members.transfer.decided",
            {
                "request_id": 5,
                "member_id": 2,
                "name": "李四",
                "from_union_id": 201,
                "to_union_id": UNION,
                "approved": True,
                "reason": None,
            },
        ),
        ev(
            "members.transfers.requested",
            {"from_union_id": UNION2, "to_union_id": 201, "to_union_name": "丙工会", "request_ids": [7], "count": 1},
        ),
        ev("enrollment.batch.submitted", batch),
        ev("billing.batch.feedback_given", {"batch_id": 7, "message": "金额不足", "at": "2020-01-05T10:00:00+08:00"}),
        ev(
            "billing.batch.written_off",
            {
                "batch_id": 7,
                "amount_fen": 1,
                "received_on": "2020-01-10",
                "bank_reference": "x",
                "at": "2020-01-10T10:00:00+08:00",
            },
        ),
        ev(
            "documents.document.ready",
            {
                "document_id": 1,
                "kind": "grassroots_notice",
                "version": 1,
                "union_id": UNION,
                "district_id": DISTRICT,
                "cover_year": YEAR,
                "subject": "submission:1",
                "filename": "a.pdf",
                "media_type": "application/pdf",
                "size": 1,
                "sha256": "0" * 64,
            },
        ),
    ]
    expected = {("union", UNION): 6, ("union", UNION2): 5, ("district", DISTRICT): 3}
    return events, expected


def test_each_event_notifies_once_over_rabbitmq_with_duplicates_and_a_killed_consumer(database):
    url = database("notifications")
    run = uuid.uuid4().hex[:8]
    env = {k: v for k, v in os.environ.items() if not k.endswith("_DATABASE_URL")}
    env.update(
        {
            "NOTIFICATIONS_DATABASE_URL": url,
            "BUS_URL": AMQP_URL,
            "BUS_EXCHANGE": f"test.notify.{run}",
            "BUS_QUEUE_PREFIX": f"test.notify.{run}.",
            "BUS_CONNECT_TIMEOUT": "2",
            "PYTHONPATH": str(ROOT),
        }
    )
    subprocess.run(
        [sys.executable, "-m", "common.migrate", "upgrade", "notifications"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    from services.notifications.subscriptions import SUBSCRIPTIONS

    settings = BusSettings(
        url=AMQP_URL, exchange=env["BUS_EXCHANGE"], queue_prefix=env["BUS_QUEUE_PREFIX"], connect_timeout=2
    )
    declare_topology(settings, SUBSCRIPTIONS)
    engine = create_engine(url)

    def count(sql):
        with engine.connect() as conn:
            return conn.execute(text(sql)).scalar()

    def worker():
        return subprocess.Popen(
            [sys.executable, "-m", "common.worker", "notifications", "--consume", "events", "--metrics-port", "0"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    events, expected = _events()
    publisher = Publisher(settings)
    procs = []
    try:
        procs.append(worker())
        confirmed, _ = publisher.publish([e for e in events for _ in range(2)])  # every event twice, same id
        assert len(confirmed) == 2 * len(events)
        wait_for(
            lambda: count("SELECT count(*) FROM notification") >= sum(expected.values()),
            timeout=60,
            message="the notifications",
        )
        os.killpg(procs[0].pid, signal.SIGKILL)
        procs[0].wait()
        publisher.publish(events)  # all again, as redeliveries after the crash would bring them
        procs.append(worker())
        wait_for(
            lambda: count("SELECT count(*) FROM inbox") == len(events) and _depth(settings, SUBSCRIPTIONS) == 0,
            timeout=60,
            message="the queue drained",
        )
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT audience, audience_id, count(*) FROM notification GROUP BY audience, audience_id")
            ).all()
            per_cause = conn.execute(
                text(
                    "SELECT max(n) FROM (SELECT count(*) AS n FROM notification "
                    "GROUP BY cause, audience, audience_id) x"
                )
            ).scalar()
        assert {(a, i): n for a, i, n in rows} == expected
        assert per_cause == 1
        assert count("SELECT count(*) FROM mail WHERE state = 'pending'") == sum(expected.values())
    finally:
        publisher.close()
        for proc in procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        engine.dispose()
        _delete_namespace(settings, SUBSCRIPTIONS)


def _depth(settings, subs) -> int:
    from kombu import Connection

    with Connection(settings.url) as conn:
        _, depth, _ = conn.default_channel.queue_declare(subs[0].queue_name(settings), passive=True)
        return depth


def _delete_namespace(settings, subs) -> None:
    from kombu import Connection

    with Connection(settings.url, connect_timeout=2) as conn:
        channel = conn.default_channel
        for sub in subs:
            for queue in (sub.queue_name(settings), sub.queue_name(settings) + ".dlq"):
                channel.queue_delete(queue)
        channel.exchange_delete(settings.exchange)
        channel.exchange_delete(settings.dead_letter_exchange)
