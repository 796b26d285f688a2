"""The scripted faults of `--faults`: each one's act on the running system — processes killed,
every broker node or one of them stopped and started again, events delivered twice, a poison
message dead-lettered and replayed — noted in the season's record. The phases choose when."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from datetime import datetime

from common.clock import real_utcnow_naive

ALL_FAULTS = ("broker", "kill", "web", "twice", "cluster", "poison")


class Faults:
    """The faults a season was asked for (`"web" in faults`), their acts, and what the phases
    wait for of them (`outage_done`, `node_done`, `web_killed_at`)."""

    def __init__(self, names, system, brokers, db, record, outage: float):
        self.names = set(names)
        self.system, self.brokers, self.db, self.record, self.outage = system, brokers, db, record, outage
        self.web_killed_at = None
        self.outage_done = False
        self.node_done = False

    def __contains__(self, name: str) -> bool:
        return name in self.names

    def __iter__(self):
        return iter(self.names)

    def kill_web(self, name: str) -> None:
        proc = self.system.stack.processes.get(name)
        if proc is not None:
            self.web_killed_at = real_utcnow_naive()
            os.killpg(proc.pid, signal.SIGKILL)
            self.record.note(f"fault: SIGKILL {name} web (gunicorn) during an import")

    def clear_stale_upload(self, u) -> None:
        """The upload the killed process was working on stays `running`, holding the union's upload
        lock until its heartbeat is 15 minutes old (members' STALE_AFTER). What an operator does
        today: mark it failed. Said in the season's notes (a finding, issue 16)."""
        from sqlalchemy import text

        with self.db.engines["members"].begin() as conn:
            cleared = conn.execute(
                text(
                    "UPDATE upload_jobs SET state = 'failed', message = '处理中断（进程退出）', "
                    "finished_at = now() AT TIME ZONE 'utc' WHERE state = 'running' "
                    "AND union_id = :u AND heartbeat_at <= :t"
                ),
                {"u": u.id, "t": self.web_killed_at},
            ).rowcount
        self.record.note(
            f"finding: the killed web process left union {u.index}'s upload 'running' (its lock held "
            f"until 15 min stale); {cleared} job(s) marked failed by hand, the import sent again"
        )

    def kill_workers(self, names) -> None:
        for name in names:
            proc = self.system.stack.processes.get(name)
            if proc is None:
                continue
            os.killpg(proc.pid, signal.SIGKILL)
            self.record.note(f"fault: SIGKILL {name}")
            time.sleep(1.5)

    def broker_outage(self) -> None:
        nodes = self.brokers.nodes if hasattr(self.brokers, "nodes") else [self.brokers]
        started = time.monotonic()
        for node in reversed(nodes):
            node.stop()
        self.record.note("fault: every RabbitMQ node stopped")
        time.sleep(self.outage)
        threads = [threading.Thread(target=node.start, kwargs={"timeout": 300}) for node in nodes]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.record.note(f"fault: RabbitMQ back after {time.monotonic() - started:.0f} s")
        self.outage_done = True

    def node_outage(self) -> None:
        time.sleep(1)
        self.brokers.stop_node(0)
        self.record.note("fault: node 1 of 3 stopped (the one clients list first)")
        time.sleep(self.outage)
        self.brokers.start_node(0)
        self.record.note(f"fault: node 1 rejoined; {self.brokers.running_nodes()} running")
        self.node_done = True

    def deliver_twice(self, since: datetime) -> None:
        """Every event sent since `since` is published again, same id: each is delivered twice."""
        from common.bus import Publisher

        db = self.db
        self.system.wait_for(
            lambda: all(db.sql(c, "SELECT count(*) FROM outbox WHERE sent_at IS NULL")[0][0] == 0 for c in db.engines),
            timeout=600,
            interval=0.5,
            message="outboxes sent before the duplicates",
        )
        envelopes = []
        for component in db.engines:
            envelopes += [
                json.loads(r[0])
                for r in db.sql(component, "SELECT payload FROM outbox WHERE sent_at >= :t ORDER BY id", t=since)
            ]
        publisher = Publisher(db.settings)
        try:
            for i in range(0, len(envelopes), 500):
                confirmed, _ = publisher.publish(envelopes[i : i + 500])
                assert len(confirmed) == len(envelopes[i : i + 500])
        finally:
            publisher.close()
        self.record.note(f"fault: {len(envelopes)} events of submissions and reviews delivered a second time")

    def poison(self, district_id: int) -> None:
        """billing.batch.feedback_given for the batch the district `district_id` is about to
        create: it does not exist yet, so enrollment dead-letters it at once."""
        from common.bus import Publisher
        from common.db import envelope

        db = self.db
        next_id = db.sql("enrollment", "SELECT coalesce(max(id), 0) + 1 FROM batch")[0][0]
        event = envelope(
            "billing.batch.feedback_given",
            {
                "batch_id": next_id,
                "district_id": district_id,
                "message": "季测：先于批次到达的反馈",
                "at": "2019-12-28T09:00:00+08:00",
            },
            producer="billing",
        )
        publisher = Publisher(db.settings)
        try:
            confirmed, _ = publisher.publish([event])
            assert confirmed == [event["id"]]
        finally:
            publisher.close()
        self.poisoned = (event["id"], next_id)
        from common.dlq import list_dead_letters
        from deploy.topology import all_subscriptions

        # every consumer of the event dead-letters it (enrollment, and notifications, which tells
        # the district): each queue is waited for here and replayed once the batch exists
        self.poisoned_queues = [
            f"{s.service}.{s.consumer}" for s in all_subscriptions() if "billing.batch.feedback_given" in s.handlers
        ]
        for queue in self.poisoned_queues:
            self.system.wait_for(
                lambda q=queue: any(m["event_id"] == event["id"] for m in list_dead_letters(q, db.settings)),
                timeout=120,
                interval=1,
                message=f"the poison message in {queue}'s dead-letter queue",
            )
        self.record.note(
            f"fault: poison {event['id'][:8]} (feedback for batch {next_id} before it exists) dead-lettered"
        )

    def replay_poison(self) -> None:
        event_id, batch_id = self.poisoned
        replayed = [
            self.system.python("-m", "common.dlq", "replay", queue, "--event-id", event_id).stdout.strip()
            for queue in self.poisoned_queues
        ]
        self.system.wait_for(
            lambda: (
                self.db.sql("enrollment", "SELECT feedback_message FROM batch WHERE id = :b", b=batch_id)[0][0]
                == "季测：先于批次到达的反馈"
            ),
            timeout=120,
            interval=0.5,
            message="the replayed poison message applied",
        )
        self.record.note(f"fault: poison replayed ({'; '.join(replayed)}) and applied to batch {batch_id}")
