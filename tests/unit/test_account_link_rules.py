"""The rules of one-time links and of new passwords (gateway/domain/links.py, accounts.py)."""

from datetime import datetime, timedelta

import pytest

from gateway.adapters.common_passwords import common_passwords
from gateway.domain import links
from gateway.domain.accounts import is_common, password_errors

NOW = datetime(2026, 12, 7, 12, 0)


def test_a_token_is_long_random_and_only_its_keyed_hash_is_kept():
    token, other = links.new_token(), links.new_token()
    assert token != other and len(token) >= 43 and links.well_formed(token)
    kept = links.token_hash("key-1", token)
    assert token not in kept and len(kept) == 64
    assert kept == links.token_hash("key-1", token)  # found again by the same key
    assert kept != links.token_hash("key-2", token)  # a copy of the table alone opens nothing


@pytest.mark.parametrize("sent", [None, 7, "", "short", "x" * 101, "abc def ghi jkl mno pqr", "链接" * 15, "a/b" * 10])
def test_what_is_not_a_token_is_refused_before_any_lookup(sent):
    assert not links.well_formed(sent)


def test_a_link_serves_once_and_until_it_expires():
    expires = links.expires(links.ACTIVATE, NOW, timedelta(hours=72), timedelta(hours=2))
    assert expires == NOW + timedelta(hours=72)
    assert links.expires(links.RESET, NOW, timedelta(hours=72), timedelta(hours=2)) == NOW + timedelta(hours=2)
    assert links.usable(expires, None, NOW + timedelta(hours=71))
    assert not links.usable(expires, None, expires)
    assert not links.usable(expires, NOW, NOW + timedelta(minutes=1))


def test_reset_requests_are_limited_per_address_and_mails_per_account():
    assert [links.may_request_reset(n) for n in range(6)] == [True] * 5 + [False]
    assert [links.may_mail_account(n) for n in range(4)] == [True] * 3 + [False]


def test_the_common_list_is_a_few_thousand_lowercase_passwords():
    common = common_passwords()
    assert 3000 <= len(common) <= 20000
    assert {"password", "123456", "qwerty", "woaini1314"} <= common
    assert all(p == p.lower() for p in common)


@pytest.mark.parametrize(
    ("password", "common"),
    [
        ("password", True),
        ("Password@2026", True),  # a common one with digits and symbols around it
        ("2026!Qwertyuiop", True),
        ("1qaz2wsx3edc", True),
        ("Woaini1314", True),
        ("Typed@2026pass", False),
        ("Clerk&Sets2026", False),
    ],
)
def test_a_common_password_is_known_with_what_surrounds_it(password, common):
    assert is_common(password, common_passwords()) is common


def test_a_new_password_may_not_hold_the_users_own_names_or_be_common():
    common = common_passwords()
    assert password_errors("Clerk&Sets2026", "clerk9", "王五", common) == []
    assert "密码不能包含用户名" in password_errors("my-clerk9-2026!", "clerk9", "王五", common)
    assert "密码不能包含账号名称" in password_errors("王五Secret#2026", "clerk9", "王五", common)
    assert "密码过于常见，容易被猜到，请换一个" in password_errors("Password@2026", "clerk9", "王五", common)
    assert password_errors("short1!", "clerk9") == ["密码至少 10 位"]
