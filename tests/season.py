"""One season's worth of test data and helpers, shared by every layer: the 2020 timeline and
prices as SPEC.md gives them, valid resident ID numbers, workbooks in memory, and waiting for an
eventually consistent fact."""

from __future__ import annotations

import io
import time
from datetime import datetime
from decimal import Decimal

import openpyxl

from common import clock

YEAR = 2020
# SPEC §3, the guide's 2020 timeline (every date is the cover year's configuration).
TIMELINE = {
    "split_window": ["2019-10-25", "2019-10-31"],
    "grassroots_window": ["2019-11-01", "2019-12-27"],
    "district_review_window": ["2019-11-01", "2019-12-27"],
    "district_submit_window": ["2019-12-28", "2019-12-31"],
    "card_cutoff": "2019-12-31",
    "cover_start": "2020-01-01",
    "cover_end": "2020-12-31",
    "payment_deadline": "2020-01-20",
    "claims_deadline": "2021-12-31",
}
# SPEC §4, yuan per person: premium, city subsidy, special-industry subsidy — whole year, then half.
PRICES = {
    "A": ("26", "13", "6.5", "13", "6.5", "3"),
    "B": ("90", "40", "22.5", "45", "20", "11"),
    "A+": ("76", "13", "6.5", "38", "6.5", "3"),
    "B+": ("140", "40", "22.5", "70", "20", "11"),
}
HANDLER = {"name": "张三", "phone": "13800138000", "email": "zhangsan@example.com"}


def fen(yuan: str) -> int:
    return int(Decimal(yuan) * 100)


# PRICES in fen, as billing publishes them (`billing.rates.published`): (premium, city subsidy).
PRICES_FEN = {t: (fen(p), fen(c)) for t, (p, c, *_rest) in PRICES.items()}
HALF_PRICES_FEN = {t: (fen(hp), fen(hc)) for t, (_p, _c, _s, hp, hc, _hs) in PRICES.items()}


def price_entries() -> list[dict]:
    """PRICES as the entries of `PUT /billing/price-tables/{year}`."""
    entries = []
    for cover_type, (p, c, s, hp, hc, hs) in PRICES.items():
        for price_class, (premium, city, special) in (
            ("centralised", (p, c, s)),
            ("instant_first_half", (p, c, s)),
            ("instant_second_half", (hp, hc, hs)),
        ):
            entries.append(
                {
                    "type": cover_type,
                    "price_class": price_class,
                    "premium": premium,
                    "city_subsidy": city,
                    "special_city_subsidy": special,
                }
            )
    return entries


def at(iso: str) -> None:
    """Set the configurable clock to a Shanghai wall-clock time, e.g. at("2019-12-01T09:00:00")."""
    clock.set_now(datetime.fromisoformat(iso).replace(tzinfo=clock.SHANGHAI))


def resident_id(serial: int, born: str = "19900101", area: str = "310101") -> str:
    """A valid 18-character resident ID number (GB 11643 check character) for a serial."""
    body = f"{area}{born}{serial:03d}"[-17:]
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=False)) % 11]


def xlsx(rows, columns=None) -> bytes:
    """A workbook in memory: an optional header row, then the rows, as a person would type them."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in ([list(columns)] if columns else []) + [list(r) for r in rows]:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def rezipped(data: bytes, change=None, extra=()) -> bytes:
    """The workbook with its first worksheet's XML changed by `change`, and `extra` entries added."""
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in source.infolist():
            part = source.read(info)
            if change and info.filename == "xl/worksheets/sheet1.xml":
                part = change(part)
            z.writestr(info.filename, part, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
        for name, part in extra:
            z.writestr(name, part)
    return out.getvalue()


def crafted_upload(template: bytes, copies: int = 16_000) -> bytes:
    """Issue 23's file: a template whose sheet XML holds a comment with thousands of unclosed
    cells and a formula-looking tail (~10 KB; quadratic for the regular expression once used)."""
    return rezipped(
        template,
        lambda xml: xml.replace(b"</worksheet>", b"<!-- " + b'<c r="A1">' * copies + b" </c> <f x --></worksheet>"),
    )


def wait_for(predicate, timeout: float = 30, interval: float = 0.1, message: str = "condition"):
    """Poll until `predicate()` is truthy and return it; fail with `message` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {message}")
        time.sleep(interval)


def ok(response, status=200):
    """The JSON of a `requests` response that must have `status`."""
    assert response.status_code == status, response.text
    return response.json()
