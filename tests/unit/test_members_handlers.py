"""The members service's main use cases with no server: adding a member, editing one, removing
members (人口办剔除), recording a card (办卡) — on a unit of work in memory (tests/unit/fakes.py)
with members' repository in memory (tests/unit/members_repository.py) standing in for
adapters/queries.py. Outcomes: the rows as they are after, the events committed, the day's ID
lookups counted; and that a refusal leaves nothing behind. The same handlers run over PostgreSQL
in tests/services/members."""

from __future__ import annotations

import inspect
from datetime import date, datetime

import pytest

from common.errors import Conflict, Forbidden, NotFound, Throttled, ValidationFailed
from common.identity import Identity
from services.members import contracts
from services.members.adapters import queries
from services.members.adapters.new_members import new_member
from services.members.adapters.orm import GrassrootsUnion, IdLookupDay, Member
from services.members.domain.idcard import check_char
from services.members.handlers.cards import issue_card
from services.members.handlers.removals import set_removed
from services.members.handlers.roster import add_member, update_member
from tests.unit import members_repository
from tests.unit.fakes import FakeUnitOfWork


def _snapshots(uow, event_type: str) -> list[dict]:
    """The member snapshots the committed events of one type carry (schema version 2: many an
    event), in order."""
    return [s for data in uow.events(event_type) for s in data["members"]]


def _id(serial: int) -> str:
    first17 = f"310101199001{serial:02d}123"[:17]
    return first17 + check_char(first17)


OURS, THEIRS, DISTRICT_ID = 10, 11, 1
CENTRE = Identity(user="centre", role="centre")
DISTRICT = Identity(user="district", role="district", district_id=DISTRICT_ID)
GRASSROOTS = Identity(user="clerk", role="grassroots", union_id=OURS, district_id=DISTRICT_ID)
PERSON = {
    "name": "张三",
    "id_type": "resident",
    "id_number": _id(1),
    "address": "上海市黄浦区人民大道 200 号",
    "mobile": "13812345678",
    "education": "大学本科",
    "household_type": "非农业",
}


@pytest.fixture
def uow(monkeypatch):
    """A unit of work in memory holding two unions of one district, with the fake repository."""
    members_repository.install(monkeypatch)
    uow = FakeUnitOfWork("members")
    for union_id in (OURS, THEIRS):
        uow.session.add(
            GrassrootsUnion(
                id=union_id,
                name=f"基层工会{union_id}",
                credit_code=f"91310000MA1K{union_id:06d}",
                district_id=DISTRICT_ID,
                contact_person="李四",
                phone="13900000000",
                version=1,
                created_at=datetime(2026, 1, 1),
            )
        )
    uow.session.commit()
    return uow


def _member(uow, union_id=OURS, serial=2, **changes) -> Member:
    """A member already on the roster (approved unless `changes` say otherwise)."""
    member = new_member({**PERSON, "id_number": _id(serial)}, union_id, datetime(2026, 1, 1))
    for key, value in {"status": "normal", "member_no": f"M{serial:08d}", **changes}.items():
        setattr(member, key, value)
    uow.session.add(member)
    uow.session.commit()
    return member


def _lookups(uow) -> IdLookupDay | None:
    days = uow.session.all(IdLookupDay)
    return days[0] if days else None


def test_the_fake_repository_has_the_real_ones_parameters():
    for name, fake in members_repository.FAKES.items():
        real = getattr(queries, name)
        assert list(inspect.signature(fake).parameters) == list(inspect.signature(real).parameters), name


# adding a member (新增会员) ---------------------------------------------------------------------


def test_a_union_adds_a_member_who_waits_for_review_and_every_service_hears_of_it(uow):
    member = add_member(uow, GRASSROOTS, dict(PERSON))
    assert uow.session.all(Member) == [member]
    assert (member.union_id, member.status, member.member_no, member.version) == (OURS, "pending", None, 1)
    assert member.gender == "男" and member.birth_date == date(1990, 1, 1)  # read from the ID number
    [registered] = _snapshots(uow, contracts.MEMBER_REGISTERED)
    assert registered["member_id"] == member.id and registered["district_id"] == DISTRICT_ID
    assert registered["id_masked"] == member.id_masked and PERSON["id_number"] not in str(registered)
    day = _lookups(uow)
    assert (day.rows, day.runs, day.refusals) == (1, 1, 0)  # its answer tells whether the number is registered


def test_a_number_already_in_this_union_or_another_is_refused_and_nothing_is_added(uow):
    ours = _member(uow, serial=1)
    with pytest.raises(Conflict) as refused:
        add_member(uow, GRASSROOTS, dict(PERSON))
    assert refused.value.code == "MEMBER_EXISTS"
    ours.union_id = THEIRS
    with pytest.raises(Conflict) as refused:
        add_member(uow, GRASSROOTS, dict(PERSON))
    assert refused.value.code == "MEMBER_IN_OTHER_UNION" and "转入" in refused.value.message
    assert uow.session.all(Member) == [ours] and uow.events() == []
    assert _lookups(uow).rows == 2  # each answer told something: each counted


def test_over_the_days_lookups_a_member_is_refused_with_429_and_only_the_refusal_is_kept(uow, monkeypatch):
    monkeypatch.setenv("ID_LOOKUP_PER_MEMBER", "0")
    monkeypatch.setenv("ID_LOOKUP_FLOOR", "0")  # read at the decision: no allowance today
    with pytest.raises(Throttled):
        add_member(uow, GRASSROOTS, dict(PERSON))
    day = _lookups(uow)
    assert (day.rows, day.refusals, day.refused_rows) == (0, 1, 1)
    assert uow.session.all(Member) == [] and uow.events() == []


def test_a_district_does_not_add_members(uow):
    with pytest.raises(Forbidden):
        add_member(uow, DISTRICT, dict(PERSON))
    assert uow.session.all(Member) == [] and _lookups(uow) is None


# editing a member (编辑会员) -----------------------------------------------------------------------


def test_a_union_edits_its_member_and_the_new_version_goes_out(uow):
    member = _member(uow)
    update_member(uow, GRASSROOTS, member.id, {"address": "上海市静安区南京西路 1 号"})
    assert member.address == "上海市静安区南京西路 1 号" and member.version == 2 and member.status == "normal"
    [updated] = _snapshots(uow, contracts.MEMBER_UPDATED)
    assert updated["member_id"] == member.id and updated["version"] == 2
    assert _lookups(uow) is None  # the number did not change: nothing was looked up


def test_editing_a_member_sent_back_resubmits_it_and_keeps_the_reason(uow):
    member = _member(uow, status="rejected", member_no=None, review_note="地址不详")
    corrected = _id(3)
    update_member(uow, GRASSROOTS, member.id, {"id_number": corrected})
    assert member.id_number == corrected and member.status == "pending" and member.review_note == "地址不详"
    assert _lookups(uow).rows == 1  # a corrected number is looked up like a new one


def test_only_a_member_sent_back_may_have_its_number_corrected(uow):
    member = _member(uow)
    with pytest.raises(ValidationFailed) as refused:
        update_member(uow, GRASSROOTS, member.id, {"id_number": _id(3)})
    assert "id_number" in refused.value.extra["fields"]
    assert member.id_number == _id(2) and member.version == 1 and uow.events() == []


def test_another_unions_member_is_not_found_and_left_as_it_was(uow):
    member = _member(uow, union_id=THEIRS)
    with pytest.raises(NotFound):
        update_member(uow, GRASSROOTS, member.id, {"address": "上海市静安区南京西路 1 号"})
    assert member.address == PERSON["address"] and uow.events() == []


# removing members (人口办剔除) ---------------------------------------------------------------------


def test_the_centre_removes_members_and_lifts_the_flag_again(uow):
    first, second = _member(uow, serial=2), _member(uow, union_id=THEIRS, serial=3)
    set_removed(uow, CENTRE, [second.id, first.id, first.id], True)
    assert first.removed and second.removed and first.removed_at is not None
    removed = _snapshots(uow, contracts.MEMBER_REMOVED)
    assert [e["member_id"] for e in removed] == [first.id, second.id]
    assert all(e["removed"] and e["district_id"] == DISTRICT_ID for e in removed)
    set_removed(uow, CENTRE, [first.id], False)
    assert not first.removed and first.removed_at is None and first.version == 3
    [lifted] = _snapshots(uow, contracts.MEMBER_UPDATED)
    assert lifted["member_id"] == first.id and lifted["removed"] is False


def test_removing_an_unknown_member_removes_no_one(uow):
    member = _member(uow)
    with pytest.raises(NotFound):
        set_removed(uow, CENTRE, [member.id, 999], True)
    assert not member.removed and uow.events() == []
    with pytest.raises(Forbidden):
        set_removed(uow, DISTRICT, [member.id], True)


# recording a card (办卡) ----------------------------------------------------------------------------


def test_a_union_records_its_members_card_and_every_service_hears_of_it(uow):
    member = _member(uow)
    issue_card(uow, GRASSROOTS, member.id, " 6222 0210 0000 0000 01 ", date(2020, 1, 1))
    assert (member.card_number, member.card_issued_on) == ("622202100000000001", date(2020, 1, 1))
    assert member.card_recorded_at is not None and member.version == 2
    [issued] = _snapshots(uow, contracts.MEMBER_CARD_ISSUED)
    assert issued["card_number"] == "622202100000000001" and issued["card_issued_on"] == "2020-01-01"
    assert _lookups(uow).rows == 1  # CARD_TAKEN would tell whose card it is: it counts


def test_a_card_registered_to_someone_else_is_refused(uow):
    _member(uow, union_id=THEIRS, serial=3, card_number="622202100000000001")
    member = _member(uow)
    with pytest.raises(Conflict) as refused:
        issue_card(uow, GRASSROOTS, member.id, "622202100000000001", date(2020, 1, 1))
    assert refused.value.code == "CARD_TAKEN"
    assert member.card_number is None and uow.events() == []


def test_a_wrong_card_a_member_who_left_or_a_district_is_refused(uow):
    member = _member(uow)
    with pytest.raises(ValidationFailed) as refused:
        issue_card(uow, GRASSROOTS, member.id, "1234", date(2999, 1, 1))
    assert set(refused.value.extra["fields"]) == {"card_number", "issued_on"}
    member.status = "left"
    with pytest.raises(Conflict) as refused:
        issue_card(uow, CENTRE, member.id, "622202100000000001", date(2020, 1, 1))
    assert refused.value.code == "MEMBER_LEFT"
    with pytest.raises(Forbidden):
        issue_card(uow, DISTRICT, member.id, "622202100000000001", date(2020, 1, 1))
    assert member.card_number is None and uow.events() == [] and _lookups(uow) is None
