"""The embedded mode's bus (kombu `filesystem://` + SQLite), across real processes: a relay
process publishes what a use case wrote to the outbox, a consumer process applies it once, and a
handler that keeps failing is dead-lettered by the consumer itself (it counts attempts in
`bus_attempts`, the transport cannot), listed, and replayed once fixed."""

from __future__ import annotations

import pytest

from tests.integration.harness import Probe
from tests.season import wait_for


@pytest.fixture
def embedded(tmp_path):
    deployment = Probe(f"sqlite:///{tmp_path / 'probe.db'}", "filesystem://", data_dir=tmp_path)
    deployment.declare()  # once, before any consumer starts
    yield deployment
    deployment.close()


def test_relay_to_consumer_across_processes(embedded):
    embedded.relay()
    embedded.consumer()
    ids = embedded.emit(300)
    wait_for(lambda: embedded.inbox_count() == 300, timeout=60, message="every event applied")
    assert embedded.unsent() == 0
    assert embedded.effect_count() == embedded.distinct_effects() == 300
    assert all(embedded.effects_of(i) == 1 for i in ids[:5])


def test_failing_handler_dead_letters_and_replays(embedded):
    embedded.set_broken(True)
    embedded.relay()
    embedded.consumer()
    [bad] = embedded.emit(1, fragile=True)
    [good] = embedded.emit(1)
    wait_for(lambda: embedded.effects_of(good) == 1, timeout=60, message="the good event")
    listed = wait_for(embedded.dlq_list, timeout=60, message="the dead letter")
    assert [(row["event_id"], row["reason"]) for row in listed] == [(bad, "delivery_limit")]
    assert "probe handler is broken" in listed[0]["error"]
    assert listed[0]["attempts"] == embedded.settings.delivery_limit
    assert embedded.attempts_of(bad) is None, "the count restarts, so a replay gets the full limit again"
    assert embedded.effects_of(bad) == 0
    assert embedded.dlq_list() == listed, "listing must not consume the dead letters"

    embedded.set_broken(False)
    replayed = embedded.cli("-m", "common.dlq", "replay", "probe.effects")
    assert replayed.returncode == 0, replayed.stderr
    assert replayed.stdout.strip() == "replayed 1"
    wait_for(lambda: embedded.effects_of(bad) == 1, timeout=60, message="the replayed event")
    assert embedded.dlq_list() == []
    assert embedded.effects_of(bad) == 1 and embedded.effects_of(good) == 1


def test_a_message_is_never_read_half_written(embedded):
    """Large messages take a while to write; a consumer polling meanwhile must not read one
    half-written (kombu's own transport then lost it: read empty, undecodable, deleted)."""
    embedded.consumer()
    embedded.relay()
    embedded.emit(100, padding="x" * 600_000)
    wait_for(lambda: embedded.inbox_count() == 100, timeout=90, message="every large event applied")
    assert embedded.effect_count() == embedded.distinct_effects() == 100
