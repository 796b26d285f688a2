"""A returned submission's notice is superseded at once, over the real RabbitMQ (issue 26 item 8,
decision 0034): enrollment's return reaches the documents worker, which withdraws the notice and
reissues the union's notice without it; its relay publishes documents.document.withdrawn, and the
notifications worker tells the union — real `python -m common.worker` processes, real PostgreSQL."""

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
from tests.conftest import AMQP_URL
from tests.integration.test_notifications_bus import _delete_namespace
from tests.season import wait_for
from tests.services.documents import contract as c


def test_a_returned_submission_withdraws_its_notice_and_the_union_is_told(database):
    urls = {"documents": database("documents"), "notifications": database("notifications")}
    run = uuid.uuid4().hex[:8]
    env = {k: v for k, v in os.environ.items() if not k.endswith("_DATABASE_URL")}
    env.update(
        {
            "DOCUMENTS_DATABASE_URL": urls["documents"],
            "NOTIFICATIONS_DATABASE_URL": urls["notifications"],
            "BUS_URL": AMQP_URL,
            "BUS_EXCHANGE": f"test.supersede.{run}",
            "BUS_QUEUE_PREFIX": f"test.supersede.{run}.",
            "BUS_CONNECT_TIMEOUT": "2",
            "PYTHONPATH": str(ROOT),
        }
    )
    for service in urls:
        subprocess.run(
            [sys.executable, "-m", "common.migrate", "upgrade", service],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=120,
        )
    from services.documents.subscriptions import SUBSCRIPTIONS as DOCUMENTS
    from services.notifications.subscriptions import SUBSCRIPTIONS as NOTIFICATIONS

    settings = BusSettings(
        url=AMQP_URL, exchange=env["BUS_EXCHANGE"], queue_prefix=env["BUS_QUEUE_PREFIX"], connect_timeout=2
    )
    declare_topology(settings, DOCUMENTS + NOTIFICATIONS)
    engines = {service: create_engine(url) for service, url in urls.items()}

    def rows(service, sql):
        with engines[service].connect() as conn:
            return conn.execute(text(sql)).all()

    def worker(service, *args):
        return subprocess.Popen(
            [sys.executable, "-m", "common.worker", service, *args, "--metrics-port", "0"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    second_price = c.priced(102, c.UNION_A, c.DISTRICT_1, "B", 2, union_owes_to_date_fen=10000)
    second_price["schema_version"] = 2
    publisher = Publisher(settings)
    procs = [worker("documents"), worker("notifications", "--consume", "events")]
    try:
        publisher.publish([*c.districts(), *c.unions()])
        wait_for(lambda: len(rows("documents", "SELECT 1 FROM union_view")) == 3, timeout=60, message="the unions")
        publisher.publish(
            [
                c.cover_year(),
                c.submission(101, c.UNION_A, c.DISTRICT_1, "B", 3, 3, 1, submitted_at="2019-11-05T10:00:00+08:00"),
                c.priced(101, c.UNION_A, c.DISTRICT_1, "B", 3),
                c.submission(102, c.UNION_A, c.DISTRICT_1, "B", 2, 5, 2, submitted_at="2019-11-20T09:00:00+08:00"),
                second_price,
            ]
        )
        wait_for(lambda: len(rows("documents", "SELECT 1 FROM documents")) == 2, timeout=90, message="two notices")
        back = c.returned(101, c.UNION_A, c.DISTRICT_1, returned_at="2019-11-25T16:00:00+08:00")
        publisher.publish([back, back])  # delivered twice: one effect

        def told():
            return rows(
                "notifications",
                f"SELECT kind, body FROM notification WHERE audience = 'union' AND audience_id = {c.UNION_A} "
                "ORDER BY id",
            )

        wait_for(lambda: any(k == "notice_withdrawn" for k, _ in told()), timeout=90, message="the union told")
        assert rows("documents", "SELECT version, withdrawn_reason IS NOT NULL FROM documents ORDER BY version") == [
            (1, True),
            (2, False),
            (3, False),
        ]
        wait_for(lambda: len(told()) == 5, timeout=60, message="every notification")
        kinds = [k for k, _ in told()]  # the return itself (enrollment's event) is told as before
        assert sorted(kinds) == ["notice_ready"] * 3 + ["notice_withdrawn", "submission_returned"]
        [body] = [b for k, b in told() if k == "notice_withdrawn"]
        assert "（第 1 版）已作废。原因：区局退回第 1 次集中参保提交：名单有误。现行有效的是第 3 版" in body
        assert rows("notifications", "SELECT count(*) FROM mail")[0][0] == 5  # each one mailed too
    finally:
        publisher.close()
        for proc in procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        for engine in engines.values():
            engine.dispose()
        _delete_namespace(settings, DOCUMENTS + NOTIFICATIONS)
