"""The refresh-token rules (gateway/domain/refresh.py), in memory."""

from datetime import datetime, timedelta

import pytest

from gateway.domain import refresh as rules
from gateway.domain.refresh import Verdict

NOW = datetime(2026, 12, 7, 12, 0)


@pytest.mark.parametrize(
    "found, spent, live, verdict",
    [
        (False, False, False, Verdict.INVALID),
        (False, True, True, Verdict.INVALID),
        (True, True, True, Verdict.REUSED),
        (True, True, False, Verdict.REUSED),  # a spent token ends even an expired session's remains
        (True, False, False, Verdict.ENDED),
        (True, False, True, Verdict.ROTATE),
    ],
)
def test_judge(found, spent, live, verdict):
    assert rules.judge(found, spent, live) is verdict


def test_a_session_is_live_only_before_its_end_while_active_and_in_its_epoch():
    later = NOW + timedelta(hours=1)
    assert rules.session_live(later, NOW, True, 3, 3)
    assert not rules.session_live(NOW, NOW, True, 3, 3)
    assert not rules.session_live(later, NOW, False, 3, 3)
    assert not rules.session_live(later, NOW, True, 3, 4)


def test_an_access_token_never_outlives_its_session():
    ttl = timedelta(minutes=15)
    assert rules.access_lifetime(NOW, ttl, NOW + timedelta(hours=8)) == ttl
    assert rules.access_lifetime(NOW, ttl, NOW + timedelta(minutes=2)) == timedelta(minutes=2)
    assert rules.access_lifetime(NOW, ttl, NOW - timedelta(minutes=2)) == timedelta(0)


def test_tokens_are_random_well_formed_and_stored_only_as_a_keyed_hash():
    a, b = rules.new_token(), rules.new_token()
    assert a != b and rules.well_formed(a) and len(a) == 43
    digest = rules.token_hash("key", a)
    assert len(digest) == 64 and a not in digest
    assert digest != rules.token_hash("other key", a) and digest == rules.token_hash("key", a)


@pytest.mark.parametrize("token", [None, 5, "", "short", "a" * 101, "a b" * 10, "é" * 30, "a/b+c=" * 5])
def test_malformed_tokens(token):
    assert not rules.well_formed(token)
