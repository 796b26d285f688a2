"""核验参保凭证: the public page `/verify/<code>` (no login) asks documents whether a certificate is
valid today. Each address may ask VERIFICATIONS_PER_ADDRESS times in VERIFY_WINDOW (429 past
that); every answer is audited by the page (操作日志: 核验参保凭证, the code's last four letters and
whether it was found), never with the code itself (docs/decisions/0042-cover-certificates.md)."""

from __future__ import annotations

from sqlalchemy import delete

from common.db import UoW
from common.errors import Throttled
from gateway import auth
from gateway.adapters import certificates, queries
from gateway.adapters.orm import VerificationRequest
from gateway.domain import verification as rules


class VerificationThrottled(Throttled):
    code = "VERIFICATION_THROTTLED"
    message = "核验过于频繁，请 10 分钟后再试"


UNKNOWN = {"found": False, "message": "未查到该核验码对应的参保凭证，请核对核验码。"}


def verify(uow: UoW, code: str, ip: str, request_id: str) -> dict:
    """Documents' answer for the code, counted against the address first (refused ones too)."""
    now = auth.utcnow()
    since = now - rules.VERIFY_WINDOW
    ip = ip[:64]
    if not rules.may_verify(queries.verifications_from(uow.session, ip, since)):
        raise VerificationThrottled()
    uow.session.execute(delete(VerificationRequest).where(VerificationRequest.at < since))  # only the window counts
    uow.session.add(VerificationRequest(ip=ip, at=now))
    uow.commit()  # counted before anything is answered
    if not rules.plausible(code):
        return dict(UNKNOWN)
    return certificates.verify(code.strip(), request_id)


def subject(code: str, answer: dict | None) -> str:
    """The audit record's subject: which certificate (by the code's last letters), and what it said."""
    said = "未查到" if not answer or not answer.get("found") else answer.get("state", "")
    return f"参保凭证 {rules.hint(code)}（{said}）"
