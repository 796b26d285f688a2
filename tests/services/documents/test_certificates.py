"""参保凭证 (issue 29 item 3): a certificate of one member's cover for one year, issued in the
caller's scope, whose verification code answers whether it is valid today — revoked the day its
cover fails or its submission is returned, unknown codes said so, the name masked."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from common.bus import PermanentFailure
from services.documents.adapters import pdf
from services.documents.domain import certificates as rules
from tests.services.documents import contract as c
from tests.services.documents.conftest import pdf_fonts, pdf_text

MEMBER, OTHER_MEMBER = 501, 502
BASE = "https://zhibao.example.org"


@pytest.fixture
def covered(documents, monkeypatch):
    """Two members of union A covered by submission 101 (type B), one of union OTHER by 201; the
    clock in the middle of the cover year."""
    monkeypatch.setenv("CLOCK_NOW", "2020-06-01T10:00:00")
    monkeypatch.setenv("PUBLIC_BASE_URL", BASE)
    documents.feed(
        c.covers_recorded(101, c.UNION_A, c.DISTRICT_1, [(MEMBER, "张三丰"), (OTHER_MEMBER, "李四")], "B"),
        c.covers_recorded(201, c.UNION_OTHER, c.DISTRICT_2, [(601, "王五")], "A"),
    )
    return documents


def grassroots_a(documents):
    return documents.as_("grassroots", union_id=c.UNION_A, district_id=c.DISTRICT_1)


def issue(documents, member_id=MEMBER, year=2020, caller=None):
    return (caller or grassroots_a(documents)).get(f"/certificates/{member_id}/{year}/file")


def code_of(content: bytes) -> str:
    found = re.search(r"([A-Z2-7]{4}(?:-[A-Z2-7]{4}){6})", pdf_text(content))
    assert found, "the certificate prints its verification code"
    return found.group(1)


def verify(documents, code: str) -> dict:
    response = documents.as_("gateway").get(f"/certificates/verification/{code}")
    assert response.status_code == 200
    return response.get_json()


def test_the_pdf_prints_the_cover_in_words_with_its_code_in_the_embedded_font(covered):
    response = issue(covered)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    text = pdf_text(response.data)
    for words in (
        "会员服务卡集中参保凭证",
        "张三丰",
        "上海示范科技有限公司工会",
        "2020年度",
        "B类会员专享基本保障",
        "22种重大疾病",
    ):
        assert words in text, words
    assert "2020-01-01至2020-12-31" in text and "集中参保" in text
    code = code_of(response.data)
    assert f"{BASE}/verify/{code}" in text
    assert len(PdfReader(io.BytesIO(response.data)).pages) == 1
    fonts = pdf_fonts(response.data)
    assert fonts and all(embedded for _, embedded in fonts) and len({name for name, _ in fonts}) == 1


def test_the_qr_code_in_the_pdf_encodes_the_public_verification_url(covered):
    """No QR decoder is installed: the image in the PDF is read module by module and compared with
    the code segno makes for the URL — the same matrix, so it scans to that URL."""
    content = issue(covered).data
    url = f"{BASE}/verify/{code_of(content)}"
    [image] = PdfReader(io.BytesIO(content)).pages[0].images
    picture = image.image.convert("L")
    expected = pdf.qr_code(url).matrix
    modules = len(expected)
    assert picture.size == ((modules + 2 * pdf.QR_BORDER) * pdf.QR_SCALE,) * 2
    seen = [
        [
            picture.getpixel(((pdf.QR_BORDER + x) * pdf.QR_SCALE + 1, (pdf.QR_BORDER + y) * pdf.QR_SCALE + 1)) < 128
            for x in range(modules)
        ]
        for y in range(modules)
    ]
    assert seen == [[bool(v) for v in row] for row in expected]
    assert pdf.qr_code(url + "X").matrix != expected  # the comparison tells URLs apart


def test_a_valid_certificate_answers_with_the_name_masked_and_the_type_in_words(covered):
    code = code_of(issue(covered).data)
    answer = verify(covered, code)
    assert answer["found"] and answer["valid"] and not answer["revoked"]
    assert answer["name"] == "张**" and "张三丰" not in str(answer)
    assert answer["cover_year"] == 2020 and answer["state"] == "保障中"
    assert answer["type_name"] == "B 类会员专享基本保障" and "22 种重大疾病" in answer["type_pays"]
    assert (answer["cover_start"], answer["cover_end"]) == ("2020-01-01", "2020-12-31")
    # typed by hand: lower case, spaces instead of dashes
    assert verify(covered, code.lower().replace("-", " "))["valid"]
    [(count,)] = covered.svc.runtime.engine.connect().exec_driver_sql("SELECT verified_count FROM certificates")
    assert count == 2


def test_only_a_hash_of_the_code_is_kept(covered):
    code = code_of(issue(covered).data)
    with covered.runtime.engine.connect() as conn:
        [(kept,)] = conn.exec_driver_sql("SELECT code_hash FROM certificates").all()
    assert kept == rules.code_hash(code) and code not in kept and code.replace("-", "") not in kept


def test_revoked_when_the_cover_fails_or_the_submission_is_returned(covered):
    code = code_of(issue(covered).data)
    covered.feed(c.cover_outcome("failed", 7, c.DISTRICT_1, [101]))
    answer = verify(covered, code)
    assert answer["found"] and not answer["valid"] and answer["revoked"] and answer["state"] == "已失效"
    assert "失效" in answer["message"]
    refused = issue(covered)  # no new certificate for a failed cover
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "COVER_NOT_HELD"
    # a later grant of the same submissions never revives it
    covered.feed(c.cover_outcome("granted", 7, c.DISTRICT_1, [101]))
    assert verify(covered, code)["state"] == "已失效"

    covered.feed(c.covers_recorded(102, c.UNION_A, c.DISTRICT_1, [(MEMBER, "张三丰")], "B"))
    second = code_of(issue(covered).data)  # the member enrolled again: a certificate of that cover
    covered.feed(c.returned(102, c.UNION_A, c.DISTRICT_1))
    answer = verify(covered, second)
    assert answer["revoked"] and answer["state"] == "已撤销" and "退回" in answer["message"]


def test_granted_stays_valid_and_dates_decide_outside_the_year(covered, monkeypatch):
    code = code_of(issue(covered).data)
    covered.feed(c.cover_outcome("granted", 7, c.DISTRICT_1, [101]))
    assert verify(covered, code)["state"] == "保障中"
    monkeypatch.setenv("CLOCK_NOW", "2021-02-01T10:00:00")
    answer = verify(covered, code)
    assert answer["state"] == "已到期" and not answer["valid"] and not answer["revoked"]


@pytest.mark.parametrize("code", ["AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA", "not a code", "0000", "A" * 200])
def test_an_unknown_or_malformed_code_answers_unknown(covered, code):
    issue(covered)
    answer = verify(covered, code)
    assert answer["found"] is False and "未查到" in answer["message"] and "name" not in answer


def test_scope_who_may_download_whose_certificate(covered):
    clerks = {
        "grassroots A": grassroots_a(covered),
        "grassroots B": covered.as_("grassroots", union_id=c.UNION_B, district_id=c.DISTRICT_1),
        "district 1": covered.as_("district", district_id=c.DISTRICT_1),
        "district 2": covered.as_("district", district_id=c.DISTRICT_2),
        "centre": covered.as_("centre"),
    }
    may = {"grassroots A": True, "grassroots B": False, "district 1": True, "district 2": False, "centre": True}
    for who, client in clerks.items():
        status = issue(covered, caller=client).status_code
        assert status == (200 if may[who] else 404), who
    assert issue(covered, member_id=999).status_code == 404  # nobody's cover
    assert issue(covered, year=2021).status_code == 404
    # the gateway's own identity verifies, never downloads; clerks never call the verification
    assert issue(covered, caller=covered.as_("gateway")).status_code == 403
    assert grassroots_a(covered).get("/certificates/verification/AAAA").status_code == 403


def test_the_same_part_twice_changes_nothing_and_a_malformed_one_writes_nothing(covered):
    covered.feed(c.covers_recorded(101, c.UNION_A, c.DISTRICT_1, [(MEMBER, "张三丰")], "B"))
    assert covered.count("cover_view") == 3
    bad = c.covers_recorded(
        103, c.UNION_A, c.DISTRICT_1, [(700, "赵六")], "B", covers=[{"member_id": 700, "name": "赵六"}]
    )
    with pytest.raises(PermanentFailure) as failure:  # dead-lettered
        covered.feed(bad)
    assert "cover_start" in str(failure.value)
    assert covered.count("cover_view") == 3


def test_masking_and_codes():
    assert (
        rules.mask_name("张三") == "张*" and rules.mask_name("欧阳娜娜") == "欧***" and rules.mask_name("王") == "王*"
    )
    code = rules.new_code()
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){6}", code)
    assert rules.normalise(code.lower().replace("-", "")) == code and rules.normalise(code + "A") is None
    assert len({rules.new_code() for _ in range(1000)}) == 1000
