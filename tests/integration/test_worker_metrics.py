"""A relay process and a consumer process on real RabbitMQ and PostgreSQL (the probe service),
each serving its metrics port: after events flow, the scrapes show what happened — published,
handled, the lag measured from the relay's header, the queues drained; a handler that keeps
failing shows as failures and redeliveries, and its message in the dead-letter queue's depth."""

from __future__ import annotations

import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.season import wait_for
from tests.system import free_port


def scrape(port: int) -> dict:
    """(name, sorted label items) -> value"""
    try:
        text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    except requests.RequestException:
        return {}
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for f in text_string_to_metric_families(text)
        for s in f.samples
    }


def test_relay_and_consumer_metrics_over_rabbitmq(probe):
    relay_port, consumer_port = free_port(), free_port()
    probe.spawn("--relay", extra_env={"METRICS_PORT": str(relay_port)}, name="relay")
    probe.consumer(extra_env={"METRICS_PORT": str(consumer_port)})
    consumer = "probe.effects"
    queue, dlq = probe.queue, probe.queue + ".dlq"
    wait_for(lambda: scrape(relay_port) and scrape(consumer_port), timeout=60, message="both metrics ports")

    probe.emit(200)
    wait_for(lambda: probe.inbox_count() == 200, timeout=60, message="every event applied")
    relay = wait_for(
        lambda: (m := scrape(relay_port)).get(("union_relay_published_total", (("service", "probe"),))) == 200 and m,
        timeout=30,
        message="the relay's count",
    )
    assert relay[("union_outbox_unsent", (("service", "probe"),))] == 0
    assert relay[("union_relay_failing_seconds", (("service", "probe"),))] == 0
    assert requests.get(f"http://127.0.0.1:{relay_port}/ready", timeout=5).status_code == 200

    seen = scrape(consumer_port)
    assert seen[("union_consumer_events_handled_total", (("consumer", consumer),))] == 200
    assert seen[("union_consumer_duplicates_total", (("consumer", consumer),))] == 0
    assert seen[("union_bus_up", ())] == 1
    assert seen[("union_queue_depth", (("queue", queue),))] == 0
    assert seen[("union_queue_depth", (("queue", dlq),))] == 0
    lag = seen[("union_consumer_lag_seconds", (("consumer", consumer),))]
    assert 0 <= lag < 30, "measured from the relay's x-published-at header, then 0 once idle"

    # a handler that keeps failing: retried (redelivered) up to the limit, then dead-lettered
    probe.set_broken(True)
    probe.emit(1, fragile=True)
    after = wait_for(
        lambda: (m := scrape(consumer_port)).get(("union_queue_depth", (("queue", dlq),))) == 1 and m,
        timeout=90,
        message="the dead letter counted in the .dlq depth",
    )
    assert after[("union_consumer_handler_failures_total", (("consumer", consumer),))] >= probe.settings.delivery_limit
    assert after[("union_consumer_redeliveries_total", (("consumer", consumer),))] >= 1
    assert after[("union_consumer_events_handled_total", (("consumer", consumer),))] == 200
