"""Sending the notifications' e-mails: claim due mail (committed), resolve the addresses with the
gateway, send with no transaction open, record each outcome. SMTP down or the gateway away: the
mail is released and tried again later with backoff — none lost. A sent mail is recorded sent and
never taken again; two senders never take the same mail (the claim is a row lock + a lease)."""

from __future__ import annotations

import logging
import smtplib
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import bindparam, or_, select, update

from common import clock
from common.db import UoW
from services.notifications.adapters import gateway_contacts, smtp
from services.notifications.adapters.orm import Mail, Notification
from services.notifications.settings import MailSettings, load

log = logging.getLogger("notifications.mail")


def _claim(uow: UoW, limit: int, lease: int) -> tuple[list[dict], object]:
    now = clock.utcnow_naive()
    until = now + timedelta(seconds=lease)
    with uow.fresh() as work:
        query = (
            select(Mail.notification_id)
            .where(
                Mail.state == "pending",
                Mail.next_attempt_at <= now,
                or_(Mail.claimed_until.is_(None), Mail.claimed_until < now),
            )
            .order_by(Mail.next_attempt_at, Mail.notification_id)
            .limit(limit)
        )
        if work.session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        ids = list(work.session.scalars(query))
        if not ids:
            return [], until
        work.session.execute(update(Mail).where(Mail.notification_id.in_(ids)).values(claimed_until=until))
        rows = work.session.execute(
            select(Notification, Mail.attempts)
            .join(Mail, Mail.notification_id == Notification.id)
            .where(Notification.id.in_(ids))
        )
        claimed = [
            {
                "id": n.id,
                "audience": n.audience,
                "audience_id": n.audience_id,
                "title": n.title,
                "body": n.body,
                "link": n.link,
                "attempts": attempts,
            }
            for n, attempts in rows
        ]
        work.commit()
    return claimed, until


def _settle(uow: UoW, done: list[tuple[int, str, str | None]], failed: list[tuple[dict, str]], until, settings) -> None:
    """Record what happened to the claimed mail, in one transaction (executemany), only where our
    claim still holds."""
    now = clock.utcnow_naive()
    table = Mail.__table__
    ours = (table.c.notification_id == bindparam("nid")) & (table.c.claimed_until == until)
    with uow.fresh() as work:
        if done:
            work.session.execute(
                update(table)
                .where(ours)
                .values(
                    state=bindparam("state"),
                    recipients=bindparam("recipients"),
                    sent_at=bindparam("sent_at"),
                    claimed_until=None,
                    last_error=None,
                ),
                [
                    {"nid": i, "state": state, "recipients": recipients, "sent_at": now if state == "sent" else None}
                    for i, state, recipients in done
                ],
            )
        if failed:
            rows = []
            for item, error in failed:
                attempts = item["attempts"] + 1
                wait = min(30 * 2 ** min(attempts - 1, 10), settings.retry_max_seconds)
                rows.append(
                    {
                        "nid": item["id"],
                        "attempts": attempts,
                        "retry": now + timedelta(seconds=wait),
                        "error": error[:1000],
                    }
                )
            work.session.execute(
                update(table)
                .where(ours)
                .values(
                    attempts=bindparam("attempts"),
                    next_attempt_at=bindparam("retry"),
                    claimed_until=None,
                    last_error=bindparam("error"),
                ),
                rows,
            )
        work.commit()


def _send_slice(to_send: list, settings: MailSettings) -> tuple[list, list]:
    """Send these on one connection: (sent, failed)."""
    done, failed = [], []
    try:
        with smtp.Sender(settings) as send:
            for item, recipients in to_send:
                try:
                    send(
                        item["id"],
                        smtp.build(item["id"], item["title"], item["body"], item["link"], recipients, settings),
                        recipients,
                    )
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as exc:
                    failed.append((item, f"{type(exc).__name__}: {exc}"))  # this message waits; the others go on
                else:
                    done.append((item["id"], "sent", ", ".join(recipients)))
    except Exception as exc:  # noqa: BLE001 - no connection (or it broke): every unsent one waits
        settled = {d[0] for d in done} | {f[0]["id"] for f in failed}
        failed += [(item, f"{type(exc).__name__}: {exc}") for item, _ in to_send if item["id"] not in settled]
    return done, failed


def send_due(uow: UoW, limit: int = 200, settings: MailSettings | None = None) -> dict:
    """One pass over the mail that is due (at most `limit`): {"sent", "no_recipient", "failed"}."""
    settings = settings or load().mail
    claimed, until = _claim(uow, limit, settings.lease_seconds)
    counts = {"sent": 0, "no_recipient": 0, "failed": 0}
    if not claimed:
        return counts
    scopes: dict[str, set[int]] = {}
    for item in claimed:
        scopes.setdefault(item["audience"], set()).add(item["audience_id"])
    done, failed = [], []
    try:
        addresses = gateway_contacts.addresses(scopes)
    except Exception as exc:  # noqa: BLE001 - the gateway away: every claimed mail waits
        log.warning("cannot resolve recipients; mail waits", extra={"error": str(exc)})
        _settle(uow, [], [(item, f"recipients: {exc}") for item in claimed], until, settings)
        return {**counts, "failed": len(claimed)}
    to_send = []
    for item in claimed:
        recipients = addresses.get((item["audience"], item["audience_id"]), [])
        if recipients:
            to_send.append((item, recipients))
        else:
            done.append((item["id"], "no_recipient", None))
    if to_send:
        # a few connections at once: each waits on the server's replies, not on the others
        slices = [to_send[i :: settings.connections] for i in range(min(settings.connections, len(to_send)))]
        with ThreadPoolExecutor(max_workers=len(slices)) as pool:
            for sent, not_sent in pool.map(lambda part: _send_slice(part, settings), slices):
                done += sent
                failed += not_sent
    _settle(uow, done, failed, until, settings)
    for _, state, _ in done:
        counts[state] += 1
    counts["failed"] = len(failed)
    return counts


def send_all_due(uow: UoW, settings: MailSettings | None = None, limit: int = 200) -> dict:
    """Passes until nothing due is left or a pass sends nothing (then the rest waits for later)."""
    total = {"sent": 0, "no_recipient": 0, "failed": 0}
    while True:
        counts = send_due(uow, limit, settings)
        for key in total:
            total[key] += counts[key]
        if counts["sent"] + counts["no_recipient"] == 0:
            return total


def mail_state(uow: UoW, notification_ids: list[int]) -> dict[int, str]:
    rows = uow.session.execute(
        select(Mail.notification_id, Mail.state).where(Mail.notification_id.in_(notification_ids))
    )
    return dict(rows)
