"""The gateway reads each service's x-roles and refuses other roles before forwarding."""

from gateway.policy import allowed_roles, operations_of

SPEC = {
    "paths": {
        "/unions": {"get": {"x-roles": ["centre", "district", "grassroots"]}, "post": {"x-roles": ["centre"]}},
        "/unions/{union_id}": {"patch": {"x-roles": ["centre", "grassroots"]}},
        "/members/{member_id}/card": {"put": {"x-roles": ["grassroots"]}},
    }
}


def test_roles_come_from_the_published_operations():
    ops = operations_of(SPEC)
    assert allowed_roles(ops, "POST", "unions") == ("centre",)
    assert allowed_roles(ops, "GET", "/unions") == ("centre", "district", "grassroots")
    assert allowed_roles(ops, "PATCH", "unions/42") == ("centre", "grassroots")
    assert allowed_roles(ops, "PUT", "members/7/card") == ("grassroots",)


def test_paths_do_not_match_across_segments_or_methods():
    ops = operations_of(SPEC)
    assert allowed_roles(ops, "PATCH", "unions/42/extra") is None
    assert allowed_roles(ops, "DELETE", "unions/42") is None
    assert allowed_roles(ops, "PUT", "members/7/8/card") is None


def test_a_literal_segment_is_judged_by_its_own_operation_not_a_parameter_one():
    spec = {
        "paths": {
            "/certificates/{member_id}/{cover_year}/file": {"get": {"x-roles": ["centre", "grassroots"]}},
            "/certificates/mine/{cover_year}/file": {"get": {"x-roles": ["member"]}},
        }
    }
    ops = operations_of(spec)
    assert allowed_roles(ops, "GET", "certificates/mine/2020/file") == ("member",)
    assert allowed_roles(ops, "GET", "certificates/7/2020/file") == ("centre", "grassroots")


def test_a_member_reaches_only_operations_that_name_the_role_and_nothing_undeclared():
    """个人登录 (decision 0041): deny by default for the member role."""
    import time

    import pytest

    from common.errors import Forbidden
    from gateway import policy

    spec = {"paths": {**SPEC["paths"], "/me": {"get": {"x-roles": ["member"]}}}}
    policy._CACHE["probe"] = (time.monotonic(), operations_of(spec))
    try:
        policy.check("probe", "GET", "me", "member", "r")
        assert policy.member_may(("member",)) and not policy.member_may(None)
        for method, path in (("GET", "unions"), ("DELETE", "unions/42"), ("GET", "undeclared")):
            with pytest.raises(Forbidden):
                policy.check("probe", method, path, "member", "r")
        policy.check("probe", "DELETE", "unions/42", "centre", "r")  # undeclared: the service decides
        with pytest.raises(Forbidden):
            policy.check("probe", "GET", "me", "grassroots", "r")
    finally:
        policy._CACHE.pop("probe", None)
