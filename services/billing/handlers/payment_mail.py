"""The payment detail e-mail (集中参保缴费明细), sent once per batch when billing has priced it."""

from __future__ import annotations

from common import clock
from common.db import UoW
from services.billing import settings
from services.billing.adapters import mail
from services.billing.adapters.orm import DistrictView, SentMail


def mail_payment_detail_when_batch_priced(uow: UoW, event: dict) -> None:
    """Mail the payment detail of a priced batch to its handler's address, once per batch (the
    `SentMail` row); a batch without an address gets none."""
    d = event["data"]
    batch_id = int(d["batch_id"])
    if uow.session.get(SentMail, batch_id) is not None:
        return
    recipient = (d.get("handler") or {}).get("email") or ""
    if not recipient:
        return
    names = uow.session.get(DistrictView, int(d["district_id"]))
    configured = settings.load()
    transport = mail.send_payment_detail(d, names.name if names else "", recipient, configured.mail, configured.payee)
    uow.session.add(SentMail(batch_id=batch_id, recipient=recipient, sent_at=clock.utcnow_naive(), transport=transport))
