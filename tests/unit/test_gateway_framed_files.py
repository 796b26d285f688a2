"""Only a file the API answers inline (a voucher shown in the batch page) may be framed, and only by
the gateway's own pages; everything else keeps frame-ancestors 'none'."""

from __future__ import annotations

from flask import Flask, Response

from gateway.app import FRAMED_FILE_POLICY, _shown_in_a_page

app = Flask("probe")


def shown(path: str, mimetype: str, disposition: str) -> bool:
    with app.test_request_context(path):
        return _shown_in_a_page(Response(b"x", mimetype=mimetype, headers={"Content-Disposition": disposition}))


def test_an_inline_voucher_may_be_framed_by_this_origin_only():
    assert shown("/api/v1/billing/batches/1/vouchers/2/file", "application/pdf", "inline; filename=v.pdf")
    assert shown("/api/v1/billing/batches/1/vouchers/2/file", "image/png", "inline; filename=v.png")
    directives = dict(d.strip().split(" ", 1) for d in FRAMED_FILE_POLICY.split(";"))
    assert directives["frame-ancestors"] == "'self'" and directives["default-src"] == "'none'"
    assert "script-src" not in directives and "unsafe" not in FRAMED_FILE_POLICY


def test_downloads_pages_and_other_types_are_never_framed():
    assert not shown("/api/v1/billing/batches/1/vouchers/2/file", "application/pdf", "attachment; filename=v.pdf")
    assert not shown("/api/v1/billing/batches/1/vouchers/2/file", "text/html", "inline")
    assert not shown("/batches", "application/pdf", "inline")
