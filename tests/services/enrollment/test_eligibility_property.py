"""The eligibility rule has two forms: the SQL that selects members (adapters/eligibility_sql.py)
and the Python rule that explains a refusal (domain/enrolment.py `ineligibility`). For small
generated sets of member read-model rows, both must agree on who is eligible."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common import clock
from services.enrollment.adapters.eligibility_sql import eligible_members, recorded_on
from services.enrollment.adapters.orm import Cover, MemberView, Submission
from services.enrollment.domain import enrolment as rules
from services.enrollment.domain.timeline import build_cover_year
from tests.services.enrollment.conftest import TIMELINE, UNION, UNION2, YEAR, published_id

YEAR_TIMELINE = build_cover_year(
    YEAR,
    {
        k: ([date.fromisoformat(d) for d in v] if isinstance(v, list) else date.fromisoformat(v))
        for k, v in TIMELINE.items()
    },
)
CUTOFF = YEAR_TIMELINE.card_cutoff
END = YEAR_TIMELINE.cover_end

# Days that matter: either side of the card cut-off and of the cover year's end, a few days
# within the year. Every example has a member with a card of each of them (and one without a
# card), with the other facts drawn, weighted towards eligible; and a few members on any day.
DAYS = (
    [CUTOFF + timedelta(days=n) for n in (-1, 0, 1)]
    + [END + timedelta(days=n) for n in (-1, 0, 1)]
    + [date(2019, 6, 1), date(2020, 3, 1), date(2020, 6, 30), date(2020, 7, 1), date(2020, 10, 1)]
)
any_day = st.dates(date(2019, 1, 1), date(2021, 2, 1))


def member_row(card_issued_on):
    return st.fixed_dictionaries(
        {
            "union_id": st.sampled_from([UNION] * 5 + [UNION2, None]),
            "status": st.sampled_from(["normal"] * 5 + ["pending", "transferred_out"]),
            "removed": st.sampled_from([False] * 5 + [True]),
            "card_issued_on": card_issued_on,
            "recorded_after_days": st.one_of(st.none(), st.integers(0, 200)),
            "cover": st.sampled_from([None] * 3 + ["pending", "granted", "returned", "failed"]),
        }
    )


member_rows = st.builds(
    lambda edges, others: list(edges) + others,
    st.tuples(*[member_row(st.just(day)) for day in [*DAYS, None]]),
    st.lists(member_row(st.one_of(st.none(), any_day)), max_size=3),
)

modes = st.sampled_from([("centralised", None), ("instant", "no_cover"), ("instant", "new_card")])


@pytest.fixture
def service_db(service):
    return service("enrollment")


def _id(member_id: int) -> dict:
    return published_id(f"{member_id:018d}")


def _recorded_at(row: dict) -> datetime | None:
    if row["card_issued_on"] is None or row["recorded_after_days"] is None:
        return None
    day = row["card_issued_on"] + timedelta(days=row["recorded_after_days"])
    return datetime.combine(day, time(10), tzinfo=clock.SHANGHAI)


def _python_eligible(rows: list[dict], mode: str, kind: str | None, today: date) -> set[int]:
    eligible = set()
    for member_id, row in enumerate(rows, start=1):
        recorded = _recorded_at(row)
        facts = rules.MemberFacts(
            member_id,
            row["union_id"],
            row["status"],
            row["removed"],
            f"6222{member_id:012d}" if row["card_issued_on"] else None,
            row["card_issued_on"],
            recorded.date() if recorded else row["card_issued_on"],
        )
        covered = row["cover"] in rules.ACTIVE_COVER_STATES
        if rules.ineligibility(facts, UNION, YEAR_TIMELINE, mode, kind, covered, today) is None:
            eligible.add(member_id)
    return eligible


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=member_rows, mode_kind=modes, today=st.one_of(st.sampled_from(DAYS), any_day))
def test_the_sql_selects_whom_the_python_rule_finds_eligible(service_db, rows, mode_kind, today):
    mode, kind = mode_kind
    with service_db.runtime.uow() as uow:  # never committed: each example leaves the database as it found it
        session = uow.session
        sub = Submission(
            union_id=UNION2,
            district_id=10,
            cover_year=YEAR,
            mode="centralised",
            type="A",
            status="submitted",
            headcount=0,
            counts={},
            sequence=1,
            submitted_at=datetime(2019, 11, 5),
            submitted_by="test",
            updated_at=datetime(2019, 11, 5),
        )
        session.add(sub)
        session.flush()
        for member_id, row in enumerate(rows, start=1):
            card = f"6222{member_id:012d}" if row["card_issued_on"] else None
            session.add(
                MemberView(
                    member_id=member_id,
                    union_id=row["union_id"],
                    district_id=10,
                    name=f"会员{member_id}",
                    id_type="resident",
                    **_id(member_id),
                    status=row["status"],
                    card_number=card,
                    card_issued_on=row["card_issued_on"],
                    card_recorded_at=_recorded_at(row),
                    removed=row["removed"],
                    version=1,
                )
            )
            if row["cover"]:
                session.add(
                    Cover(
                        cover_year=YEAR,
                        member_id=member_id,
                        submission_id=sub.id,
                        union_id=UNION2,
                        status=row["cover"],
                        name="x",
                        id_type="resident",
                        **_id(member_id),
                        card_number=card or "0",
                        cover_start=YEAR_TIMELINE.cover_start,
                        cover_end=END,
                        price_class=rules.CENTRALISED,
                    )
                )
        session.flush()
        selected = session.scalars(eligible_members(UNION, YEAR_TIMELINE, mode, kind, today))
        # The SQL leaves "not enough of the year left" to the handlers, as submit() and confirmation() do.
        from_sql = {
            m.member_id
            for m in selected
            if mode == "centralised"
            or rules.within_year(YEAR_TIMELINE, rules.member_terms(YEAR_TIMELINE, mode, kind, recorded_on(m), today))
        }
        assert from_sql == _python_eligible(rows, mode, kind, today)
        uow.rollback()
