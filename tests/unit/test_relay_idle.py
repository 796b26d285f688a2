"""An idle relay polls less and less often, up to IDLE_MAX apart, and as often as before once
events flow (decision 0049): what it waits between polls, given what each poll sent."""

from __future__ import annotations

import threading

from common.relay import IDLE_MAX, Relay


class _Stop(threading.Event):
    """A stop that records each wait instead of sleeping, and stops after the scripted polls."""

    def __init__(self, polls: int):
        super().__init__()
        self.waits: list[float] = []
        self.polls = polls

    def wait(self, timeout=None):
        self.waits.append(round(timeout, 3))
        return False


def _relay(sent_per_poll: list[int], stop: _Stop, batch_size: int = 10) -> Relay:
    relay = Relay.__new__(Relay)  # no database, no broker: only the loop's schedule
    relay.batch_size = batch_size
    script = iter(sent_per_poll)

    def run_once():
        sent = next(script)
        if not stop.polls - 1:
            stop.set()
        stop.polls -= 1
        return sent

    relay.run_once = run_once

    class _Publisher:
        def close(self):
            pass

    relay.publisher = _Publisher()
    return relay


def test_an_idle_relay_waits_twice_as_long_each_empty_poll_up_to_the_bound():
    polls = [0, 0, 0, 0, 0, 0]
    stop = _Stop(len(polls))
    _relay(polls, stop).run_forever(stop)
    assert stop.waits == [0.1, 0.2, 0.4, IDLE_MAX, IDLE_MAX, IDLE_MAX]


def test_events_bring_the_short_wait_back_and_a_full_batch_is_followed_at_once():
    polls = [0, 0, 0, 3, 0, 10, 10, 2, 0]
    stop = _Stop(len(polls))
    _relay(polls, stop).run_forever(stop)
    # after 3 sent: the short wait again; after a full batch of 10: no wait at all
    assert stop.waits == [0.1, 0.2, 0.4, 0.1, 0.1, 0.1, 0.1]
