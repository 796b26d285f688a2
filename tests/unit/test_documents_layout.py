"""How a notice looks on paper: the district notice with every type and a settlement credit is
one A4 page, its signature never alone on a page of its own, and a type is never broken across
two lines of its cell ("A+ 类" read as "A+" over "类")."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from services.documents.adapters import pdf
from services.documents.domain import facts
from services.documents.domain.notices import district_notice
from services.documents.settings import load as documents_settings
from tests.services.documents import contract as c

YEAR = facts.parse_cover_year(c.cover_year()["data"])


def every_type_notice() -> bytes:
    counts = {"B": 5, "A": 4, "A+": 2, "B+": 1}
    batch = c.batch_submitted(7, 1, [(1, 11, "B", 5), (2, 12, "A", 4), (3, 13, "A+", 2), (4, 14, "B+", 1)])
    price = c.batch_priced(7, 1, counts, 10000)
    notice = district_notice(
        "中国金融工会上海委员会",
        YEAR,
        facts.parse_batch(batch["data"]),
        facts.parse_batch_price(price["data"]),
        documents_settings().schema_1_payee,
    )
    return pdf.render_notice(notice)


def test_the_district_notice_with_every_type_is_one_page_signed_on_it():
    reader = PdfReader(io.BytesIO(every_type_notice()))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "上海市职工保障互助中心" in text and "账号" in text and "帐" not in text


def test_no_type_is_broken_across_lines_of_its_cell():
    lines = [
        re.sub(r"\s+", "", line)
        for line in PdfReader(io.BytesIO(every_type_notice())).pages[0].extract_text().splitlines()
    ]
    for kind in ("A类", "A+类", "B类", "B+类"):
        assert any(line.startswith(kind) for line in lines), (kind, lines)
