"""参保凭证: the rules of a certificate of one member's cover for one year, and of its
verification (`/verify/<code>`). Pure, no I/O (docs/decisions/0042-cover-certificates.md).

The verification code is a bearer secret: 140 random bits written as 28 base32 letters in seven
groups of four (`ABCD-EFGH-…`, no 0/1/8/9 to misread aloud). Only its SHA-256 is kept: with that
much entropy a fast hash cannot be searched, and the clear code exists only in the PDF."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date

from common.terms import COVER_TYPES

CERTIFICATE = "cover_certificate"
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"  # RFC 4648 base32
CODE_LETTERS = 28  # 28 × 5 = 140 bits
GROUP = 4
VERIFY_PATH = "/verify/"

# A cover's outcome as enrollment's events tell it (per submission)
PENDING, GRANTED, FAILED, RETURNED = "pending", "granted", "failed", "returned"
OUTCOMES = (GRANTED, FAILED, RETURNED)
MODE_NAMES = {"centralised": "集中参保", "instant": "即时参保"}


def new_code() -> str:
    """A fresh verification code, grouped for reading aloud."""
    letters = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LETTERS))
    return "-".join(letters[i : i + GROUP] for i in range(0, CODE_LETTERS, GROUP))


def normalise(code: str) -> str | None:
    """The code as typed or scanned (any case, spaces or dashes anywhere) in its one written form;
    None when it cannot be a code (wrong length or letters) — answered like an unknown one."""
    letters = "".join(ch for ch in (code or "").upper() if ch not in " -\t")
    if len(letters) != CODE_LETTERS or any(ch not in ALPHABET for ch in letters):
        return None
    return "-".join(letters[i : i + GROUP] for i in range(0, CODE_LETTERS, GROUP))


def code_hash(code: str) -> str:
    """What is kept of a (normalised) code."""
    return hashlib.sha256(code.encode("ascii")).hexdigest()


def code_hint(code: str) -> str:
    """What an audit record may show of a code: its last group only."""
    return "…" + code[-GROUP:]


def verify_url(base_url: str, code: str) -> str:
    return base_url.rstrip("/") + VERIFY_PATH + code


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***: the family name's first character and one star per other."""
    name = (name or "").strip()
    if not name:
        return "*"
    return name[0] + "*" * max(len(name) - 1, 1)


def type_pays(cover_type: str) -> str:
    known = COVER_TYPES.get(cover_type)
    return known.pays if known else ""


def type_name(cover_type: str) -> str:
    known = COVER_TYPES.get(cover_type)
    return known.name if known else cover_type


@dataclass(frozen=True)
class Standing:
    """A certificate's standing on one day: `state` in words, `valid` only while the cover is in
    force, and why not otherwise."""

    state: str
    valid: bool
    revoked: bool
    message: str


def standing(outcome: str, cover_start: date, cover_end: date, today: date) -> Standing:
    """The cover behind a certificate, today — enrollment's words (domain/cover_state.py): 已失效
    once its batch failed (unpaid at the deadline), 已撤销 once its submission was returned, else
    未生效 / 保障中 / 已到期 by its dates. Valid only while 保障中."""
    if outcome == FAILED:
        return Standing("已失效", False, True, "该凭证已失效：所属参保批次未按期缴费，保障未生效。")
    if outcome == RETURNED:
        return Standing("已撤销", False, True, "该凭证已撤销：所属参保信息已被退回，保障未生效。")
    if today < cover_start:
        return Standing("未生效", False, False, f"保障尚未开始，自 {cover_start.isoformat()} 起生效。")
    if today <= cover_end:
        return Standing("保障中", True, False, "该凭证有效，持有人今日在保障期内。")
    return Standing("已到期", False, False, f"保障已于 {cover_end.isoformat()} 到期。")


def may_issue(outcome: str) -> bool:
    """A certificate is issued only for a cover that holds: not failed, not returned."""
    return outcome in (PENDING, GRANTED)


def filename(cover_year: int, name: str) -> str:
    return f"参保凭证_{cover_year}年度_{name}.pdf"


@dataclass(frozen=True)
class Printed:
    """What one 参保凭证 prints."""

    name: str
    union_name: str
    cover_year: int
    cover_type: str
    mode: str
    cover_start: date
    cover_end: date
    code: str
    url: str
    issued_on: date
    issuer: str

    @property
    def title(self) -> str:
        return "会员服务卡集中参保凭证"

    @property
    def rows(self) -> tuple[tuple[str, str], ...]:
        known = COVER_TYPES.get(self.cover_type)
        return (
            ("姓名", self.name),
            ("所在工会", self.union_name),
            ("保障年度", f"{self.cover_year}年度"),
            ("保障类型", known.name if known else self.cover_type),
            ("保障内容", known.pays if known else ""),
            ("参保方式", MODE_NAMES.get(self.mode, self.mode)),
            ("保障期间", f"{self.cover_start.isoformat()} 至 {self.cover_end.isoformat()}"),
        )
