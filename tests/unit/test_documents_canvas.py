"""The canvas (ReportLab) notice renderer makes the PDF a person reads from WeasyPrint's: one A4
page, the same words in the same order as pdftotext reads them, the per-type table's types never
broken, only the one CJK font embedded, and a real glyph for every character it prints."""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from bench.notice_renderers import sample_notices
from services.documents.adapters import pdf, pdf_canvas
from services.documents.domain import facts
from services.documents.domain.notices import InstantDistrictNotice, district_notice, grassroots_notice
from services.documents.settings import load as documents_settings
from tests.services.documents import contract as c
from tests.services.documents.conftest import pdf_fonts, pdf_text

RARE = "上海市徐汇区龘靐齉爩测试有限公司工会"  # characters few fonts carry
LABELS = ["grassroots", "instant", "district", "instant district", "rare characters"]
PAYEE = documents_settings().schema_1_payee


def notices():
    made = {label: make() for label, make in sample_notices().items()}
    year = facts.parse_cover_year(c.cover_year()["data"])
    sub = facts.parse_submission(c.submission(101, 11, 1, "B+", 3, 7, 2)["data"])
    price = facts.parse_submission_price(c.priced(101, 11, 1, "B+", 3)["data"])
    made["rare characters"] = grassroots_notice(RARE, year, sub, price, 0)
    batch = facts.parse_batch(c.batch_submitted(8, 1, [(5, 11, "A", 2)], "JB201912280001", mode="instant")["data"])
    batch_price = facts.parse_batch_price(c.batch_priced(8, 1, {"A": 2}, 0, batch_no="JB201912280001")["data"])
    made["instant district"] = district_notice("黄浦区总工会", year, batch, batch_price, PAYEE)
    return made


def pdftotext(content: bytes) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "notice.pdf"
        path.write_bytes(content)
        return subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout


SHOW = re.compile(rb"/(\S+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\) Tj", re.S)
ESCAPE = re.compile(rb"\\([0-7]{1,3}|.)", re.S)
NAMED = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def literal(raw: bytes) -> bytes:
    """A PDF literal string's bytes (its backslash escapes undone)."""

    def one(m: re.Match) -> bytes:
        x = m.group(1)
        return bytes([int(x, 8) & 0xFF]) if x[:1].isdigit() else NAMED.get(x, x)

    return ESCAPE.sub(one, raw)


def shown_codes(content: bytes) -> list[tuple[str, int]]:
    """(font resource, one-byte code) of every character the page shows: ReportLab's subsets are
    simple TrueType fonts of up to 256 glyphs, shown by `(…) Tj` (read here from the raw stream, as
    pypdf would take a string holding a zero byte for UTF-16)."""
    stream = PdfReader(io.BytesIO(content)).pages[0].get_contents().get_data()
    found, font = [], ""
    for m in SHOW.finditer(stream):
        if m.group(1) is not None:
            font = "/" + m.group(1).decode()
        else:
            found += [(font, code) for code in literal(m.group(2))]
    return found


def missing_subset_glyphs(content: bytes) -> list[tuple[str, int]]:
    """Characters the font lacks: ReportLab shows each as code 0 of the first subset (U+0000, an
    empty glyph: nothing where a word should be); and any code whose glyph in the embedded subset
    is .notdef (glyph 0), the box."""
    reader = PdfReader(io.BytesIO(content))
    resources = reader.pages[0]["/Resources"].get_object()["/Font"]
    cmaps = {}
    for name, ref in resources.items():
        descriptor = ref.get_object()["/FontDescriptor"].get_object()
        face = TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data()))
        cmaps[name] = {code: face.getGlyphID(glyph) for code, glyph in face["cmap"].getcmap(1, 0).cmap.items()}
    return [
        (font, code)
        for font, code in shown_codes(content)
        if (font.endswith("+0") and code == 0) or cmaps[font].get(code, 0) == 0
    ]


@pytest.mark.parametrize("label", LABELS)
def test_the_canvas_notice_reads_as_the_weasyprint_one(label):
    notice = notices()[label]
    canvas, weasy = pdf_canvas.render_notice(notice), pdf.render_notice_html(notice)
    reader = PdfReader(io.BytesIO(canvas))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    assert pdftotext(canvas).split() == pdftotext(weasy).split()
    assert pdf_text(canvas) == pdf_text(weasy)  # pypdf's reading, as the service and e2e tests read
    squeezed = re.sub(r"\s+", "", pdftotext(canvas))
    assert squeezed.startswith(notice.title + notice.salutation) and squeezed.endswith("第1页")


@pytest.mark.parametrize("label", LABELS)
def test_every_printed_character_has_a_real_glyph_of_the_one_cjk_font(label):
    content = pdf_canvas.render_notice(notices()[label])
    fonts = pdf_fonts(content)
    assert {name.split("+", 1)[-1] for name, _ in fonts} == {"WenQuanYiZenHei-0"}, fonts  # face 0 of the TTC
    assert all(embedded for _, embedded in fonts), fonts
    assert len(shown_codes(content)) > 200
    assert missing_subset_glyphs(content) == []


def test_the_glyph_check_does_catch_a_character_the_font_lacks():
    notice = replace(notices()["grassroots"], union_name="中\ue000文工会")  # a private-use character
    content = pdf_canvas.render_notice(notice)
    assert len(missing_subset_glyphs(content)) == 1


def test_the_instant_district_notice_is_the_jb_one():
    assert isinstance(notices()["instant district"], InstantDistrictNotice)


def test_no_type_is_broken_across_lines_of_its_cell():
    text = PdfReader(io.BytesIO(pdf_canvas.render_notice(notices()["district"]))).pages[0].extract_text()
    lines = [re.sub(r"\s+", "", line) for line in text.splitlines()]
    for kind in ("A类", "A+类", "B类", "B+类"):
        assert any(line.startswith(kind) for line in lines), (kind, lines)


def test_a_font_fontconfig_does_not_have_is_refused_not_replaced():
    with pytest.raises(LookupError):
        pdf_canvas.font_name("No Such Font Family 30")


def test_notices_rendered_on_threads_side_by_side_read_the_same():
    notice = notices()["district"]
    alone = pdftotext(pdf_canvas.render_notice(notice))
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(lambda _: pdftotext(pdf_canvas.render_notice(notice)), range(12)))
    assert together == [alone] * 12
