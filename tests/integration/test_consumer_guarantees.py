"""What a consumer promises, proven with real consumer processes over real RabbitMQ and
PostgreSQL (the probe service): an event's effect happens exactly once whatever the broker and
the processes do — a SIGKILL mid-handler or between commit and ack, duplicates, replicas — and
a message that keeps failing ends in the dead-letter queue, from which it replays once fixed."""

from __future__ import annotations

from tests.season import wait_for


def test_consumer_killed_mid_handler_redelivers_and_applies_once(probe, tmp_path):
    hang_file = tmp_path / "in-handler"
    first = probe.consumer({"PROBE_HANG_FILE": str(hang_file)})
    event = probe.event(hang=True)
    probe.publish([event])
    wait_for(hang_file.exists, message="the handler to start")
    probe.kill(first)  # SIGKILL inside the handler, before the commit
    assert probe.effects_of(event["id"]) == 0

    second = probe.consumer()
    wait_for(lambda: probe.effects_of(event["id"]) == 1, message="the redelivered event's effect")
    assert probe.effect_pids(event["id"]) == [second.pid]
    probe.stop(second)
    assert probe.queue_depth() == 0 and probe.effects_of(event["id"]) == 1


def test_consumer_killed_between_commit_and_ack_applies_once(probe, tmp_path):
    pause_file = tmp_path / "committed"
    first = probe.consumer({"PROBE_PAUSE_FILE": str(pause_file)})
    event = probe.event(pause_after_commit=True)
    probe.publish([event])
    wait_for(pause_file.exists, message="the commit")
    assert probe.effects_of(event["id"]) == 1  # committed, never acked
    probe.kill(first)

    second = probe.consumer()
    sentinel = probe.event(seq=1)
    probe.publish([sentinel])
    wait_for(lambda: probe.effects_of(sentinel["id"]) == 1, message="the consumer to catch up")
    probe.stop(second)  # anything still unacked would go back to the queue
    assert probe.queue_depth() == 0, "the redelivered event was never acked"
    assert probe.effects_of(event["id"]) == 1
    assert probe.effect_pids(event["id"]) == [first.pid]


def test_same_event_delivered_twice_has_one_effect(probe):
    consumer = probe.consumer()
    twice_in_a_row = probe.event(seq=1)
    probe.publish([twice_in_a_row, twice_in_a_row])  # very likely in one batch
    wait_for(lambda: probe.effects_of(twice_in_a_row["id"]) >= 1, message="the first delivery")
    probe.publish([twice_in_a_row])  # and again later, alone
    sentinel = probe.event(seq=2)
    probe.publish([sentinel])
    wait_for(lambda: probe.effects_of(sentinel["id"]) == 1, message="the sentinel")
    probe.stop(consumer)
    assert probe.queue_depth() == 0
    assert probe.effects_of(twice_in_a_row["id"]) == 1
    assert probe.inbox_count() == 2


def test_failing_handler_dead_letters_then_replays_once_fixed(probe):
    probe.set_broken(True)
    consumer = probe.consumer()
    bad = probe.event(seq=1, fragile=True)
    good = probe.event(seq=2)
    probe.publish([bad, good])
    wait_for(lambda: probe.effects_of(good["id"]) == 1, message="the good event (not held back by the bad one)")
    listed = wait_for(probe.dlq_list, timeout=30, message="the dead-lettered event")
    assert [(row["event_id"], row["reason"]) for row in listed] == [(bad["id"], "delivery_limit")]
    assert probe.effects_of(bad["id"]) == 0
    assert probe.dlq_list() == listed, "listing must not consume the dead letters"

    probe.set_broken(False)  # the fix
    replayed = probe.cli("-m", "common.dlq", "replay", "probe.effects")
    assert replayed.returncode == 0, replayed.stderr
    assert replayed.stdout.strip() == "replayed 1"
    wait_for(lambda: probe.effects_of(bad["id"]) == 1, message="the replayed event's effect")
    assert probe.dlq_list() == []
    again = probe.cli("-m", "common.dlq", "replay", "probe.effects")
    assert again.stdout.strip() == "replayed 0"
    probe.stop(consumer)
    assert probe.queue_depth() == 0
    assert probe.effects_of(bad["id"]) == 1 and probe.effects_of(good["id"]) == 1


def test_two_replicas_on_one_queue_never_double_an_effect(probe):
    replicas = [probe.consumer(), probe.consumer()]
    # both attached before the first publish, or a fast one can drain the queue alone
    wait_for(lambda: probe.consumers() == 2, timeout=60, message="both replicas consuming")
    events = [probe.event(seq=i) for i in range(1500)]
    # every event twice, in separate publishes: the copies are likely to reach different replicas
    for start in range(0, len(events), 250):
        chunk = events[start : start + 250]
        probe.publish(chunk)
        probe.publish(list(reversed(chunk)))
    wait_for(lambda: probe.inbox_count() == len(events), timeout=90, message="every event applied")
    for replica in replicas:
        probe.stop(replica)
    assert probe.queue_depth() == 0
    assert probe.effect_count() == probe.distinct_effects() == len(events)
    from sqlalchemy import select

    from tests.integration.probe_service import effects

    with probe.runtime.engine.connect() as conn:
        pids = set(conn.execute(select(effects.c.pid).group_by(effects.c.pid)).scalars())
    assert pids == {replica.pid for replica in replicas}, "both replicas should have taken work"
