"""工会批量导入 over real processes (issue 27 item 4, decision 0039): the centre uploads a workbook
of a new district and its unions through the gateway; the job runs on members' worker, the
gateway's consumer makes each clerk's account inactive, the notifications service writes each
activation mail once; a clerk opens the link from the mail, sets the password and logs in to
the loaded union; enrollment's directory holds the unions (one message for all of them)."""

from __future__ import annotations

import email
import io
import re
import time
from email import policy

import openpyxl
import requests
from sqlalchemy import text

from deploy.seed import credit_code

LINK = re.compile(r"/password/set#t=([A-Za-z0-9_-]+)")
HEADER = [
    "层级",
    "名称",
    "统一社会信用代码",
    "所属区局（产业）工会",
    "区局类型",
    "代办员姓名",
    "代办员手机",
    "代办员邮箱",
    "用户名",
]


def _workbook(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in [HEADER, *rows]:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_loaded_unions_clerk_activates_from_the_mail_and_logs_in(system):
    rows = [
        [
            "区局（产业）工会",
            "批量新区总工会",
            "",
            "",
            "",
            "新区代办",
            "13700000001",
            "d@bulk.example.cn",
            "bulk.district",
        ]
    ]
    rows += [
        [
            "基层工会",
            f"批量流程{n}公司工会",
            credit_code(f"91310101MA1BF000{n}"),
            "批量新区总工会",
            "",
            f"代办{n}",
            f"1370000010{n}",
            f"clerk{n}@bulk.example.cn",
            f"bulk.clerk{n}",
        ]
        for n in range(1, 4)
    ]
    centre = system.login("centre")
    answer = centre.post("/api/v1/members/uploads/unions", files={"file": ("load.xlsx", _workbook(rows))})
    assert answer.status_code == 202, answer.text
    job = answer.json()
    deadline = time.monotonic() + 60
    while job["state"] == "running":
        assert time.monotonic() < deadline, job
        time.sleep(0.3)
        job = centre.get(f"/api/v1/members/uploads/{job['id']}").json()
    assert job["state"] == "succeeded", job
    assert job["counts"] == {"rows": 4, "districts": 1, "unions": 3, "accounts": 4}

    folder = system.tmp / "mail"

    def mails():
        found = list(folder.glob("*account-link-*.eml")) if folder.exists() else []
        return [p for p in found if b"bulk.example.cn" in p.read_bytes()]

    system.wait_for(lambda: len(mails()) == 4, timeout=90, message="four activation mails")
    time.sleep(1)
    assert len(mails()) == 4  # each once
    mail = next(
        email.message_from_bytes(p.read_bytes(), policy=policy.default)
        for p in mails()
        if b"clerk2@bulk.example.cn" in p.read_bytes()
    )
    assert mail["To"] == "clerk2@bulk.example.cn" and "bulk.clerk2" in mail.get_content()
    token = LINK.search(mail.get_content()).group(1)
    refused = requests.post(
        system.base + "/api/v1/auth/login", json={"username": "bulk.clerk2", "password": "Bulk&Clerk2026"}, timeout=20
    )
    assert refused.status_code == 401  # inactive until the link is used
    done = requests.post(
        system.base + "/api/v1/auth/link/password", json={"token": token, "new_password": "Bulk&Clerk2026"}, timeout=20
    )
    assert done.status_code == 200, done.text
    clerk = system.login("bulk.clerk2", "Bulk&Clerk2026")
    union_id = clerk.account["union_id"]
    assert clerk.get(f"/api/v1/members/unions/{union_id}").json()["name"] == "批量流程2公司工会"

    def in_enrollment():
        with system.db("enrollment").connect() as conn:
            return conn.execute(text("SELECT count(*) FROM union_view WHERE name LIKE '批量流程%公司工会'")).scalar()

    system.wait_for(lambda: in_enrollment() == 3, timeout=60, message="enrollment's directory")
