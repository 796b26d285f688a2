"""A returned submission's notice is superseded at once (issue 26 item 8, decision 0034): its
versions are withdrawn (kept, marked, with the district's reason), the union's notice is
reissued without it or an earlier version counts again, and documents.document.withdrawn says
so — on PostgreSQL, through the real consumer."""

import pytest

from common.bus import PermanentFailure
from tests.services.documents import contract as c
from tests.services.documents.conftest import pdf_text
from tests.services.documents.test_instant_notice import instant

NOTICE = f"/grassroots-notices/{c.UNION_A}/2020/file"
FIRST_AT, SECOND_AT, RETURNED_AT = "2019-11-05T10:00:00+08:00", "2019-11-20T09:00:00+08:00", "2019-11-25T16:00:00+08:00"


def two_submissions(documents, owes_to_date=True):
    """#101: 3 × B (owes 60.00); #102: 2 × B (owes 40.00), 5 people so far, billing's 100.00 so far."""
    second_price = c.priced(102, c.UNION_A, c.DISTRICT_1, "B", 2, union_owes_to_date_fen=10000)
    second_price["schema_version"] = 2
    documents.feed(
        c.cover_year(),
        c.submission(101, c.UNION_A, c.DISTRICT_1, "B", 3, 3, 1, submitted_at=FIRST_AT),
        c.priced(101, c.UNION_A, c.DISTRICT_1, "B", 3),
        c.submission(102, c.UNION_A, c.DISTRICT_1, "B", 2, 5, 2, submitted_at=SECOND_AT),
        second_price,
    )


def withdrawn_events(documents) -> list[dict]:
    return [e["data"] for e in documents.svc.outbox() if e["type"] == "documents.document.withdrawn"]


def test_the_only_submission_returned_leaves_no_notice_that_counts(documents):
    documents.feed(
        c.cover_year(),
        c.submission(101, c.UNION_A, c.DISTRICT_1, "B", 3, 3, 1),
        c.priced(101, c.UNION_A, c.DISTRICT_1, "B", 3),
        c.returned(101, c.UNION_A, c.DISTRICT_1, returned_at=RETURNED_AT),
    )
    owner = documents.as_("grassroots", union_id=c.UNION_A, district_id=c.DISTRICT_1)
    current = owner.get(NOTICE)
    assert current.status_code == 404
    assert current.get_json()["error"]["code"] == "NOTICE_WITHDRAWN"
    assert "区局退回第 1 次集中参保提交：名单有误" in current.get_json()["error"]["message"]
    kept = owner.get(NOTICE + "?version=1")  # never overwritten: still there by number, marked void
    assert kept.status_code == 200 and kept.headers["X-Document-Withdrawn"] == "true"
    listed = owner.get("/documents").get_json()["items"]
    assert [(d["version"], d["withdrawn_reason"]) for d in listed] == [(1, "区局退回第 1 次集中参保提交：名单有误")]
    assert listed[0]["withdrawn_at"].endswith("+08:00")
    [told] = withdrawn_events(documents)
    assert (told["kind"], told["union_id"], told["version"], told["current_version"]) == (
        "grassroots_notice",
        c.UNION_A,
        1,
        None,
    )
    assert (
        told["reason"] == "区局退回第 1 次集中参保提交：名单有误"
        and told["about"] == "上海示范科技有限公司工会 2020年度集中参保"
    )
    # another union's clerk learns nothing of it
    other = documents.as_("grassroots", union_id=c.UNION_B, district_id=c.DISTRICT_1).get(NOTICE)
    assert other.status_code == 404 and other.get_json()["error"]["code"] == "NOT_FOUND"


def test_the_latest_returned_makes_the_earlier_version_count_again(documents):
    two_submissions(documents)
    documents.feed(c.returned(102, c.UNION_A, c.DISTRICT_1, returned_at=RETURNED_AT))
    owner = documents.as_("grassroots", union_id=c.UNION_A, district_id=c.DISTRICT_1)
    current = owner.get(NOTICE)
    assert current.headers["X-Document-Version"] == "1" and "X-Document-Withdrawn" not in current.headers
    assert "截至今日参加B类会员共计3人" in pdf_text(current.data)
    assert documents.count("documents") == 2  # no new version: v1 is what counts
    [told] = withdrawn_events(documents)
    assert (told["version"], told["current_version"]) == (2, 1)


def test_an_earlier_returned_reissues_the_latest_without_its_people_and_money(documents):
    two_submissions(documents)
    documents.feed(c.returned(101, c.UNION_A, c.DISTRICT_1, returned_at=RETURNED_AT))
    owner = documents.as_("grassroots", union_id=c.UNION_A, district_id=c.DISTRICT_1)
    current = owner.get(NOTICE)
    assert current.headers["X-Document-Version"] == "3"
    text = pdf_text(current.data)
    # #102's figures counted #101 (returned after #102 was submitted): 5 − 3 people, 100.00 − 60.00
    assert "截至今日参加B类会员共计2人" in text and "本年度累计参保人数2人" in text
    assert "本年度你会累计需承担40.00元" in text and "本次你会应缴40.00元" in text
    assert "已退回的提交第1次提交3人于2019年11月25日被区局退回（名单有误），不计入本告知书" in text
    assert text.endswith("2019年11月25日第1页")  # reissued on the day of the return
    # v1 (made for #101) is withdrawn; v2 (#102's, overstated) is superseded by v3
    versions = owner.get("/documents?all_versions=true").get_json()["items"]
    assert sorted((d["version"], d["withdrawn_reason"] is not None) for d in versions) == [
        (1, True),
        (2, False),
        (3, False),
    ]
    [told] = withdrawn_events(documents)
    assert (told["version"], told["current_version"]) == (1, 3)
    ready = documents.ready_events()
    assert [e["version"] for e in ready] == [1, 2, 3]  # the union is told of the reissued one too


def test_a_return_without_its_time_withdraws_but_leaves_the_figures_as_they_came(documents):
    two_submissions(documents)
    documents.feed(c.returned(101, c.UNION_A, c.DISTRICT_1))  # an event from before returned_at
    owner = documents.as_("grassroots", union_id=c.UNION_A, district_id=c.DISTRICT_1)
    assert owner.get(NOTICE).headers["X-Document-Version"] == "2"
    assert [(e["version"], e["current_version"]) for e in withdrawn_events(documents)] == [(1, 2)]


def test_a_later_submission_after_the_return_counts_right_without_leaving_anything_out(documents):
    documents.feed(
        c.cover_year(),
        c.submission(101, c.UNION_A, c.DISTRICT_1, "B", 3, 3, 1, submitted_at=FIRST_AT),
        c.priced(101, c.UNION_A, c.DISTRICT_1, "B", 3),
        c.returned(101, c.UNION_A, c.DISTRICT_1, returned_at="2019-11-10T10:00:00+08:00"),
        # enrollment's and billing's figures of #102 no longer count #101
        c.submission(102, c.UNION_A, c.DISTRICT_1, "B", 2, 2, 2, submitted_at=SECOND_AT),
        c.priced(102, c.UNION_A, c.DISTRICT_1, "B", 2),
    )
    text = pdf_text(documents.as_("centre").get(NOTICE).data)
    assert "截至今日参加B类会员共计2人" in text and "本年度你会累计需承担40.00元" in text
    assert "已退回的提交" not in text


def test_a_returned_instant_submission_withdraws_its_own_notice(documents):
    documents.feed(c.cover_year(), *instant())
    documents.feed(c.returned(301, c.UNION_A, c.DISTRICT_1, returned_at="2020-03-12T10:00:00+08:00", mode="instant"))
    answer = documents.as_("grassroots", union_id=c.UNION_A, district_id=c.DISTRICT_1).get("/instant-notices/301/file")
    assert answer.status_code == 404 and answer.get_json()["error"]["code"] == "NOTICE_WITHDRAWN"
    assert "区局退回第 1 次即时参保提交" in answer.get_json()["error"]["message"]
    [told] = withdrawn_events(documents)
    assert (told["kind"], told["current_version"]) == ("instant_notice", None)


def test_the_same_return_again_changes_nothing(documents):
    two_submissions(documents)
    back = c.returned(102, c.UNION_A, c.DISTRICT_1, returned_at=RETURNED_AT)
    documents.feed(back, c.event(back["type"], back["data"]))
    assert len(withdrawn_events(documents)) == 1 and documents.count("documents") == 2


def test_a_return_of_a_submission_in_a_batch_is_a_contradiction_dead_lettered(documents):
    two_submissions(documents)
    documents.feed(c.batch_submitted(7, c.DISTRICT_1, [(101, c.UNION_A, "B", 3)]))
    with pytest.raises(PermanentFailure, match="in batch"):
        documents.feed(c.returned(101, c.UNION_A, c.DISTRICT_1, returned_at=RETURNED_AT))
    assert withdrawn_events(documents) == []
