"""E-mail of notifications over a real SMTP server (aiosmtpd): SMTP down → the mail waits and
goes when it is back, once; deadline reminders: only those who have not acted, each once across
two job runs at the same moment and a restart; the centre's view and a reminder by hand."""

from __future__ import annotations

import email
import socket
import threading

import pytest

from services.notifications.adapters import enrollment_actions, gateway_contacts
from services.notifications.handlers import mail, reminders
from services.notifications.settings import MailSettings
from tests.season import at
from tests.services.billing.smtp import loopback_smtp
from tests.services.notifications.conftest import DISTRICT, UNION, UNION2


@pytest.fixture
def addresses(monkeypatch):
    """The gateway's answer: union 101 has two clerks with addresses, 102 none, the district one."""
    book = {("union", UNION): ["a@u101.cn", "b@u101.cn"], ("district", DISTRICT): ["hp@district.cn"]}
    monkeypatch.setattr(
        gateway_contacts,
        "addresses",
        lambda scopes, timeout=10: {(a, i): book.get((a, i), []) for a, ids in scopes.items() for i in ids},
    )


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_mail_waits_while_smtp_is_down_then_goes_once(notes, addresses, monkeypatch):
    at("2019-12-30T10:00:00")
    notes.deliver(
        notes.event(
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
    )
    notes.deliver(
        notes.event(
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
    )
    uow = notes.svc.runtime.uow()
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(_closed_port()))
    down = mail.send_all_due(uow)
    assert down == {"sent": 0, "no_recipient": 1, "failed": 1}  # union 102 has no address: in-app only
    assert mail.send_all_due(uow) == {"sent": 0, "no_recipient": 0, "failed": 0}  # waiting out its backoff
    with loopback_smtp() as (port, received):
        monkeypatch.setenv("SMTP_PORT", str(port))
        at("2019-12-30T10:01:00")  # the backoff has passed
        assert mail.send_all_due(uow) == {"sent": 1, "no_recipient": 0, "failed": 0}
        assert mail.send_all_due(uow) == {"sent": 0, "no_recipient": 0, "failed": 0}
        at("2019-12-31T10:00:00")
        assert mail.send_all_due(uow)["sent"] == 0  # sent is sent, however late the next run
    assert len(received) == 1
    recipients, raw = received[0]
    assert sorted(recipients) == ["a@u101.cn", "b@u101.cn"]
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert "退回" in message["Subject"] and "人数与名册不符" in message.get_content()
    # the link is absolute, from the configured public address (default: the embedded one)
    assert "请登录系统查看：http://localhost:8000/union/enrolment" in message.get_content()
    # its Date in Shanghai time, as every time people read
    assert message["Date"].endswith("+0800")


def test_mail_links_start_at_the_configured_public_address(monkeypatch):
    from services.notifications.adapters.smtp import build

    monkeypatch.setenv("PUBLIC_BASE_URL", "https://zhibao.example.cn/")
    raw = build(1, "标题", "正文", "/union/members?member=3", ["a@b.cn"], MailSettings())
    body = email.message_from_bytes(raw, policy=email.policy.default).get_content()
    assert "请登录系统查看：https://zhibao.example.cn/union/members?member=3" in body


def test_two_senders_at_once_send_each_mail_once(notes, addresses, monkeypatch):
    at("2019-12-30T10:00:00")
    for i in range(30):
        notes.deliver(
            notes.event(
                "enrollment.submission.returned",
                {
                    "submission_id": i,
                    "union_id": UNION,
                    "district_id": DISTRICT,
                    "cover_year": 2020,
                    "mode": "centralised",
                    "reason": f"原因{i}",
                },
            )
        )
    with loopback_smtp() as (port, received):
        monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("SMTP_PORT", str(port))
        settings = MailSettings()
        threads = [
            threading.Thread(target=mail.send_all_due, args=(notes.svc.runtime.uow(), settings, 5)) for _ in range(2)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert len(received) == 30
    assert len({email.message_from_bytes(raw)["Message-ID"] for _, raw in received}) == 30


@pytest.fixture
def not_acted(monkeypatch):
    """Enrollment's answer: unions 101 and 102 have not submitted; district 10 has not paid."""
    pending = {"grassroots_end": [UNION, UNION2], "district_submit_end": [], "payment_deadline": [DISTRICT]}
    monkeypatch.setattr(enrollment_actions, "not_acted", lambda year, key, timeout=60: list(pending[key]))
    monkeypatch.setattr(
        enrollment_actions,
        "not_acted_named",
        lambda year, key, named, timeout=60: (list(pending[key]), {i: f"单位{i}" for i in pending[key][:named]}),
    )
    return pending


def test_reminders_go_once_to_those_who_have_not_acted_across_two_runs_and_a_restart(notes, not_acted):
    notes.year()  # grassroots deadline 2019-12-27, payment deadline 2020-01-20
    at("2019-12-20T08:00:00")  # 7 days before the grassroots deadline
    results = []
    runs = [
        threading.Thread(target=lambda: results.append(reminders.run_reminders(notes.svc.runtime.uow())))
        for _ in range(2)
    ]
    for t in runs:
        t.start()
    for t in runs:
        t.join()
    assert sorted(sum(r.values()) for r in results) == [0, 2]  # one run recorded both, the other none
    assert reminders.run_reminders(notes.svc.runtime.uow()) == {}  # a restart: the pass is done, nothing new
    titles = notes.titles(notes.union)
    assert titles == ["2020年度基层工会提交及划款至区局截止（2019年12月27日）还有 7 天截止：尚未提交集中参保"]
    assert notes.titles(notes.union2) == titles and notes.titles(notes.foreign) == []
    # union 101 submits; three days before only 102 is reminded
    not_acted["grassroots_end"] = [UNION2]
    at("2019-12-24T08:00:00")
    assert reminders.run_reminders(notes.svc.runtime.uow()) == {
        "2020:grassroots_end:3": 1,
        "2020:district_submit_end:7": 0,
    }
    assert len(notes.titles(notes.union)) == 1 and len(notes.titles(notes.union2)) == 2
    # the centre's view: per deadline, who was reminded and who has still not acted
    report = notes.centre.get("/reminders/2020").get_json()
    grassroots = next(d for d in report["deadlines"] if d["key"] == "grassroots_end")
    assert grassroots["reminded"] == 2 and grassroots["not_acted_count"] == 1
    assert [(p["id"], p["name"]) for p in grassroots["not_acted"]] == [(UNION2, f"单位{UNION2}")]
    assert grassroots["not_acted"][0]["last_reminded_at"]
    assert {(s["days_before"], s["count"]) for s in grassroots["sent"]} == {(7, 2), (3, 1)}
    # every deadline of the timeline is listed, in its order — the split deadline too (listed only:
    # who has not set a split is billing's to say, so it offers no reminder)
    assert [d["key"] for d in report["deadlines"]] == [
        "split_end",
        "grassroots_end",
        "district_submit_end",
        "payment_deadline",
    ]
    split = report["deadlines"][0]
    assert (split["label"], split["audience"], split["remindable"], split["not_acted_count"]) == (
        "区局参保金额比例设置截止",
        "district",
        False,
        None,
    )
    assert grassroots["remindable"] is True
    # by hand, the same day: union 102 was already reminded 3 days before — nothing doubles
    assert notes.centre.post("/reminders/2020/grassroots_end/send", json={}).get_json() == {
        "reminded": 0,
        "not_acted": 1,
    }
    at("2019-12-25T08:00:00")
    assert notes.centre.post("/reminders/2020/grassroots_end/send", json={}).get_json() == {
        "reminded": 1,
        "not_acted": 1,
    }
    assert notes.union.post("/reminders/2020/grassroots_end/send", json={}).status_code == 403


def test_reminder_days_are_configurable_per_year(notes, not_acted):
    notes.year()
    bad = notes.centre.put("/reminders/2020/days-before", json={"days_before": [5, 5]})
    assert bad.status_code == 422
    assert notes.centre.put("/reminders/2020/days-before", json={"days_before": [2, 10]}).get_json() == {
        "cover_year": 2020,
        "days_before": [10, 2],
    }
    at("2020-01-10T08:00:00")  # 10 days before the payment deadline (2020-01-20)
    assert reminders.run_reminders(notes.svc.runtime.uow()) == {"2020:payment_deadline:10": 1}
    assert "尚有参保批次未缴费" in notes.titles(notes.district)[0]
    at("2020-01-15T08:00:00")  # 5 days before: no configured offset reached yet beyond 10 (done)
    assert reminders.run_reminders(notes.svc.runtime.uow()) == {}
    at("2020-01-21T08:00:00")  # after the deadline: nothing
    assert reminders.run_reminders(notes.svc.runtime.uow()) == {}
