"""个人登录 by a one-time code sent to the mobile on record, with no I/O (issue 29,
docs/decisions/0041-member-sign-in.md).

A code is 6 digits, good for 5 minutes and 5 tries; only its keyed hash is kept. The person is
named by a keyed hash of the ID number they typed (the `subject`), whether or not such a member
exists, so every limit counts the same for a stranger as for a member and the answers never tell
the two apart:
- a new code for one subject at most once a minute (resend), and at most 5 an hour;
- at most 20 code requests an hour from one address;
- the newest code of a subject is the only one that signs in; 5 wrong tries use it up.

The same rules confirm a signed-in member's new mobile (my details, decision 0047): the subject
is then the member's own (`self_subject`), and the code is bound to the new mobile."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

CODE_DIGITS = 6
CODE_TTL = timedelta(minutes=5)
MAX_TRIES = 5
RESEND_AFTER = timedelta(seconds=60)
WINDOW = timedelta(hours=1)
CODES_PER_SUBJECT = 5
CODES_PER_ADDRESS = 20
SESSION_TTL = timedelta(minutes=30)  # a member's session: short, ended like every other

SENT_MESSAGE = "如证件号码与手机号码与登记信息一致，验证码已发送至该手机，5 分钟内有效。"
INVALID_MESSAGE = "验证码错误或已失效，请重新获取"


MOBILE_CODE_SENT = "验证码已发送至新手机号码，5 分钟内有效。"


def sign_in_text(code: str) -> str:
    return f"您的个人登录验证码为 {code}，5 分钟内有效。如非本人操作，请忽略本短信。【上海市职工保障互助中心】"


def mobile_text(code: str) -> str:
    """The SMS to a member's new mobile (my details, decision 0047)."""
    return f"您正在更正会员登记的手机号码，验证码为 {code}，5 分钟内有效。如非本人操作，请忽略本短信。【上海市职工保障互助中心】"


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def subject_hash(key: str, id_number: str) -> str:
    """Who asked, as stored: HMAC-SHA256 of the normalised ID number under the gateway's key."""
    return hmac.new(key.encode(), ("member-subject:" + normalise_id(id_number)).encode(), hashlib.sha256).hexdigest()


def self_subject(key: str, member_id: int) -> str:
    """A signed-in member confirming a new mobile (decision 0047): keyed hash of their member id,
    in a namespace of its own (never a sign-in subject), so the limits count per member."""
    return hmac.new(key.encode(), f"member-self:{member_id}".encode(), hashlib.sha256).hexdigest()


def mobile_code_hash(key: str, subject: str, mobile: str, code: str) -> str:
    """A new mobile's code as stored: bound to the member and to that mobile (a code sent to one
    number confirms no other); the mobile itself is not kept."""
    return code_hash(key, f"{subject}:mobile:{normalise_mobile(mobile)}", code)


def code_hash(key: str, subject: str, code: str) -> str:
    """A code as stored: bound to its subject, so a code is no good for anyone else."""
    return hmac.new(key.encode(), f"member-code:{subject}:{code}".encode(), hashlib.sha256).hexdigest()


def normalise_id(id_number: str) -> str:
    return id_number.strip().upper()


def normalise_mobile(mobile: str) -> str:
    return "".join(ch for ch in mobile.strip() if ch not in " -")


def id_number_errors(id_number: str) -> list[str]:
    text = normalise_id(id_number)
    if not 6 <= len(text) <= 30 or not all(ch.isascii() and ch.isalnum() for ch in text):
        return ["请填写登记的证件号码"]
    return []


def mobile_errors(mobile: str) -> list[str]:
    text = normalise_mobile(mobile)
    if len(text) != 11 or not (text.isascii() and text.isdigit()) or not text.startswith("1"):
        return ["请填写 11 位手机号码"]
    return []


def well_formed_code(code: object) -> bool:
    return isinstance(code, str) and len(code) == CODE_DIGITS and code.isdigit() and code.isascii()


@dataclass(frozen=True)
class Wait:
    """A refused request for a code: how many seconds until one may be asked again."""

    seconds: int
    reason: str  # resend | subject | address


def may_send(
    now: datetime,
    last_for_subject: datetime | None,
    sent_to_subject: int,
    asked_from_address: int,
    oldest_from_address: datetime | None,
    oldest_for_subject: datetime | None,
) -> Wait | None:
    """None when a new code may go out now; else how long to wait. The counts are of the window."""
    if asked_from_address >= CODES_PER_ADDRESS:
        return Wait(_until(oldest_from_address, WINDOW, now), "address")
    if last_for_subject is not None and now - last_for_subject < RESEND_AFTER:
        return Wait(_until(last_for_subject, RESEND_AFTER, now), "resend")
    if sent_to_subject >= CODES_PER_SUBJECT:
        return Wait(_until(oldest_for_subject, WINDOW, now), "subject")
    return None


def _until(since: datetime | None, span: timedelta, now: datetime) -> int:
    if since is None:
        return int(span.total_seconds())
    return max(1, int((since + span - now).total_seconds()) + 1)


def usable(expires_at: datetime, used_at: datetime | None, tries: int, now: datetime) -> bool:
    return used_at is None and tries < MAX_TRIES and now < expires_at


def matches(stored_hash: str, presented_hash: str) -> bool:
    return hmac.compare_digest(stored_hash, presented_hash)
