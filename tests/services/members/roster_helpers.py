"""Shared set-up for the roster tests: a directory, members, workbooks."""

from __future__ import annotations

import io
import time

import openpyxl

from deploy.seed import credit_code
from services.members.domain.idcard import check_char


def rid(seq: int, birth: str = "19900101", area: str = "310101") -> str:
    """A valid resident ID; odd seq → male."""
    first17 = f"{area}{birth}{seq:03d}"
    return first17 + check_char(first17)


def setup(members):
    """Two districts; unions u1, u2 in d1 and u3 in d2. Returns ids and role clients."""
    centre = members.as_("centre")
    d1 = centre.post("/districts", json={"name": "黄浦区总工会", "kind": "district"}).get_json()["id"]
    d2 = centre.post("/districts", json={"name": "浦东新区总工会", "kind": "district"}).get_json()["id"]
    unions = []
    for n, district in ((1, d1), (2, d1), (3, d2)):
        response = centre.post(
            "/unions",
            json={
                "name": f"测试{n}公司工会",
                "credit_code": credit_code(f"91310101MA1FL000{n}"),
                "district_id": district,
                "contact_person": f"联系人{n}",
                "phone": f"1380000000{n}",
            },
        )
        assert response.status_code == 201, response.get_json()
        unions.append(response.get_json()["id"])
    u1, u2, u3 = unions
    return {
        "d1": d1,
        "d2": d2,
        "u1": u1,
        "u2": u2,
        "u3": u3,
        "centre": centre,
        "g1": members.as_("grassroots", union_id=u1, district_id=d1),
        "g2": members.as_("grassroots", union_id=u2, district_id=d1),
        "g3": members.as_("grassroots", union_id=u3, district_id=d2),
        "dist1": members.as_("district", district_id=d1),
        "dist2": members.as_("district", district_id=d2),
    }


def member_form(seq: int, name: str | None = None, **over) -> dict:
    data = {
        "name": name or f"会员{seq}",
        "id_number": rid(seq),
        "address": "上海市黄浦区人民大道 200 号",
        "mobile": f"1381234{seq:04d}",
        "education": "大学本科",
        "household_type": "非农业",
    }
    data.update(over)
    return data


def add(client, seq: int, **over) -> dict:
    response = client.post("/members", json=member_form(seq, **over))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def approve(client, *ids):
    response = client.post("/members/approvals", json={"member_ids": list(ids)})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def xlsx(rows, sheet_rows=None) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(client, path: str, data: bytes, filename: str = "list.xlsx", **form):
    return client.post(path, data={"file": (io.BytesIO(data), filename), **form}, content_type="multipart/form-data")


IMPORT_HEADER = [
    "姓名",
    "有效证件类型",
    "证件号码",
    "性别",
    "出生日期",
    "联系地址",
    "移动电话",
    "学历",
    "户籍类型",
    "技术等级",
    "工会职务",
]


def import_row(seq: int, name: str | None = None, **over) -> list:
    values = {
        "姓名": name or f"导入{seq}",
        "有效证件类型": "身份证",
        "证件号码": rid(seq),
        "性别": "",
        "出生日期": "",
        "联系地址": "上海市静安区",
        "移动电话": f"1391234{seq % 10000:04d}",
        "学历": "高中",
        "户籍类型": "农业",
        "技术等级": "",
        "工会职务": "",
    }
    values.update(over)
    return [values[h] for h in IMPORT_HEADER]


def run_pending_uploads() -> int:
    """Do what members' worker does with the upload work messages in the outbox, through the
    consumer's own code for a work queue (EventConsumer._handle_work: inbox check, the
    subscription's handler, inbox claim); a message handled before is skipped. The broker's part
    (delivery, redelivery after a SIGKILL) is proven in tests/integration/test_upload_jobs.py."""
    import json

    from sqlalchemy import select

    from common.bus import Delivery
    from common.consumer import EventConsumer
    from services.members import contracts
    from services.members.bootstrap import runtime

    table = runtime.messaging.outbox
    with runtime.engine.connect() as conn:
        events = [
            json.loads(p)
            for p in conn.execute(
                select(table.c.payload).where(table.c.type == contracts.UPLOAD_ACCEPTED).order_by(table.c.id)
            ).scalars()
        ]
    sub = next(s for s in runtime.subscriptions if s.work)
    EventConsumer(runtime, sub)._handle_work([Delivery(e, None) for e in events])
    return len(events)


def wait_job(client, job_id: int, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(f"/uploads/{job_id}")
        if response.status_code == 200 and response.get_json()["state"] == "running":
            run_pending_uploads()
            response = client.get(f"/uploads/{job_id}")
        job = response.get_json()
        assert response.status_code == 200, job
        if job["state"] != "running":
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.05)
