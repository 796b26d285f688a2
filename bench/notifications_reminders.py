"""Benchmark: a reminder run over 100,000 grassroots unions (PostgreSQL), then its 100,000
e-mails through a real SMTP server (aiosmtpd on loopback, a process of its own). Goal: ≤ 60 s, with no transaction
open while sending (the mailer claims, commits, sends, then records).

Enrollment's answer (who has not acted) and the gateway's (each union's address) come from a
small HTTP stand-in, as real HTTP calls. Baselines in the same run: a bare INSERT of the same
100,000 notification rows (no unique key, no mail, no reminder rows), and bare smtplib sending
the same number of minimal messages on one connection to the same server.

    .venv/bin/python -m bench.notifications_reminders [unions]"""

from __future__ import annotations

import json
import smtplib
import sys
from datetime import datetime

from sqlalchemy import text

from bench import scratch
from bench.enrollment_common import timed

UNIONS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
DEADLINES = {
    "split_end": "2019-10-31",
    "grassroots_end": "2019-12-27",
    "district_submit_end": "2019-12-31",
    "card_cutoff": "2019-12-31",
    "payment_deadline": "2020-01-20",
    "claims_deadline": "2021-12-31",
}


def main() -> dict:
    from tests.integration.stand_ins import enrollment_and_gateway

    results: dict[str, float] = {}
    print(f"notifications: a reminder run over {UNIONS:,} grassroots unions and its e-mails (PostgreSQL, aiosmtpd)")
    with enrollment_and_gateway(list(range(1, UNIONS + 1))) as base:
        return _run(base, results)


def _run(base: str, results: dict) -> dict:
    import os

    from bench.smtp_server import smtp_process
    from common import clock

    os.environ["ENROLLMENT_URL"] = base
    os.environ["GATEWAY_URL"] = base
    os.environ.setdefault("INTERNAL_SECRET", "bench-secret-0123456789abcdef0123456789")
    with scratch.fresh_database("notifications", "reminders") as runtime, smtp_process() as (port, received):
        from services.notifications.handlers import mail, reminders

        os.environ["SMTP_HOST"], os.environ["SMTP_PORT"] = "127.0.0.1", str(port)
        with runtime.engine.begin() as conn:
            conn.execute(
                text("INSERT INTO cover_year_view (cover_year, deadlines, version) VALUES (2020, :d, 1)"),
                {"d": json.dumps(DEADLINES)},
            )
        with timed(f"baseline: bare INSERT of {UNIONS:,} notification rows", results):
            with runtime.engine.begin() as conn:
                conn.execute(text("CREATE TABLE bare_notification AS SELECT * FROM notification WITH NO DATA"))
                conn.execute(
                    text(f"""INSERT INTO bare_notification (id, cause, audience, audience_id, kind, title,
                    body, link, created_at) SELECT n, 'reminder:2020:grassroots_end:3', 'union', n, 'reminder',
                    repeat('题', 60), repeat('文', 60), '/union/enrolment', now() FROM generate_series(1, {UNIONS}) n""")
                )
        clock.set_now(datetime(2019, 12, 24, 8, tzinfo=clock.SHANGHAI))
        with timed(f"reminder run: ask enrollment, record {UNIONS:,} (notification + mail + reminder)", results):
            done = reminders.run_reminders(runtime.uow())
        assert done["2020:grassroots_end:3"] == UNIONS, done
        with timed("the same run again (a restart): the pass is done, nothing new", results):
            again = reminders.run_reminders(runtime.uow())
        assert again.get("2020:grassroots_end:3", 0) == 0
        with runtime.engine.begin() as conn:
            conn.execute(text("DELETE FROM reminder_pass"))
        with timed("the same run with its pass forgotten: every row met again, none new", results):
            again = reminders.run_reminders(runtime.uow())
        assert again["2020:grassroots_end:3"] == 0
        with timed(f"send {UNIONS:,} e-mails (claim, ask the gateway, SMTP, record)", results):
            sent = mail.send_all_due(runtime.uow(), limit=1000)
        assert sent["sent"] == UNIONS and received.value == UNIONS, (sent, received.value)
        received.value = 0
        with timed(f"baseline: bare smtplib.sendmail, {UNIONS:,} minimal messages, one connection", results):
            with smtplib.SMTP("127.0.0.1", port) as smtp:
                for i in range(UNIONS):
                    to = f"clerk@u{i}.cn"
                    smtp.sendmail("a@b.cn", [to], f"From: a@b.cn\r\nTo: {to}\r\nSubject: x\r\n\r\nx\r\n".encode())
        assert received.value == UNIONS
    run = results[f"reminder run: ask enrollment, record {UNIONS:,} (notification + mail + reminder)"]
    send = results[f"send {UNIONS:,} e-mails (claim, ask the gateway, SMTP, record)"]
    print(
        f"  reminder run + sending: {run + send:.1f} s (goal ≤ 60 s); record / bare insert "
        f"{run / results[f'baseline: bare INSERT of {UNIONS:,} notification rows']:.1f}×, send / bare smtplib "
        f"{send / results[f'baseline: bare smtplib.sendmail, {UNIONS:,} minimal messages, one connection']:.1f}×"
    )
    return results


if __name__ == "__main__":
    main()
