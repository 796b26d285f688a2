"""The season, for real, through the gateway (members, enrollment, billing, documents, gateway,
workers, PostgreSQL, RabbitMQ): carded members → a grassroots union submits twice → the district
submits its batch → both notices and the statistics workbook are downloadable by the right roles,
with the right content, and by no one else (issue 6, "done when")."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.e2e.test_enrollment_season import HANDLER, PRICES, TIMELINE, carded_member, ok, wait_listed

YEAR = 2020
E, D = "/api/v1/enrollment", "/api/v1/documents"


def pdf_text(content: bytes) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages))


def download(system, session, path: str, what: str):
    return system.wait_for(lambda: (r := session.get(D + path)).status_code == 200 and r, timeout=90, message=what)


@pytest.fixture(scope="module")
def season(system):
    system.set_clock("2019-10-01T09:00:00")
    centre, district = system.login("centre"), system.login("district")
    g1, g2 = system.login("grassroots1"), system.login("grassroots2")
    ok(centre.put(f"{E}/cover-years/{YEAR}", json=TIMELINE))
    entries = [
        {"type": t, "price_class": pc, "premium": p, "city_subsidy": c, "special_city_subsidy": s}
        for t, (full, city, special, half, half_city, half_special) in PRICES.items()
        for pc, p, c, s in (
            ("centralised", full, city, special),
            ("instant_first_half", full, city, special),
            ("instant_second_half", half, half_city, half_special),
        )
    ]
    system.wait_for(
        lambda: centre.put(f"/api/v1/billing/price-tables/{YEAR}", json={"entries": entries}).status_code == 200,
        timeout=60,
        message="billing price table accepted",
    )
    district_id = district.account["district_id"]
    credit = {
        "district_id": district_id,
        "source_year": 2018,
        "designated_year": YEAR,
        "amount": "100",
        "memo": "2018年清算",
    }
    system.wait_for(
        lambda: centre.post("/api/v1/billing/credits", json=credit).status_code == 201,
        timeout=60,
        message="billing knows the district and takes the credit",
    )
    system.set_clock("2019-10-26T10:00:00")
    system.wait_for(
        lambda: (
            district.put(
                f"/api/v1/billing/splits/{YEAR}",
                json={
                    "types": {
                        "A": {"district_share": "13", "grassroots_share": "0"},
                        "A+": {"district_share": "63", "grassroots_share": "0"},
                        "B": {"district_share": "40", "grassroots_share": "10"},
                        "B+": {"district_share": "100", "grassroots_share": "0"},
                    }
                },
            ).status_code
            == 200
        ),
        timeout=60,
        message="district split accepted",
    )

    for _ in range(3):
        carded_member(system, g1, district, "2019-06-01")
    carded_member(system, g2, district, "2019-07-01")
    system.set_clock("2019-11-05T10:00:00")
    wait_listed(system, g1, f"cover_year={YEAR}", 3)
    first = ok(g1.post(f"{E}/submissions", json={"cover_year": YEAR, "type": "B"}), 201)
    download(system, g1, f"/grassroots-notices/{g1.account['union_id']}/{YEAR}/file", "the first grassroots notice")
    for _ in range(2):
        carded_member(system, g1, district, "2019-11-04")
    system.set_clock("2019-11-20T15:00:00")
    wait_listed(system, g1, f"cover_year={YEAR}", 2)
    second = ok(g1.post(f"{E}/submissions", json={"cover_year": YEAR, "type": "B"}), 201)
    wait_listed(system, g2, f"cover_year={YEAR}", 1)
    third = ok(g2.post(f"{E}/submissions", json={"cover_year": YEAR, "type": "A"}), 201)
    for sub in (first, second, third):
        ok(district.post(f"{E}/submissions/{sub['id']}/stage", json={}))
    system.set_clock("2019-12-28T10:00:00")
    batch = ok(district.post(f"{E}/batches", json={"cover_year": YEAR, "handler": HANDLER}), 201)
    return {
        "system": system,
        "centre": centre,
        "district": district,
        "g1": g1,
        "g2": g2,
        "batch": batch,
        "district_id": district_id,
        "u1": g1.account["union_id"],
        "u2": g2.account["union_id"],
    }


def test_grassroots_notice_latest_and_earlier_versions(season):
    system, g1, u1 = season["system"], season["g1"], season["u1"]
    path = f"/grassroots-notices/{u1}/{YEAR}/file"
    latest = system.wait_for(
        lambda: (r := g1.get(f"{D}{path}?version=2")).status_code == 200 and r,
        timeout=90,
        message="the second grassroots notice",
    )
    assert g1.get(D + path).content == latest.content  # the latest is the one shown
    text = pdf_text(latest.content)
    assert "上海示范科技有限公司工会：" in text
    assert (
        "你会集中参保2020年度会员专享基本保障计划，截至今日参加B类会员共计5人，请于2019年12月27日之前根据你会所在区、"
        "局（产业）工会的安排将你会需要承担的参保资金划入所属区、局（产业）工会账户，保障日期为2020年1月1日起至"
        "2020年12月31日。"
    ) in text
    # this submission: 2 × B 90 = 180 = city 80 + district 80 + grassroots 20; the year so far: 5 × 10 = 50
    for fragment in (
        "本次提交人数2人（第2次提交）",
        "本次参保资金总额180.00元",
        "其中：市总统一划拨80.00元",
        "区局（产业）工会承担80.00元",
        "基层单位承担20.00元",
        "本年度你会累计需承担50.00元",
    ):
        assert fragment in text, fragment
    assert text.endswith("上海市总工会职工援助服务中心上海市职工保障互助中心2019年11月20日第1页")
    first = pdf_text(g1.get(f"{D}{path}?version=1").content)
    assert "截至今日参加B类会员共计3人" in first and first.endswith("2019年11月5日第1页")


def test_district_notice_with_credit_due_deadline_and_account(season):
    system, district, batch = season["system"], season["district"], season["batch"]
    notice = download(system, district, f"/district-notices/{batch['id']}/file", "the district notice")
    text = pdf_text(notice.content)
    # premium A 26 + B 5 × 90 = 476.00, city 13 + 200 = 213.00; the unions' share 263.00 (its
    # split as billing says); credit 100.00 → 163.00 due by 20 January
    assert (
        "黄浦区总工会：你会集中参保2020年度会员专享基本保障计划，参加A类会员共计1人，参加B类会员共计5人，合计6人，"
        "参保资金总额为476.00元，其中市总统一划拨213.00元，区局（产业）工会承担"
    ) in text
    assert (
        "（工会承担263.00元）。鉴于2018年会员保障清算分配款100.00元指定用于抵扣2020年度会员保障集中参保款项，"
        "你会尚需于2020年1月20日之前将剩余参保资金（应缴）163.00元划入如下账户（划款时请在用途/附言中注明参保批次"
        f"{batch['batch_no']}）"
    ) in text
    assert "户名：上海市职工保障互助中心会员专享保障专户账号：316023-03002745697开户行：上海银行人民广场支行" in text
    assert f"参保批次{batch['batch_no']}" in text and text.endswith("2019年12月28日第1页")
    assert season["centre"].get(f"{D}/district-notices/{batch['id']}/file").content == notice.content


def test_statistics_workbook_per_union_and_type(season):
    _system, district = season["system"], season["district"]
    path = f"{D}/statistics/{season['district_id']}/{YEAR}/file"
    response = district.get(path)
    assert response.status_code == 200, response.text
    rows = [[c.value for c in r] for r in load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows()]
    batch_no = season["batch"]["batch_no"]
    assert [r[0] for r in rows[1:3]] == ["上海示范物流有限公司工会", "上海示范科技有限公司工会"]
    assert rows[1][2:12] == ["A", 1, 1, 26, 13, 13, 0, 0, "已提交市职保中心", batch_no]
    assert rows[2][2:12] == ["B", 2, 5, 450, 200, 200, 50, 0, "已提交市职保中心", batch_no]
    assert rows[3][:9] == ["合计", None, None, 3, 6, 476, 213, 213, 50]


def test_documents_scope_through_the_gateway(season):
    system, centre, district, g1, g2 = (season[k] for k in ("system", "centre", "district", "g1", "g2"))
    u1, batch = season["u1"], season["batch"]
    other = ok(centre.post("/api/v1/members/districts", json={"name": "徐汇区总工会", "kind": "district"}), 201)
    ok(
        centre.post(
            "/api/v1/accounts",
            json={
                "username": "docs-district2",
                "display_name": "徐汇区总工会",
                "password": "Other@2026pass",
                "role": "district",
                "district_id": other["id"],
            },
        ),
        201,
    )
    d2 = system.login("docs-district2", "Other@2026pass")
    hidden = [
        (g2, f"/grassroots-notices/{u1}/{YEAR}/file", "/grassroots-notices/98765/2020/file"),
        (d2, f"/grassroots-notices/{u1}/{YEAR}/file", "/grassroots-notices/98765/2020/file"),
        (d2, f"/district-notices/{batch['id']}/file", "/district-notices/98765/file"),
        (d2, f"/statistics/{season['district_id']}/{YEAR}/file", "/statistics/98765/2020/file"),
    ]
    for who, path, missing in hidden:
        seen, absent = who.get(D + path), who.get(D + missing)
        assert seen.status_code == absent.status_code == 404, path
        assert seen.json() == absent.json(), path
    for path in (f"/district-notices/{batch['id']}/file", f"/statistics/{season['district_id']}/{YEAR}/file"):
        assert g1.get(D + path).status_code == 403
    assert d2.get(f"{D}/documents").json()["total"] == 0
    mine = g1.get(f"{D}/documents").json()["items"]
    assert [(i["kind"], i["union_id"], i["version"]) for i in mine] == [("grassroots_notice", u1, 2)]
    linked = g1.get("/api/v1" + mine[0]["download"])  # how the documents page links it
    assert linked.status_code == 200 and linked.content == g1.get(f"{D}/grassroots-notices/{u1}/{YEAR}/file").content
    assert district.get(f"{D}/grassroots-notices/{u1}/{YEAR}/file").status_code == 200
