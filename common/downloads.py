"""One safe way to name a download (issue 23 item 5b): every `Content-Disposition` of every
service is built here. A file's name comes from people (a voucher's original name, a union's
name in a notice's), so it may hold what a header must not: control characters (`v\\x1a.png` made
every later download of that voucher a 500), bidirectional controls that make `gpj.exe` look like
`exe.jpg`, quotes, path separators. RFC 6266 with RFC 5987's `filename*` (UTF-8, percent-encoded)
for the real name and a plain ASCII `filename` beside it for old clients."""

from __future__ import annotations

import io
import unicodedata
from typing import Any
from urllib.parse import quote

from flask import Response, send_file

MAX_NAME = 150  # characters; a longer name is cut before its extension
# Invisible characters that reorder or hide text (Unicode bidi controls and marks).
BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_UNSAFE = '/\\:*?"<>|'  # path separators and what Windows refuses in a file name


def is_invisible(ch: str) -> bool:
    """A control character (C0, DEL, C1), a line or paragraph separator, or a bidi control."""
    return unicodedata.category(ch) in ("Cc", "Zl", "Zp") or ch in BIDI


def has_invisible(text: str, allow_line_breaks: bool = False) -> bool:
    allowed = "\t\r\n" if allow_line_breaks else ""
    return any(is_invisible(ch) and ch not in allowed for ch in text)


def clean_filename(name: str | None, fallback: str = "download") -> str:
    """The name as a person would read it, safe in a header and on a disk: invisible characters
    removed, separators and reserved characters replaced by '_', spaces and dots trimmed at the
    ends, at most MAX_NAME characters with the extension kept; `fallback` if nothing is left."""
    text = unicodedata.normalize("NFC", name or "")
    text = "".join("_" if ch in _UNSAFE else ch for ch in text if not is_invisible(ch))
    text = " ".join(text.split()).strip(" .")
    if len(text) > MAX_NAME:
        _, dot, ext = text.rpartition(".")
        keep = ext if dot and 0 < len(ext) <= 10 else ""
        text = text[: MAX_NAME - len(keep) - 1].rstrip(" .") + ("." + keep if keep else "")
    return text or fallback


def ascii_fallback(name: str, fallback: str = "download") -> str:
    """The name in printable ASCII for `filename=`: other characters dropped, the extension kept."""
    stem, dot, ext = name.rpartition(".")
    if not (dot and 0 < len(ext) <= 10 and ext.isascii() and ext.isalnum()):
        stem, ext = name, ""
    plain = "".join(ch for ch in stem if 32 < ord(ch) < 127 and ch not in '"\\%;').strip("._-") or fallback
    return plain + ("." + ext if ext else "")


def content_disposition(filename: str | None, fallback: str = "download", inline: bool = False) -> str:
    """`attachment; filename="<ASCII>"; filename*=UTF-8''<percent-encoded name>`."""
    name = clean_filename(filename, fallback)
    return (
        f'{"inline" if inline else "attachment"}; filename="{ascii_fallback(name, fallback)}"; '
        f"filename*=UTF-8''{quote(name, safe='')}"
    )


def download(
    content: bytes, filename: str | None, mimetype: str, inline: bool = False, **send_file_options: Any
) -> Response:
    """A file to download (or, `inline`, to show in the page), named the safe way (send_file's
    conditional and ETag options pass on)."""
    response = send_file(io.BytesIO(content), mimetype=mimetype, **send_file_options)
    response.headers["Content-Disposition"] = content_disposition(filename, inline=inline)
    return response
