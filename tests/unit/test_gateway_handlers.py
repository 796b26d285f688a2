"""The gateway's handlers on a unit of work in memory (tests/unit/fakes.py): accounts reached by
key, refusals before any read, and the reads the repository (gateway/adapters/queries.py) gives,
stood in for by plain functions. Whatever needs a statement of its own (ending sessions, the
login throttle) is tested over PostgreSQL in tests/services/gateway."""

from datetime import datetime

import pytest

from common.errors import Conflict, NotFound, ValidationFailed
from common.identity import Identity
from gateway import auth
from gateway.adapters import members_directory, queries
from gateway.adapters.orm import Account
from gateway.handlers import accounts, recipients
from tests.unit.fakes import FakeUnitOfWork

CENTRE = Identity(user="boss", role="centre", request_id="r1")
GOOD = "Stronger#2026pw"


def _account(uow, **given) -> Account:
    now = datetime(2026, 12, 1, 8, 0)
    fields = {
        "username": "clerk1",
        "display_name": "张三",
        "password_hash": auth.hash_password(GOOD),
        "role": "grassroots",
        "union_id": 10,
        "district_id": 1,
        "email": "clerk1@example.cn",
        "active": True,
        "created_at": now,
        "password_changed_at": now,
        "session_epoch": 0,
    }
    account = Account(**{**fields, **given})
    uow.session.add(account)
    uow.commit()
    return account


def _new(**given) -> dict:
    data = {
        "username": "clerk2",
        "display_name": "李四",
        "password": GOOD,
        "role": "grassroots",
        "union_id": 10,
        "district_id": None,
        "email": None,
    }
    return {**data, **given}


@pytest.fixture
def directory(monkeypatch):
    """Members knows union 10 in district 1 and district 1; nobody has taken a user name."""
    monkeypatch.setattr(members_directory, "union_district", lambda union_id, rid: 1 if union_id == 10 else None)
    monkeypatch.setattr(members_directory, "district_exists", lambda district_id, rid: district_id == 1)
    monkeypatch.setattr(queries, "username_taken", lambda session, name: name == "clerk1")


def test_the_centre_creates_an_active_account_bound_to_its_unions_district(directory):
    uow = FakeUnitOfWork("gateway")
    account = accounts.create_account(uow, CENTRE, _new())
    assert uow.session.all(Account) == [account] and uow.commits == 1
    assert (account.active, account.union_id, account.district_id) == (True, 10, 1)
    assert auth.hasher.verify(account.password_hash, GOOD)


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"union_id": None}, "union_id"),  # a grassroots account without its union
        ({"role": "district", "union_id": None, "district_id": None}, "district_id"),
        ({"password": "short1!"}, "password"),
        ({"password": "clerk2-Xy#2026"}, "password"),  # holds the user name
        ({"union_id": 99}, "union_id"),  # members does not know it
    ],
)
def test_a_wrong_account_is_refused_per_field_and_nothing_is_kept(directory, given, field):
    uow = FakeUnitOfWork("gateway")
    with pytest.raises(ValidationFailed) as refused:
        accounts.create_account(uow, CENTRE, _new(**given))
    assert field in refused.value.extra["fields"]
    assert uow.session.all(Account) == [] and uow.commits == 0


def test_a_taken_user_name_is_a_conflict(directory):
    uow = FakeUnitOfWork("gateway")
    with pytest.raises(Conflict) as refused:
        accounts.create_account(uow, CENTRE, _new(username="clerk1"))
    assert refused.value.code == "USERNAME_TAKEN" and uow.commits == 0


def test_renaming_an_account_keeps_its_sessions():
    uow = FakeUnitOfWork("gateway")
    account = _account(uow)
    changed = accounts.update_account(uow, CENTRE, account.id, {"display_name": "张三丰", "email": None})
    assert (changed.display_name, changed.email, changed.session_epoch) == ("张三丰", None, 0)
    assert uow.commits == 2


def test_a_weak_new_password_is_refused_and_the_old_one_still_holds():
    uow = FakeUnitOfWork("gateway")
    account = _account(uow)
    before = account.password_hash
    with pytest.raises(ValidationFailed) as refused:
        accounts.update_account(uow, CENTRE, account.id, {"password": "aaaaaaaaaaaa"})
    assert "password" in refused.value.extra["fields"]
    assert account.password_hash == before and uow.commits == 1


def test_an_account_awaiting_activation_is_not_enabled_by_hand():
    """待激活 stays visible: 启用 alone is refused (nobody has a password yet); the centre may still
    set a password with it (tested over PostgreSQL: that ends sessions)."""
    from gateway.handlers import account_links

    uow = FakeUnitOfWork("gateway")
    account = _account(uow, password_hash=account_links.NO_PASSWORD, active=False)
    with pytest.raises(ValidationFailed) as refused:
        accounts.update_account(uow, CENTRE, account.id, {"active": True})
    assert refused.value.code == "ACCOUNT_NOT_ACTIVATED" and account.active is False and uow.commits == 1


def test_an_unknown_account_answers_not_found():
    uow = FakeUnitOfWork("gateway")
    with pytest.raises(NotFound):
        accounts.update_account(uow, CENTRE, 404, {"display_name": "x"})


def test_a_wrong_scope_change_is_refused_and_the_account_keeps_its_binding():
    uow = FakeUnitOfWork("gateway")
    account = _account(uow)
    with pytest.raises(ValidationFailed) as refused:
        accounts.update_account(uow, CENTRE, account.id, {"role": "centre", "union_id": 10})
    assert "role" in refused.value.extra["fields"]
    assert (account.role, account.union_id) == ("grassroots", 10)


def test_recipients_are_grouped_by_the_asked_union_or_district(monkeypatch):
    uow = FakeUnitOfWork("gateway")
    one = _account(uow)
    two = _account(uow, username="clerk3", email="c3@example.cn")
    monkeypatch.setattr(
        queries,
        "mailable_accounts",
        lambda session, role, union_ids=None, district_ids=None: [
            a for a in (one, two) if a.role == role and (union_ids is None or a.union_id in union_ids)
        ],
    )
    found = recipients.recipients(uow, Identity(user="notifications", role="centre"), {"union": [10, 11], "x": [1]})
    assert found == {"union": {10: ["clerk1@example.cn", "c3@example.cn"], 11: []}}
