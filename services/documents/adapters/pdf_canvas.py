"""Notices as A4 PDFs drawn straight onto a ReportLab canvas: the layout of adapters/templates/notice.html
(A4, the same margins, sizes, table and signature) done by hand, with the same CJK font file
embedded (settings.cjk_font_family, found through fontconfig as WeasyPrint finds it).

Measured beside WeasyPrint in bench/notice_renderers.py; docs/decisions/0046-notice-renderer.md
says which one the service uses and why. `render_notice(notice)` takes the same domain objects
as pdf.render_notice."""

from __future__ import annotations

import functools
import io
import subprocess
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from reportlab.lib.colors import HexColor
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from services.documents import settings
from services.documents.domain.notices import SIGNATORIES, chinese_date

PAGE_W, PAGE_H = 210 * mm, 297 * mm
# The page's margins (@page) plus the body's 8 CSS px (6 pt) that WeasyPrint's default style adds.
MARGIN = 20 * mm, 20 * mm, 18 * mm, 20 * mm
TOP, RIGHT, BOTTOM, LEFT = (x + 6 for x in MARGIN)
WIDTH = PAGE_W - LEFT - RIGHT
BODY, LEADING = 12.0, 1.55  # body font size (pt) and line height (× size)
BORDER, RULE, SHADE, GREY = 0.6, HexColor("#333333"), HexColor("#eeeeee"), HexColor("#555555")

T = TypeVar("T")
Cell = Callable[[int, int], T]  # (row, column) -> something about that cell

# Line breaking (kinsoku): these never start a line, those never end one.
NO_START = set("，。、；：？！）」』】》〉”’,.;:?!)%")
NO_END = set("（「『【《〈“‘(")
ASCII_WORD = set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.+-_/#@&*=")


@functools.lru_cache(maxsize=4)
def font_file(family: str) -> tuple[str, int]:
    """The file (and face, in a TTC collection) fontconfig gives for `family`, as WeasyPrint
    would find it; a family fontconfig does not have is refused, never replaced by another."""
    out = subprocess.run(
        ["fc-match", "-f", "%{family}\n%{file}\n%{index}", family], capture_output=True, text=True, check=True
    ).stdout.split("\n")
    if family not in out[0].split(","):
        raise LookupError(f"fontconfig has no font {family!r} (it offered {out[0]!r})")
    return out[1], int(out[2] or 0)


_lock = threading.Lock()  # ReportLab reads the font file through one cursor while it subsets


@functools.lru_cache(maxsize=4)
def font_name(family: str) -> str:
    """Register the font file of `family` with ReportLab once per process (~80 ms, ~34 MiB: the
    whole TTC is read), under the family's name."""
    path, index = font_file(family)
    pdfmetrics.registerFont(TTFont(family, path, subfontIndex=index))
    return family


def _tokens(text: str) -> list[str]:
    """Unbreakable pieces: one CJK character, an ASCII word or number, or a space; closing
    punctuation stays with what it closes, opening with what it opens."""
    out: list[str] = []
    glue = False  # the previous token ended with an opening mark
    for ch in text:
        if out and (glue or ch in NO_START or (ch in ASCII_WORD and out[-1][-1] in ASCII_WORD)):
            out[-1] += ch
        else:
            out.append(ch)
        glue = ch in NO_END
    return out


class _Page:
    """A cursor down the page (y from the top edge, in points)."""

    def __init__(self, canvas: Canvas, font: str) -> None:
        self.c, self.font, self.y, self.number, self.pending = canvas, font, TOP, 1, 0.0
        self.face = pdfmetrics.getFont(font).face

    def width(self, text: str, size: float) -> float:
        return float(pdfmetrics.stringWidth(text, self.font, size))

    def margin(self, points: float) -> None:
        """A vertical margin that collapses with the one before it, as CSS's do."""
        self.pending = max(self.pending, points)

    def need(self, height: float) -> None:
        self.y, self.pending = self.y + self.pending, 0.0
        if self.y + height > PAGE_H - BOTTOM and self.y > TOP:
            self.footer()
            self.c.showPage()
            self.y, self.number = TOP, self.number + 1

    def footer(self) -> None:
        label = f"第 {self.number} 页"
        self.c.setFillColor(GREY)
        self.c.setFont(self.font, 9)
        self.c.drawCentredString(PAGE_W / 2, MARGIN[2] / 2 - 3, label)
        self.c.setFillColor(HexColor("#000000"))

    def baseline(self, top: float, size: float, leading: float) -> float:
        """The PDF y of a line's baseline, the line box starting `top` points from the page's top."""
        ascent, descent = self.face.ascent / 1000, -self.face.descent / 1000
        return float(PAGE_H - (top + (leading - (ascent + descent) * size) / 2 + ascent * size))

    def lines(self, text: str, size: float, width: float, indent: float = 0.0) -> list[str]:
        """Greedy breaking of `text` into lines of at most `width` points (the first `indent` in)."""
        lines: list[str] = []
        line, used, room = "", 0.0, width - indent
        for token in _tokens(text):
            w = self.width(token, size)
            if line and used + w > room + 0.01 and token != " ":
                lines.append(line.rstrip(" "))
                line, used, room = "", 0.0, width
            if not line and token == " ":
                continue
            line, used = line + token, used + w
        if line or not lines:
            lines.append(line.rstrip(" "))
        return lines

    def text(
        self,
        x: float,
        top: float,
        line: str,
        size: float,
        leading: float,
        align: str = "left",
        width: float = 0.0,
        justify: bool = False,
        spacing: float = 0.0,
    ) -> None:
        natural = self.width(line, size) + spacing * len(line)
        if align == "right":
            x += width - natural
        elif align == "center":
            x += (width - natural) / 2
        elif justify and len(line) > 1:
            spacing = (width - self.width(line, size)) / (len(line) - 1)
        t = self.c.beginText(x, self.baseline(top, size, leading))
        t.setFont(self.font, size)
        t.setCharSpace(spacing)  # the canvas keeps the last one otherwise
        t.textOut(line)
        self.c.drawText(t)

    def paragraph(self, text: str, size: float = BODY, indent: float = 0.0, justify: bool = False) -> None:
        leading = size * LEADING
        lines = self.lines(text, size, WIDTH, indent)
        for i, line in enumerate(lines):
            self.need(leading)
            x, w = (LEFT + indent, WIDTH - indent) if i == 0 else (LEFT, WIDTH)
            self.text(x, self.y, line, size, leading, width=w, justify=justify and i < len(lines) - 1)
            self.y += leading

    def table(
        self,
        rows: Sequence[Sequence[str]],
        widths: Sequence[float],
        size: float,
        pad: tuple[float, float],
        shaded: Cell[bool],
        align: Cell[str],
    ) -> None:
        """A bordered table: each cell's text broken to its column, rows as tall as their tallest
        cell; `shaded(r, c)` says which cells are headers (grey), `align(r, c)` how text sits."""
        leading = size * 1.4
        for r, row in enumerate(rows):
            cells = [self.lines(cell, size, w - 2 * pad[1]) for cell, w in zip(row, widths, strict=True)]
            height = max(len(x) for x in cells) * leading + 2 * pad[0]
            self.need(height)
            x = LEFT
            for col, (lines, w) in enumerate(zip(cells, widths, strict=True)):
                bottom = PAGE_H - self.y - height
                self.c.setStrokeColor(RULE)
                self.c.setLineWidth(BORDER)
                if shaded(r, col):
                    self.c.setFillColor(SHADE)
                    self.c.rect(x, bottom, w, height, stroke=1, fill=1)
                    self.c.setFillColor(HexColor("#000000"))
                else:
                    self.c.rect(x, bottom, w, height, stroke=1, fill=0)
                top = self.y + (height - len(lines) * leading) / 2  # vertical-align: middle
                for line in lines:
                    self.text(x + pad[1], top, line, size, leading, align=align(r, col), width=w - 2 * pad[1])
                    top += leading
                x += w
            self.y += height
        self.margin(2.5 * mm)


def _column_widths(
    page: _Page, rows: Sequence[Sequence[str]], size: float, pad: float, nowrap: Cell[bool]
) -> list[float]:
    """CSS's automatic table layout, simplified: every column its widest content if that fits,
    the spare room shared in proportion; otherwise its narrowest (longest unbreakable piece, or the
    whole text where `nowrap(r, c)`) plus a share of the rest in proportion to what it lacks."""
    n = len(rows[0])
    most, least = [0.0] * n, [0.0] * n
    for r, row in enumerate(rows):
        for col, cell in enumerate(row):
            whole = page.width(cell, size)
            piece = whole if nowrap(r, col) else max(page.width(t, size) for t in _tokens(cell) or [""])
            most[col] = max(most[col], whole + 2 * pad)
            least[col] = max(least[col], piece + 2 * pad)
    if sum(most) <= WIDTH:
        spare = WIDTH - sum(most)
        return [w + spare * w / sum(most) for w in most]
    lack = [m - low for m, low in zip(most, least, strict=True)]
    spare = WIDTH - sum(least)
    return [low + spare * d / (sum(lack) or 1) for low, d in zip(least, lack, strict=True)]


def render_notice(notice: Any) -> bytes:
    """The notice as a one-page A4 PDF (more pages only if it ever overflows). One at a time in a
    process: the font is shared, and a render holds the GIL throughout anyway."""
    with _lock:
        return _render(notice)


def _render(notice: Any) -> bytes:
    out = io.BytesIO()
    font = font_name(settings.cjk_font_family())  # under the lock: registered once
    # initialFontName: else the page names Helvetica too (unembedded, though nothing uses it)
    canvas = Canvas(out, pagesize=(PAGE_W, PAGE_H), pageCompression=1, initialFontName=font)
    canvas.setTitle(notice.title)
    canvas.setCreator("documents")
    page = _Page(canvas, font)

    title = 22.0
    page.need(title * LEADING)
    page.text(LEFT, page.y, notice.title, title, title * LEADING, align="center", width=WIDTH, spacing=0.5 * title)
    page.y += title * LEADING
    page.margin(5 * mm)
    page.paragraph(notice.salutation)
    page.margin(2 * mm)
    for paragraph in notice.paragraphs:
        page.paragraph(paragraph, indent=2 * BODY, justify=True)
        page.margin(3 * mm)
    for row in getattr(notice, "bank_rows", ()):
        page.paragraph(f"{row.label}：{row.value}")

    table = getattr(notice, "table", None)
    if table is not None:
        rows = [table.header, *table.rows]
        size, pad = 9.5, (0.8 * mm, 1.5 * mm)
        widths = _column_widths(page, rows, size, pad[1], lambda r, c: c == 0 or (r == 0 and c < 2))
        page.margin(2.5 * mm)
        page.table(
            rows,
            widths,
            size,
            pad,
            shaded=lambda r, c: r == 0,
            align=lambda r, c: "center" if r == 0 else ("left" if c == 0 else "right"),
        )
    rows = [(row.label, row.value) for row in notice.rows]
    size, pad = 10.5, (1 * mm, 3 * mm)
    widths = _column_widths(page, rows, size, pad[1], lambda r, c: False)
    page.margin(2.5 * mm)
    page.table(rows, widths, size, pad, shaded=lambda r, c: c == 0, align=lambda r, c: "left")

    sign = [*SIGNATORIES, chinese_date(notice.dated)]
    leading = BODY * LEADING
    page.margin(6 * mm)
    page.need(leading * len(sign))  # the signature is never split, nor alone on a page
    for line in sign:
        page.text(LEFT, page.y, line, BODY, leading, align="right", width=WIDTH)
        page.y += leading
    page.footer()
    canvas.showPage()
    canvas.save()
    return out.getvalue()
