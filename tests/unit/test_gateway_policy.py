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
