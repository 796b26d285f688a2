"""Every event of issue 15 makes exactly one notification per audience concerned — also when it
is delivered twice, in one batch or later — and no account outside the thing's scope sees it."""

from __future__ import annotations

from tests.season import at
from tests.services.notifications.conftest import DISTRICT, FOREIGN_UNION, UNION, UNION2


def test_each_event_notifies_its_audiences_once_however_often_delivered(notes):
    at("2019-12-30T10:00:00")
    returned = notes.event(
        "enrollment.submission.returned",
        {
            "submission_id": 7,
            "union_id": UNION,
            "district_id": DISTRICT,
            "cover_year": 2020,
            "mode": "centralised",
            "reason": "人数与名册不符",
        },
    )
    rejected = notes.event(
        "members.member.rejected",
        {
            "member_id": 1,
            "union_id": UNION2,
            "district_id": DISTRICT,
            "name": "张三",
            "status": "rejected",
            "version": 2,
        },
    )
    moved = notes.event(
        "members.transfer.decided",
        {
            "request_id": 5,
            "member_id": 2,
            "name": "李四",
            "from_union_id": FOREIGN_UNION,
            "to_union_id": UNION,
            "approved": True,
            "reason": None,
        },
    )
    refused = notes.event(
        "members.transfer.decided",
        {
            "request_id": 6,
            "member_id": 3,
            "name": "王五",
            "from_union_id": FOREIGN_UNION,
            "to_union_id": UNION,
            "approved": False,
            "reason": "该会员仍在职",
        },
    )
    requested = notes.event(
        "members.transfers.requested",
        {
            "from_union_id": UNION2,
            "to_union_id": FOREIGN_UNION,
            "to_union_name": "上海丙贸易有限公司工会",
            "request_ids": [7, 8],
            "count": 2,
        },
    )
    batch_id, submitted = notes.batch()
    feedback = notes.event(
        "billing.batch.feedback_given",
        {"batch_id": batch_id, "message": "金额不足 10 元", "at": "2020-01-05T10:00:00+08:00"},
    )
    written_off = notes.event(
        "billing.batch.written_off",
        {
            "batch_id": batch_id,
            "amount_fen": 100,
            "received_on": "2020-01-10",
            "bank_reference": "x",
            "at": "2020-01-10T10:00:00+08:00",
        },
    )
    other_batch, other_submitted = notes.batch(unions=(UNION2,))
    overdue = notes.event(
        "billing.batch.overdue",
        {
            "batch_id": other_batch,
            "batch_no": "x",
            "district_id": DISTRICT,
            "cover_year": 2020,
            "due_fen": 100,
            "paid_fen": 0,
        },
    )
    notice = notes.event(
        "documents.document.ready",
        {
            "document_id": 9,
            "kind": "grassroots_notice",
            "version": 2,
            "union_id": UNION,
            "district_id": DISTRICT,
            "cover_year": 2020,
            "subject": "submission:7",
            "filename": "a.pdf",
            "media_type": "application/pdf",
            "size": 1,
            "sha256": "0" * 64,
        },
    )
    instant = notes.event(
        "documents.document.ready",
        {
            "document_id": 10,
            "kind": "instant_notice",
            "version": 1,
            "union_id": UNION2,
            "district_id": DISTRICT,
            "cover_year": 2020,
            "subject": "submission:8",
            "filename": "b.pdf",
            "media_type": "application/pdf",
            "size": 1,
            "sha256": "0" * 64,
            "about": "上海乙工会 2020-03-02 提交",
        },
    )
    district_notice = notes.event(
        "documents.document.ready",
        {
            "document_id": 12,
            "kind": "district_notice",
            "version": 1,
            "union_id": None,
            "district_id": DISTRICT,
            "cover_year": 2020,
            "subject": "batch:1",
            "filename": "d.pdf",
            "media_type": "application/pdf",
            "size": 1,
            "sha256": "0" * 64,
            "about": "批次 CB201912300001（黄浦区总工会）",
        },
    )
    statistics = notes.event(
        "documents.document.ready",
        {
            "document_id": 11,
            "kind": "statistics",
            "version": 1,
            "union_id": None,
            "district_id": DISTRICT,
            "cover_year": 2020,
            "subject": f"district:{DISTRICT}",
            "filename": "c.xlsx",
            "media_type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "size": 1,
            "sha256": "0" * 64,
        },
    )
    for event in (
        instant,
        statistics,
        district_notice,
        returned,
        rejected,
        moved,
        refused,
        requested,
        submitted,
        feedback,
        written_off,
        other_submitted,
        overdue,
        notice,
    ):
        notes.deliver(event, times=2)  # twice in one batch
        notes.deliver(event)  # and once more later (a redelivery after a lost ack)

    union = notes.titles(notes.union)
    assert sorted(union) == sorted(
        [
            "2020年度集中参保提交被区局退回",
            "会员 李四 已转入本会",
            "会员 王五 的转入申请被拒绝",
            f"参保批次 CB20191230{batch_id:04d} 已提交市职保中心",
            f"市职保中心对批次 CB20191230{batch_id:04d} 的反馈",
            f"参保批次 CB20191230{batch_id:04d} 已核销",
            "2020年度参保告知书已更新",
        ]
    )
    body = notes.union.get("/notifications").get_json()["items"]
    assert any(
        n["body"] == "你会提交的2020年度集中参保信息已被区局退回。退回原因：人数与名册不符。请修改后重新提交。"
        and n["link"] == "/union/enrolment"
        for n in body
    )  # in words: no internal submission id
    assert any("该会员仍在职" in n["body"] and n["link"] == "/union/transfers" for n in body)
    union2 = notes.titles(notes.union2)
    assert sorted(union2) == sorted(
        [
            "会员 张三 审核未通过",
            "上海丙贸易有限公司工会 申请转入本会 2 名会员",
            "2020年度即时参保告知书已生成",
            f"参保批次 CB20191230{batch_id:04d} 已提交市职保中心",
            f"市职保中心对批次 CB20191230{batch_id:04d} 的反馈",
            f"参保批次 CB20191230{batch_id:04d} 已核销",
            f"参保批次 CB20191230{other_batch:04d} 已提交市职保中心",
            f"参保批次 CB20191230{other_batch:04d} 逾期未缴费，参保失败",
        ]
    )
    district = notes.titles(notes.district)
    assert sorted(district) == sorted(
        [
            f"参保批次 CB20191230{batch_id:04d} 已提交市职保中心",
            f"市职保中心对批次 CB20191230{batch_id:04d} 的反馈",
            f"参保批次 CB20191230{batch_id:04d} 已核销",
            f"参保批次 CB20191230{other_batch:04d} 已提交市职保中心",
            f"参保批次 CB20191230{other_batch:04d} 逾期未缴费，参保失败",
            "区局告知书已生成",
        ]
    )
    # said in words: which batch of which district, never its key ("batch:1")
    district_items = notes.district.get("/notifications").get_json()["items"]
    assert any(
        n["body"] == "批次 CB201912300001（黄浦区总工会）的区局告知书已生成（第 1 版），请下载查看。"
        for n in district_items
    )
    assert not any("batch" in n["body"] + n["title"] for n in district_items)
    union2_items = notes.union2.get("/notifications").get_json()["items"]
    assert any(
        n["body"] == "上海乙工会 2020-03-02 提交的即时参保告知书已生成（第 1 版），请下载查看。" for n in union2_items
    )
    # a rejected member's 查看 opens that member, not the list
    assert [n["link"] for n in union2_items if n["kind"] == "member_rejected"] == ["/union/members?member=1"]
    assert any("金额不足 10 元" in n["body"] for n in notes.district.get("/notifications").get_json()["items"])
    # outside the scope: nothing at all
    assert notes.titles(notes.foreign) == []
    assert notes.titles(notes.other_district) == []
    assert notes.titles(notes.centre) == []


def test_read_marks_are_per_account_and_never_reach_outside_the_scope(notes):
    at("2019-12-30T10:00:00")
    for reason in ("第一次", "第二次"):
        notes.deliver(
            notes.event(
                "enrollment.submission.returned",
                {
                    "submission_id": 1,
                    "union_id": UNION,
                    "district_id": DISTRICT,
                    "cover_year": 2020,
                    "mode": "centralised",
                    "reason": reason,
                },
            )
        )
    _, submitted = notes.batch()
    notes.deliver(submitted)
    assert notes.union.get("/notifications/unread-count").get_json() == {"unread": 3}
    items = notes.union.get("/notifications").get_json()["items"]
    first = items[-1]["id"]
    assert notes.union.post("/notifications/read", json={"ids": [first]}).get_json() == {"marked": 1}
    assert notes.union.get("/notifications/unread-count").get_json() == {"unread": 2}
    assert notes.union.get("/notifications?unread=true").get_json()["total"] == 2
    # another union's notification, or a made-up one: 404 and nothing marked
    district_item = notes.district.get("/notifications").get_json()["items"][0]["id"]
    refused = notes.union2.post("/notifications/read", json={"ids": [first]})
    assert refused.status_code == 404 and refused.get_json()["error"]["code"] == "NOTIFICATION_NOT_FOUND"
    assert notes.union.post("/notifications/read", json={"ids": [district_item]}).status_code == 404
    # read marks belong to the account: a second clerk of the district still has it unread
    assert notes.district.post("/notifications/read", json={}).get_json() == {"marked": 1}
    assert notes.district.get("/notifications/unread-count").get_json() == {"unread": 0}
    assert notes.district_clerk2.get("/notifications/unread-count").get_json() == {"unread": 1}
    assert notes.union.post("/notifications/read", json={}).get_json() == {"marked": 2}
    assert notes.union.get("/notifications/unread-count").get_json() == {"unread": 0}


def test_a_billing_event_before_its_batch_is_known_is_tried_again_not_lost(notes):
    import pytest

    from services.notifications.handlers.notify import BatchNotKnownYet

    batch_id, submitted = notes.batch()
    feedback = notes.event(
        "billing.batch.feedback_given",
        {"batch_id": batch_id, "message": "请补传凭证", "at": "2020-01-05T10:00:00+08:00"},
    )
    with pytest.raises(BatchNotKnownYet):
        notes.deliver(feedback)
    notes.deliver(submitted)
    notes.deliver(feedback)  # the retry
    assert sum("反馈" in t for t in notes.titles(notes.district)) == 1


def test_a_withdrawn_notice_tells_its_union_why_and_which_version_counts(notes):
    """Issue 26 item 8: a returned submission's notice is superseded at once, and its union told."""
    at("2019-11-25T16:00:00")
    base = {
        "document_id": 12,
        "kind": "grassroots_notice",
        "union_id": UNION,
        "district_id": DISTRICT,
        "cover_year": 2020,
        "subject": "submission:7",
        "filename": "a.pdf",
        "media_type": "application/pdf",
        "size": 1,
        "sha256": "0" * 64,
        "about": "上海甲工会 2020年度集中参保",
        "reason": "区局退回第 2 次集中参保提交：人数与名册不符",
        "withdrawn_at": "2019-11-25T16:00:00+08:00",
    }
    reissued = notes.event(
        "documents.document.withdrawn", {**base, "version": 2, "current_version": 1, "current_document_id": 11}
    )
    voided = notes.event(
        "documents.document.withdrawn",
        {**base, "union_id": UNION2, "version": 1, "current_version": None, "current_document_id": None},
    )
    for event in (reissued, voided):
        notes.deliver(event, times=2)
    [told] = notes.union.get("/notifications").get_json()["items"]
    assert (told["title"], told["kind"], told["link"]) == (
        "2020年度集中参保告知书已作废",
        "notice_withdrawn",
        "/documents",
    )
    assert told["body"] == (
        "上海甲工会 2020年度集中参保的告知书（第 2 版）已作废。原因：区局退回第 2 次集中参保提交：人数与名册不符。"
        "现行有效的是第 1 版，请下载查看并以其为准。"
    )
    [alone] = notes.union2.get("/notifications").get_json()["items"]
    assert alone["body"].endswith("目前没有有效的告知书，请修改后重新提交，提交后将重新出具告知书。")
    assert notes.titles(notes.foreign) == [] and notes.titles(notes.district) == []
