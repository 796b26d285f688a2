"""Metrics and readiness of a service (billing, under the Flask test client on PostgreSQL, with
real RabbitMQ for the relay): the request-latency series by route template and status, the
outbox gauges after an outbox write, and `/ready` turning 503 while the relay cannot reach the
broker past RELAY_UNREADY_AFTER and 200 again once it publishes — on the web side (read from
the outbox) and on the worker's own port (the relay's state, on a test clock)."""

from __future__ import annotations

import time
import uuid

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from common import metrics
from common.config import BusSettings
from common.relay import Relay
from tests.conftest import AMQP_URL, ServiceClient, auth_headers


def samples(text: str) -> list:
    return [s for family in text_string_to_metric_families(text) for s in family.samples]


def value(text: str, name: str, **labels) -> float | None:
    for sample in samples(text):
        if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
            return sample.value
    return None


@pytest.fixture
def billing(database):
    svc = ServiceClient("billing", database("billing"))
    yield svc
    svc.close()


def scrape(svc) -> str:
    response = svc.client.get("/metrics")
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain")
    return response.get_data(as_text=True)


def test_request_latency_by_route_template_and_status(billing):
    route = "/batches/<int(max=2147483647):batch_id>"
    before = (
        value(
            scrape(billing),
            "union_http_request_duration_seconds_count",
            service="billing",
            route=route,
            status="404",
            method="GET",
        )
        or 0
    )
    for batch_id in (987654, 987655):
        response = billing.client.get(f"/batches/{batch_id}", headers=auth_headers("centre"))
        assert response.status_code == 404
    text = scrape(billing)
    labels = {"service": "billing", "route": route, "status": "404", "method": "GET"}
    assert value(text, "union_http_request_duration_seconds_count", **labels) == before + 2
    total = value(text, "union_http_request_duration_seconds_sum", **labels)
    assert 0 < total < 30, "two requests took a positive and sane time"
    assert value(text, "union_http_request_duration_seconds_bucket", le="+Inf", **labels) == before + 2
    # bounded cardinality: the raw path never becomes a label
    assert not any("987654" in str(s.labels) for s in samples(text))
    # an unauthenticated call is timed too, with its status
    assert billing.client.get("/batches/1").status_code == 401
    assert (
        value(
            scrape(billing),
            "union_http_request_duration_seconds_count",
            service="billing",
            route=route,
            status="401",
            method="GET",
        )
        >= 1
    )


def test_outbox_gauges_follow_an_outbox_write(billing):
    text = scrape(billing)
    assert value(text, "union_database_up", service="billing") == 1
    assert value(text, "union_outbox_unsent", service="billing") == 0
    assert value(text, "union_outbox_oldest_unsent_age_seconds", service="billing") == 0
    with billing.runtime.uow() as uow:
        uow.publish("billing.test.happened", {"n": 1})
        uow.publish("billing.test.happened", {"n": 2})
        uow.commit()
    time.sleep(0.2)
    text = scrape(billing)
    assert value(text, "union_outbox_unsent", service="billing") == 2
    age = value(text, "union_outbox_oldest_unsent_age_seconds", service="billing")
    assert 0.1 < age < 60
    assert value(text, "union_outbox_oldest_unsent_attempts", service="billing") == 0


def _unreachable() -> BusSettings:
    return BusSettings(url="amqp://guest:guest@127.0.0.1:1//", exchange="unused", connect_timeout=1, confirm_timeout=2)


def test_ready_turns_503_while_the_relay_fails_past_the_bound_and_back(billing, monkeypatch):
    monkeypatch.setenv("RELAY_UNREADY_AFTER", "30")
    with billing.runtime.uow() as uow:
        uow.publish("billing.test.happened", {"n": 1})
        uow.commit()
    # the relay cannot reach the broker: within the bound the service stays ready
    relay = Relay(billing.runtime, _unreachable())
    with pytest.raises(Exception):
        relay.run_once()
    first = billing.client.get("/ready")
    assert first.status_code == 200, first.get_json()
    assert first.get_json()["checks"]["relay"] == "ok"
    monkeypatch.setenv("RELAY_UNREADY_AFTER", "0.5")  # a small bound instead of waiting 30 s
    time.sleep(0.6)
    with pytest.raises(Exception):
        relay.run_once()
    stuck = billing.client.get("/ready")
    assert stuck.status_code == 503
    assert stuck.get_json()["checks"]["relay"].startswith("failing to publish for over 0.5 s (1 unsent")
    assert stuck.get_json()["checks"]["database"] == "ok"
    text = scrape(billing)
    assert value(text, "union_outbox_oldest_unsent_attempts", service="billing") == 2
    assert value(text, "union_relay_publish_failures_total", service="billing") >= 2

    # the broker is back: the relay publishes, the service is ready again
    exchange = f"test.metrics.{uuid.uuid4().hex[:8]}"
    settings = BusSettings(url=AMQP_URL, exchange=exchange, connect_timeout=2, confirm_timeout=5)
    recovered = Relay(billing.runtime, settings)
    try:
        assert recovered.run_once() == 1
    finally:
        recovered.publisher.close()
        _delete_exchange(exchange)
    ready = billing.client.get("/ready")
    assert ready.status_code == 200, ready.get_json()
    assert ready.get_json()["checks"]["relay"] == "ok"
    text = scrape(billing)
    assert value(text, "union_outbox_unsent", service="billing") == 0
    assert value(text, "union_relay_published_total", service="billing") >= 1


def _delete_exchange(name: str) -> None:
    from kombu import Connection

    with Connection(AMQP_URL, connect_timeout=2) as conn:
        conn.default_channel.exchange_delete(name)


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_worker_ready_follows_the_relay_on_a_test_clock(billing, monkeypatch):
    monkeypatch.setenv("RELAY_UNREADY_AFTER", "60")
    with billing.runtime.uow() as uow:
        uow.publish("billing.test.happened", {"n": 1})
        uow.commit()
    clock = FakeClock()
    relay = Relay(billing.runtime, _unreachable(), monotonic=clock)
    server = metrics.MetricsServer(
        "billing-worker", 0, ready=relay.readiness, collectors=[metrics.ServiceStateCollector(billing.runtime)]
    ).start()
    base = f"http://127.0.0.1:{server.port}"
    try:
        assert requests.get(base + "/ready", timeout=5).status_code == 200
        with pytest.raises(Exception):
            relay.run_once()
        clock.now += 59
        assert requests.get(base + "/ready", timeout=5).status_code == 200, "within the bound"
        assert (
            value(requests.get(base + "/metrics", timeout=5).text, "union_relay_failing_seconds", service="billing")
            == 59
        )
        clock.now += 2
        unready = requests.get(base + "/ready", timeout=5)
        assert unready.status_code == 503
        assert unready.json()["checks"]["relay"].startswith("failing to publish for 61 s (bound 60 s)")
        health = requests.get(base + "/health", timeout=5).json()
        assert health["process"] == "billing-worker" and health["pid"] > 0

        # it publishes again (an empty outbox is nothing failing): ready at once
        with billing.runtime.engine.begin() as conn:
            conn.execute(billing.runtime.messaging.outbox.delete())
        assert relay.run_once() == 0
        assert requests.get(base + "/ready", timeout=5).status_code == 200
        assert (
            value(requests.get(base + "/metrics", timeout=5).text, "union_relay_failing_seconds", service="billing")
            == 0
        )
        assert requests.get(base + "/nothing", timeout=5).status_code == 404
    finally:
        server.stop()


def test_upload_jobs_running_from_the_members_database(database):
    """Uploads run as jobs in the members service's web processes; the gauge counts the running
    ones from its database, whichever replica is scraped."""
    from datetime import datetime

    members = ServiceClient("members", database("members"))
    try:
        assert value(scrape(members), "union_upload_jobs_running", service="members") == 0
        jobs = members.runtime.metadata.tables["upload_jobs"]
        now = datetime(2026, 12, 1, 9, 0)
        with members.runtime.engine.begin() as conn:
            for key, state in (("a", "running"), ("b", "running"), ("c", "succeeded")):
                conn.execute(
                    jobs.insert().values(
                        lock_key=key,
                        kind="sync",
                        dry_run=False,
                        state=state,
                        filename="",
                        total=0,
                        done=0,
                        created_by="t",
                        created_at=now,
                        heartbeat_at=now,
                    )
                )
        assert value(scrape(members), "union_upload_jobs_running", service="members") == 2
        assert value(scrape(members), "union_database_up", service="members") == 1
    finally:
        members.close()
