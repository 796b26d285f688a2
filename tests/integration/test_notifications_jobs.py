"""The reminder job and the mailer as real processes: two started at the same moment and a third
after them (a restart) record each reminder once and send each e-mail once, through a real SMTP
server; enrollment's and the gateway's answers come from small HTTP stand-ins."""

from __future__ import annotations

import email
import json
import os
import subprocess
import sys

from sqlalchemy import create_engine, text

from common.config import ROOT
from tests.integration.stand_ins import enrollment_and_gateway
from tests.season import TIMELINE, YEAR
from tests.services.billing.smtp import loopback_smtp

UNIONS = list(range(1000, 1600))  # 600 grassroots unions that have not submitted


def test_two_job_processes_and_a_restart_remind_and_mail_each_once(database):
    url = database("notifications")
    with enrollment_and_gateway(UNIONS) as base:
        _run(url, base)


def _run(url: str, base: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_DATABASE_URL")}
    env.update(
        {
            "NOTIFICATIONS_DATABASE_URL": url,
            "ENROLLMENT_URL": base,
            "GATEWAY_URL": base,
            "CLOCK_NOW": "2019-12-24T08:00:00",
            "PYTHONPATH": str(ROOT),
        }
    )
    subprocess.run(
        [sys.executable, "-m", "common.migrate", "upgrade", "notifications"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    engine = create_engine(url)
    deadlines = {
        "split_end": TIMELINE["split_window"][1],
        "grassroots_end": TIMELINE["grassroots_window"][1],
        "district_submit_end": TIMELINE["district_submit_window"][1],
        "card_cutoff": TIMELINE["card_cutoff"],
        "payment_deadline": TIMELINE["payment_deadline"],
        "claims_deadline": TIMELINE["claims_deadline"],
    }
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO cover_year_view (cover_year, deadlines, version) VALUES (:y, :d, 1)"),
            {"y": YEAR, "d": json.dumps(deadlines)},
        )

    def jobs(job, extra=None):
        return subprocess.Popen(
            [sys.executable, "-m", "services.notifications.jobs", job],
            cwd=ROOT,
            env={**env, **(extra or {})},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )

    def count(sql):
        with engine.connect() as conn:
            return conn.execute(text(sql)).scalar()

    try:
        first = [jobs("reminders") for _ in range(2)]  # two replicas at the same moment
        outs = [p.communicate(timeout=120) for p in first]
        assert all(p.returncode == 0 for p in first), [o[1][-500:] for o in outs]
        again = jobs("reminders")  # a restart the same day
        assert again.communicate(timeout=120) and again.returncode == 0
        assert count("SELECT count(*) FROM reminder") == len(UNIONS)
        assert count("SELECT count(*) FROM notification WHERE kind = 'reminder'") == len(UNIONS)
        assert count("SELECT count(DISTINCT audience_id) FROM reminder WHERE days_before = 3") == len(UNIONS)
        with loopback_smtp() as (port, received):
            smtp = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port)}
            senders = [jobs("mail", smtp) for _ in range(2)]
            for p in senders:
                p.communicate(timeout=180)
                assert p.returncode == 0
            late = jobs("mail", smtp)
            late.communicate(timeout=60)
        assert len(received) == len(UNIONS)
        ids = [email.message_from_bytes(raw)["Message-ID"] for _, raw in received]
        assert len(set(ids)) == len(UNIONS)
        assert sorted(r[0] for _, r in ((raw, rcpt) for rcpt, raw in received)) == sorted(
            f"clerk@u{u}.cn" for u in UNIONS
        )
        assert count("SELECT count(*) FROM mail WHERE state = 'sent'") == len(UNIONS)
    finally:
        engine.dispose()
