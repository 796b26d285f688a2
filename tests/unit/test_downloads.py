"""Issue 23 item 5b: every download is named one safe way (common.downloads): RFC 6266 with an
RFC 5987 `filename*`, no control or bidi character ever in the header, an ASCII fallback; and
text with such characters is refused at the door by every schema."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from flask import Flask
from marshmallow import ValidationError, fields

from common.downloads import clean_filename, content_disposition, download
from common.schema import BaseSchema


def parts(header: str) -> dict:
    kind, *rest = header.split("; ")
    values = dict(p.split("=", 1) for p in rest)
    return {
        "kind": kind,
        "ascii": values["filename"].strip('"'),
        "name": unquote(values["filename*"].removeprefix("UTF-8''")),
    }


@pytest.mark.parametrize(
    "raw, shown, ascii_name",
    [
        ("v\x1a.png", "v.png", "v.png"),
        ("付款凭证\u202egnp.exe", "付款凭证gnp.exe", "gnp.exe"),  # the bidi override that shows exe.png
        ("集中参保缴费明细-CB202601010001.xlsx", "集中参保缴费明细-CB202601010001.xlsx", "CB202601010001.xlsx"),
        ("../../etc/passwd", "_.._etc_passwd", "etc_passwd"),
        ('a"b;c\r\nd\\e.pdf', "a_b;cd_e.pdf", "a_bcd_e.pdf"),
        ("上海甲\u2066工会\u2069 告知书\u0000.pdf", "上海甲工会 告知书.pdf", "download.pdf"),
        ("", "download", "download"),
        (" . ", "download", "download"),
    ],
)
def test_a_name_becomes_a_header_without_anything_a_header_must_not_hold(raw, shown, ascii_name):
    header = content_disposition(raw)
    assert all(31 < ord(ch) < 127 for ch in header), header  # printable ASCII only: never a 500
    got = parts(header)
    assert (got["kind"], got["name"], got["ascii"]) == ("attachment", shown, ascii_name)


def test_a_long_name_is_cut_before_its_extension():
    name = clean_filename("甲" * 400 + ".xlsx")
    assert len(name) <= 150 and name.endswith(".xlsx")


def test_a_download_carries_the_safe_header_and_the_bytes():
    app = Flask("t")
    with app.test_request_context():
        response = download(b"%PDF", "v\x1a.pdf", "application/pdf")
    assert response.headers["Content-Disposition"] == content_disposition("v.pdf")
    assert response.mimetype == "application/pdf"


class Named(BaseSchema):
    name = fields.String()
    reason = fields.String()
    tags = fields.List(fields.String())


@pytest.mark.parametrize(
    "field, value", [("name", "工会\x1a"), ("name", "\u202e会工"), ("tags", ["ok", "x\x00"]), ("reason", "a\u2067b")]
)
def test_text_with_control_or_bidi_characters_is_refused_at_the_door(field, value):
    with pytest.raises(ValidationError) as err:
        Named().load({field: value})
    assert "控制字符" in err.value.messages[field][0]


def test_line_breaks_and_tabs_in_text_are_kept():
    assert Named().load({"reason": "第一行\n第二行\t完"}) == {"reason": "第一行\n第二行\t完"}
