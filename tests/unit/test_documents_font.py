"""Chinese must render (SPEC §5): each notice embeds exactly one CJK font, named on every element,
and that font has a glyph for every character printed (no missing-glyph boxes)."""

import io
import re
import subprocess

from fontTools.ttLib import TTCollection, TTFont
from pypdf import PdfReader
from pypdf.generic import ByteStringObject, ContentStream, TextStringObject

from services.documents import settings
from services.documents.adapters import pdf
from services.documents.domain import facts
from services.documents.domain.notices import district_notice, grassroots_notice
from services.documents.settings import load as documents_settings
from tests.services.documents import contract as c
from tests.services.documents.conftest import pdf_fonts

YEAR = facts.parse_cover_year(c.cover_year()["data"])


def notices():
    sub = facts.parse_submission(c.submission(101, 11, 1, "B+", 3, 7, 2)["data"])
    price = facts.parse_submission_price(c.priced(101, 11, 1, "B+", 3)["data"])
    batch = facts.parse_batch(c.batch_submitted(7, 1, [(1, 11, "B+", 2), (2, 12, "A", 1)])["data"])
    batch_price = facts.parse_batch_price(c.batch_priced(7, 1, {"B+": 2, "A": 1}, 500)["data"])
    return [
        grassroots_notice("上海市徐汇区龘靐齉爩测试有限公司工会", YEAR, sub, price, 0),
        district_notice("中国金融工会上海委员会", YEAR, batch, batch_price, documents_settings().schema_1_payee),
    ]


def font(family: str):
    path = subprocess.run(["fc-match", "-f", "%{file}", family], capture_output=True, text=True, check=True).stdout
    return TTCollection(path).fonts[0] if path.lower().endswith((".ttc", ".otc")) else TTFont(path)


def font_cmap(family: str) -> set[int]:
    return set(font(family).getBestCmap())


def glyph_ids(content: bytes) -> list[int]:
    """The glyph ids every text operator of the PDF shows (Identity-H: two bytes a glyph)."""
    reader = PdfReader(io.BytesIO(content))
    ids = []
    for page in reader.pages:
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"Tj":
                strings = [operands[0]]
            elif operator == b"TJ":
                strings = [x for x in operands[0] if isinstance(x, (TextStringObject, ByteStringObject))]
            else:
                continue
            for string in strings:
                raw = string.get_original_bytes() if isinstance(string, TextStringObject) else bytes(string)
                if isinstance(string, TextStringObject) and string.autodetect_utf16 and raw[:2] == b"\xfe\xff":
                    raw = raw[2:]  # pypdf read "\x00C" as UTF-16 and gives it back with a BOM it added
                ids += [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2)]
    return ids


def missing_glyphs(content: bytes) -> list[int]:
    """Glyph ids that are no real glyph of the font: 0 (.notdef) or past its last glyph (what
    Pango hands WeasyPrint for a character the font lacks) — the boxes a reader would see."""
    count = len(font(settings.cjk_font_family()).getGlyphOrder())
    return [gid for gid in glyph_ids(content) if gid == 0 or gid >= count]


def printed_text(html: str) -> str:
    body = html.split("<body>", 1)[1]
    return re.sub(r"<[^>]+>", "", body)


def test_every_element_names_the_cjk_font():
    html = pdf.notice_html(notices()[0])
    family = settings.cjk_font_family()
    assert f'html, body, h1, p, table, th, td, div, span {{ font-family: "{family}";' in html
    assert f'@bottom-center {{ content: "第 " counter(page) " 页"; font-family: "{family}";' in html
    assert set(re.findall(r"<(\w+)[ >]", html.split("<body>", 1)[1])) <= {"h1", "p", "table", "tr", "th", "td", "div"}


def test_each_notice_embeds_exactly_one_font_and_it_is_the_cjk_one():
    for notice in notices():
        content = pdf.render_notice(notice)
        fonts = pdf_fonts(content)
        assert len({name.split("+", 1)[-1] for name, _ in fonts}) == 1, fonts
        # the font's name as the renderer spells it: WenQuanYi-Zen-Hei (WeasyPrint), WenQuanYiZenHei-0
        # (ReportLab: its PostScript name and the face of the TTC; the service's, decision 0046)
        assert all(
            name.split("+", 1)[-1].replace("-", "").startswith("WenQuanYiZenHei") and embedded
            for name, embedded in fonts
        ), fonts
        assert len(PdfReader(io.BytesIO(content)).pages) == 1
        box = PdfReader(io.BytesIO(content)).pages[0].mediabox
        assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4: 210 × 297 mm in points


def test_the_font_has_a_glyph_for_every_printed_character():
    cmap = font_cmap(settings.cjk_font_family())
    for notice in notices():
        text = printed_text(pdf.notice_html(notice)) + "第 1 页"
        missing = sorted({ch for ch in text if not ch.isspace() and ord(ch) not in cmap})
        assert missing == [], missing


def test_no_missing_glyph_boxes_in_the_rendered_pdf():
    from tests.unit.test_documents_canvas import missing_subset_glyphs, shown_codes

    for notice in notices():
        content = pdf.render_notice_html(notice)  # WeasyPrint: Identity-H, two bytes a glyph
        assert len(glyph_ids(content)) > 200
        assert missing_glyphs(content) == []
        content = pdf.render_notice(notice)  # the service's: ReportLab's one-byte subsets
        assert len(shown_codes(content)) > 200
        assert missing_subset_glyphs(content) == []


def test_the_box_check_does_catch_a_character_the_font_lacks():
    import weasyprint

    html = f"<p style=\"font-family: '{settings.cjk_font_family()}'\">中\ue000文</p>"  # a private-use character
    assert len(missing_glyphs(weasyprint.HTML(string=html).write_pdf())) == 1
