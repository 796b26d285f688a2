"""Documents with every process real (gateway, services under gunicorn, workers, PostgreSQL,
RabbitMQ): contract-shaped enrollment and billing events delivered to the documents consumer's
own queue (so that the enrollment and billing services, built in parallel, are not involved),
notices rendered once, downloaded through the gateway by the right roles only, a redelivered
event without a second version, and a malformed event in the dead-letter queue with nothing
written.

Scope table: another union's or district's document answers exactly like a missing one."""

from __future__ import annotations

import io
import json
import re

import pytest
from kombu import Producer
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import text

from common.bus import connect
from common.config import BusSettings
from deploy.seed import credit_code
from tests.conftest import AMQP_URL
from tests.services.documents import contract as c


def pdf_text(content: bytes) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages))


class Season:
    """What the test knows of the running system: accounts, ids, and a way to deliver events."""

    def __init__(self, system):
        self.system = system
        self.settings = BusSettings(
            url=AMQP_URL, exchange=system.env["BUS_EXCHANGE"], queue_prefix=system.env["BUS_QUEUE_PREFIX"]
        )
        self.centre = system.login("centre")
        self.district = system.login("district")
        self.g1 = system.login("grassroots1")
        self.g2 = system.login("grassroots2")
        self.district_id = self.district.account["district_id"]
        self.u1, self.u2 = self.g1.account["union_id"], self.g2.account["union_id"]

    def deliver(self, *events: dict) -> None:
        """Straight into the documents service's `notices` queue, as the exchange would route them."""
        queue = self.settings.queue_name("documents", "notices")
        with connect(self.settings) as conn:
            producer = Producer(conn.channel(), serializer="json")
            for event in events:
                producer.publish(
                    event,
                    routing_key=queue,
                    message_id=event["id"],
                    delivery_mode=2,
                    headers={"event_type": event["type"]},
                )

    def documents(self, where: str = "true") -> list:
        with self.system.db("documents").connect() as conn:
            return list(
                conn.execute(
                    text(
                        f"SELECT kind, series, version, union_id, district_id FROM documents WHERE {where} ORDER BY id"
                    )
                )
            )

    def wait_documents(self, count: int, where: str = "true"):
        return self.system.wait_for(
            lambda: len(self.documents(where)) >= count, timeout=180, message=f"{count} documents where {where}"
        )


@pytest.fixture(scope="module")
def season(system):
    s = Season(system)
    # a second district with a union of its own, registered for real through members
    other = s.centre.post(
        "/api/v1/members/districts",
        json={"name": "中国金融工会上海委员会", "kind": "industry", "special_industry": True},
    )
    assert other.status_code == 201, other.text
    s.other_district = other.json()["id"]
    union = s.centre.post(
        "/api/v1/members/unions",
        json={
            "name": "中国银行上海分行工会",
            "credit_code": credit_code("91310000MA1FL0077"),
            "district_id": s.other_district,
            "contact_person": "陈静",
            "phone": "13900000077",
        },
    )
    assert union.status_code == 201, union.text
    s.other_union = union.json()["id"]
    with system.db("documents").connect() as conn:
        system.wait_for(
            lambda: conn.execute(
                text("SELECT count(*) FROM union_view WHERE union_id = :u"), {"u": s.other_union}
            ).scalar(),
            message="the directory read model",
        )

    s.first = c.submission(101, s.u1, s.district_id, "B", 3, 3, 1)
    s.deliver(
        c.cover_year(),
        s.first,
        c.priced(101, s.u1, s.district_id, "B", 3),
        c.submission(103, s.u2, s.district_id, "A", 4, 4, 1),
        c.priced(103, s.u2, s.district_id, "A", 4),
        c.submission(201, s.other_union, s.other_district, "A", 2, 2, 1),
        c.priced(201, s.other_union, s.other_district, "A", 2),
        c.batch_submitted(7, s.district_id, [(101, s.u1, "B", 3), (103, s.u2, "A", 4)]),
        c.batch_priced(7, s.district_id, {"B": 3, "A": 4}, 5000),
    )
    s.wait_documents(4)
    return s


def test_both_notices_download_through_the_gateway_with_their_content(season):
    grassroots = season.g1.get(f"/api/v1/documents/grassroots-notices/{season.u1}/2020/file")
    assert grassroots.status_code == 200, grassroots.text
    assert grassroots.headers["Content-Type"] == "application/pdf"
    assert "attachment" in grassroots.headers["Content-Disposition"]
    body = pdf_text(grassroots.content)
    assert f"{season.g1.account['display_name']}：" in body or "上海示范科技有限公司工会：" in body
    assert "截至今日参加B类会员共计3人，请于2019年12月27日之前" in body and "本次参保资金总额270.00元" in body
    district = season.district.get("/api/v1/documents/district-notices/7/file")
    assert district.status_code == 200, district.text
    body = pdf_text(district.content)
    # B 3 × 90 = 270 (share 150); A 4 × 26 = 104 (share 52) → premium 374.00, share 202.00, credit 50.00,
    # due 152.00 (参保资金总额 is every premium, docs/terms.md)
    assert "黄浦区总工会：" in body
    assert "参加A类会员共计4人，参加B类会员共计3人，合计7人，参保资金总额为374.00元，其中市总统一划拨172.00元" in body
    assert "工会承担202.00元" in body and "清算分配款50.00元" in body
    assert "剩余参保资金（应缴）152.00元" in body and "2020年1月20日之前" in body
    assert "账号：316023-03002745697" in body
    listed = season.g1.get("/api/v1/documents/documents").json()
    assert [(i["kind"], i["union_id"]) for i in listed["items"]] == [("grassroots_notice", season.u1)]


def test_statistics_workbook_downloads_for_the_district(season):
    response = season.district.get(f"/api/v1/documents/statistics/{season.district_id}/2020/file")
    assert response.status_code == 200, response.text
    rows = [
        [cell.value for cell in row] for row in load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows()
    ]
    assert [r[2:5] for r in rows[1:-1]] == [["A", 1, 4], ["B", 1, 3]]  # 物流 (A) sorts before 科技 (B)
    assert rows[-1][:6] == ["合计", None, None, 2, 7, 374]
    again = season.district.get(f"/api/v1/documents/statistics/{season.district_id}/2020/file")
    assert again.content == response.content


def test_scope_table_through_the_gateway(season):
    ids = {
        (kind, union or district): doc_id
        for doc_id, kind, union, district in (
            (i["id"], i["kind"], i["union_id"], i["district_id"])
            for i in season.centre.get("/api/v1/documents/documents?per_page=100").json()["items"]
        )
    }
    table = [
        (season.g1, ("grassroots_notice", season.u1), 200),
        (season.g1, ("grassroots_notice", season.u2), 404),
        (season.g1, ("grassroots_notice", season.other_union), 404),
        (season.g1, ("district_notice", season.district_id), 404),
        (season.g2, ("grassroots_notice", season.u2), 200),
        (season.district, ("grassroots_notice", season.u1), 200),
        (season.district, ("grassroots_notice", season.other_union), 404),
        (season.centre, ("grassroots_notice", season.other_union), 200),
    ]
    for session, key, status in table:
        response = session.get(f"/api/v1/documents/documents/{ids[key]}/file")
        missing = session.get("/api/v1/documents/documents/987654/file")
        assert response.status_code == status, (session.account["username"], key)
        if status == 404:
            assert response.json() == missing.json()
    hidden = season.district.get(f"/api/v1/documents/statistics/{season.other_district}/2020/file")
    assert hidden.status_code == 404
    assert season.g1.get("/api/v1/documents/district-notices/7/file").status_code == 403
    assert season.g1.get(f"/api/v1/documents/statistics/{season.district_id}/2020/file").status_code == 403


def test_redelivery_makes_no_second_version_and_a_new_submission_does(season):
    before = season.documents(f"union_id = {season.u1}")
    season.deliver(season.first, season.first)  # the same event id twice more
    season.deliver(
        c.submission(102, season.u1, season.district_id, "B", 2, 5, 2),
        c.priced(102, season.u1, season.district_id, "B", 2),
    )
    season.wait_documents(len(before) + 1, f"union_id = {season.u1}")
    versions = [row.version for row in season.documents(f"union_id = {season.u1}")]
    assert versions == [1, 2]
    latest = season.g1.get(f"/api/v1/documents/grassroots-notices/{season.u1}/2020/file")
    first = season.g1.get(f"/api/v1/documents/grassroots-notices/{season.u1}/2020/file?version=1")
    second = season.g1.get(f"/api/v1/documents/grassroots-notices/{season.u1}/2020/file?version=2")
    assert latest.content == second.content and "共计5人" in pdf_text(latest.content)
    assert "共计3人" in pdf_text(first.content)
    assert season.g1.get(f"/api/v1/documents/grassroots-notices/{season.u1}/2020/file?version=3").status_code == 404


def test_malformed_event_is_dead_lettered_with_its_reason_and_writes_nothing(season):
    bad = c.priced(999, season.u2, season.district_id, "B", 3, premium_fen=1)
    season.deliver(bad)

    def dead_letters():
        out = season.system.python("-m", "common.dlq", "list", "documents.notices").stdout
        return [json.loads(line) for line in out.splitlines() if line.strip().startswith("{")]

    letters = season.system.wait_for(
        lambda: [d for d in dead_letters() if d["event_id"] == bad["id"]], timeout=60, message="the dead letter"
    )
    assert letters[0]["type"] == "billing.submission.priced"
    with season.system.db("documents").connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM submission_view WHERE submission_id = 999")).scalar() == 0
    logs = "".join(p.read_text(errors="replace") for p in (season.system.tmp / "logs").glob("documents*"))
    assert "premium_fen" in logs and bad["id"] in logs
