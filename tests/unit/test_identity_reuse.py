"""The internal identity is signed once per caller and remembered once checked
(common/identity.py, decision 0048) without changing what a token says or how long it is good:
one token per caller for half its lifetime, none shared between callers; a remembered token
still expires at its `exp`; a token under another key is never taken for a remembered one; the
service gives a reused token the request's own id."""

from __future__ import annotations

import time

import jwt
import pytest

from common import identity
from common.errors import Unauthorized
from common.identity import Identity


def test_one_token_per_caller_reused_and_none_shared():
    clerk = Identity(user="clerk", role="grassroots", union_id=7, district_id=2, request_id="r1")
    token = identity.sign_reused(clerk)
    assert identity.sign_reused(Identity(**{**clerk.__dict__, "request_id": "r2"})) == token
    for other in (
        Identity(user="clerk", role="grassroots", union_id=8, district_id=2),
        Identity(user="clerk", role="district", district_id=2),
        Identity(user="other", role="grassroots", union_id=7, district_id=2),
    ):
        assert identity.sign_reused(other) != token
    seen = identity.verify(token)
    assert (seen.user, seen.role, seen.union_id, seen.district_id, seen.request_id) == ("clerk", "grassroots", 7, 2, "")
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == identity.TTL_SECONDS and not claims.get("rid")


def test_a_remembered_token_still_expires():
    token = identity.sign(Identity(user="clerk", role="centre"), ttl=1)
    assert identity.verify(token).user == "clerk"  # checked, remembered
    expires = jwt.decode(token, options={"verify_signature": False})["exp"]
    while time.time() < expires:
        time.sleep(0.05)
    with pytest.raises(Unauthorized) as refused:
        identity.verify(token)
    assert refused.value.code == "IDENTITY_EXPIRED"


def test_a_token_under_another_key_is_refused_even_when_the_same_claims_are_remembered():
    who = Identity(user="clerk", role="centre")
    assert identity.verify(identity.sign_reused(who)).user == "clerk"
    forged = identity.sign(who, secret="another-key-0123456789abcdef-0123456789")
    with pytest.raises(Unauthorized) as refused:
        identity.verify(forged)
    assert refused.value.code == "IDENTITY_INVALID"
    # and a token remembered under one key is not accepted under another
    with pytest.raises(Unauthorized):
        identity.verify(identity.sign_reused(who), secret="another-key-0123456789abcdef-0123456789")


def test_a_service_gives_a_reused_token_the_requests_own_id():
    from flask import g

    from services.members.app import create_app

    app = create_app()
    token = identity.sign_reused(Identity(user="clerk", role="centre", request_id="ignored"))
    seen = {}

    @app.get("/who-test")
    def _who():
        seen["id"] = g.identity.request_id
        return {}

    app.test_client().get("/who-test", headers={identity.HEADER: token, "X-Request-Id": "req-42"})
    assert seen["id"] == "req-42"
