"""Notices and certificates as A4 PDFs with the CJK font embedded.

A notice is drawn on a ReportLab canvas (pdf_canvas, docs/decisions/0046-notice-renderer.md: the
same PDF to read at about a ninth of WeasyPrint's CPU); its HTML (notice_html) stays the reference
it is compared with in tests and bench/notice_renderers.py. A certificate is a Jinja2 template
rendered by WeasyPrint. Every element names one font family (settings.cjk_font_family), so the file
embeds exactly one (subset) font; nothing falls back to a face without Chinese glyphs. See
docs/decisions/0012-cjk-font.md."""

from __future__ import annotations

import logging
import threading

from jinja2 import Environment, PackageLoader, select_autoescape

from services.documents import settings
from services.documents.domain.notices import SIGNATORIES, chinese_date, money

_templates = Environment(
    loader=PackageLoader("services.documents.adapters", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
_local = threading.local()
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)  # seven INFO lines per page otherwise


def notice_html(notice) -> str:
    """The notice as HTML: the reference layout (what the benchmark hands to a bare WeasyPrint)."""
    return _templates.get_template("notice.html").render(
        notice=notice,
        font=settings.cjk_font_family(),
        signatories=SIGNATORIES,
        dated=chinese_date(notice.dated),
        money=money,
        table=getattr(notice, "table", None),
        bank_rows=getattr(notice, "bank_rows", ()),
    )


def _font_config():
    # WeasyPrint's FontConfiguration caches fontconfig lookups; one per thread (not thread-safe).
    from weasyprint.text.fonts import FontConfiguration

    config = getattr(_local, "fonts", None)
    if config is None:
        config = _local.fonts = FontConfiguration()
    return config


def render_pdf(html: str) -> bytes:
    import weasyprint

    return weasyprint.HTML(string=html).write_pdf(font_config=_font_config())


def render_notice(notice) -> bytes:
    from services.documents.adapters import pdf_canvas

    return pdf_canvas.render_notice(notice)


def render_notice_html(notice) -> bytes:
    """The notice as WeasyPrint lays out notice.html: the reference the canvas one is held to."""
    return render_pdf(notice_html(notice))


# ------------------------------------------------------------------ 参保凭证

QR_SCALE = 4  # pixels per module in the embedded PNG (printed at QR_MM wide whatever its size)
QR_BORDER = 4  # the quiet zone, in modules, as the standard asks


def qr_code(url: str):
    """The QR code of a verification URL (segno, error correction M: a folded or smudged paper
    still scans)."""
    import segno

    return segno.make_qr(url, error="m")


def certificate_html(certificate) -> str:
    qr = qr_code(certificate.url)
    return _templates.get_template("certificate.html").render(
        c=certificate,
        font=settings.cjk_font_family(),
        qr=qr.png_data_uri(scale=QR_SCALE, border=QR_BORDER),
        dated=chinese_date(certificate.issued_on),
    )


def render_certificate(certificate) -> bytes:
    return render_pdf(certificate_html(certificate))
