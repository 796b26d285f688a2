"""Issue 23 item 6: an address is slowed, never locked — past ten free failures each attempt waits
a delay that doubles with every failure, at most a minute; the account's own lock is unchanged."""

from datetime import datetime, timedelta

from gateway.domain.accounts import (
    FREE_FAILURES_PER_ADDRESS,
    MAX_ADDRESS_DELAY,
    MAX_FAILURES_PER_USER,
    address_delay,
    address_wait,
    is_throttled,
)

NOW = datetime(2026, 12, 7, 10, 0, 0)


def test_the_delay_doubles_past_the_free_failures_and_stops_at_a_minute():
    delays = [address_delay(FREE_FAILURES_PER_ADDRESS + n).total_seconds() for n in range(0, 10)]
    assert delays == [0, 1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert address_delay(0) == timedelta(0) and address_delay(10**9) == MAX_ADDRESS_DELAY


def test_the_wait_counts_from_the_last_failure_in_whole_seconds():
    failures = FREE_FAILURES_PER_ADDRESS + 4  # 8 s
    assert address_wait(failures, NOW, NOW) == 8
    assert address_wait(failures, NOW - timedelta(seconds=2.5), NOW) == 6  # 5.5 s left: ask for 6
    assert address_wait(failures, NOW - timedelta(seconds=8), NOW) == 0
    assert address_wait(FREE_FAILURES_PER_ADDRESS, NOW, NOW) == 0 and address_wait(50, None, NOW) == 0


def test_the_account_lock_stays():
    assert not is_throttled(MAX_FAILURES_PER_USER - 1) and is_throttled(MAX_FAILURES_PER_USER)
